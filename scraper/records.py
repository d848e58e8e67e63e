"""The lines every job writes: one article record or one error record per input, the same in the crawl
and in the re-clean, both with the same ``source`` (where the page came from).

``article_record`` and ``error_record`` are the only places these records are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scraper.article import Article, RawPage
from scraper.attribution import NONE, Attribution
from scraper.errors import ScraperError, Stage, UnreadableError
from scraper.stories.fingerprint import Fingerprint, fingerprint
from scraper.stories.model import record_id

if TYPE_CHECKING:
    from scraper.job import Cleaned


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where a record's page came from (every key always present, None when unknown).

    Attributes:
        url: the URL requested; ``final_url`` where redirects ended.
        status: the HTTP status (None for pages that are not HTTP responses: files, JSONL lines).
        fetched_at: when the page was fetched (ISO 8601).
        warc_file, warc_record_id, warc_offset: the WARC record holding the page or the failed fetch: seek to
            the offset and read one record with warcio to get the exact bytes.
        file, line: the saved file holding the page (HTML, text or JSONL), and the line of a JSONL file.
    """

    url: str | None = None
    final_url: str | None = None
    status: int | None = None
    fetched_at: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``source`` object of a JSONL line."""
        return {"url": self.url, "final_url": self.final_url, "status": self.status, "fetched_at": self.fetched_at,
                "warc_file": self.warc_file, "warc_record_id": self.warc_record_id,
                "warc_offset": self.warc_offset, "file": self.file, "line": self.line}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """The inverse of ``to_dict`` (unknown keys ignored)."""
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    @property
    def locator(self) -> str | None:
        """A short human name for the place: ``file@offset`` (WARC), ``file:line`` (JSONL) or the file."""
        if self.warc_file is not None:
            return f"{self.warc_file}@{self.warc_offset}"
        if self.file is not None:
            return f"{self.file}:{self.line}" if self.line is not None else self.file
        return self.url


def source_of(page: RawPage) -> Source:
    """The ``source`` of records made from ``page``."""
    return Source(url=page.url, final_url=page.final_url, status=page.status, fetched_at=page.fetched_at,
                  warc_file=page.warc_file, warc_record_id=page.warc_record_id, warc_offset=page.warc_offset,
                  file=page.file, line=page.line)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRecord:
    """An article as written: the Article, the profile the page was found through (``site``), what the feed or
    sitemap said about it (``discovered``), its ``source``, where the page says the story comes from
    (``attribution``), the fingerprint of its text, and its place in the story index (``story``: None until the
    index has seen it, or without an index)."""

    article: Article
    site: str | None = None
    discovered: dict[str, Any] | None = None
    source: Source = field(default_factory=Source)
    attribution: Attribution = NONE
    fingerprint: Fingerprint | None = None
    story: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        """The record's id: the same page (URL after redirects) with the same text has the same id."""
        return record_id(self.source.final_url or self.article.url or self.source.url, self.article.content_hash)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL line: the Article's keys, then ``site``, ``discovered``, ``source``, ``id``,
        ``original_url``, ``original_source``, ``fingerprint`` and ``story``."""
        print_ = self.fingerprint or fingerprint(self.article.text)
        return {**self.article.to_dict(), "site": self.site, "discovered": self.discovered,
                "source": self.source.to_dict(), "id": self.id, "original_url": self.attribution.original_url,
                "original_source": self.attribution.original_source, "fingerprint": print_.to_dict(),
                "story": self.story}


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorRecord:
    """An input that did not become an article, and why.

    Attributes:
        url: the page's URL (as requested), if known.
        stage: where the job stopped (``policy``, ``fetch``, ``discover``, ``read``, ``clean``, ``validate``,
            ``dedupe``).
        reason: a short stable slug (``http-404``, ``too-short``, ``time-limit``...).
        error: the ``scraper.errors`` class name.
        message: what happened, for people.
        site: the profile the page was found through, if any.
        source: where the page (or the failed fetch) is recorded.
    """

    url: str | None
    stage: Stage
    reason: str
    error: str
    message: str
    site: str | None = None
    source: Source = field(default_factory=Source)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL line of the errors file."""
        return {"url": self.url, "stage": self.stage, "reason": self.reason, "error": self.error,
                "message": self.message, "site": self.site, "source": self.source.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorRecord:
        """The inverse of ``to_dict``.

        Raises:
            UnreadableError: a required key is missing or has the wrong type.
        """
        try:
            return cls(url=data.get("url"), stage=data["stage"], reason=str(data["reason"]), error=str(data["error"]),
                       message=str(data.get("message", "")), site=data.get("site"),
                       source=Source.from_dict(data.get("source") or {}))
        except (KeyError, TypeError) as exc:
            raise UnreadableError(f"not an error record: {exc}") from exc


def article_record(page: RawPage, cleaned: Cleaned) -> ArticleRecord:
    """The record of a page that became an article (the job's ``Cleaned``: article, attribution, fingerprint)."""
    return ArticleRecord(article=cleaned.article, site=page.site, discovered=page.discovered, source=source_of(page),
                         attribution=cleaned.attribution, fingerprint=cleaned.fingerprint)


def error_record(error: ScraperError, page: RawPage | None = None, *, source: Source | None = None,
                 stage: Stage | None = None, site: str | None = None) -> ErrorRecord:
    """The record of an input that did not become an article.

    Args:
        error: why (its class, ``reason`` and message are recorded).
        page: the page, when there is one (its source and site are used).
        source: where the input is, when there is no page (a failed fetch, an unreadable file).
        stage: overrides the error's own stage (the crawl's discovery requests: ``discover``).
        site: the profile the URL was found through (default: the page's).
    """
    where = source_of(page) if page is not None else source or Source()
    return ErrorRecord(url=where.url, stage=stage or error.stage, reason=error.reason, error=type(error).__name__,
                       message=str(error), site=site if site is not None else page.site if page else None,
                       source=where)


def unreadable(message: str, source: Source) -> ErrorRecord:
    """The record of an input that could not be read at all."""
    return error_record(UnreadableError(message), source=source)
