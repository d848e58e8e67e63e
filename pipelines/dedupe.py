"""DedupePipeline: drop repeats within a run, by canonical URL and by content hash."""

from __future__ import annotations

from typing import Any

from extensions.errors import PageDropped
from scraper.dedupe import Deduper
from scraper.errors import DuplicateError
from scraper.records import ArticleRecord, error_record


class DedupePipeline:
    """ArticleRecord in and out; a record whose canonical URL (or URL) or ``content_hash`` was already
    written in this run is dropped (``dedupe: duplicate``), by the same ``Deduper`` rule as the re-clean."""

    def __init__(self) -> None:
        self.deduper = Deduper()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleRecord):
            try:
                # named by the URL requested, as the re-clean names it (finish_page), so both write the same record
                self.deduper.admit(item.article, name=item.source.url or item.source.file)
            except DuplicateError as exc:
                raise PageDropped(error_record(exc, source=item.source, site=item.site)) from None
        return item
