"""Story index benchmark: a generated coverage corpus from real article texts, scored, and the index timed.

    python bench/stories.py ../shared/aeb ../shared/wcxb-dev [--scale 10000,100000,1000000]

From the AEB and WCXB article bodies (given as folders; not part of this repository, see bench/datasets.py
for where to get them) it builds stories: each original is republished as an exact duplicate, copied onto
other sites with their own boilerplate lines and headlines (whole, cut to its first paragraphs as wire
services do, paragraphs reordered or dropped), and rewritten by hand-written rules (synonyms, sentences
split, number and date formats changed; English texts); noise articles share each story's topic words but
none of its facts. The corpus is indexed in a shuffled order, as a crawl meets it, and ``stories.jsonl``'s
lines are scored: precision and recall of each relation (right relation to the right original), pairwise
precision/recall/F1 of the story clusters, topic-only neighbours linked (must be 0), then the speed of
fingerprinting and indexing per core, lookup time with 10,000 to 1,000,000 articles already indexed, and, on a
real redis-server, whether the Redis index places every corpus article as SQLite does, and its memory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import datasets
import redis

from scraper.stories.bulk import story_lines
from scraper.stories.fingerprint import NUM_PERM, Fingerprint, fingerprint
from scraper.stories.index import StoryIndex
from scraper.stories.model import Newcomer, record_id
from scraper.stories.redis_store import RedisStore
from scraper.stories.sqlite_store import BULK_BATCH, SQLiteStore

_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
_EN_STOP_TEXT = "the of and to in a is that for on with as was by at from it his her said"
_EN_STOP = frozenset(_EN_STOP_TEXT.split())
_STOP_TEXT = """
the of and to in a is that for on with as was by at from it his her said be are this an have has had not but or
they their which were been will would more also who its one about there than after over into when what can all out
up new we our he she you your them so if no do could other some only just like these those how said says year years
time people
"""
STOP = frozenset(_STOP_TEXT.split())
# Hand-written rewriting rules: English words and phrases and what a rewriter puts instead.
SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "announced": "revealed", "reported": "noted",
    "also": "additionally", "however": "nevertheless", "but": "yet", "because": "since", "after": "following",
    "before": "prior to", "during": "throughout", "about": "regarding", "around": "roughly", "many": "numerous",
    "big": "large", "large": "sizeable", "small": "modest", "important": "significant", "major": "key",
    "help": "assist", "helped": "assisted", "show": "demonstrate", "shows": "demonstrates", "showed": "revealed",
    "use": "utilise", "used": "utilised", "using": "employing", "make": "create", "made": "produced",
    "take": "seize", "took": "seized", "get": "obtain", "got": "obtained", "give": "provide", "gave": "provided",
    "find": "discover", "found": "discovered", "government": "administration", "country": "nation",
    "company": "firm", "companies": "firms", "city": "town", "people": "individuals", "children": "youngsters",
    "according to": "as per", "including": "among them", "than": "compared with", "very": "highly",
    "while": "whereas", "although": "though", "despite": "in spite of", "among": "amid", "between": "betwixt",
    "within": "inside", "without": "lacking", "would": "might", "could": "may well", "should": "ought to",
    "will": "is set to", "can": "is able to", "must": "has to", "began": "started", "begin": "start",
    "started": "commenced", "ended": "concluded", "end": "close", "week": "seven days", "month": "few weeks",
    "recent": "latest", "recently": "lately", "now": "currently", "today": "this day", "later": "subsequently",
    "first": "initial", "last": "previous", "next": "following", "new": "fresh", "old": "former",
    "many of": "a lot of", "more": "further", "most": "the majority of", "some": "certain", "several": "a number of",
    "group": "organisation", "groups": "organisations", "official": "representative", "officials": "authorities",
    "police": "law enforcement", "war": "conflict", "attack": "assault", "attacks": "assaults",
    "killed": "slain", "died": "perished", "deaths": "fatalities", "money": "funds", "pay": "compensation",
    "work": "labour", "worked": "laboured", "working": "labouring", "workers": "employees", "job": "post",
    "jobs": "posts", "market": "marketplace", "price": "cost", "prices": "costs", "rise": "increase",
    "rose": "climbed", "fell": "dropped", "increase": "boost", "decrease": "reduction", "plan": "scheme",
    "plans": "schemes", "decision": "ruling", "law": "legislation", "rules": "regulations", "case": "matter",
    "issue": "problem", "issues": "problems", "problem": "difficulty", "study": "research", "data": "figures",
    "expert": "specialist", "experts": "specialists", "leader": "head", "leaders": "heads", "member": "affiliate",
    "members": "affiliates", "country's": "nation's", "public": "general", "local": "regional",
    "national": "nationwide",
    "world": "globe", "house": "home", "family": "household", "life": "existence", "way": "manner", "part": "portion",
    "place": "location", "number": "quantity", "point": "juncture", "day": "date", "days": "dates",
    "think": "believe", "thought": "believed", "know": "understand", "knew": "understood", "want": "wish",
    "wanted": "wished", "need": "require", "needed": "required", "try": "attempt", "tried": "attempted",
    "call": "describe", "called": "described", "keep": "retain", "kept": "retained", "hold": "maintain",
    "held": "maintained", "bring": "deliver", "brought": "delivered", "move": "shift", "moved": "shifted",
    "live": "reside", "lived": "resided", "believe": "reckon", "seen": "observed", "see": "observe", "saw": "observed",
    "likely": "probable", "possible": "feasible", "difficult": "hard", "easy": "simple", "quickly": "rapidly",
    "often": "frequently", "again": "once more", "still": "nonetheless", "even": "indeed", "just": "merely",
    "only": "solely", "almost": "nearly", "really": "truly", "well": "properly", "back": "again", "then": "afterwards",
    "there": "in that place", "here": "in this place", "so": "therefore", "if": "should", "when": "once",
    "where": "in which", "who": "that", "which": "that", "because of": "owing to", "such as": "like",
    # Spinners' function-word rules: they break most five-word runs of the original.
    "and": "as well as", "is": "remains", "are": "remain", "was": "had been", "were": "had been",
    "with": "alongside", "on": "upon", "that": "which", "in": "within", "for": "on behalf of", "from": "out of",
    "has": "possesses", "have": "possess", "had": "possessed", "by": "through", "this": "that particular",
    "it": "this", "its": "their", "they": "these people", "their": "the", "not": "never", "into": "inside",
    "out": "outside", "up": "upward", "over": "above", "under": "beneath", "one": "a single", "two": "a pair of",
}
_SYNONYM_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)) + r")\b")
BOILERPLATE = [
    "Sign up for our daily newsletter to get the latest stories.", "Share this article on Facebook and X.",
    "Read more: {headline}", "Copyright 2025 {site}. All rights reserved.", "Follow us for more news like this.",
    "This story has been updated.", "Advertisement", "Click here to subscribe for unlimited access.",
    "Related: {headline}", "Listen to this article", "Comments are closed for this story.",
]


@dataclass(frozen=True)
class Item:
    """One generated article and its truth."""

    id: str
    url: str
    title: str
    text: str
    published: str
    story: str
    kind: str  # original, duplicate, copy, rewrite, noise
    variant: str = ""


def is_english(text: str) -> bool:
    words = _WORD.findall(text.lower()[:3000])
    return bool(words) and sum(w in _EN_STOP for w in words) / len(words) > 0.12


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if len(p.strip()) > 1]


def topic_words(text: str, n: int = 10) -> list[str]:
    counts = Counter(w for w in _WORD.findall(text) if w.islower() and len(w) > 3 and w not in STOP)
    return [w for w, _ in counts.most_common(n)]


def rewrite_numbers(text: str, rng: random.Random) -> str:
    """Other number formats for the same numbers: 11,000 -> 11 000, $5m <-> $5 million, 2% -> 2 per cent."""
    text = re.sub(r"(\d{1,3}),(\d{3})\b(?!,\d)", lambda m: f"{m[1]}\u00a0{m[2]}" if rng.random() < 0.5 else m[0], text)
    text = re.sub(r"\$(\d+(?:\.\d+)?) ?m\b", r"$\1 million", text)
    text = re.sub(r"\$(\d+(?:\.\d+)?) million\b", r"$\1m", text) if rng.random() < 0.3 else text
    text = re.sub(r"\$(\d+(?:\.\d+)?) ?bn\b", r"$\1 billion", text)
    text = re.sub(r"(\d+(?:\.\d+)?)%", r"\1 per cent", text)
    return re.sub(r"\b(January|February|March|April|May|June|July|August|September|October|November|December) "
                  r"(\d{1,2}), (\d{4})\b", r"\2 \1 \3", text)


def rewrite_sentence(sentence: str, rng: random.Random) -> str:
    """Synonyms for the words the rules know, and a long sentence split at its first ', and' or '; '."""
    out = _SYNONYM_RE.sub(lambda m: SYNONYMS[m[1]] if rng.random() < 0.9 else m[1], sentence)
    for joint, start in ((", and ", ". And "), ("; ", ". "), (", but ", ". But "), (", which ", ". This ")):
        if joint in out and len(out) > 120:
            out = out.replace(joint, start, 1)
            break
    return out


def rewrite(text: str, rng: random.Random) -> str:
    """A rewrite by rules: every paragraph's sentences reworded, numbers reformatted, maybe one paragraph left out."""
    paras = paragraphs(text)
    if len(paras) > 4 and rng.random() < 0.4:
        del paras[rng.randrange(1, len(paras))]
    new = [" ".join(rewrite_sentence(s, rng) for s in _SENTENCE.split(p)) for p in paras]
    return rewrite_numbers("\n\n".join(new), rng)


def copy_variant(text: str, rng: random.Random, variant: str, site: str, headline: str) -> str:
    """A copy on another site: its boilerplate around the text, and the text whole, cut, reordered or trimmed."""
    paras = paragraphs(text)
    if variant == "cut":
        keep = max(2, round(len(paras) * rng.uniform(0.4, 0.7)))
        paras = paras[:keep]
    elif variant == "reorder" and len(paras) > 3:
        body = paras[1:]
        for _ in range(max(1, len(body) // 4)):
            i = rng.randrange(len(body) - 1)
            body[i], body[i + 1] = body[i + 1], body[i]
        paras = [paras[0], *body]
    elif variant == "drop" and len(paras) > 3:
        for _ in range(min(2, len(paras) - 3)):
            del paras[rng.randrange(1, len(paras))]
    lines = [b.format(site=site, headline=headline) for b in rng.sample(BOILERPLATE, rng.randint(1, 3))]
    head = lines[:1] if rng.random() < 0.3 else []
    tail = lines[1:] if head else lines
    return "\n\n".join([*head, *paras, *tail])


class NoiseMaker:
    """Noise articles: sentences of texts that are no story of the corpus, with their names and numbers
    replaced at random and a story's topic words worked in: the same topic, none of its facts."""

    def __init__(self, texts: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [s for t in texts for p in paragraphs(t) for s in _SENTENCE.split(p) if len(s) > 40]
        self.names = sorted({w for s in self.sentences for w in _WORD.findall(s) if w[:1].isupper() and len(w) > 3})

    def make(self, topic: list[str]) -> str:
        rng = self.rng
        chosen = rng.sample(self.sentences, min(len(self.sentences), rng.randint(8, 16)))
        out = []
        for sentence in chosen:
            words = sentence.split(" ")
            for i, word in enumerate(words):
                if i and word[:1].isupper():
                    words[i] = rng.choice(self.names)
                elif word.islower() and len(word) > 3 and rng.random() < 0.12 and topic:
                    words[i] = rng.choice(topic)
            out.append(re.sub(r"\d", lambda _: str(rng.randrange(10)), " ".join(words)))
        return "\n\n".join(" ".join(out[i:i + 3]) for i in range(0, len(out), 3))


def build_corpus(roots: list[Path], rng: random.Random, copies: int, rewrites: int, noise: int) -> list[Item]:
    """The generated corpus (see the module docstring); stories from article pages, noise from the rest."""
    pages = [p for root in roots for p in datasets.iter_pages(root, page_types=None)]
    seen_starts: set[str] = set()
    bases, others = [], []
    for page in pages:
        text = page.truth.strip()
        start = " ".join(_WORD.findall(text.lower())[:40])
        if not text or start in seen_starts:
            continue
        seen_starts.add(start)
        words = len(_WORD.findall(text))
        if page.page_type == "article" and words >= 150 and len(paragraphs(text)) >= 4:
            bases.append((page, text))
        else:
            others.append(text)
    rng.shuffle(bases)
    # A third of the article texts never become stories: their sentences make the noise.
    cut = len(bases) * 2 // 3
    noise_maker = NoiseMaker(others + [t for _, t in bases[cut:]], rng)
    items: list[Item] = []
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for number, (page, text) in enumerate(bases[:cut]):
        story = f"t{number}"
        day = start + dt.timedelta(hours=rng.randrange(24 * 300))
        title = page.title or paragraphs(text)[0][:80]

        def add(kind: str, body: str, hours: float, *, variant: str = "", site: str = "",
                story: str = story, title: str = title, day: dt.datetime = day) -> None:
            url = f"https://{site or 'origin'}-{story}.example/{kind}/{len(items)}"
            items.append(Item(record_id(url, str(len(items))), url, title, body,
                              (day + dt.timedelta(hours=hours)).isoformat(), story, kind, variant))

        add("original", text, 0, site="origin")
        add("duplicate", text, 1, site="mirror")
        for c in range(copies):
            variant = ("whole", "cut", "reorder", "drop")[c % 4]
            site = f"copy{c}"
            add("copy", copy_variant(text, rng, variant, site, f"Read: {title}"), rng.uniform(1, 72),
                variant=variant, site=site, title=f"{title} | {site}")
        if is_english(text):
            for r in range(rewrites):
                add("rewrite", rewrite(text, rng), rng.uniform(2, 96), site=f"rewrite{r}", title=f"Inside: {title}")
        topic = topic_words(text)
        for n in range(noise):
            add("noise", noise_maker.make(topic), rng.uniform(-48, 96), site=f"noise{n}", story=f"{story}-noise{n}",
                title=" ".join(topic[:4]).title())
    return items


def newcomer(item: Item, fp: Fingerprint) -> Newcomer:
    from scraper.stories.model import marks_of

    return Newcomer(id=item.id, url=item.url, title=item.title, published=item.published, seen=item.published,
                    content_hash=hashlib.sha256(" ".join(item.text.split()).casefold().encode()).hexdigest(),
                    fingerprint=fp, marks=marks_of(item.url, None, None))


def score(items: list[Item], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall per relation, pairwise cluster scores, topic-only neighbours linked."""
    truth = {i.id: i for i in items}
    originals = {i.story: i.id for i in items if i.kind == "original"}
    predicted_story: dict[str, str] = {}
    predicted_relation: dict[str, str] = {}
    story_original: dict[str, str] = {}
    for line in lines:
        story_original[str(line["story"])] = str(line["original"]["id"])
        for member in line["members"]:
            predicted_story[member["id"]] = str(line["story"])
            predicted_relation[member["id"]] = member["relation"]
    out: dict[str, Any] = {}
    for kind in ("duplicate", "copy", "rewrite"):
        def right(item_id: str, kind: str = kind) -> bool:
            item = truth[item_id]
            return (item.kind == kind and item.story in originals
                    and story_original[predicted_story[item_id]] == originals[item.story])
        predicted = [i for i, r in predicted_relation.items() if r == kind]
        actual = [i.id for i in items if i.kind == kind]
        tp = sum(right(i) for i in predicted)
        out[kind] = {"precision": tp / len(predicted) if predicted else 1.0,
                     "recall": sum(predicted_relation.get(i) == kind and right(i) for i in actual) / len(actual)
                     if actual else 1.0, "predicted": len(predicted), "true": len(actual)}
    by_variant: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        if item.kind == "copy":
            by_variant[item.variant].append(predicted_relation.get(item.id) in ("copy", "duplicate")
                                            and story_original[predicted_story[item.id]] == originals[item.story])
    out["copy_recall_by_variant"] = {k: round(sum(v) / len(v), 4) for k, v in sorted(by_variant.items())}
    pred_groups: dict[str, list[str]] = defaultdict(list)
    for item_id, story in predicted_story.items():
        pred_groups[story].append(item_id)
    true_size = Counter(i.story for i in items)
    same_pred = sum(len(g) * (len(g) - 1) // 2 for g in pred_groups.values())
    same_true = sum(n * (n - 1) // 2 for n in true_size.values())
    both = 0
    for group in pred_groups.values():
        counts = Counter(truth[i].story for i in group)
        both += sum(n * (n - 1) // 2 for n in counts.values())
    p = both / same_pred if same_pred else 1.0
    r = both / same_true if same_true else 1.0
    out["clusters"] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                       "stories_true": len(originals),
                       "stories_predicted": sum(len(g) > 1 for g in pred_groups.values())}
    linked = sum(1 for i in items if i.kind == "noise" and len(pred_groups[predicted_story[i.id]]) > 1)
    out["topic_only_neighbours_linked"] = linked
    out["noise_articles"] = sum(i.kind == "noise" for i in items)
    return out


_RANDOM_VALUES = struct.Struct(f"<{NUM_PERM}H").unpack


def background(n: int, rng: random.Random, start: int) -> list[Newcomer]:
    """Articles of other stories for the scale test: random signatures, facts from a Zipf-like vocabulary."""
    out = []
    for k in range(start, start + n):
        facts = tuple(sorted({f"bg{int(rng.paretovariate(0.6)) % 2_000_000}" for _ in range(32)}))
        fp = Fingerprint(_RANDOM_VALUES(rng.randbytes(2 * NUM_PERM)), rng.randint(200, 1500), facts)
        out.append(Newcomer(id=f"bg{k}", url=f"https://bg{k % 5000}.example/{k}", title=None,
                            published=None, seen=None, content_hash=f"bg{k}", fingerprint=fp))
    return out


def timed(call: Callable[[Newcomer], object], batch: list[Newcomer]) -> list[float]:
    """Seconds each call takes (``index.add``: lookup and insertion; ``index.closest``: the lookup alone)."""
    times = []
    for item in batch:
        t = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - t)
    return times


_FIXED_PROBES = 200


def scale_test(sizes: list[int], comers: list[Newcomer], stories: list[str], rng: random.Random, folder: Path
               ) -> list[dict[str, float]]:
    """Index background articles up to each size, then time looking up (and adding) 2,000 corpus articles,
    another 2,000 at each size; and, at every size, the lookup alone (nothing added) of the same 1,000 corpus
    articles, whose relatives in the corpus (the other articles of their stories) were indexed first and are
    never among the 2,000 added: the same work at every size but the size, read from SQLite after the store's
    kept lists are dropped (cold) and again with them kept (warm). ``stories``: each newcomer's true story."""
    path = folder / "scale.sqlite3"
    store = SQLiteStore(path, batch=2000)
    index = StoryIndex(store, run="scale")
    fixed = comers[-_FIXED_PROBES:]
    theirs = set(stories[-_FIXED_PROBES:])
    relatives = [c for c, story in zip(comers[:-_FIXED_PROBES], stories, strict=False) if story in theirs]
    probes = [c for c, story in zip(comers[:-_FIXED_PROBES], stories, strict=False) if story not in theirs]
    for item in relatives:
        index.add(item)
    rows = []
    have = len(relatives)
    fill_rate = []
    for size in sizes:
        while have < size:
            chunk = background(min(20_000, size - have), rng, have)
            t = time.perf_counter()
            for item in chunk:
                index.add(item)
            fill_rate.append(len(chunk) / (time.perf_counter() - t))
            have += len(chunk)
        store._commit()
        store._forget_lists()  # every list read from the file, as in an index far larger than the kept lists
        cold = timed(index.closest, fixed)
        warm = timed(index.closest, fixed)
        # A sample of corpus articles not looked up before, so that every size meets alike related ones.
        sample = probes[len(rows) * 2000:(len(rows) + 1) * 2000]
        times = timed(index.add, sample)
        store._commit()
        have += len(sample)
        rows.append({"articles": size, "lookup_ms_median": statistics.median(times) * 1000,
                     "lookup_ms_p99": sorted(times)[int(len(times) * 0.99)] * 1000,
                     "cold_ms_median": statistics.median(cold) * 1000,
                     "cold_ms_p99": sorted(cold)[int(len(cold) * 0.99)] * 1000,
                     "warm_ms_median": statistics.median(warm) * 1000,
                     "file_mb": path.stat().st_size / 2**20, "fill_rate": fill_rate[-1]})
        print(f"  {size:>9,} articles: lookup+add median {rows[-1]['lookup_ms_median']:.3f} ms, "
              f"p99 {rows[-1]['lookup_ms_p99']:.3f} ms; lookup alone, same {len(fixed):,} articles: cold median "
              f"{rows[-1]['cold_ms_median']:.3f} ms (p99 {rows[-1]['cold_ms_p99']:.3f}), warm median "
              f"{rows[-1]['warm_ms_median']:.3f} ms; index file {rows[-1]['file_mb']:.0f} MiB, "
              f"filling at {fill_rate[-1]:,.0f} articles/s", flush=True)
    store.close()
    return rows


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str | None]:
    """A real redis-server on a Unix socket in ``folder`` (its URL), or None when it is not installed."""
    if not shutil.which("redis-server"):
        print("  redis-server not installed: Redis not measured")
        yield None
        return
    sock = folder / "redis.sock"
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(unix_socket_path=str(sock))
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        server.terminate()
        server.wait()


def redis_memory(url: str, count: int, probes: list[Newcomer], rng: random.Random) -> dict[str, float]:
    """Memory the Redis index takes per article, and its add rate."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    before = int(client.info("memory")["used_memory"])
    index = StoryIndex(RedisStore(url), run="redis")
    items = background(count - min(2000, len(probes)), rng, 0) + probes[:2000]
    t = time.perf_counter()
    for item in items:
        index.add(item)
    rate = len(items) / (time.perf_counter() - t)
    used = int(client.info("memory")["used_memory"]) - before
    per_million = used / len(items) * 1e6 / 2**30
    print(f"  Redis: {len(items):,} articles use {used / 2**20:,.0f} MiB ({per_million:.2f} GiB per million), "
          f"added at {rate:,.0f} articles/s (one process, Unix socket)")
    return {"articles": len(items), "bytes": used, "gib_per_million": per_million, "rate": rate}


def redis_agreement(url: str, comers: list[Newcomer], placed: list[dict[str, Any]]) -> dict[str, Any]:
    """The corpus indexed again in Redis, in the same order: every placement must be SQLite's."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    index = StoryIndex(RedisStore(url), run="bench")
    differ = [n for n, (comer, before) in enumerate(zip(comers, placed, strict=True))
              if index.add(comer).to_dict() != before]
    first = f", the first at article {differ[0] + 1:,}" if differ else ""
    print(f"  Redis placements differing from SQLite's on the corpus: {len(differ):,} of {len(comers):,}{first}")
    return {"articles": len(comers), "differ": len(differ)}


def redis_checks(args: argparse.Namespace, comers: list[Newcomer], placed: list[dict[str, Any]],
                 rng: random.Random, folder: Path) -> dict[str, Any]:
    """The Redis figures asked for: placements against SQLite's, memory and add rate."""
    result: dict[str, Any] = {}
    if args.redis or args.redis_same:
        with redis_server(folder) as url:
            if url and args.redis_same:
                result["redis_same"] = redis_agreement(url, comers, placed)
            if url and args.redis:
                result["redis"] = redis_memory(url, args.redis, comers, rng)
    return result


def print_quality(result: dict[str, Any]) -> None:
    for kind in ("duplicate", "copy", "rewrite"):
        row = result[kind]
        print(f"{kind:>9}: precision {row['precision']:.4f}  recall {row['recall']:.4f}  "
              f"(predicted {row['predicted']:,}, true {row['true']:,})")
    print(f"copy recall by variant: {result['copy_recall_by_variant']}")
    c = result["clusters"]
    print(f" clusters: pairwise precision {c['precision']:.4f}  recall {c['recall']:.4f}  F1 {c['f1']:.4f}  "
          f"({c['stories_predicted']:,} stories of 2+ found, {c['stories_true']:,} true)")
    print(f"topic-only neighbours linked: {result['topic_only_neighbours_linked']} of {result['noise_articles']:,}")


def print_scale(rows: list[dict[str, float]]) -> None:
    first, last = rows[0], rows[-1]
    print(f"  lookup time ratio {last['articles']:,.0f} / {first['articles']:,.0f} articles: "
          f"{last['lookup_ms_median'] / first['lookup_ms_median']:.2f} (median), "
          f"{last['lookup_ms_p99'] / first['lookup_ms_p99']:.2f} (p99); lookup alone of the same articles: "
          f"{last['cold_ms_median'] / first['cold_ms_median']:.2f} cold, "
          f"{last['warm_ms_median'] / first['warm_ms_median']:.2f} warm (median)")
    per_million = last["file_mb"] / (last["articles"] / 1e6)
    print(f"  index file per million articles: {per_million:,.0f} MiB; peak memory of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def fingerprint_rate(items: list[Item], repeat: int) -> float:
    """Articles fingerprinted per second on one core: the best of ``repeat`` passes over up to 3,000 articles."""
    sample = items[:3000]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for item in sample:
            fingerprint(item.text)
        best = min(best, time.perf_counter() - t)
    return len(sample) / best


def compare_minhash(items: list[Item], repeat: int) -> None:
    """rensa (the index's MinHash) against datasketch on the same shingles, when datasketch is installed."""
    try:
        import datasketch
    except ImportError:
        print("  datasketch not installed (pip install datasketch) : MinHash libraries not compared")
        return
    import rensa

    from scraper.stories.fingerprint import shingles_of

    sample = [shingles_of(i.text) for i in items[:300]]

    def best(run: Any) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            run()
            times.append(time.perf_counter() - t)
        return len(sample) / min(times)

    def with_rensa() -> None:
        for shingles in sample:
            m = rensa.RMinHash(num_perm=NUM_PERM, seed=1)
            m.update(shingles)
            m.digest()

    def with_datasketch() -> None:
        for shingles in sample:
            m = datasketch.MinHash(num_perm=NUM_PERM)
            m.update_batch([s.encode() for s in shingles])
            m.digest()

    fast, slow = best(with_rensa), best(with_datasketch)
    print(f"  MinHash of the same shingles, 128 permutations: rensa {fast:,.0f} texts/s, datasketch {slow:,.0f} "
          f"texts/s ({fast / slow:,.0f}x)")


def index_corpus(comers: list[Newcomer], path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float,
                                                                float]:
    """Index the corpus in a new SQLite index as `scraper stories` does: the placements, the story lines, and
    articles per second of wall time and of the process's CPU time (the last batch's commit included)."""
    store = SQLiteStore(path, batch=BULK_BATCH)
    index = StoryIndex(store, run="bench")
    t, cpu = time.perf_counter(), time.process_time()
    placed = [index.add(comer).to_dict() for comer in comers]
    store.close()
    wall_rate, cpu_rate = len(comers) / (time.perf_counter() - t), len(comers) / (time.process_time() - cpu)
    store = SQLiteStore(path)
    lines = list(story_lines(store))
    store.close()
    return placed, lines, wall_rate, cpu_rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+", type=Path, help="AEB and/or WCXB folders")
    parser.add_argument("--copies", type=int, default=16)
    parser.add_argument("--rewrites", type=int, default=6)
    parser.add_argument("--noise", type=int, default=9)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (the best is reported)")
    parser.add_argument("--scale", default="10000,100000,1000000", help="index sizes for the lookup test ('' none)")
    parser.add_argument("--redis", type=int, default=50_000, help="articles for the Redis memory test (0: none)")
    parser.add_argument("--redis-same", action=argparse.BooleanOptionalAction, default=True,
                        help="index the corpus in Redis too and compare every placement with SQLite's")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    for root in args.data:
        try:
            datasets.layout(root)
        except FileNotFoundError as exc:
            print(f"bench/stories.py: {exc}", file=sys.stderr)
            return 2
    rng = random.Random(args.seed)
    t = time.perf_counter()
    items = build_corpus(args.data, rng, args.copies, args.rewrites, args.noise)
    kinds = Counter(i.kind for i in items)
    print(f"corpus: {len(items):,} articles ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), "
          f"built in {time.perf_counter() - t:.0f} s", flush=True)
    prints = [fingerprint(i.text) for i in items]
    fp_rate = fingerprint_rate(items, args.repeat)
    words = sum(len(_WORD.findall(i.text)) for i in items) / len(items)
    print(f"fingerprints: {fp_rate:,.0f} articles/s on one core ({words:.0f} words per article; done in the "
          "cleaning workers, next to ~40 ms of cleaning per page)", flush=True)
    compare_minhash(items, args.repeat)
    order = list(range(len(items)))
    rng.shuffle(order)
    comers = [newcomer(items[k], prints[k]) for k in order]
    with tempfile.TemporaryDirectory() as tmp:
        # Indexed ``--repeat`` times into new files (the machine is shared: the best pass is the code's speed, the
        # median says how noisy the run was); every pass must place every article the same way.
        placed, lines, index_rate, index_cpu_rate = index_corpus(comers, Path(tmp) / "bench.sqlite3")
        wall_rates, cpu_rates = [index_rate], [index_cpu_rate]
        for n in range(1, max(args.repeat, 1)):
            again, _, wall, cpu = index_corpus(comers, Path(tmp) / f"bench-{n}.sqlite3")
            if again != placed:
                print("bench/stories.py: indexing the same corpus twice placed articles differently", file=sys.stderr)
                return 1
            wall_rates.append(wall)
            cpu_rates.append(cpu)
        index_rate, index_cpu_rate = max(wall_rates), max(cpu_rates)
        print(f"indexing: {index_rate:,.0f} articles/s on one core ({index_cpu_rate:,.0f}/s of its CPU time; best of "
              f"{len(wall_rates)} passes, median {statistics.median(wall_rates):,.0f} wall, "
              f"{statistics.median(cpu_rates):,.0f} CPU; SQLite, lookup and insertion, shuffled order, "
              f"{BULK_BATCH:,} a transaction)", flush=True)
        result: dict[str, Any] = score(items, lines)
        print_quality(result)
        sizes = [int(s) for s in args.scale.split(",") if s.strip()]
        if sizes:
            print("lookup time against index size (background articles, then 2,000 corpus articles looked up "
                  "and added at each size):", flush=True)
            result["scale"] = scale_test(sizes, comers, [items[k].story for k in order], rng, Path(tmp))
            print_scale(result["scale"])
        result.update(redis_checks(args, comers, placed, rng, Path(tmp)))
    result.update({"articles": len(items), "fingerprints_per_second": fp_rate, "index_per_second": index_rate,
                   "index_per_cpu_second": index_cpu_rate,
                   "index_passes": {"wall": wall_rates, "cpu": cpu_rates},
                   "cpu": os.cpu_count()})
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
