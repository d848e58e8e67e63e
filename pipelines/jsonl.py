"""JsonlWriterPipeline: articles to one JSONL file per run, and every error record to an errors JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import signals

from extensions.errors import PageDropped
from extensions.project import config, run_id
from scraper.article import RawPage
from scraper.crawl.history import CrawlHistory
from scraper.errors import RejectedError
from scraper.records import ArticleRecord, ErrorRecord, Source, error_record, source_of
from scraper.storage import JsonlWriter


class JsonlWriterPipeline:
    """Writes ``<dir>/articles/<spider>-<run>.jsonl`` (ArticleRecords) and ``<spider>-<run>.errors.jsonl`` (the
    record of every dropped item: ``PageDropped`` carries it), item by item, under ``.part`` names renamed when
    the spider closes. An article leaves the pipelines as the line written, so ``-O file.jsonl`` holds the
    same lines (and only articles).

    With ``SCRAPER_HISTORY`` set, the URLs of the articles written (as requested, after redirects, and the
    page's canonical URL) go into that history file once the files are in place, so that later runs skip
    them. Settings: ``SCRAPER_OUTPUT_DIR``, ``SCRAPER_HISTORY``. Stats: ``scraper/errors``,
    ``scraper/errors/<reason>``, ``scraper/history/recorded``."""

    def __init__(self, folder: Path, stem: str, history: str | None = None, run: str = "", stats: Any = None) -> None:
        self.articles = JsonlWriter(folder / f"{stem}.jsonl")
        self.errors = JsonlWriter(folder / f"{stem}.errors.jsonl")
        self.history, self.run, self.stats = history, run, stats
        self.written_urls: list[str | None] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlWriterPipeline:
        settings = config(crawler)
        run = run_id(crawler)
        pipeline = cls(Path(settings.output_dir) / "articles", f"{crawler.spidercls.name}-{run}", settings.history,
                       run, crawler.stats)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleRecord):
            return item
        line = item.to_dict()
        self.articles.write(line)
        if self.history:
            self.written_urls += [item.source.url, item.source.final_url, item.article.canonical_url]
        return line

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any = None) -> None:
        record = exception.record if isinstance(exception, PageDropped) else _foreign_drop(item, exception)
        self.errors.write(record.to_dict())
        if self.stats is not None:
            self.stats.inc_value("scraper/errors")
            self.stats.inc_value(f"scraper/errors/{record.reason}")

    def close_spider(self) -> None:
        self.articles.close()
        self.errors.close()
        if self.history:  # only now: a run that dies before its files are in place records nothing
            history = CrawlHistory(self.history)
            try:
                recorded = history.record(self.written_urls, self.run)
            finally:
                history.close()
            if self.stats is not None:
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
