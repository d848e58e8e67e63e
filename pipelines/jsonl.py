"""JsonlWriterPipeline: articles to one JSONL file per run, and every failure to an errors JSONL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from pipelines.archive import run_id
from scraper.article import FetchError, RawPage
from scraper.crawl.history import CrawlHistory
from scraper.storage import JsonlWriter


class JsonlWriterPipeline:
    """Writes ``<dir>/articles/<spider>-<run>.jsonl`` and ``<spider>-<run>.errors.jsonl``, item by item,
    under ``.part`` names renamed when the spider closes. Error records (``url``, ``stage``,
    ``reason``, ``fetched_at``) come from FetchError items and from every dropped item.
    With ``SCRAPER_HISTORY`` set, the URLs of the articles written (as requested, after redirects, and the
    page's canonical URL) go into that history file once the files are in place, so that later runs skip
    them. Settings: ``SCRAPER_OUTPUT_DIR``, ``SCRAPER_HISTORY``. Stats: ``scraper/history/recorded``."""

    def __init__(self, folder: Path, stem: str, history: str | None = None, run: str = "", stats: Any = None) -> None:
        self.articles = JsonlWriter(folder / f"{stem}.jsonl")
        self.errors = JsonlWriter(folder / f"{stem}.errors.jsonl")
        self.history, self.run, self.stats = history, run, stats
        self.written_urls: list[str | None] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlWriterPipeline:
        out = crawler.settings.get("SCRAPER_OUTPUT_DIR")
        if not out:
            raise NotConfigured("SCRAPER_OUTPUT_DIR is not set")
        run = run_id(crawler)
        pipeline = cls(Path(out) / "articles", f"{crawler.spidercls.name}-{run}",
                       crawler.settings.get("SCRAPER_HISTORY") or None, run, crawler.stats)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchError):
            self.errors.write(item.to_dict())
        elif isinstance(item, dict):
            self.articles.write(item)
            if self.history:
                source = item.get("source") or {}
                # ``url`` is the final URL, already in ``source``.
                self.written_urls += [source.get("url"), source.get("final_url"), item.get("canonical_url")]
        return item

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any = None) -> None:
        stage, _, reason = str(exception).partition(": ")
        url = item.url if isinstance(item, RawPage) else item.get("url") if isinstance(item, dict) else None
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        fetched = item.fetched_at if isinstance(item, RawPage) else now
        self.errors.write({"url": url, "stage": stage if reason else "pipeline", "reason": reason or stage,
                           "fetched_at": fetched})

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
