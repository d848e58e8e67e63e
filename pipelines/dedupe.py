"""DedupePipeline: drop repeats within a run, by canonical URL and by content hash."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem


class DedupePipeline:
    """Article dicts in and out; a record whose canonical URL or ``content_hash`` was already written
    in this run is dropped (``dedupe: duplicate ...``). Stats: ``scraper/dropped/duplicate``."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.urls: dict[str, str] = {}
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        url = item.get("canonical_url") or item.get("url") or ""
        first = self.urls.get(url) or self.hashes.get(item.get("content_hash", ""))
        if first:
            self.stats.inc_value("scraper/dropped/duplicate")
            raise DropItem(f"dedupe: duplicate of {first}")
        self.urls[url] = item.get("url") or url
        self.hashes[item.get("content_hash", "")] = item.get("url") or url
        return item
