"""DropIncompletePipeline: drop records that are not articles, or not the story this run is after."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from scraper.discovery import Window, matches_query
from scraper.pagetype import is_article


class DropIncompletePipeline:
    """Article dicts in and out. Drops (``validate: <reason>``) pages that are not articles
    (``not-article: <page_type>``, unless ``SCRAPER_KEEP_NON_ARTICLES``), records without a title,
    shorter than ``SCRAPER_MIN_WORDS`` (default 50), published outside the spider's since/until window,
    or not mentioning any of its ``query`` terms. Stats: ``scraper/dropped/<reason>``."""

    def __init__(self, crawler: Any, min_words: int, keep_non_articles: bool = False) -> None:
        self.crawler = crawler
        self.min_words = min_words
        self.keep_non_articles = keep_non_articles

    @classmethod
    def from_crawler(cls, crawler: Any) -> DropIncompletePipeline:
        settings = crawler.settings
        return cls(crawler, settings.getint("SCRAPER_MIN_WORDS", 50), settings.getbool("SCRAPER_KEEP_NON_ARTICLES"))

    def _drop(self, reason: str, detail: str) -> DropItem:
        self.crawler.stats.inc_value(f"scraper/dropped/{reason}")
        return DropItem(f"validate: {reason}: {detail}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        plan = getattr(self.crawler.spider, "plan", None)
        if not self.keep_non_articles and not is_article(item):
            raise self._drop("not-article", str(item.get("page_type")))
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
