"""The story index: facts, fingerprints, relations, the index over SQLite (and Redis, a real server), and
``scraper stories`` over saved records."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sqlite3
import threading
from itertools import chain
from pathlib import Path

import pytest
import redis

from scraper.article import Article, RawPage
from scraper.cli import main
from scraper.errors import StorageError
from scraper.job import CleanJob
from scraper.records import ArticleRecord, Source, article_record
from scraper.stories.facts import extract_facts, number_value
from scraper.stories.fingerprint import NUM_PERM, SCHEME, Fingerprint, fingerprint
from scraper.stories.index import MAX_CANDIDATES, StoryIndex, _Lookup
from scraper.stories.keys import ROWS
from scraper.stories.model import Newcomer, marks_of
from scraper.stories.redis_store import RedisStore
from scraper.stories.relation import relate
from scraper.stories.sqlite_store import SQLiteStore
from tests.stories.texts import COPY, CUT, NEIGHBOUR, ORIGINAL, OTHER, REWRITE, text


def _hash(body: str) -> str:
    return hashlib.sha256(" ".join(body.split()).casefold().encode()).hexdigest()


def _item(name: str, paragraphs: list[str], published: str | None = None, *, site: str = "news.example.com",
          original_source: str | None = None) -> Newcomer:
    body = text(paragraphs)
    url = f"https://{site}/{name}"
    return Newcomer(id=name, url=url, title=name, published=published, seen=published, content_hash=_hash(body),
                    fingerprint=fingerprint(body), marks=marks_of(url, None, None),
                    claims=(f"d:{original_source}",) if original_source else ())


# -- facts -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("variants", "fact"), [
    (["$5m", "$5 million", "5 Millionen Dollar", "5 millions d'euros", "5 milhões", "US$5 mn", "5.000.000"],
     "#5000000"),
    (["11,000", "11 000", "11\u202f000", "11.000", "11000"], "#11000"),
    (["2%", "2 per cent", "2 percent", "2 Prozent", "2 por ciento", "2 pour cent", "2 per cento"], "2%"),
    (["12 June 2025", "June 12, 2025", "12 juin 2025", "12. Juni 2025", "12 de junio de 2025", "2025-06-12",
      "12.06.2025", "12 giugno 2025"], "2025-06-12"),
    (["September 2023", "septiembre de 2023", "Sept. 2023"], "2023-09"),
    (["3,5 Milliarden", "3.5bn", "3.5 billion"], "#3500000000"),
])
def test_facts_are_normalised_across_formats_and_languages(variants: list[str], fact: str) -> None:
    for variant in variants:
        assert fact in extract_facts(f"Officials said that {variant} was the figure given by Tocorón officials."), \
            variant


def test_a_number_with_groups_of_three_is_whole_and_otherwise_decimal() -> None:
    assert [number_value(t) for t in ("11,000", "1.234.567", "1,5", "1.5", "2012", "1,234.56")] == [
        11000, 1234567, 1.5, 1.5, 2012, 1234.56]


def test_names_are_folded_and_words_that_only_open_sentences_are_not_names() -> None:
    facts = extract_facts("Yesterday the gang's leader, Héctor Guerrero Flores, left Tocorón's walls. The U.S. "
                          "Treasury acted. Meanwhile, MS-13 grew. Guerrero said nothing.")
    assert {"hector", "guerrero", "flores", "tocoron", "us", "treasury", "ms-13"} <= set(facts)
    assert not {"yesterday", "meanwhile", "the"} & set(facts)
    assert "guerrero" in facts  # opening a sentence once, but a name elsewhere


def test_facts_keep_the_most_specific_and_are_sorted() -> None:
    facts = extract_facts(text(ORIGINAL), limit=8)
    assert list(facts) == sorted(facts) and len(facts) == 8
    assert {"2024-03-12", "#17300", "#4200000", "#2450"} <= set(facts)


# -- fingerprints and relations --------------------------------------------------------------------------------

def test_a_fingerprint_round_trips_and_one_of_another_scheme_is_computed_again() -> None:
    fp = fingerprint(text(ORIGINAL))
    data = fp.to_dict()
    assert data["scheme"] == SCHEME and len(data["minhash"]) == 344 and json.loads(json.dumps(data)) == data
    assert Fingerprint.from_dict(data) == fp
    assert Fingerprint.from_dict({**data, "scheme": "minhash-other"}) is None
    assert Fingerprint.from_dict({**data, "minhash": "AAAA"}) is None
    assert Fingerprint.from_dict(None) is None


@pytest.mark.parametrize(("paragraphs", "relation"), [
    (ORIGINAL, "duplicate"), (COPY, "copy"), (CUT, "copy"), (ORIGINAL[::-1], "copy"), (REWRITE, "rewrite"),
    (NEIGHBOUR, None), (OTHER, None)])
def test_how_an_article_relates_to_the_original(paragraphs: list[str], relation: str | None) -> None:
    original = fingerprint(text(ORIGINAL))
    match = relate(_hash(text(paragraphs)), fingerprint(text(paragraphs)), _hash(text(ORIGINAL)), original)
    assert (match.relation if match else None) == relation


def test_a_rewrite_shares_few_shingles_and_a_cut_copy_is_contained() -> None:
    original = fingerprint(text(ORIGINAL))
    assert fingerprint(text(REWRITE)).containment(original) < 0.2
    assert fingerprint(text(CUT)).containment(original) > 0.9 > fingerprint(text(CUT)).resemblance(original)


def test_resemblance_is_the_share_of_signature_values_that_agree() -> None:
    rng = random.Random(7)
    base = [rng.randrange(1 << 16) for _ in range(NUM_PERM)]
    for agree in (0, 1, 5, 64, 127, 128):
        kept = set(rng.sample(range(NUM_PERM), agree))
        # Differing values that share all but one bit, or only the low or the high byte, count as different.
        other = [v if i in kept else v ^ (1 << rng.randrange(16)) for i, v in enumerate(base)]
        a, b = Fingerprint(tuple(base), 100, ()), Fingerprint(tuple(other), 100, ())
        assert a.resemblance(b) == b.resemblance(a) == agree / NUM_PERM


# -- the index -------------------------------------------------------------------------------------------------

def _story_scenario(store: SQLiteStore | RedisStore) -> None:
    index = StoryIndex(store, run="r1")
    first = index.add(_item("copy", COPY, "2025-06-02T09:00:00+00:00", site="wire.example.org"))
    assert (first.relation, first.original, first.matched) == ("original", None, None)
    story = first.story
    rewrite = index.add(_item("rewrite", REWRITE, "2025-06-03T09:00:00+02:00", site="farm.example.net"))
    assert (rewrite.story, rewrite.relation) == (story, "rewrite")
    assert rewrite.original is not None and rewrite.original["url"] == "https://wire.example.org/copy"
    # The original comes later, but was published first: it becomes the story's original.
    original = index.add(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"))
    assert (original.story, original.relation) == (story, "original")
    assert original.matched is not None and original.matched["relation"] == "copy"
    cut = index.add(_item("cut", CUT, "2025-06-04T09:00:00+00:00", site="local.example.com"))
    assert (cut.story, cut.relation, cut.original["id"]) == (story, "copy", "original")  # type: ignore[index]
    again = index.add(_item("mirror", ORIGINAL, "2025-06-05T09:00:00+00:00", site="mirror.example.com"))
    assert (again.story, again.relation) == (story, "duplicate")
    neighbour = index.add(_item("neighbour", NEIGHBOUR, "2025-06-02T10:00:00+00:00"))
    other = index.add(_item("other", OTHER, "2025-06-02T11:00:00+00:00"))
    assert len({story, neighbour.story, other.story}) == 3
    assert neighbour.relation == other.relation == "original"
    # The same record again is not added twice.
    assert index.add(_item("cut", CUT, "2025-06-04T09:00:00+00:00", site="local.example.com")) == cut
    assert store.count() == 7


def test_the_index_places_copies_rewrites_and_the_earliest_original(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "stories.sqlite3")
    _story_scenario(store)
    store.close()


def test_closest_finds_what_add_would_match_without_adding(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "stories.sqlite3")
    index = StoryIndex(store, run="r1")
    assert index.closest(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00")) is None  # an empty index
    index.add(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"))
    found = index.closest(_item("cut", CUT, "2025-06-04T09:00:00+00:00", site="local.example.com"))
    assert found is not None and (found[0].id, found[1].relation) == ("original", "copy")
    assert index.closest(_item("other", OTHER, "2025-06-02T11:00:00+00:00")) is None
    assert store.count() == 1  # nothing was added
    placed = index.add(_item("cut", CUT, "2025-06-04T09:00:00+00:00", site="local.example.com"))
    assert (placed.relation, placed.original["id"]) == ("copy", "original")  # type: ignore[index]
    store.close()


def test_a_batch_sees_what_it_added_before_committing_and_writes_what_single_commits_write(tmp_path: Path) -> None:
    # In bulk mode the articles, marks and stories a batch adds are written at its commit: until then every read
    # (the same record again, the same text, the story, the members naming an origin, the count) must see them.
    for batch in (1, 100):
        store = SQLiteStore(tmp_path / f"batch{batch}.sqlite3", batch=batch)
        _story_scenario(store)
        index = StoryIndex(store)
        index.add(_item("agency", ORIGINAL, "2025-06-01T09:00:00+00:00", site="agency.example"))
        credited = index.add(_item("credit", REWRITE, "2025-06-06T07:00:00+00:00", site="farm2.example",
                                   original_source="agency.example"))
        story = store.story(credited.story)
        assert story.attributed and store.entries([story.original])[0].id == "agency"
        assert [m.id for m in store.members(credited.story)][:2] == ["copy", "rewrite"]
        store.close()
    assert _tables(tmp_path / "batch100.sqlite3") == _tables(tmp_path / "batch1.sqlite3")


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: db.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() for name in names}


def test_a_later_run_finds_the_stories_of_an_earlier_one(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    store = SQLiteStore(path)
    first = StoryIndex(store, run="monday").add(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"))
    store.close()
    store = SQLiteStore(path)  # the next run, another process
    placed = StoryIndex(store, run="tuesday").add(_item("copy", COPY, "2025-06-02T08:00:00+00:00", site="b.example"))
    store.close()
    assert (placed.story, placed.relation, placed.original["id"]) == (first.story, "copy", "original")  # type: ignore[index]


def test_the_member_other_members_name_as_the_origin_is_the_original(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "stories.sqlite3")
    index = StoryIndex(store)
    # The wire copy was published earlier than the agency's own page (time zones, late indexing)...
    index.add(_item("copy", COPY, "2025-06-01T07:00:00+00:00", site="aggregator.example"))
    # ...but the rewrite credits the agency's site.
    index.add(_item("rewrite", REWRITE, "2025-06-02T07:00:00+00:00", site="farm.example",
                    original_source="agency.example"))
    placed = index.add(_item("agency", ORIGINAL, "2025-06-01T09:00:00+00:00", site="agency.example"))
    assert placed.relation == "original"
    story = store.story(placed.story)
    assert story.attributed and store.entries([story.original])[0].id == "agency"
    store.close()


def _lists(path: Path) -> tuple[list[tuple[int, str]], list[tuple[str, str, int]]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return (db.execute("SELECT band, members FROM bucket_lists ORDER BY band").fetchall(),
                db.execute("SELECT fact, members, common FROM fact_lists ORDER BY fact").fetchall())


def test_an_index_of_the_first_layout_a_row_per_member_is_converted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    store = SQLiteStore(path)
    index = StoryIndex(store)
    first = index.add(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"))
    for name, paragraphs in (("rewrite", REWRITE), ("neighbour", NEIGHBOUR), ("other", OTHER)):
        index.add(_item(name, paragraphs, "2025-06-02T08:00:00+00:00", site=f"{name}.example"))
    store.close()
    buckets, facts = _lists(path)
    assert any("," in members for _, members, _ in facts)  # a fact two articles state
    common = facts[0][0]
    with contextlib.closing(sqlite3.connect(path)) as db:  # the file as the first version wrote it
        db.executescript("""
            CREATE TABLE buckets (band INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (band, article))
                WITHOUT ROWID;
            CREATE TABLE facts (fact TEXT NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (fact, article))
                WITHOUT ROWID;
            CREATE TABLE common_facts (fact TEXT PRIMARY KEY) WITHOUT ROWID;
            DROP TABLE bucket_lists;
            DROP TABLE fact_lists;
        """)
        db.executemany("INSERT INTO buckets VALUES (?, ?)",
                       [(band, int(k)) for band, members in buckets for k in members.split(",")])
        db.executemany("INSERT INTO facts VALUES (?, ?)",
                       [(fact, int(k)) for fact, members, _ in facts for k in members.split(",")])
        db.execute("INSERT INTO common_facts VALUES (?)", (common,))
        db.commit()
    store = SQLiteStore(path)
    assert _lists(path) == (buckets, [(f, m, int(f == common)) for f, m, _ in facts])
    placed = StoryIndex(store).add(_item("copy", COPY, "2025-06-03T08:00:00+00:00", site="copy.example"))
    assert (placed.story, placed.relation) == (first.story, "copy")
    store.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"buckets", "facts", "common_facts"}


def test_processes_sharing_an_index_file_see_each_others_lists(tmp_path: Path) -> None:
    # Each store keeps the bucket and fact lists it read; another process's commit must make it read them again,
    # or its next write would put back a list without the other's article.
    items = [_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"),
             _item("copy", COPY, "2025-06-02T08:00:00+00:00", site="b.example"),
             _item("cut", CUT, "2025-06-03T08:00:00+00:00", site="c.example")]
    alone = SQLiteStore(tmp_path / "alone.sqlite3")
    expected = [StoryIndex(alone).add(item) for item in items]
    alone.close()
    path = tmp_path / "shared.sqlite3"
    first, second = SQLiteStore(path), SQLiteStore(path)
    placed = [StoryIndex(store).add(item) for store, item in zip((first, second, first), items, strict=True)]
    assert placed == expected and len({p.story for p in placed}) == 1
    with first.exclusive():
        seen_by_first = first.bucket_members(items[0].bands)
    assert {2, 3} <= set(chain.from_iterable(seen_by_first.values()))
    first.close()
    second.close()
    assert _lists(path) == _lists(tmp_path / "alone.sqlite3")


def test_a_failed_batch_leaves_the_lists_of_the_last_commit(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite3"
    store = SQLiteStore(path, batch=10)
    index = StoryIndex(store)
    index.add(_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"))
    store.close()
    before = _lists(path)
    store = SQLiteStore(path, batch=10)
    index = StoryIndex(store)
    index.add(_item("copy", COPY, "2025-06-02T08:00:00+00:00", site="b.example"))  # kept in memory, not committed
    with pytest.raises(RuntimeError), store.exclusive():
        raise RuntimeError("the batch fails")
    assert _lists(path) == before
    placed = index.add(_item("cut", CUT, "2025-06-03T08:00:00+00:00", site="c.example"))  # lists read again
    assert placed.relation == "copy" and store.count() == 2
    store.close()
    alone = SQLiteStore(tmp_path / "alone.sqlite3")
    for item in (_item("original", ORIGINAL, "2025-06-01T08:00:00+00:00"),
                 _item("cut", CUT, "2025-06-03T08:00:00+00:00", site="c.example")):
        StoryIndex(alone).add(item)
    alone.close()
    assert _lists(path) == _lists(tmp_path / "alone.sqlite3")


def test_both_stores_give_buckets_in_the_order_of_their_keys(tmp_path: Path, redis_store: RedisStore) -> None:
    # Candidates sharing as many buckets keep the order buckets come in: both stores must give the same.
    sqlite_store = SQLiteStore(tmp_path / "stories.sqlite3")
    items = [_item(name, body, f"2025-06-0{n + 1}T08:00:00+00:00", site=f"{name}.example")
             for n, (name, body) in enumerate([("original", ORIGINAL), ("copy", COPY), ("cut", CUT)])]
    for store in (sqlite_store, redis_store):
        index = StoryIndex(store)
        for item in items:
            index.add(item)
    bands = items[0].bands
    with sqlite_store.exclusive():
        in_sqlite = sqlite_store.bucket_members(bands)
    with redis_store.exclusive():
        in_redis = redis_store.bucket_members(bands)
    assert len(in_sqlite) > 1 and list(in_sqlite) == sorted(in_sqlite) != bands
    assert {b: list(m) for b, m in in_redis.items()} == {b: list(m) for b, m in in_sqlite.items()}
    assert list(in_redis) == list(in_sqlite)
    sqlite_store.close()


def test_an_unwritable_index_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "folder.sqlite3").mkdir()
    with pytest.raises(StorageError, match=r"folder\.sqlite3"):
        SQLiteStore(tmp_path / "folder.sqlite3")


@pytest.fixture
def redis_store(redis_url: str, request: pytest.FixtureRequest) -> RedisStore:
    prefix = f"test-stories:{request.node.name}"
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
    return RedisStore(redis_url, prefix=prefix)


def test_the_redis_index_places_articles_as_the_sqlite_one_does(redis_store: RedisStore) -> None:
    _story_scenario(redis_store)
    redis_store.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_an_article_without_url_or_date_is_named_with_nulls_by_either_store(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    store = SQLiteStore(tmp_path / "i.sqlite3") if backend == "sqlite" else request.getfixturevalue("redis_store")
    index = StoryIndex(store)
    body = text(ORIGINAL)  # a page re-cleaned from a file: no URL, no title, no date
    index.add(Newcomer(id="bare", url=None, title=None, published=None, seen=None, content_hash=_hash(body),
                       fingerprint=fingerprint(body)))
    copy = index.add(_item("copy", COPY, "2025-06-02T09:00:00+00:00"))
    # The dated copy is the story's original now (the earliest published); the bare page is what it matched.
    assert (copy.relation, copy.original) == ("original", None)
    assert copy.matched == {"id": "bare", "url": None, "site": None, "published": None, "relation": "copy",
                            "score": 1.0}
    store.close()


def test_the_candidates_among_equals_do_not_depend_on_the_order_a_store_lists_buckets(tmp_path: Path) -> None:
    # Twelve articles, each sharing one LSH band (another each) with the newcomer: twelve equal candidates, of
    # which MAX_CANDIDATES are compared. Redis lists buckets in the order asked, SQLite in key order: the choice
    # must be the same (the earliest indexed), or two processes on two stores would place articles apart.
    store = SQLiteStore(tmp_path / "i.sqlite3")
    index = StoryIndex(store)
    rng = random.Random(3)
    base = [rng.randrange(1 << 16) for _ in range(NUM_PERM)]
    for band in range(12):
        values = [rng.randrange(1 << 16) for _ in range(NUM_PERM)]
        values[band * ROWS:(band + 1) * ROWS] = base[band * ROWS:(band + 1) * ROWS]
        index.add(Newcomer(id=f"a{band}", url=None, title=None, published=None, seen=None, content_hash=f"h{band}",
                           fingerprint=Fingerprint(tuple(values), 100, ())))
    lookup = _Lookup(store, Newcomer(id="new", url=None, title=None, published=None, seen=None, content_hash="h",
                                     fingerprint=Fingerprint(tuple(base), 100, ())))
    assert len(lookup.buckets) == 12
    chosen = lookup.candidates()
    lookup.buckets = dict(reversed(lookup.buckets.items()))
    assert lookup.candidates() == chosen == list(range(1, MAX_CANDIDATES + 1))
    store.close()


def test_processes_adding_copies_at_once_start_one_story(redis_url: str, redis_store: RedisStore) -> None:
    items = [_item(f"copy{n}", [*ORIGINAL, f"Republished by outlet number {n} with permission."],
                   f"2025-06-0{n + 1}T08:00:00+00:00", site=f"s{n}.example") for n in range(6)]
    stores = [RedisStore(redis_url, prefix=redis_store.prefix) for _ in items]
    placements: list[object] = []
    barrier = threading.Barrier(len(items))

    def add(store: RedisStore, item: Newcomer) -> None:
        barrier.wait()
        placements.append(StoryIndex(store).add(item))

    threads = [threading.Thread(target=add, args=pair) for pair in zip(stores, items, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({p.story for p in placements}) == 1  # type: ignore[attr-defined]
    story = redis_store.story(placements[0].story)  # type: ignore[attr-defined]
    assert story.size == 6 and redis_store.entries([story.original])[0].id == "copy0"  # the earliest published
    for store in stores:
        store.close()


def test_an_unreachable_redis_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    store = RedisStore(f"unix://{tmp_path}/none.sock")
    with pytest.raises(StorageError, match=r"none\.sock"):
        StoryIndex(store).add(_item("original", ORIGINAL))


# -- records and scraper stories ------------------------------------------------------------------------------

def _record_line(name: str, paragraphs: list[str], published: str, site: str, *, with_fingerprint: bool = True,
                 credit: str = "") -> dict[str, object]:
    body = text(paragraphs + ([credit] if credit else []))
    url = f"https://{site}/{name}"
    html = (f"<html><head><title>{name}</title><meta property='article:published_time' content='{published}'>"
            f"</head><body><article><h1>{name}</h1>"
            + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</article></body></html>")
    page = RawPage(url=url, final_url=url, status=200, fetched_at=published, body=html.encode())
    line = article_record(page, CleanJob(min_words=20).run(page)).to_dict()
    if not with_fingerprint:
        del line["fingerprint"]
    return line


def test_records_carry_id_attribution_and_fingerprint() -> None:
    line = _record_line("rewrite", REWRITE, "2025-06-03T09:00:00+00:00", "farm.example",
                        credit="This article originally appeared on www.balticwire.example.")
    assert (line["original_source"], line["original_url"]) == ("www.balticwire.example", None)
    assert Fingerprint.from_dict(line["fingerprint"]) == fingerprint(str(line["text"]))
    assert line["story"] is None and len(str(line["id"])) == 20
    plain = ArticleRecord(article=Article(url="https://a/x", text="Some words here.", content_hash="c"),
                          source=Source(final_url="https://a/x"))
    assert plain.to_dict()["id"] == plain.id and plain.to_dict()["fingerprint"]["shingles"] == 1


def test_scraper_stories_writes_one_line_per_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "crawl"
    inputs.mkdir()
    lines = [_record_line("copy", CUT, "2025-06-02T09:00:00+00:00", "wire.example.org"),
             _record_line("rewrite", REWRITE, "2025-06-03T09:00:00+00:00", "farm.example.net",
                          with_fingerprint=False),
             _record_line("original", ORIGINAL, "2025-06-01T08:00:00+00:00", "news.example.com"),
             _record_line("other", OTHER, "2025-06-01T08:00:00+00:00", "water.example.com")]
    (inputs / "news-1.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines[:2]), encoding="utf-8")
    (inputs / "news-2.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines[2:]), encoding="utf-8")
    (inputs / "news-1.errors.jsonl").write_text('{"url": "x", "stage": "fetch"}\n', encoding="utf-8")
    out = tmp_path / "stories"
    assert main(["stories", str(inputs), "-o", str(out), "-j", "2"]) == 0
    assert "4 articles indexed" in capsys.readouterr().err
    stories = [json.loads(x) for x in (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(s["size"] for s in stories) == [1, 3]
    story = next(s for s in stories if s["size"] == 3)
    assert story["original"]["url"] == "https://news.example.com/original"
    assert {m["url"].rsplit("/", 1)[1]: m["relation"] for m in story["members"]} == {
        "copy": "copy", "rewrite": "rewrite", "original": "original"}
    assert story["sites"] == ["example.com", "example.net", "example.org"]  # registered domains
    assert story["first_seen"] == "2025-06-01T08:00:00+00:00" and story["last_seen"] == "2025-06-03T09:00:00+00:00"
    # Again: the index holds every record already; the stories stay the same.
    assert main(["stories", str(inputs), "-o", str(out), "-q"]) == 0
    again = [json.loads(x) for x in (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    assert again == stories


def test_scraper_stories_counts_lines_it_cannot_use_and_refuses_missing_inputs(tmp_path: Path) -> None:
    good = _record_line("original", ORIGINAL, "2025-06-01T08:00:00+00:00", "news.example.com")
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(good) + "\nnot json\n" + json.dumps({"url": "x", "reason": "http-404"}) + "\n",
                    encoding="utf-8")
    assert main(["stories", str(path), "-o", str(tmp_path / "out")]) == 1
    assert main(["stories", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "out")]) == 2
    (tmp_path / "errors-only.jsonl").write_text('{"url": "x", "reason": "http-404"}\n', encoding="utf-8")
    assert main(["stories", str(tmp_path / "errors-only.jsonl"), "-o", str(tmp_path / "out2")]) == 3


def test_the_crawls_index_is_next_to_its_history_or_in_its_output_folder_and_can_be_off(tmp_path: Path) -> None:
    from scraper.crawl.config import SettingsError, crawl_config  # noqa: PLC0415 - the crawl's side only here

    assert crawl_config({"SCRAPER_OUTPUT_DIR": "out"}).stories == str(Path("out") / "stories.sqlite3")
    assert crawl_config({"SCRAPER_HISTORY": "state/h.sqlite3"}).stories == str(Path("state") / "stories.sqlite3")
    assert crawl_config({"SCRAPER_STORIES": "off"}).stories is None
    assert crawl_config({"SCRAPER_STORY_DROP": "copy, duplicate"}).story_drop == ("copy", "duplicate")
    with pytest.raises(SettingsError, match=r"SCRAPER_STORIES=.*a folder"):
        crawl_config({"SCRAPER_STORIES": str(tmp_path)})


def test_scraper_stories_fingerprints_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    lines = [_record_line("original", ORIGINAL, "2025-06-01T08:00:00+00:00", "news.example.com",
                          with_fingerprint=False),
             _record_line("rewrite", REWRITE, "2025-06-03T09:00:00+00:00", "farm.example.net",
                          with_fingerprint=False)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with cluster:
        code = main(["stories", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out"), "--dask",
                     cluster.scheduler_address, "-q"])
    assert code == 0
    stories = [json.loads(x) for x in (tmp_path / "out" / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [sorted(m["relation"] for m in s["members"]) for s in stories] == [["original", "rewrite"]]
