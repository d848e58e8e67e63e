"""DropIncompletePipeline: drop records that are not articles, or not the story this run is after."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from scraper.crawl.discovery import Window, matches_query


class DropIncompletePipeline:
    """Article dicts in and out. Drops (``validate: <reason>``) records without a title, shorter than
    ``SCRAPER_MIN_WORDS`` (default 50), published outside the spider's since/until window, or not
    mentioning any of its ``query`` terms. Stats: ``scraper/dropped/<reason>``."""

    def __init__(self, crawler: Any, min_words: int) -> None:
        self.crawler = crawler
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Any) -> DropIncompletePipeline:
        return cls(crawler, crawler.settings.getint("SCRAPER_MIN_WORDS", 50))

    def _drop(self, reason: str, detail: str) -> DropItem:
        self.crawler.stats.inc_value(f"scraper/dropped/{reason}")
        return DropItem(f"validate: {reason}: {detail}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        plan = getattr(self.crawler.spider, "plan", None)
        if not item.get("title"):
            raise self._drop("no-title", "the page has no title")
        if item.get("word_count", 0) < self.min_words:
            raise self._drop("too-short", f"{item.get('word_count', 0)} words < {self.min_words}")
        window: Window = plan.window if plan else Window()
        if not window.admits(item.get("published")):
            raise self._drop("outside-window", f"published {item.get('published')}")
        if plan and not matches_query(plan.query, item.get("title"), item.get("text")):
            raise self._drop("off-topic", f"mentions none of {', '.join(plan.query)}")
        return item
