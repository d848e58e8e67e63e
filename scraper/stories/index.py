"""The story index: every article of every run, so that a new one is found to be a duplicate, a copy or a
rewrite of what came before, and joins that story.

A lookup's work is bounded whatever the index holds: candidates come from an LSH index over the
MinHash signature (32 bands of 4 values; each bucket holds at most ``BUCKET_CAP`` articles) and from the
articles sharing the new one's rarest facts (a fact stated by more than ``FACT_CAP`` articles is common and no
longer looked up); at most ``MAX_CANDIDATES`` of them are compared. Storage is a ``StoreProtocol``: SQLite
(``sqlite_store``) or Redis (``redis_store``), with the same logic on top.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from itertools import chain
from typing import Protocol

from scraper.stories.model import Entry, Newcomer, Placement, Story, when
from scraper.stories.relation import STRENGTH, Match, looser, relate

BUCKET_CAP = 32
FACT_CAP = 64
# How many of an article's looked-up facts (``keys.FACTS_LOOKED_UP``, those not common) a candidate must share.
MIN_SHARED_FACTS = 3
MAX_CANDIDATES = 8
MAX_CLAIMS = 16


class StoreProtocol(Protocol):
    """What the index needs from its storage; every call may raise ``StorageError`` (naming the store)."""

    def exclusive(self) -> AbstractContextManager[None]:
        """The lookup and insertion of one article, alone across every process sharing the store."""

    def key_of(self, article_id: str) -> int | None: ...

    def key_of_hash(self, content_hash: str) -> int | None: ...

    def bucket_members(self, bands: list[int]) -> Mapping[int, Sequence[int]]:
        """The members of each bucket that has any, in the order they came; buckets in the order of their keys."""

    def fact_members(self, facts: list[str], limit: int) -> tuple[Mapping[str, Sequence[int]], set[str]]:
        """Up to ``limit`` articles stating each fact, and which of the facts are common (left out)."""

    def entries(self, keys: list[int]) -> list[Entry]: ...

    def members_marked(self, story: str, marks: tuple[str, ...]) -> list[Entry]: ...

    def story(self, story_id: str) -> Story: ...

    def add(self, entry: Entry, bands: list[int], facts: list[str], common: list[str]) -> int:
        """Store a new article with its buckets and facts (``common``: facts whose list is now full); its key."""

    def save_story(self, story: Story) -> None: ...

    def stories(self) -> Iterator[Story]: ...

    def members(self, story_id: str) -> list[Entry]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class StoryIndex:
    """Places articles into stories, over a store shared by every run (and every process of a distributed
    crawl).

    Args:
        store: where the index lives.
        run: the run adding articles (recorded with each, for provenance).
    """

    def __init__(self, store: StoreProtocol, run: str = "") -> None:
        self.store, self.run = store, run

    def add(self, item: Newcomer) -> Placement:
        """Find what the index holds of ``item``'s story, add it, and say where it landed.

        An article already in the index (same record id) is not added again: its placement is given again.

        Raises:
            StorageError: the store cannot be read or written.
        """
        with self.store.exclusive():
            known = self.store.key_of(item.id)
            if known is not None:
                entry = self.store.entries([known])[0]
                return self._placement(entry, self.store.story(entry.story))
            lookup = _Lookup(self.store, item)
            return self._insert(item, self._best_match(item, lookup), lookup)

    def closest(self, item: Newcomer) -> tuple[Entry, Match] | None:
        """The article the index holds closest to ``item`` and how they relate (None: it would start a story),
        without adding it: a dry run of ``add``, and the lookup alone for timing.

        Raises:
            StorageError: the store cannot be read.
        """
        with self.store.exclusive():
            return self._best_match(item, _Lookup(self.store, item))

    def _best_match(self, item: Newcomer, lookup: _Lookup) -> tuple[Entry, Match] | None:
        """The closest article the index holds: a duplicate before a copy before a rewrite, then the strongest."""
        same_text = self.store.key_of_hash(item.content_hash)
        if same_text is not None:
            return self.store.entries([same_text])[0], Match("duplicate", 1.0)
        found = []
        for entry in self.store.entries(lookup.candidates()):
            match = relate(item.content_hash, item.fingerprint, entry.content_hash, entry.fingerprint)
            if match is not None:
                found.append((STRENGTH[match.relation], -match.score, entry.key, entry, match))
        if not found:
            return None
        found.sort(key=lambda t: t[:3])
        return found[0][3], found[0][4]

    def _insert(self, item: Newcomer, best: tuple[Entry, Match] | None, lookup: _Lookup) -> Placement:
        full = {band for band, members in lookup.buckets.items() if len(members) >= BUCKET_CAP}
        open_bands = [b for b in lookup.bands if b not in full] if full else lookup.bands
        listed = lookup.looked_up
        common = [f for f in listed if len(lookup.members.get(f, ())) >= FACT_CAP - 1]
        entry = Entry(key=0, id=item.id, url=item.url, site=item.site, title=item.title, published=item.published,
                      seen=item.seen, content_hash=item.content_hash, fingerprint=item.fingerprint, story="",
                      marks=item.marks, claims=item.claims, run=self.run)
        if best is None:
            entry.story = "s-" + item.id
            entry.key = self.store.add(entry, open_bands, listed, common)
            story = Story(entry.story, entry.key, size=1, first_seen=_seen(entry), last_seen=_seen(entry),
                          claims=item.claims[:MAX_CLAIMS])
            self.store.save_story(story)
            return self._placement(entry, story)
        matched, match = best
        entry.story, entry.relation, entry.matched, entry.score = matched.story, match.relation, matched.id, match.score
        entry.key = self.store.add(entry, open_bands, listed, common)
        story = self.store.story(matched.story)
        self._join(story, entry)
        self.store.save_story(story)
        return self._placement(entry, story, matched, match)

    def _join(self, story: Story, entry: Entry) -> None:
        """Count the member in, and choose the story's original again: the member the others name as the
        origin, or else the earliest published."""
        story.size += 1
        seen = _seen(entry)
        if seen:
            story.first_seen = min(filter(None, (story.first_seen, seen)))
            story.last_seen = max(filter(None, (story.last_seen, seen)))
        original = self.store.entries([story.original])[0]
        named = set(entry.marks) & set(story.claims)
        if named and (not story.attributed or entry.earlier_than(original)):
            story.original, story.attributed = entry.key, True
        elif entry.claims and not (story.attributed and set(original.marks) & set(entry.claims)):
            if set(original.marks) & set(entry.claims):
                story.attributed = True
            else:
                candidates = [m for m in self.store.members_marked(story.id, entry.claims) if m.key != entry.key]
                if candidates:
                    first = min(candidates, key=_order)
                    if not story.attributed or first.earlier_than(original):
                        story.original, story.attributed = first.key, True
        if not story.attributed and story.original != entry.key and entry.earlier_than(original):
            story.original = entry.key
        story.claims = tuple(dict.fromkeys((*story.claims, *entry.claims)))[:MAX_CLAIMS]

    def _placement(self, entry: Entry, story: Story, matched: Entry | None = None,
                   match: Match | None = None) -> Placement:
        """The record's ``story``: the story id, the relation to its original, the original, the match."""
        if matched is None and entry.matched:
            found = self.store.entries([k for k in [self.store.key_of(entry.matched)] if k is not None])
            matched = found[0] if found else None
        seen_match = None
        if matched is not None:
            seen_match = {**matched.brief(), "relation": match.relation if match else entry.relation,
                          "score": round(match.score if match else entry.score, 3)}
        if story.original == entry.key:
            return Placement(story.id, "original", None, seen_match)
        original = self.store.entries([story.original])[0]
        return Placement(story.id, self.relation_to(entry, original, matched), original.brief(), seen_match)

    def relation_to(self, entry: Entry, original: Entry, matched: Entry | None = None) -> str:
        """How a member relates to its story's original: compared directly, or else by the looser link through
        the article it matched when it came."""
        if entry.key == original.key:
            return "original"
        direct = relate(entry.content_hash, entry.fingerprint, original.content_hash, original.fingerprint)
        if direct is not None:
            return direct.relation
        through = matched.relation if matched is not None and matched.key != original.key else "rewrite"
        return looser(entry.relation if entry.relation != "original" else "rewrite", through)


class _Lookup:
    """What the store holds near a new article: its buckets' members and its facts' articles."""

    def __init__(self, store: StoreProtocol, item: Newcomer) -> None:
        self.bands = item.bands
        self.buckets = store.bucket_members(self.bands)
        facts = item.listed
        self.members, self.common = store.fact_members(facts, FACT_CAP)
        self.looked_up = [f for f in facts if f not in self.common]

    def candidates(self) -> list[int]:
        """At most ``MAX_CANDIDATES`` article keys, those sharing the most buckets and rare facts first."""
        # Two for each bucket shared, one for each rare fact (counted in C); among equals the earliest indexed
        # first, so that the choice depends on what the store holds, never on the order it lists it in.
        hits = {key: 2 * n for key, n in Counter(chain.from_iterable(self.buckets.values())).items()}
        if self.members:
            needed = min(MIN_SHARED_FACTS, len(self.looked_up))
            by_fact = Counter(chain.from_iterable(self.members.get(fact, ()) for fact in self.looked_up))
            for key, n in by_fact.items():
                if n >= needed:
                    hits[key] = hits.get(key, 0) + n
        if len(hits) <= MAX_CANDIDATES:
            return sorted(hits, key=lambda key: (-hits[key], key))
        return [key for key, _ in heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=_most_hits_first)]


def _most_hits_first(hit: tuple[int, int]) -> tuple[int, int]:
    return -hit[1], hit[0]


def _seen(entry: Entry) -> str | None:
    return entry.seen or entry.published


def _order(entry: Entry) -> tuple[int, str, int]:
    """Earliest first (published, or else seen), then the index's order."""
    moment = when(entry.published) or when(entry.seen)
    return (0 if moment else 1, moment.isoformat() if moment else "", entry.key)
