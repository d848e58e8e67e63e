"""robots.txt as RFC 9309 reads it: 5xx or unreachable means disallow all, and Crawl-delay is honoured."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, stricter where RFC 9309 asks it to be.

    A robots.txt answering 5xx (after retries) or failing to download is read as "disallow all"
    (RFC 9309 2.3.1.4); 4xx means no rules. ``Crawl-delay`` for our user agent spaces requests to
    that host (never below ``DOWNLOAD_DELAY``). Stats: ``scraper/robots/unreachable``,
    ``scraper/robots/crawl_delay_waits``.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._delays: dict[str, float] = {}
        self._next: dict[str, float] = {}

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("scraper/robots/unreachable")
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        delay = getattr(parser, "crawl_delay", None)
        agent = self._robotstxt_useragent or self._default_useragent
        if callable(delay) and (value := delay(agent)):
            self._delays[netloc] = float(value)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._stats.inc_value("scraper/robots/unreachable")
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        await super().process_request(request)
        if request.meta.get("dont_obey_robotstxt"):
            return
        netloc = urlparse_cached(request).netloc
        delay = self._delays.get(netloc)
        if not delay:
            return
        now = time.monotonic()
        start = max(now, self._next.get(netloc, 0.0))
        self._next[netloc] = start + delay
        if start > now:
            self._stats.inc_value("scraper/robots/crawl_delay_waits")
            await asyncio.sleep(start - now)
