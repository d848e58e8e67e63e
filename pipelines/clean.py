"""CleanPipeline: RawPage -> article record, cleaning in worker processes so the reactor never blocks."""

from __future__ import annotations

import os
from typing import Any

from scrapy.exceptions import DropItem

from scraper.article import RawPage
from scraper.inputs import RawRecord
from scraper.pool import AsyncPagePool, Limits
from scraper.reclean import process_record


class CleanPipeline:
    """RawPage in; a dict out (the Article fields plus ``site``, ``source`` and ``discovered``).

    Non-200 pages and pages the cleaner rejects are dropped with the reason (``clean: ...``), and so is a
    page that takes longer than ``SCRAPER_CLEAN_TIME_LIMIT`` seconds or more than
    ``SCRAPER_CLEAN_MEMORY_LIMIT`` MiB: its worker is killed and replaced, and the crawl goes on.
    Settings: ``SCRAPER_CLEAN_WORKERS`` (processes, default: all cores). Stats:
    ``scraper/dropped/<reason>``, ``scraper/rule_hits/<rule id>``, ``scraper/cleaned``,
    ``scraper/workers_replaced``.
    """

    def __init__(self, workers: int, limits: Limits, stats: Any) -> None:
        self.stats = stats
        self.pool = AsyncPagePool(process_record, workers, limits)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        settings = crawler.settings
        workers = settings.getint("SCRAPER_CLEAN_WORKERS") or os.cpu_count() or 1
        limits = Limits(seconds=settings.getfloat("SCRAPER_CLEAN_TIME_LIMIT", 60.0),
                        memory_bytes=settings.getint("SCRAPER_CLEAN_MEMORY_LIMIT", 2048) << 20)
        return cls(workers, limits, crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        if item.status != 200:
            self.stats.inc_value(f"scraper/dropped/http_{item.status}")
            raise DropItem(f"fetch: http {item.status}")
        record = RawRecord(locator=item.url, url=item.final_url or item.url, body=item.body, encoding=item.encoding,
                           fetched_at=item.fetched_at)
        result = await self.pool.run(record)
        if "article" not in result:
            self.stats.inc_value(f"scraper/dropped/{result.get('reason')}")
            raise DropItem(f"clean: {result.get('reason')}: {result.get('message', '')}")
        data = result["article"]
        self.stats.inc_value("scraper/cleaned")
        for removal in data["removed"]:
            self.stats.inc_value(f"scraper/rule_hits/{removal['rule']}")
        return {**data, "site": item.site, "source": item.source(), "discovered": item.discovered}

    async def close_spider(self) -> None:
        self.stats.set_value("scraper/workers_replaced", self.pool.replaced)
        await self.pool.aclose()
