"""How the crawl logs items: one line naming the URL, not the whole item (a page's text, or its HTML)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

from extensions.errors import NotWritten, PageDropped


def _url(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("url")
    source = getattr(item, "source", None)
    return getattr(item, "url", None) or getattr(source, "url", None)


class NewsLogFormatter(LogFormatter):
    """Scrapy's formatter, except that ``dropped`` and ``scraped`` leave the item out of the message: an article
    record holds the whole page text, and duplicates or short pages are routine. The reason of a drop is also
    in the errors JSONL."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        url = exception.record.url if isinstance(exception, PageDropped) else _url(item)
        # pages left unwritten by a storage failure are counted in one line at the end, not one line each
        level = logging.DEBUG if isinstance(exception, NotWritten) else result["level"]
        return {**result, "level": level, "msg": "Dropped %(url)s: %(exception)s",
                "args": {"url": url, "exception": exception}}

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        title = item.get("title") if isinstance(item, dict) else None
        return {**result, "msg": "Article %(url)s: %(title)s", "args": {"url": _url(item), "title": title}}
