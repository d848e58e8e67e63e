"""The story index in a SQLite file (WAL, so that runs overlapping in time can share it; each article's lookup
and insertion is one ``BEGIN IMMEDIATE`` transaction, or one of a batch in bulk mode).

Bucket and fact lists read or written are kept in memory, decoded, and a list's row is written once per
transaction, just before it commits, whatever the number of articles added to it in the batch (in bulk mode
a row was rewritten once per article). The kept lists are dropped when another connection has committed since
(``PRAGMA data_version``, read as each transaction starts), when a transaction is rolled back, and when too many
are kept: several processes sharing the file never read a stale list, and a crash mid-batch leaves the file as
its last commit wrote it. The articles, marks and stories a transaction adds are written at its commit too, one
statement a table (the store's own reads see them before: ids, content hashes, entries, marks and stories are
looked up among them first; a read of whole tables writes them first).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import struct
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from scraper.errors import StorageError
from scraper.stories.fingerprint import NUM_PERM, Fingerprint
from scraper.stories.model import Entry, Story

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT, site TEXT, title TEXT, published TEXT, seen TEXT,
    content_hash TEXT NOT NULL, minhash BLOB NOT NULL, shingles INTEGER NOT NULL, facts TEXT NOT NULL,
    story TEXT NOT NULL, relation TEXT NOT NULL, matched TEXT, score REAL NOT NULL, marks TEXT NOT NULL,
    claims TEXT NOT NULL, run TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story);
CREATE TABLE IF NOT EXISTS bucket_lists (band INTEGER PRIMARY KEY, members TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fact_lists (fact TEXT PRIMARY KEY, members TEXT NOT NULL, common INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS marks (story TEXT NOT NULL, mark TEXT NOT NULL, article INTEGER NOT NULL,
                                  PRIMARY KEY (story, mark, article)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY, original INTEGER NOT NULL, attributed INTEGER NOT NULL, size INTEGER NOT NULL,
    first_seen TEXT, last_seen TEXT, claims TEXT NOT NULL
) WITHOUT ROWID;
"""
# An LSH bucket's members and a fact's articles are one row each, the keys in a comma-separated list in the
# order they came (one row read per bucket and per fact: 5x less time than a row per member); the layout of
# the first version, a row per member, is converted when a file of it is opened.
_OLD_LAYOUT = """
INSERT INTO bucket_lists SELECT band, group_concat(article) FROM (SELECT band, article FROM buckets
    ORDER BY band, article) GROUP BY band;
INSERT INTO fact_lists SELECT fact, group_concat(article), fact IN (SELECT fact FROM common_facts) FROM (
    SELECT fact, article FROM facts ORDER BY fact, article) GROUP BY fact;
DROP TABLE buckets;
DROP TABLE facts;
DROP TABLE common_facts;
"""
_WRITE_BUCKET = "INSERT OR REPLACE INTO bucket_lists VALUES (?, ?)"
_WRITE_FACT = "INSERT OR REPLACE INTO fact_lists VALUES (?, ?, ?)"
# Bucket and fact lookups: the width of their IN lists (padded with NULL, which matches nothing, so that each
# statement is prepared once), and the statements.
_BANDS_AT_ONCE, _FACTS_AT_ONCE = 32, 16
_NULLS = (None,) * max(_BANDS_AT_ONCE, _FACTS_AT_ONCE)
_BUCKETS_SQL = f"SELECT band, members FROM bucket_lists WHERE band IN ({','.join('?' * _BANDS_AT_ONCE)})"
_FACTS_SQL = f"SELECT fact, members, common FROM fact_lists WHERE fact IN ({','.join('?' * _FACTS_AT_ONCE)})"
Row = tuple[Any, ...]
_PACK, _UNPACK = struct.Struct(f"<{NUM_PERM}H").pack, struct.Struct(f"<{NUM_PERM}H").unpack
# Articles a bulk build (``scraper stories``) adds per transaction: a commit writes each list row the batch changed
# once, so fewer, larger batches write less (5,000: 1.3x the rate of 1,000 on the bench's corpus); a crawl sharing
# the file waits for the lock at most one batch (~2.5 s).
BULK_BATCH = 5_000
# Decoded articles kept in memory: a new article's candidates are mostly recent ones.
_CACHE_ENTRIES = 100_000
# Bucket and fact lists kept in memory (all are dropped, once written, when there are more).
_CACHE_LISTS = 400_000
_COLUMNS = ("key, id, url, site, title, published, seen, content_hash, minhash, shingles, facts, story, relation, "
            "matched, score, marks, claims, run")
_INSERT_ARTICLE = f"INSERT INTO articles ({_COLUMNS}) VALUES ({', '.join('?' * 18)})"


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def _entry(row: Row) -> Entry:
    (key, id_, url, site, title, published, seen, content_hash, minhash, shingles, facts, story, relation, matched,
     score, marks, claims, run) = row
    values = _UNPACK(bytes(minhash))
    return Entry(key=int(key), id=str(id_), url=url, site=site, title=title, published=published,
                 seen=seen, content_hash=str(content_hash),
                 fingerprint=Fingerprint(values, int(shingles), _split(str(facts))),
                 story=str(story), relation=str(relation), matched=matched, score=float(score),
                 marks=_split(str(marks)), claims=_split(str(claims)), run=str(run))


class SQLiteStore:
    """The index in ``path`` (created with its folder when missing).

    Args:
        path: the SQLite file.
        batch: articles per transaction (1: each article is committed as it is added, as a crawl needs; bulk
            indexing commits every ``batch`` articles, and at ``close``).

    Raises:
        StorageError: the file cannot be opened, read or written (names it).
    """

    def __init__(self, path: str | Path, batch: int = 1) -> None:
        self.path = Path(path)
        self.batch, self._pending = batch, 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-131072")  # 128 MiB of pages
            # Reads through the OS page cache beyond, without a system call a page: up to 8 GiB (SQLite caps it at
            # its build's limit, 2 GiB for Python's: an index of ~1.7 million articles; a file larger is read).
            self._db.execute("PRAGMA mmap_size=8589934592")
            self._db.executescript(_SCHEMA)
            self._convert_old_layout()
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open story index {self.path}: {exc}") from exc
        self._in_transaction = False
        self._cache: OrderedDict[int, Entry] = OrderedDict()
        # The lists as this connection knows them (an empty one: no row), those to write at commit, and the
        # data version they were read at.
        # Each list decoded, and as its row holds it (tuples of numbers and strings, which the garbage collector
        # does not walk: hundreds of thousands are kept).
        self._buckets: dict[int, tuple[int, ...]] = {}
        self._bucket_rows: dict[int, str] = {}
        self._facts: dict[str, tuple[int, ...]] = {}
        self._fact_rows: dict[str, str] = {}
        self._common: set[str] = set()
        self._dirty_buckets: set[int] = set()
        self._dirty_facts: set[str] = set()
        self._version: int | None = None
        # Rows added in this transaction, written at commit (each table's in one statement) or before a read of
        # whole tables: the articles (their keys given here, as SQLite would: the next after the largest), their
        # ids and first key of each content hash, their marks, and the stories saved.
        self._next_key: int | None = None
        self._new_articles: list[Row] = []
        self._new_entries: dict[int, Entry] = {}
        self._new_ids: dict[str, int] = {}
        self._new_hashes: dict[str, int] = {}
        self._new_marks: list[tuple[str, str, int]] = []
        self._new_stories: dict[str, Story] = {}

    def _convert_old_layout(self) -> None:
        """Bucket and fact lists of a file written by the first version, a row per member, as one row a list
        (once, by the first process opening it)."""
        def old() -> bool:
            return self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'buckets'").fetchone() is not None

        if not old():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if old():
                for statement in _OLD_LAYOUT.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            self._db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        try:
            if not self._in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
                self._in_transaction = True
                self._check_version()
            yield
            self._pending += 1
            if self._pending >= self.batch:
                self._commit()
        except sqlite3.Error as exc:
            self._rollback()
            raise StorageError(f"story index {self.path}: {exc}") from exc
        except BaseException:
            self._rollback()
            raise

    def _check_version(self) -> None:
        """Drop the lists kept when another connection has committed since they were read."""
        row = self._db.execute("PRAGMA data_version").fetchone()
        version = int(row[0])
        if version != self._version:
            self._forget_lists()
            self._version = version

    def _forget_lists(self) -> None:
        self._buckets.clear()
        self._bucket_rows.clear()
        self._facts.clear()
        self._fact_rows.clear()
        self._common.clear()
        self._dirty_buckets.clear()
        self._dirty_facts.clear()

    def _flush(self) -> None:
        """Write the articles, marks and stories added in this transaction, and the lists changed, one row each,
        in key order."""
        if self._new_articles:
            self._db.executemany(_INSERT_ARTICLE, self._new_articles)
            self._new_articles.clear()
            self._new_entries.clear()
            self._new_ids.clear()
            self._new_hashes.clear()
        if self._new_marks:
            self._db.executemany("INSERT OR IGNORE INTO marks VALUES (?, ?, ?)", self._new_marks)
            self._new_marks.clear()
        if self._new_stories:
            self._db.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [(story.id, story.original, int(story.attributed), story.size, story.first_seen,
                                   story.last_seen, "\n".join(story.claims)) for story in self._new_stories.values()])
            self._new_stories.clear()
        if self._dirty_buckets:
            bands = sorted(self._dirty_buckets)
            self._db.executemany(_WRITE_BUCKET, zip(bands, map(self._bucket_rows.__getitem__, bands), strict=True))
            self._dirty_buckets.clear()
        if self._dirty_facts:
            facts = sorted(self._dirty_facts)
            self._db.executemany(_WRITE_FACT, zip(facts, map(self._fact_rows.__getitem__, facts),
                                                  map(self._common.__contains__, facts), strict=True))
            self._dirty_facts.clear()

    def _forget_new(self) -> None:
        self._next_key = None
        self._new_articles.clear()
        self._new_entries.clear()
        self._new_ids.clear()
        self._new_hashes.clear()
        self._new_marks.clear()
        self._new_stories.clear()

    def _flushed(self) -> None:
        """Before reading whole tables: what this transaction added is written (still uncommitted)."""
        try:
            self._flush()
        except sqlite3.Error as exc:
            self._rollback()
            raise StorageError(f"cannot write story index {self.path}: {exc}") from exc

    def _commit(self) -> None:
        if self._in_transaction:
            self._flush()
            self._db.execute("COMMIT")
            self._in_transaction = False
            self._next_key = None
            if len(self._buckets) + len(self._facts) > _CACHE_LISTS:
                self._forget_lists()
        self._pending = 0

    def _rollback(self) -> None:
        self._cache.clear()
        self._forget_lists()
        self._forget_new()
        self._version = None
        if self._in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._in_transaction = False
        self._pending = 0

    def _one(self, sql: str, args: Row) -> Row | None:
        try:
            row: Row | None = self._db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read story index {self.path}: {exc}") from exc
        return row

    def _all(self, sql: str, args: Sequence[Any]) -> list[Row]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read story index {self.path}: {exc}") from exc

    def key_of(self, article_id: str) -> int | None:
        key = self._new_ids.get(article_id)
        if key is not None:
            return key
        row = self._one("SELECT key FROM articles WHERE id = ?", (article_id,))
        return int(row[0]) if row else None

    def key_of_hash(self, content_hash: str) -> int | None:
        row = self._one("SELECT min(key) FROM articles WHERE content_hash = ?", (content_hash,))
        if row and row[0] is not None:
            return int(row[0])  # written keys are all smaller than those added since
        return self._new_hashes.get(content_hash)

    def bucket_members(self, bands: list[int]) -> dict[int, Sequence[int]]:
        if not self._in_transaction:  # lists are kept only while the write lock is held
            self._forget_lists()
        known = self._buckets
        self._read_lists(bands, _BUCKETS_SQL, _BANDS_AT_ONCE, known, self._bucket_rows)
        return {band: known[band] for band in sorted(bands) if known[band]}

    def fact_members(self, facts: list[str], limit: int) -> tuple[dict[str, Sequence[int]], set[str]]:
        # A list stops growing once common (``add``), so it holds at most ``limit`` articles.
        if not self._in_transaction:
            self._forget_lists()
        known = self._facts
        for fact, _, is_common in self._read_lists(facts, _FACTS_SQL, _FACTS_AT_ONCE, known, self._fact_rows):
            if is_common:
                self._common.add(fact)
        common = self._common.intersection(facts)
        return {fact: known[fact] for fact in facts if known[fact] and fact not in common}, common

    def _read_lists(self, wanted: Sequence[Any], sql: str, width: int, known: dict[Any, tuple[int, ...]],
                    rows: dict[Any, str]) -> list[Row]:
        """Read the lists of ``wanted`` not kept yet, ``width`` at a time, into ``known`` (keys) and ``rows`` (the
        row's text; a list with no row is kept empty); the rows read."""
        missing = [key for key in wanted if key not in known]
        found: list[Row] = []
        for start in range(0, len(missing), width):
            part = missing[start:start + width]
            for key in part:
                known[key], rows[key] = (), ""
            for row in self._all(sql, [*part, *_NULLS[:width - len(part)]]):
                known[row[0]], rows[row[0]] = tuple(map(int, row[1].split(","))), row[1]
                found.append(row)
        return found

    def entries(self, keys: list[int]) -> list[Entry]:
        missing = [k for k in keys if k not in self._cache]
        if missing and self._new_entries:
            for key in missing:
                if key in self._new_entries:
                    self._remember(self._new_entries[key])
            missing = [k for k in missing if k not in self._new_entries]
        if missing:
            marks = ",".join("?" * len(missing))
            for row in self._all(f"SELECT {_COLUMNS} FROM articles WHERE key IN ({marks})", missing):
                self._remember(_entry(row))
        found = []
        for key in keys:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
                found.append(entry)
        return found

    def _remember(self, entry: Entry) -> None:
        self._cache[entry.key] = entry
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)

    def members_marked(self, story: str, marks: tuple[str, ...]) -> list[Entry]:
        if not marks:
            return []
        holes = ",".join("?" * len(marks))
        keys = [int(r[0]) for r in self._all(
            f"SELECT DISTINCT article FROM marks WHERE story = ? AND mark IN ({holes})", [story, *marks])]
        if self._new_marks:
            wanted = set(marks)
            keys.extend(dict.fromkeys(key for story_id, mark, key in self._new_marks
                                      if story_id == story and mark in wanted and key not in keys))
        return self.entries(keys)

    def story(self, story_id: str) -> Story:
        saved = self._new_stories.get(story_id)
        if saved is not None:
            return dataclasses.replace(saved)
        row = self._one("SELECT id, original, attributed, size, first_seen, last_seen, claims FROM stories "
                        "WHERE id = ?", (story_id,))
        if row is None:
            raise StorageError(f"story index {self.path}: story {story_id} is missing")
        return Story(str(row[0]), int(row[1]), bool(row[2]), int(row[3]), row[4], row[5],
                     _split(str(row[6])))

    def add(self, entry: Entry, bands: list[int], facts: list[str], common: list[str]) -> int:
        fp = entry.fingerprint
        try:
            if self._next_key is None or not self._in_transaction:
                row = self._one("SELECT max(key) FROM articles", ())
                self._next_key = int(row[0]) + 1 if row and row[0] is not None else 1
            key = self._next_key
            self._next_key += 1
            self._new_articles.append(
                (key, entry.id, entry.url, entry.site, entry.title, entry.published, entry.seen, entry.content_hash,
                 _PACK(*fp.minhash), fp.shingles, "\n".join(fp.facts), entry.story, entry.relation, entry.matched,
                 entry.score, "\n".join(entry.marks), "\n".join(entry.claims), entry.run))
            entry.key = key
            self._new_entries[key] = entry
            self._new_ids[entry.id] = key
            self._new_hashes.setdefault(entry.content_hash, key)
            self._new_marks.extend((entry.story, m, key) for m in entry.marks)
            self._remember(entry)
            self._append(key, bands, facts, common)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write story index {self.path}: {exc}") from exc
        return key

    def _append(self, key: int, bands: list[int], facts: list[str], common: list[str]) -> None:
        """Add the article to its lists, in memory (written at commit); lists not read yet are read first."""
        if not self._in_transaction:
            self._forget_lists()
        if not self._buckets.keys() >= set(bands):
            self.bucket_members(bands)
        if not self._facts.keys() >= set(facts):
            self.fact_members(facts, 0)
        one, text, tail = (key,), str(key), f",{key}"
        buckets, bucket_rows = self._buckets, self._bucket_rows
        for band in bands:
            buckets[band] += one
            row = bucket_rows[band]
            bucket_rows[band] = row + tail if row else text
        facts_known, fact_rows = self._facts, self._fact_rows
        for fact in facts:
            facts_known[fact] += one
            row = fact_rows[fact]
            fact_rows[fact] = row + tail if row else text
        self._dirty_buckets.update(bands)
        self._dirty_facts.update(facts)
        self._common.update(common)
        if not self._in_transaction:
            self._flush()

    def save_story(self, story: Story) -> None:
        self._new_stories[story.id] = dataclasses.replace(story)
        if not self._in_transaction:
            self._flushed()

    def stories(self) -> Iterator[Story]:
        self._flushed()
        for row in self._all("SELECT id FROM stories ORDER BY id", []):
            yield self.story(str(row[0]))

    def members(self, story_id: str) -> list[Entry]:
        self._flushed()
        return [_entry(r) for r in self._all(f"SELECT {_COLUMNS} FROM articles WHERE story = ? ORDER BY key",
                                             (story_id,))]

    def count(self) -> int:
        self._flushed()
        row = self._one("SELECT count(*) FROM articles", ())
        return int(row[0]) if row else 0

    def close(self) -> None:
        try:
            self._commit()
            self._db.close()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write story index {self.path}: {exc}") from exc
