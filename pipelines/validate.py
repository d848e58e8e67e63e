"""DropIncompletePipeline: drop records that are not articles, or not the story this run is after."""

from __future__ import annotations

from typing import Any

from extensions.errors import PageDropped
from extensions.project import clean_job
from scraper.errors import RejectedError
from scraper.job import CleanJob
from scraper.records import ArticleRecord, error_record


class DropIncompletePipeline:
    """ArticleRecord in and out. Runs the job's ``validate`` (the re-clean runs the same): drops records
    without a title (``no-title``), shorter than ``SCRAPER_MIN_WORDS`` (``too-short``), published outside the
    spider's since/until window (``outside-window``), or mentioning none of its ``query`` terms
    (``off-topic``)."""

    def __init__(self, job: CleanJob) -> None:
        self.job = job

    @classmethod
    def from_crawler(cls, crawler: Any) -> DropIncompletePipeline:
        return cls(clean_job(crawler))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleRecord):
            try:
                self.job.validate(item.article)
            except RejectedError as exc:
                raise PageDropped(error_record(exc, source=item.source, site=item.site)) from None
        return item
