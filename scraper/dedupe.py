"""De-duplication, the same rule in the crawl and the re-clean: an article whose canonical URL (or URL) or
content hash was already written in the same run is a duplicate of that first one.

``Deduper`` keeps the keys in memory (a crawl run, the Python API); ``StoredDeduper`` keeps them in a SQLite
file next to a re-clean's output, so that memory stays flat over millions of pages and a resumed run
remembers the articles of the shards it had finished; ``RedisDeduper`` keeps them on a Redis server, for a
re-clean whose shards run as tasks on a Dask cluster (every worker admits through the same server).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Collection
from pathlib import Path

import redis

from scraper.article import Article
from scraper.errors import DuplicateError, StorageError
from scraper.storage import write_text_atomic


def dedupe_keys(article: Article) -> tuple[str, ...]:
    """The keys an article is known by: its canonical URL (or URL), and its content hash."""
    url = article.canonical_url or article.url
    keys = (f"url:{url}" if url else None, f"hash:{article.content_hash}" if article.content_hash else None)
    return tuple(key for key in keys if key)


class Deduper:
    """The first article per key, in memory."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def _lookup(self, key: str) -> str | None:
        return self._first.get(key)

    def _store(self, keys: tuple[str, ...], first: str, owner: str) -> None:
        for key in keys:
            self._first.setdefault(key, first)

    def admit(self, article: Article, owner: str = "", name: str | None = None) -> None:
        """Remember the article, unless it repeats one already admitted.

        Args:
            article: the article.
            owner: the output unit that writes it (a re-clean shard), whose keys go if it is redone.
            name: how a later duplicate names this one (default: its URL).

        Raises:
            DuplicateError: naming the first article's URL.
        """
        keys = dedupe_keys(article)
        for key in keys:
            first = self._lookup(key)
            if first is not None:
                what = "the same URL as" if key.startswith("url:") else "the same text as"
                raise DuplicateError(f"{what} {first}")
        self._store(keys, name or article.url or article.canonical_url or "an earlier article", owner)

    def close(self) -> None:
        """Release what the keys are kept in (nothing, in memory)."""


class StoredDeduper(Deduper):
    """The keys in a SQLite file, each with the shard that wrote it; a shard's keys last once committed.

    Raises:
        StorageError: the file cannot be opened, read or written (names it).
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, first TEXT NOT NULL, "
                             "shard TEXT NOT NULL) WITHOUT ROWID")
            self._db.commit()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open {self.path}: {exc}") from exc

    def _lookup(self, key: str) -> str | None:
        try:
            row = self._db.execute("SELECT first FROM seen WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read {self.path}: {exc}") from exc
        return str(row[0]) if row else None

    def _store(self, keys: tuple[str, ...], first: str, owner: str) -> None:
        try:
            self._db.executemany("INSERT OR IGNORE INTO seen (key, first, shard) VALUES (?, ?, ?)",
                                 [(key, first, owner) for key in keys])
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write {self.path}: {exc}") from exc

    def forget_unfinished(self, finished: Collection[str]) -> int:
        """Drop the keys of shards not in ``finished`` (they are redone from scratch); returns how many."""
        try:
            shards = [row[0] for row in self._db.execute("SELECT DISTINCT shard FROM seen")]
            stale = [(shard,) for shard in shards if shard not in finished]
            before = self._db.total_changes
            self._db.executemany("DELETE FROM seen WHERE shard = ?", stale)
            self._db.commit()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write {self.path}: {exc}") from exc
        return self._db.total_changes - before

    def commit(self) -> None:
        """Make the keys stored so far last (call before marking a shard finished)."""
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write {self.path}: {exc}") from exc

    def close(self) -> None:
        self.commit()
        self._db.close()


# Admit an article's keys at once: the first article holding any of them, or else all stored (with the shard
# that wrote them), so that two workers admitting copies of one article at the same moment cannot both pass.
_ADMIT = """
for i, key in ipairs(KEYS) do
  local first = redis.call('HGET', ARGV[1], key)
  if first then return {key, first} end
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', ARGV[1], key, ARGV[3])
  redis.call('SADD', ARGV[2], key)
end
redis.call('SADD', ARGV[4], ARGV[5])
return false
"""


class RedisDeduper(Deduper):
    """The keys on the Redis server at ``url``, under ``newsclean:dedupe:<run>:`` (``run`` names one output
    folder: ``run_token``), each with the shard that wrote it.

    Raises:
        StorageError: the server cannot be reached or answers an error (names it).
    """

    def __init__(self, url: str, run: str) -> None:
        super().__init__()
        self.url, self._prefix = url, f"newsclean:dedupe:{run}"
        self._redis = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        self._admit = self._redis.register_script(_ADMIT)

    def admit(self, article: Article, owner: str = "", name: str | None = None) -> None:
        first = name or article.url or article.canonical_url or "an earlier article"
        keys = list(dedupe_keys(article))
        if not keys:
            return
        try:
            found = self._admit(keys=keys, args=[f"{self._prefix}:seen", f"{self._prefix}:shard:{owner}", first,
                                                 f"{self._prefix}:shards", owner])
        except redis.RedisError as exc:
            raise StorageError(f"duplicate keys on Redis at {self.url}: {exc}") from exc
        if found:
            key, earlier = (v.decode() if isinstance(v, bytes) else str(v) for v in found)
            what = "the same URL as" if key.startswith("url:") else "the same text as"
            raise DuplicateError(f"{what} {earlier}")

    def forget_unfinished(self, finished: Collection[str]) -> int:
        """Drop the keys of shards not in ``finished`` (they are redone from scratch); returns how many."""
        try:
            shards = [v.decode() if isinstance(v, bytes) else str(v)
                      for v in self._redis.smembers(f"{self._prefix}:shards")]  # type: ignore[union-attr]
        except redis.RedisError as exc:
            raise StorageError(f"duplicate keys on Redis at {self.url}: {exc}") from exc
        return sum(self.forget_shard(shard) for shard in shards if shard not in finished)

    def forget_shard(self, shard: str) -> int:
        """Drop one shard's keys (a task starting it again, after a worker was lost); returns how many."""
        name = f"{self._prefix}:shard:{shard}"
        try:
            keys = list(self._redis.smembers(name))  # type: ignore[arg-type]
            dropped = int(self._redis.hdel(f"{self._prefix}:seen", *keys)) if keys else 0  # type: ignore[arg-type]
            self._redis.delete(name)
            self._redis.srem(f"{self._prefix}:shards", shard)
        except redis.RedisError as exc:
            raise StorageError(f"duplicate keys on Redis at {self.url}: {exc}") from exc
        return dropped

    def close(self) -> None:
        self._redis.close()


def run_token(folder: Path, name: str) -> str:
    """The random name of an output folder's keys on a shared server, kept in ``folder/name`` (made once)."""
    path = folder / name
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = secrets.token_hex(8)
        write_text_atomic(path, token + "\n")
        return token
