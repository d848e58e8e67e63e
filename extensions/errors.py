"""Where Scrapy's exceptions meet ``scraper.errors``: a dropped item carries its error record, a refused
request carries its typed error, and a download failure is translated into what it is."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from twisted.internet import error as net
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from scraper.crawl.netpolicy import refusal
from scraper.errors import FetchError, HttpStatusError, NetworkError, RefusedError, RobotsError, ScraperError
from scraper.records import ErrorRecord

# Download failures by what they are (first match wins: Scrapy's own classes, then Twisted's).
_NETWORK: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadConnectionRefusedError, net.ConnectionRefusedError), "connection-refused"),
    ((CannotResolveHostError, net.DNSLookupError), "dns"),
    ((DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError), "timeout"),
    ((net.ConnectionLost, net.ConnectionDone, ResponseFailed, ResponseNeverReceived, net.ConnectError),
     "connection-lost"),
)


_UNRESOLVED = (CannotResolveHostError, net.DNSLookupError)


class PageDropped(DropItem):
    """A page (or failed fetch) that became an error record instead of an article; the writer writes
    ``record`` to the errors file."""

    def __init__(self, record: ErrorRecord) -> None:
        super().__init__(f"{record.stage}: {record.reason}: {record.message}")
        self.record = record


class NotWritten(DropItem):
    """A page or failed fetch that could not be written because the run's output failed (disk full, read-only,
    quota): the crawl is stopping, and this item is counted in ``scraper/storage/unwritten``."""

    def __init__(self, error: ScraperError) -> None:
        super().__init__(f"not written: {error}")
        self.error = error


class RequestRefused(IgnoreRequest):
    """A request a downloader middleware refused, with the typed reason (``RefusedError``, ``RobotsError``,
    or the ``NetworkError`` that made robots.txt unreachable)."""

    def __init__(self, error: ScraperError) -> None:
        super().__init__(str(error))
        self.error = error


def _cause(exc: BaseException) -> BaseException:
    """The reason inside Twisted's wrappers (``ResponseNeverReceived`` holds a list of failures)."""
    reasons = getattr(exc, "reasons", None)
    if reasons:
        inner = getattr(reasons[0], "value", None)
        if isinstance(inner, BaseException):
            return inner
    return exc


def error_from_failure(exc: BaseException, host: str | None = None) -> ScraperError:
    """The typed error of a request that gave no usable response (the value of its errback's failure); ``host``
    is the request's, to tell a name the resolver refused by policy from one that does not resolve."""
    if isinstance(exc, RequestRefused):
        return exc.error
    unresolved = isinstance(exc, _UNRESOLVED) or isinstance(_cause(exc), _UNRESOLVED)
    if unresolved and (why := refusal(host)) is not None:  # the crawl's resolver gave it no address
        return RefusedError(f"refused by fetch policy: {why}")
    response = getattr(exc, "response", None)
    if response is not None:  # HttpErrorMiddleware: a discovery request answered 4xx/5xx
        return HttpStatusError(response.status)
    if isinstance(exc, IgnoreRequest):
        return _ignored(str(exc))
    if isinstance(exc, UnsupportedURLSchemeError):
        return RefusedError(str(exc))
    return _download_error(exc)


def _ignored(text: str) -> ScraperError:
    """A request that one of Scrapy's own middlewares dropped."""
    if "robots.txt" in text:
        return RobotsError("disallowed by robots.txt (ROBOTSTXT_OBEY=False would ignore it)")
    if "DOWNLOAD_MAXSIZE" in text:
        return FetchError(text, reason="too-large")
    if "max redirections" in text:
        return FetchError("more redirects than REDIRECT_MAX_TIMES (a redirect loop?)", reason="redirect-limit")
    return FetchError(text or "the request was ignored", reason="ignored")


def _download_error(exc: BaseException) -> ScraperError:
    """A download that failed: cancelled (size), cut short, or a network error."""
    text = str(exc)
    if isinstance(exc, DownloadCancelledError):
        too_large = "maxsize" in text.lower() or "max size" in text.lower()
        return FetchError(f"{text} (DOWNLOAD_MAXSIZE)" if too_large else text,
                          reason="too-large" if too_large else "cancelled")
    if isinstance(exc, ResponseDataLossError):
        return FetchError(f"the response ended before its Content-Length (cut short): {text}", reason="truncated")
    cause = _cause(exc)
    reason = next((slug for classes, slug in _NETWORK if isinstance(cause, classes) or isinstance(exc, classes)), None)
    if reason is not None:
        return NetworkError(f"{type(cause).__name__}: {cause}".strip(": "), reason=reason)
    return FetchError(f"{type(exc).__name__}: {text}".strip(": "), reason="download-failed")
