"""Distributed crawling: ``scrapy crawl news`` processes that share one crawl through Redis (scrapy-redis).

Off unless ``SCRAPER_REDIS_URL`` is set. Then ``DistributedAddon`` swaps in scrapy-redis's scheduler (the
request queue and the request fingerprints live in Redis, under ``newsclean:<SCRAPER_CRAWL_ID>:``), the
spider claims each article in Redis before requesting it (``scraper.crawl.shared``), and ``SharedCrawlIdle``
keeps an idle process open while the shared queue holds requests or another process is still working.
Each process writes its own output files, as a single crawl does.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import warnings
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from twisted.internet import task

from extensions.project import config
from scraper.crawl.shared import key_prefix
from scraper.errors import StorageError

logger = logging.getLogger(__name__)
# scrapy-redis 0.9.1 passes the spider to the stats collector, which Scrapy 2.13+ deprecates.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

_BEAT_SECONDS = 2.0


def worker_name() -> str:
    """This process, as the other processes of the crawl see it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class DistributedAddon:
    """Settings: ``SCRAPER_REDIS_URL`` (``redis://host:6379/0``, ``unix:///path/redis.sock``),
    ``SCRAPER_CRAWL_ID`` (required with it: the name all processes of one crawl share, e.g. the hour),
    ``SCRAPER_REDIS_IDLE_MAX`` (seconds an idle process waits for others, default 300),
    ``SCRAPER_REDIS_EXPIRE`` (seconds the crawl's keys live after a process closes, default 7 days)."""

    def update_settings(self, settings: Any) -> None:
        url = settings.get("SCRAPER_REDIS_URL")
        if not url:
            return
        prefix = key_prefix(settings.get("SCRAPER_CRAWL_ID") or "")
        for name, value in {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
            # The other processes still use the queue when this one closes; the keys expire instead.
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": url,
        }.items():
            settings.set(name, value, priority="addon")
        extensions = settings.getdict("EXTENSIONS")
        extensions.setdefault("extensions.distributed.SharedCrawlIdle", 500)
        settings.set("EXTENSIONS", extensions, priority="addon")


class SharedCrawlIdle:
    """Heartbeat of this process in the shared crawl, and the decision to close when idle.

    An idle process closes only when the shared queue is empty and no other process has beaten within
    ``scraper.crawl.shared.BUSY_SECONDS`` (or after ``SCRAPER_REDIS_IDLE_MAX`` seconds of waiting).
    Stats: ``scraper/distributed/waited_for_others`` (idle checks that kept the process open).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY")
        self.dupefilter_key = settings.get("SCHEDULER_DUPEFILTER_KEY")
        self.idle_max = config(crawler).redis_idle_max
        self.expire = config(crawler).redis_expire
        self.shared: Any = None
        self.idle_since: float | None = None
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.working, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedCrawlIdle:
        if not config(crawler).redis_url:
            raise NotConfigured("SCRAPER_REDIS_URL is not set")
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        self.shared = getattr(spider, "shared", None)
        if self.shared is None:
            return
        self.shared.beat()
        self.loop = task.LoopingCall(self._beat)
        self.loop.start(_BEAT_SECONDS, now=False)

    def _beat(self) -> None:
        if self.idle_since is None:
            try:
                self.shared.beat()
            except StorageError as exc:  # keep trying: Redis may come back
                logger.warning("heartbeat failed: %s", exc)

    def working(self, request: Any, spider: Any) -> None:
        if self.shared is not None and self.idle_since is not None:
            self.idle_since = None
            self.shared.beat()

    def spider_idle(self, spider: Any) -> None:
        if self.shared is None:
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
            self.shared.rest()
        if now - self.idle_since > self.idle_max:
            logger.warning("closing after %.0f s idle although the shared crawl may not be finished", self.idle_max)
            return
        if self.shared.queued(self.queue_key) or self.shared.others_busy():
            self.crawler.stats.inc_value("scraper/distributed/waited_for_others")
            raise DontCloseSpider

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.shared is not None:
            self.shared.rest()
            self.shared.expire(self.expire, self.queue_key, self.dupefilter_key)
            self.shared.close()
