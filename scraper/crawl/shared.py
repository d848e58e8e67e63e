"""The state that the processes of one distributed crawl share in Redis.

Several ``scrapy crawl news`` processes (on one machine or many) form one crawl when they are given the
same Redis server and the same crawl id. scrapy-redis holds their request queue and request fingerprints;
this module holds what the news crawl adds on top, under the same key prefix ``newsclean:<crawl id>:``:

- ``articles``: the article URLs claimed so far (normalised as in ``scraper.crawl.history``), so that an
  article listed by several feeds, or found by several processes, is fetched by exactly one of them;
- ``scheduled``: how many articles were claimed, for a crawl-wide ``max_articles``;
- ``busy``: a heartbeat per process that still has work, so that an idle process waits for the queue to
  fill instead of closing while another is still discovering (a process that dies stops beating, and the
  others stop waiting for it ``BUSY_SECONDS`` later).
"""

from __future__ import annotations

import re
import time

import redis

from scraper.crawl.history import history_key
from scraper.errors import StorageError

BUSY_SECONDS = 10.0
_CRAWL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def key_prefix(crawl_id: str) -> str:
    """``newsclean:<crawl id>``; the id is 1 to 100 letters, digits, ``.``, ``_`` or ``-``.

    Raises:
        ValueError: the id is empty or has other characters.
    """
    if not _CRAWL_ID.match(crawl_id or ""):
        raise ValueError(f"crawl id {crawl_id!r}: use 1-100 letters, digits, '.', '_' or '-' (e.g. news-2026112309)")
    return f"newsclean:{crawl_id}"


class SharedCrawl:
    """One process's handle on the shared state of crawl ``crawl_id`` on the Redis server at ``url``.

    Raises:
        StorageError: Redis cannot be reached (on any call; names the server).
    """

    def __init__(self, url: str, crawl_id: str, worker: str) -> None:
        self.prefix = key_prefix(crawl_id)
        self.worker = worker
        self.url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def _call(self, method: str, *args: object) -> object:
        try:
            return getattr(self._redis, method)(*args)
        except redis.RedisError as exc:
            raise StorageError(f"Redis at {self.url}: {exc}") from exc

    def ping(self) -> None:
        """Check that the server answers (a crawl checks it before it starts)."""
        self._call("ping")

    def claim(self, url: str) -> bool:
        """True for the one process that claims article ``url`` first, in the whole crawl."""
        return self._call("sadd", self.key("articles"), history_key(url)) == 1

    def count_scheduled(self) -> int:
        """Count one more article scheduled by the crawl; returns the crawl-wide total."""
        count: int = self._call("incr", self.key("scheduled"))  # type: ignore[assignment]
        return count

    def beat(self) -> None:
        """Say this process has work now."""
        self._call("hset", self.key("busy"), self.worker, time.time())

    def rest(self) -> None:
        """Say this process has no work left."""
        self._call("hdel", self.key("busy"), self.worker)

    def others_busy(self) -> bool:
        """Whether another process of the crawl beat within the last ``BUSY_SECONDS``."""
        beats = self._call("hgetall", self.key("busy"))
        now = time.time()
        return any(name.decode() != self.worker and now - float(at) < BUSY_SECONDS
                   for name, at in beats.items())  # type: ignore[attr-defined]

    def queued(self, queue_key: str) -> int:
        """Requests waiting in the shared queue (scrapy-redis's priority queue, a sorted set)."""
        count: int = self._call("zcard", queue_key)  # type: ignore[assignment]
        return count

    def expire(self, seconds: int, *keys: str) -> None:
        """Let the crawl's keys (and ``keys``) vanish ``seconds`` after the last process closed."""
        for key in (self.key("articles"), self.key("scheduled"), self.key("busy"), *keys):
            self._call("expire", key, seconds)

    def close(self) -> None:
        self._redis.close()
