"""robots.txt as RFC 9309 reads it: 5xx or unreachable means disallow all, and Crawl-delay is honoured."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from extensions.errors import RequestRefused, error_from_failure
from scraper.errors import NetworkError, RobotsError, ScraperError

logger = logging.getLogger(__name__)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, stricter where RFC 9309 asks it to be, and plain about why.

    A robots.txt answering 5xx (after retries) or failing to download is read as "disallow all"
    (RFC 9309 2.3.1.4); 4xx means no rules. A page refused that way gets the real cause as its error: a
    ``RobotsError`` naming the 5xx status, or the ``NetworkError`` (``connection-refused``, ``dns``,
    ``timeout``...) that made robots.txt unreachable, logged as one WARNING line per host instead of a
    traceback. ``Crawl-delay`` for our user agent spaces requests to that host (never below
    ``DOWNLOAD_DELAY``). Stats: ``scraper/robots/unreachable``, ``scraper/robots/crawl_delay_waits``.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._delays: dict[str, float] = {}
        self._next: dict[str, float] = {}
        self._why: dict[str, ScraperError] = {}  # hosts whose robots.txt could not be read, and why

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            url = f"{urlparse_cached(request).scheme}://{netloc}/robots.txt"
            robots = Request(url, priority=self.DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True},
                             callback=NO_CALLBACK)
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, netloc, request)
            except Exception as exc:  # every failure of the robots.txt fetch means "disallow all"
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("scraper/robots/unreachable")
            self._why[netloc] = RobotsError(f"robots.txt of {netloc} answered HTTP {response.status}: the host is "
                                            "treated as disallowing everything (RFC 9309)")
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
        cause = error_from_failure(exc, netloc.rsplit(":", 1)[0].strip("[]"))
        message = f"robots.txt of {netloc} could not be fetched ({cause}): the host is treated as disallowing " \
                  "everything (RFC 9309)"
        # A network failure is reported as what it is; anything else (refused by policy, too large) as robots.
        self._why[netloc] = (NetworkError(message, reason=cause.reason) if isinstance(cause, NetworkError)
                             else RobotsError(message))
        logger.warning("%s", self._why[netloc])
        self._stats.inc_value("scraper/robots/unreachable")
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            why = self._why.get(urlparse_cached(request).netloc)
            raise RequestRefused(why or RobotsError("disallowed by robots.txt (ROBOTSTXT_OBEY=False would ignore "
                                                    "it)")) from None

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
