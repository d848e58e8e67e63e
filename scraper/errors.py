"""The exceptions raised by scraper, one hierarchy for every caller; page errors become error records.

    ScraperError
    ├── ProfileError            a rules or profile file is invalid (names the file and rule id)
    ├── OptionsError            a CleanOptions value or options file is invalid
    ├── InputError              the input cannot be cleaned as given
    │   ├── NotHTMLError        the bytes are not an HTML document (binary, PDF, image, feed, empty)
    │   ├── PageTooLargeError   the page exceeds a size, element-count or depth limit
    │   ├── DecodingError       the bytes cannot be decoded as text
    │   ├── UnreadableError     a saved input (file, WARC record, JSONL line) cannot be read
    │   ├── TruncatedError      the input ends before its end (a cut compressed body, WARC record or file)
    │   └── FeedError           a feed or sitemap that the XML parser refused (not XML, entity expansion)
    ├── ExtractionError         extraction ran but produced no usable article
    │   ├── EmptyArticleError   nothing extractable remains (before or after rules)
    │   └── TruncatedPageError  the parser lost part of the page; the result would be partial
    ├── WorkerError             cleaning the page stopped its worker process
    │   ├── TimeLimitError      the page took longer than the time limit
    │   ├── MemoryLimitError    the page needed more memory than the limit
    │   └── WorkerCrashedError  the worker died while cleaning the page
    ├── FetchError              the crawl got no page for the URL
    │   ├── HttpStatusError     the server answered with a status other than 200
    │   ├── RefusedError        the fetch policy refused the URL (scheme, private address)
    │   ├── RobotsError         robots.txt disallows the URL
    │   └── NetworkError        connection refused or lost, DNS failure, timeout
    ├── RejectedError           a clean article that the job does not keep
    │   ├── NoTitleError        the article has no title
    │   ├── TooShortError       fewer words than the job's minimum
    │   ├── OutsideWindowError  published outside the job's since/until window
    │   ├── OffTopicError       mentions none of the job's query terms
    │   ├── DuplicateError      same canonical URL or text as an article already written
    │   └── KnownStoryError     a duplicate, copy or rewrite of a story the index holds (SCRAPER_STORY_DROP)
    └── StorageError            reading or writing output/archives failed

Every error has a ``reason`` (a short stable slug: stats keys, ``errors_by_reason``) and a ``stage`` (where
in a job it arises: ``policy``, ``fetch``, ``discover``, ``read``, ``clean``, ``validate``, ``dedupe``). A few
classes set the reason per instance (``HttpStatusError``: ``http-404``; ``NetworkError``: ``timeout``...).
"""

from __future__ import annotations

from typing import Literal

Stage = Literal["policy", "fetch", "discover", "read", "clean", "validate", "dedupe"]


class ScraperError(Exception):
    """Base class of every error raised by scraper; ``reason`` is a short stable slug for stats.

    Args:
        message: what happened, for people.
        reason: a slug replacing the class's own (e.g. ``http-404``), when the class has several.
    """

    reason: str = "error"
    stage: Stage = "clean"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    @property
    def message(self) -> str:
        """The message given (``str(error)``)."""
        return str(self)


class ProfileError(ScraperError):
    """Raised at load time when a rules/profile file is malformed: names the file, rule id and key."""

    reason = "bad-profile"


class OptionsError(ScraperError):
    """Raised when an options file or value is unknown or out of range."""

    reason = "bad-options"


class InputError(ScraperError):
    """Raised when the input itself cannot be cleaned (not HTML, too large, undecodable)."""

    reason = "bad-input"


class NotHTMLError(InputError):
    """Raised when the bytes are empty, binary, a known non-HTML format (PDF, image, feed), or served with a
    non-HTML ``Content-Type``."""

    reason = "not-html"


class PageTooLargeError(InputError):
    """Raised before extraction when the page exceeds ``max_bytes`` or ``max_elements``."""

    reason = "too-large"


class DecodingError(InputError):
    """Raised when no charset decodes the bytes into plausible text."""

    reason = "undecodable"


class UnreadableError(InputError):
    """Raised (as a record) when a saved input cannot be read: a file, a WARC record, a JSONL line."""

    reason = "unreadable"
    stage: Stage = "read"


class TruncatedError(InputError):
    """Raised when an input ends before its own end: a compressed body (``Content-Encoding``, a ``.gz`` file or
    member) that does not decompress to its end, a body shorter than its ``Content-Length``, a WARC record
    shorter than its length or marked ``WARC-Truncated``. Never a short article instead."""

    reason = "truncated"
    stage: Stage = "read"


class FeedError(InputError):
    """Raised when a feed or sitemap parses to nothing because the XML parser refused it (not XML, an entity
    expansion it stopped); the source does not vanish in silence."""

    reason = "bad-feed"
    stage: Stage = "discover"


class ExtractionError(ScraperError):
    """Raised when extraction ran but gave no usable article."""

    reason = "extraction-failed"


class EmptyArticleError(ExtractionError):
    """Raised when no article text remains, either from trafilatura or after the rules."""

    reason = "empty"


class TruncatedPageError(ExtractionError):
    """Raised when the HTML parser silently dropped part of the page (e.g. nesting beyond its limit)."""

    reason = "truncated"


class WorkerError(ScraperError):
    """A page whose cleaning stopped its worker process (which is then replaced)."""

    reason = "worker-error"


class TimeLimitError(WorkerError):
    """A page that took longer than the pool's time limit; its worker was killed."""

    reason = "time-limit"


class MemoryLimitError(WorkerError):
    """A page that needed more memory than the worker's address-space limit."""

    reason = "memory-limit"


class WorkerCrashedError(WorkerError):
    """The worker process died while cleaning the page (a crash in a C library, a kill from outside)."""

    reason = "worker-crashed"


class FetchError(ScraperError):
    """The crawl got no page for a URL; ``reason`` says why (``redirect-limit``, ``too-large``, ...)."""

    reason = "fetch-failed"
    stage: Stage = "fetch"


class HttpStatusError(FetchError):
    """The server answered with a status other than 200 (reason ``http-<status>``)."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message or f"the server answered HTTP {status}", reason=f"http-{status}")
        self.status = status

    def __reduce__(self) -> tuple[type[HttpStatusError], tuple[int, str]]:
        return type(self), (self.status, str(self))


class RefusedError(FetchError):
    """The fetch policy refused the URL: a scheme other than http(s), or a private address (the message
    names the setting that would allow it)."""

    reason = "refused"
    stage: Stage = "policy"


class RobotsError(FetchError):
    """robots.txt disallows the URL for our user agent."""

    reason = "robots"


class NetworkError(FetchError):
    """The connection failed: reason ``connection-refused``, ``connection-lost``, ``dns`` or ``timeout``."""

    reason = "network"


class RejectedError(ScraperError):
    """A clean article that the job does not keep (the crawl's validation and de-duplication rules)."""

    reason = "rejected"
    stage: Stage = "validate"


class NotArticleError(RejectedError):
    """The page is not an article: a listing, product, forum, video page... (reason ``not-article-<type>``)."""

    def __init__(self, page_type: str, message: str = "") -> None:
        super().__init__(message or f"the page is a {page_type} page, not an article",
                         reason=f"not-article-{page_type}")
        self.page_type = page_type

    def __reduce__(self) -> tuple[type[NotArticleError], tuple[str, str]]:
        return type(self), (self.page_type, str(self))


class NoTitleError(RejectedError):
    """The article has no title."""

    reason = "no-title"


class TooShortError(RejectedError):
    """The article has fewer words than the job's ``min_words``."""

    reason = "too-short"


class OutsideWindowError(RejectedError):
    """The article was published outside the job's since/until window."""

    reason = "outside-window"


class OffTopicError(RejectedError):
    """The article's title and text mention none of the job's query terms."""

    reason = "off-topic"


class DuplicateError(RejectedError):
    """The article repeats the canonical URL or the text of one already written in the same run."""

    reason = "duplicate"
    stage: Stage = "dedupe"


class KnownStoryError(RejectedError):
    """The story index holds this article's story already, and the crawl drops articles of its relation
    (``SCRAPER_STORY_DROP``); the reason is the relation: ``duplicate``, ``copy`` or ``rewrite``."""

    reason = "copy"
    stage: Stage = "dedupe"


class StorageError(ScraperError):
    """Raised when reading or writing JSONL output or raw archives fails."""

    reason = "storage"
