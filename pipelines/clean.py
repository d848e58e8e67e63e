"""CleanPipeline: RawPage -> article record, cleaning in a process pool so the reactor never blocks."""

from __future__ import annotations

import asyncio
import gc
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.exceptions import DropItem

from scraper.article import RawPage
from scraper.clean import clean_to_dict


class CleanPipeline:
    """RawPage in; a dict out (the Article fields plus ``source`` and ``discovered``).

    Non-200 pages and pages the cleaner rejects are dropped with the reason (``clean: ...``).
    Settings: ``SCRAPER_CLEAN_WORKERS`` (processes, default: all cores). Stats:
    ``scraper/dropped/<reason>``, ``scraper/rule_hits/<rule id>``, ``scraper/cleaned``.
    """

    def __init__(self, workers: int, stats: Any) -> None:
        self.workers = workers
        self.stats = stats
        self.pool = self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor:
        """Fork the workers now, with the crawler's heap frozen for the garbage collector: otherwise the
        children's collections touch every inherited object and copy the pages (copy-on-write)."""
        gc.collect()
        gc.freeze()
        try:
            pool = ProcessPoolExecutor(max_workers=self.workers)
            for future in [pool.submit(int) for _ in range(self.workers)]:
                future.result()
        finally:
            gc.unfreeze()
        return pool

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        workers = crawler.settings.getint("SCRAPER_CLEAN_WORKERS") or os.cpu_count() or 1
        return cls(workers, crawler.stats)

    async def _clean(self, page: RawPage) -> tuple[str, dict[str, Any]]:
        job = (page.body, page.final_url or page.url, page.encoding, page.fetched_at)
        try:
            return await asyncio.wrap_future(self.pool.submit(clean_to_dict, *job))
        except BrokenProcessPool:
            self.pool = self._start_pool()  # a worker died: replace the pool
            return "error", {"reason": "worker-crashed", "message": "cleaning worker died"}

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        if item.status != 200:
            self.stats.inc_value(f"scraper/dropped/http_{item.status}")
            raise DropItem(f"fetch: http {item.status}")
        kind, data = await self._clean(item)
        if kind == "error":
            self.stats.inc_value(f"scraper/dropped/{data['reason']}")
            raise DropItem(f"clean: {data['reason']}: {data.get('message', '')}")
        self.stats.inc_value("scraper/cleaned")
        for removal in data["removed"]:
            self.stats.inc_value(f"scraper/rule_hits/{removal['rule']}")
        return {**data, "site": item.site, "source": item.source(), "discovered": item.discovered}

    def close_spider(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
