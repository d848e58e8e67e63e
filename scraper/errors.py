"""The exceptions raised by scraper, one hierarchy for every caller.

    ScraperError
    ├── ProfileError            a rules or profile file is invalid (names the file and rule id)
    ├── OptionsError            a CleanOptions value or options file is invalid
    ├── InputError              the input cannot be cleaned as given
    │   ├── NotHTMLError        the bytes are not an HTML document (binary, PDF, image, empty)
    │   ├── PageTooLargeError   the page exceeds a size, element-count or depth limit
    │   └── DecodingError       the bytes cannot be decoded as text
    ├── ExtractionError         extraction ran but produced no usable article
    │   ├── EmptyArticleError   nothing extractable remains (before or after rules)
    │   └── TruncatedPageError  the parser lost part of the page; the result would be partial
    └── StorageError            reading or writing output/archives failed
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base class of every error raised by scraper; ``reason`` is a short stable slug for stats."""

    reason = "error"


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
    """Raised when the bytes are empty, binary, or a known non-HTML format (PDF, image, archive)."""

    reason = "not-html"


class PageTooLargeError(InputError):
    """Raised before extraction when the page exceeds ``max_bytes`` or ``max_elements``."""

    reason = "too-large"


class DecodingError(InputError):
    """Raised when no charset decodes the bytes into plausible text."""

    reason = "undecodable"


class ExtractionError(ScraperError):
    """Raised when extraction ran but gave no usable article."""

    reason = "extraction-failed"


class EmptyArticleError(ExtractionError):
    """Raised when no article text remains, either from trafilatura or after the rules."""

    reason = "empty"


class TruncatedPageError(ExtractionError):
    """Raised when the HTML parser silently dropped part of the page (e.g. nesting beyond its limit)."""

    reason = "truncated"


class StorageError(ScraperError):
    """Raised when reading or writing JSONL output or raw archives fails."""

    reason = "storage"
