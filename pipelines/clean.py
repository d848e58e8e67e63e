"""CleanPipeline: RawPage -> ArticleRecord, cleaning in worker processes so the reactor never blocks."""

from __future__ import annotations

import os
from typing import Any

from extensions.errors import NotWritten, PageDropped
from extensions.project import clean_job, config, storage_error
from scraper.article import RawPage
from scraper.errors import ScraperError
from scraper.job import CleanJob
from scraper.pool import AsyncPagePool, Limits
from scraper.records import ErrorRecord, article_record, error_record


class CleanPipeline:
    """RawPage in; an ArticleRecord out (the Article, ``site``, ``discovered``, ``source``).

    Runs the crawl's ``CleanJob``: a page that is not an HTTP 200 response with an HTML content type, or that
    the cleaner rejects, is dropped with its error record (``PageDropped``), and so is a page that takes longer
    than ``SCRAPER_CLEAN_TIME_LIMIT`` seconds or more than ``SCRAPER_CLEAN_MEMORY_LIMIT`` MiB: its worker is
    killed and replaced, and the crawl goes on. An ErrorRecord item (a URL that gave no page) is dropped with
    itself. Settings: ``SCRAPER_CLEAN_WORKERS`` (processes, default: all cores), ``SCRAPER_CLEAN_CONFIG``,
    ``SCRAPER_PROFILES_DIR``. Stats: ``scraper/cleaned``, ``scraper/rule_hits/<rule id>``,
    ``scraper/workers_replaced``.
    """

    def __init__(self, job: CleanJob, workers: int, limits: Limits, crawler: Any) -> None:
        self.job, self.crawler, self.stats = job, crawler, crawler.stats
        self.pool = AsyncPagePool(job, workers, limits)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        settings = config(crawler)
        limits = Limits(seconds=settings.clean_time_limit, memory_bytes=settings.clean_memory_limit << 20)
        return cls(clean_job(crawler), settings.clean_workers or os.cpu_count() or 1, limits, crawler)

    async def process_item(self, item: Any) -> Any:
        if (failed := storage_error(self.crawler)) is not None:  # stopping: nothing more can be written
            self.stats.inc_value("scraper/storage/unwritten")
            raise NotWritten(failed)
        if isinstance(item, ErrorRecord):
            raise PageDropped(item)
        if not isinstance(item, RawPage):
            return item
        try:
            self.job.admit(item)
        except ScraperError as exc:
            raise PageDropped(error_record(exc, item)) from None
        result = await self.pool.run(item)
        if isinstance(result, ScraperError):
            raise PageDropped(error_record(result, item))
        self.stats.inc_value("scraper/cleaned")
        for removal in result.article.removed:
            self.stats.inc_value(f"scraper/rule_hits/{removal.rule}")
        return article_record(item, result)

    async def close_spider(self) -> None:
        self.stats.set_value("scraper/workers_replaced", self.pool.replaced)
        await self.pool.aclose()
