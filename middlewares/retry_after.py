"""Honour ``Retry-After`` on 429 and 503 answers: wait as told (up to a cap), then retry."""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Request, Response

from extensions.project import config


def retry_after_seconds(value: bytes | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Settings: ``SCRAPER_RETRY_AFTER_MAX`` (seconds, default 120; longer waits are not retried),
    ``RETRY_TIMES`` (attempts). Stats: ``scraper/retry_after/waited``, ``scraper/retry_after/gave_up``."""

    STATUSES = (429, 503)

    def __init__(self, max_wait: float, max_times: int, stats: Any) -> None:
        self.max_wait = max_wait
        self.max_times = max_times
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(config(crawler).retry_after_max, crawler.settings.getint("RETRY_TIMES", 2), crawler.stats)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in self.STATUSES:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        tries = request.meta.get("scraper_retry_after", 0)
        if wait is None or wait > self.max_wait or tries >= self.max_times:
            if wait is not None:
                self.stats.inc_value("scraper/retry_after/gave_up")
            return response
        self.stats.inc_value("scraper/retry_after/waited")
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["scraper_retry_after"] = tries + 1
        return retry
