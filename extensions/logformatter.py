"""How the crawl logs items: a dropped item is one line naming its URL and the reason, not the whole item."""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

from scraper.article import RawPage


class NewsLogFormatter(LogFormatter):
    """Scrapy's formatter, except that ``dropped`` leaves the item out of the message: a dropped article
    record holds the whole page text (a raw page, the whole HTML), and duplicates or short pages are routine.
    The reason is also in the errors JSONL."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        url = item.url if isinstance(item, RawPage) else item.get("url") if isinstance(item, dict) else None
        return {**result, "msg": "Dropped %(url)s: %(exception)s", "args": {"url": url, "exception": exception}}
