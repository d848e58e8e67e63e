"""JsonlWriterPipeline: articles to one JSONL file per run, and every error record to an errors JSONL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals

from extensions.errors import NotWritten, PageDropped
from extensions.project import (
    EXIT_CANNOT_START,
    config,
    fail,
    finish_outputs,
    not_written,
    outputs,
    run_id,
    storage_error,
)
from scraper.article import RawPage
from scraper.crawl.history import CrawlHistory
from scraper.errors import RejectedError, StorageError
from scraper.records import ArticleRecord, ErrorRecord, Source, error_record, source_of
from scraper.storage import JsonlWriter

logger = logging.getLogger(__name__)


class JsonlWriterPipeline:
    """Writes ``<dir>/articles/<spider>-<run>.jsonl`` (ArticleRecords) and ``<spider>-<run>.errors.jsonl`` (the
    record of every dropped item: ``PageDropped`` carries it), item by item, under ``.part`` names renamed when
    the spider closes. An article leaves the pipelines as the line written, so ``-O file.jsonl`` holds the
    same lines (and only articles).

    With ``SCRAPER_HISTORY`` set, the URLs of the articles written (as requested, after redirects, and the
    page's canonical URL) go into that history file once the files are in place, so that later runs skip
    them. The first write error (disk full, read-only, quota) stops the crawl; the run's files then keep their
    ``.part`` names and the history records nothing. Settings: ``SCRAPER_OUTPUT_DIR``, ``SCRAPER_HISTORY``. Stats:
    ``scraper/errors``, ``scraper/errors/<reason>``, ``scraper/history/recorded``, ``scraper/storage/unwritten``."""

    def __init__(self, folder: Path, stem: str, crawler: Any, history: str | None = None, run: str = "") -> None:
        self.crawler, self.stats = crawler, crawler.stats
        files = outputs(crawler)
        try:
            self.articles = files.add(JsonlWriter(folder / f"{stem}.jsonl"))
            self.errors = files.add(JsonlWriter(folder / f"{stem}.errors.jsonl"))
        except StorageError as exc:  # a read-only or missing output folder: one line, before anything is fetched
            fail(str(exc), EXIT_CANNOT_START)
        self.history, self.run = history, run
        self.written_urls: list[str | None] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlWriterPipeline:
        settings = config(crawler)
        run = run_id(crawler)
        pipeline = cls(Path(settings.output_dir) / "articles", f"{crawler.spidercls.name}-{run}", crawler,
                       settings.history, run)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleRecord):
            return item
        if (failed := storage_error(self.crawler)) is not None:  # stopping: the run's files will stay .part
            raise not_written(self.crawler, failed)
        line = item.to_dict()
        try:
            self.articles.write(line)
        except StorageError as exc:
            raise not_written(self.crawler, exc) from None
        if self.history:
            self.written_urls += [item.source.url, item.source.final_url, item.article.canonical_url]
        return line

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any = None) -> None:
        if isinstance(exception, NotWritten):
            return
        if (failed := storage_error(self.crawler)) is not None:
            not_written(self.crawler, failed)
            return
        record = exception.record if isinstance(exception, PageDropped) else _foreign_drop(item, exception)
        try:
            self.errors.write(record.to_dict())
        except StorageError as exc:
            not_written(self.crawler, exc)
            return
        self.stats.inc_value("scraper/errors")
        self.stats.inc_value(f"scraper/errors/{record.reason}")

    def close_spider(self) -> None:
        if not finish_outputs(self.crawler) or storage_error(self.crawler) is not None:
            return  # the files keep their .part names: nothing of this run goes into the history
        if self.history:  # only now: a run that dies before its files are in place records nothing
            try:
                history = CrawlHistory(self.history)
                try:
                    recorded = history.record(self.written_urls, self.run)
                finally:
                    history.close()
            except StorageError as exc:  # the files are in place; the next run fetches these articles again
                logger.error("The run's files are in place, but the history could not record them: %s", exc)
                self.crawler.scraper_history_error = exc
                return
            self.stats.set_value("scraper/history/recorded", recorded)


def _foreign_drop(item: Any, exception: Exception) -> ErrorRecord:
    """The record of an item dropped by a pipeline that is not ours (a plain ``DropItem``)."""
    if isinstance(item, RawPage):
        where = source_of(item)
    elif isinstance(item, ArticleRecord | ErrorRecord):
        where = item.source
    else:
        where = Source()
    return error_record(RejectedError(str(exception), reason="dropped"), source=where)
