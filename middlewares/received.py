"""Keep an article's body as the server sent it, and refuse discovery bodies that are cut short.

Scrapy's HttpCompressionMiddleware decodes a ``Content-Encoding`` as far as it can and keeps quiet when the
stream stops early, so a gzip body cut at 70 % became a short article, and the WARC held the partial decoded
body, where a re-clean could not tell either. This middleware sits just before it (on the downloader's side):
for an article it keeps the body and ``Content-Encoding`` as received, for the spider to archive and the
cleaning job to decode strictly (a cut body is then ``truncated``, in the crawl and in a re-clean alike); a
feed or sitemap (read on the event loop) is decoded strictly here, and one cut short becomes its error record.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Request, Response

from extensions.errors import RequestRefused
from scraper.decode import decode_content
from scraper.errors import PageTooLargeError, ScraperError

# request.meta key of (body, Content-Encoding) as received, for the spider's parse_article.
AS_RECEIVED = "scraper_as_received"


class BodyAsReceivedMiddleware:
    """Settings: ``DOWNLOAD_MAXSIZE`` (the limit of a discovery body's decoding; Scrapy's middleware reports a body
    over it as ``too-large``)."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Any) -> BodyAsReceivedMiddleware:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response) -> Response:
        article = request.meta.get("scraper_stage") == "fetch"
        if article:
            request.meta.pop(AS_RECEIVED, None)  # copied from a redirect or a retry along with the meta
        codings = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
        if not codings or request.method == "HEAD":
            return response
        if article:
            request.meta[AS_RECEIVED] = (response.body, codings)
            return response
        try:
            decode_content(response.body, codings, self.max_size or 1 << 62)
        except PageTooLargeError:
            return response  # HttpCompressionMiddleware refuses it, naming DOWNLOAD_MAXSIZE
        except ScraperError as exc:
            raise RequestRefused(exc) from None
        return response
