"""The story index in Redis, for a distributed crawl: the same server as the request queue, keys under
``newsclean:stories:``, shared by every crawl and every process (an article's lookup and insertion hold a
Redis lock, so two processes never both start a story with two copies of it).

Buckets and fact lists are fields of hashes grouped by the top bits of their key (``b:<group>``,
``f:<group>``), which Redis keeps compact (listpack) instead of one key per bucket. An article's lists are read
in one call and extended in one call (two small Lua scripts), not one command per list: a lookup and an insertion
cost a handful of round trips whatever the article's number of buckets and facts.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from itertools import chain
from typing import Any

import redis

from scraper.errors import StorageError
from scraper.stories.fingerprint import Fingerprint
from scraper.stories.model import Entry, Story

PREFIX = "newsclean:stories"
_BAND_GROUP_SHIFT = 45  # 2^18 bucket hashes
_FACT_GROUPS = 1 << 17
_LOCK_SECONDS = 30

# KEYS: hashes, ARGV: one field of each; the fields' values (nil where absent).
_READ_FIELDS = """
local values = {}
for i, name in ipairs(KEYS) do values[i] = redis.call('HGET', name, ARGV[i]) end
return values
"""
# The insertion of one article, whole or not at all. KEYS: the key counter, the id and content-hash hashes, the
# common-facts set, the story's member list, then the hashes of the lists the article joins. ARGV: the article
# rows' key prefix, its id, its content hash, the number of its row's fields, those fields and values, one field
# of each list hash, then the facts that are now common. Returns the article's key.
_ADD_ARTICLE = """
local key = redis.call('INCR', KEYS[1])
local fields = tonumber(ARGV[4])
redis.call('HSET', ARGV[1] .. key, unpack(ARGV, 5, 4 + 2 * fields))
redis.call('HSET', KEYS[2], ARGV[2], key)
redis.call('HSETNX', KEYS[3], ARGV[3], key)
local at = 4 + 2 * fields
for i = 6, #KEYS do
  at = at + 1
  local members = redis.call('HGET', KEYS[i], ARGV[at])
  redis.call('HSET', KEYS[i], ARGV[at], members and (members .. ' ' .. key) or key)
end
if #ARGV > at then redis.call('SADD', KEYS[4], unpack(ARGV, at + 1)) end
redis.call('RPUSH', KEYS[5], key)
return key
"""


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _split(value: Any) -> tuple[str, ...]:
    text = _text(value) or ""
    return tuple(text.split("\n")) if text else ()


class RedisStore:
    """The index on the Redis server at ``url`` (``redis://host:6379/0``, ``unix:///path.sock``).

    Raises:
        StorageError: the server cannot be reached or answers an error (names it).
    """

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self.url, self.prefix = url, prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        self._lock = self._redis.lock(f"{prefix}:lock", timeout=_LOCK_SECONDS, blocking_timeout=120)
        self._read_fields = self._redis.register_script(_READ_FIELDS)
        self._add_article = self._redis.register_script(_ADD_ARTICLE)

    def _key(self, *parts: object) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except redis.RedisError as exc:
            raise StorageError(f"story index in Redis at {self.url}: {exc}") from exc

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._errors():
            if not self._lock.acquire():
                raise StorageError(f"story index in Redis at {self.url}: lock not obtained in 120 s")
        try:
            yield
        finally:
            with self._errors(), contextlib.suppress(redis.exceptions.LockError):
                self._lock.release()

    def key_of(self, article_id: str) -> int | None:
        with self._errors():
            value = self._redis.hget(self._key("id"), article_id)
        return int(value) if value is not None else None  # type: ignore[arg-type]

    def key_of_hash(self, content_hash: str) -> int | None:
        with self._errors():
            value = self._redis.hget(self._key("hash"), content_hash)
        return int(value) if value is not None else None  # type: ignore[arg-type]

    def _band_field(self, band: int) -> tuple[str, str]:
        return f"{self.prefix}:b:{band >> _BAND_GROUP_SHIFT}", str(band)

    def _fact_field(self, fact: str) -> tuple[str, str]:
        return f"{self.prefix}:f:{zlib.crc32(fact.encode()) % _FACT_GROUPS}", fact

    def _lists(self, fields: list[tuple[str, str]]) -> list[list[int]]:
        if not fields:
            return []
        with self._errors():
            values = self._read_fields(keys=[name for name, _ in fields], args=[field for _, field in fields])
        return [[int(k) for k in (_text(v) or "").split()] for v in values]  # type: ignore[union-attr]

    def bucket_members(self, bands: list[int]) -> dict[int, list[int]]:
        lists = self._lists([self._band_field(b) for b in bands])
        # In the order of their keys, as the SQLite store gives them (the index's choice among equal candidates
        # does not depend on it: the earliest indexed go first).
        return {band: members for band, members in sorted(zip(bands, lists, strict=True)) if members}

    def fact_members(self, facts: list[str], limit: int) -> tuple[dict[str, list[int]], set[str]]:
        with self._errors():
            flags = self._redis.smismember(self._key("common"), facts) if facts else []
        common = {fact for fact, flag in zip(facts, flags, strict=True) if flag}  # type: ignore[arg-type]
        rest = [f for f in facts if f not in common]
        lists = self._lists([self._fact_field(f) for f in rest])
        return {fact: members[:limit] for fact, members in zip(rest, lists, strict=True) if members}, common

    def entries(self, keys: list[int]) -> list[Entry]:
        if not keys:
            return []
        with self._errors():
            pipe = self._redis.pipeline(transaction=False)
            for key in keys:
                pipe.hgetall(self._key("a", key))
            rows = pipe.execute()
        return [self._entry(key, row) for key, row in zip(keys, rows, strict=True) if row]

    @staticmethod
    def _entry(key: int, row: dict[bytes, bytes]) -> Entry:
        get = {k.decode(): v for k, v in row.items()}
        blob = get["minhash"]
        values = tuple(int.from_bytes(blob[i:i + 2], "little") for i in range(0, len(blob), 2))
        def optional(field: str) -> str | None:  # stored as "" when absent, as SQLite keeps NULL
            return _text(get.get(field)) or None

        return Entry(key=key, id=str(_text(get["id"])), url=optional("url"), site=optional("site"),
                     title=optional("title"), published=optional("published"),
                     seen=optional("seen"), content_hash=str(_text(get["content_hash"])),
                     fingerprint=Fingerprint(values, int(get["shingles"]), _split(get.get("facts"))),
                     story=str(_text(get["story"])), relation=str(_text(get["relation"])),
                     matched=optional("matched"), score=float(get["score"]), marks=_split(get.get("marks")),
                     claims=_split(get.get("claims")), run=str(_text(get.get("run")) or ""))

    def members_marked(self, story: str, marks: tuple[str, ...]) -> list[Entry]:
        if not marks:
            return []
        with self._errors():
            values = self._redis.hmget(self._key("marks", story), list(marks))
        keys = sorted({int(k) for v in values for k in (_text(v) or "").split()})  # type: ignore[union-attr]
        return self.entries(keys)

    def story(self, story_id: str) -> Story:
        with self._errors():
            row = self._redis.hgetall(self._key("s", story_id))
        if not row:
            raise StorageError(f"story index in Redis at {self.url}: story {story_id} is missing")
        get = {k.decode(): _text(v) for k, v in row.items()}  # type: ignore[union-attr]
        return Story(story_id, int(get["original"] or 0), get["attributed"] == "1", int(get["size"] or 0),
                     get.get("first_seen") or None, get.get("last_seen") or None, _split(get.get("claims")))

    def add(self, entry: Entry, bands: list[int], facts: list[str], common: list[str]) -> int:
        fp = entry.fingerprint
        row = {"id": entry.id, "url": entry.url or "", "site": entry.site or "", "title": entry.title or "",
               "published": entry.published or "", "seen": entry.seen or "", "content_hash": entry.content_hash,
               "minhash": b"".join(v.to_bytes(2, "little") for v in fp.minhash), "shingles": fp.shingles,
               "facts": "\n".join(fp.facts), "story": entry.story, "relation": entry.relation,
               "matched": entry.matched or "", "score": entry.score, "marks": "\n".join(entry.marks),
               "claims": "\n".join(entry.claims), "run": entry.run}
        lists = [self._band_field(b) for b in bands] + [self._fact_field(f) for f in facts]
        lists += [(self._key("marks", entry.story), m) for m in entry.marks]
        keys = [self._key("next"), self._key("id"), self._key("hash"), self._key("common"),
                self._key("members", entry.story), *(name for name, _ in lists)]
        args = [self._key("a", ""), entry.id, entry.content_hash, len(row),
                *chain.from_iterable(row.items()), *(field for _, field in lists), *common]
        with self._errors():
            return int(self._add_article(keys=keys, args=args))  # type: ignore[arg-type]

    def save_story(self, story: Story) -> None:
        with self._errors():
            pipe = self._redis.pipeline(transaction=True)
            pipe.hset(self._key("s", story.id), mapping={
                "original": story.original, "attributed": int(story.attributed), "size": story.size,
                "first_seen": story.first_seen or "", "last_seen": story.last_seen or "",
                "claims": "\n".join(story.claims)})
            pipe.sadd(self._key("stories"), story.id)
            pipe.execute()

    def stories(self) -> Iterator[Story]:
        with self._errors():
            ids = sorted(_text(v) or "" for v in self._redis.smembers(self._key("stories")))  # type: ignore[union-attr]
        for story_id in ids:
            yield self.story(story_id)

    def members(self, story_id: str) -> list[Entry]:
        with self._errors():
            keys = [int(k) for k in self._redis.lrange(self._key("members", story_id), 0, -1)]  # type: ignore[union-attr]
        return self.entries(keys)

    def count(self) -> int:
        with self._errors():
            return int(self._redis.hlen(self._key("id")))  # type: ignore[arg-type]

    def close(self) -> None:
        self._redis.close()
