"""The one cleaning job, run by the crawl and by the re-clean alike: which pages it admits, how it cleans
them (options, profiles) and which articles it keeps (validation).

A ``CleanJob`` is built once (from Scrapy settings, CLI flags or in Python) and is picklable: worker
processes call it on each page. Per page, both doors run the same steps in the same order:
``admit`` (HTTP status, content type; cheap, in the parent) -> the job itself in a worker (``clean`` or
``clean_text``, then the page's attribution and the text's fingerprint: ``run``) -> ``validate`` ->
de-duplication (``dedupe.Deduper``) -> the record (``records``) -> the story index (``scraper.stories``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from scraper.article import Article, RawPage
from scraper.attribution import Attribution, attribute
from scraper.clean import clean, clean_text
from scraper.config import DEFAULT_OPTIONS, CleanOptions
from scraper.decode import decode_bytes, decode_content, gunzip_limited
from scraper.errors import (
    HttpStatusError,
    NotArticleError,
    NotHTMLError,
    NoTitleError,
    OffTopicError,
    OutsideWindowError,
    ScraperError,
    TooShortError,
)
from scraper.profiles import ProfileRegistry, default_registry, load_profiles
from scraper.stories.fingerprint import Fingerprint, fingerprint

DEFAULT_MIN_WORDS = 50
# Media types that may hold an HTML page (servers send HTML as text/plain or octet-stream often enough);
# anything else (images, PDF, JSON, scripts, feeds) is not a page. No Content-Type at all is admitted.
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml",
                         "application/octet-stream"})
# The root element of XML documents that are not pages (feeds, sitemaps, OPML): recognised before cleaning,
# since trafilatura would make an "article" of a feed's item descriptions.
_NOT_PAGE_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*|<\?[^>]*>\s*)*"
    rb"<(rss|feed|rdf:RDF|urlset|sitemapindex|opml)[\s/>]", re.S | re.I)
# Profile folders loaded in this process (workers inherit them when forked), by path; see load_registry.
_LOADED: dict[str, ProfileRegistry] = {}
_ROOT_NAMES = {b"rss": "an RSS feed", b"feed": "an Atom feed", b"rdf:rdf": "an RSS 1.0 (RDF) feed",
               b"urlset": "a sitemap", b"sitemapindex": "a sitemap index", b"opml": "an OPML outline"}


@dataclass(frozen=True, slots=True)
class Window:
    """A publication-date window; both ends inclusive, either may be open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def admits(self, published: str | None) -> bool:
        """Whether a date string falls in the window (unknown dates are admitted, to be checked later)."""
        if not published or (self.since is None and self.until is None):
            return True
        try:
            day = dt.date.fromisoformat(published[:10])
        except ValueError:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def __str__(self) -> str:
        return f"{self.since or '…'} to {self.until or '…'}"


def parse_query(query: str | None) -> tuple[str, ...]:
    """Split a query into alternatives: comma-separated terms; quotes are optional around phrases."""
    if not query:
        return ()
    return tuple(t.strip().strip("\"'").strip() for t in query.split(",") if t.strip().strip("\"'").strip())


def matches_query(terms: Sequence[str], *texts: str | None) -> bool:
    """Whether any term (a word or phrase, case-insensitive, on word boundaries) occurs in the texts."""
    if not terms:
        return True
    haystack = " ".join(t for t in texts if t)
    return any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", haystack, re.I) for term in terms)


def load_registry(profiles: str | None) -> ProfileRegistry:
    """Load a profiles folder afresh (None: the packaged profiles) and keep it for the jobs of this process and
    the workers forked from it; a run calls it once at its start, so a folder changed since is seen.

    Raises:
        ProfileError: the folder is missing or a file in it is invalid.
    """
    if profiles is None:
        return default_registry()
    registry = _LOADED[profiles] = load_profiles(profiles)
    return registry


def check_document(body: bytes) -> None:
    """Refuse XML documents that are not pages (RSS/Atom feeds, sitemaps, OPML).

    Raises:
        NotHTMLError: naming what the document is.
    """
    found = _NOT_PAGE_ROOT.match(body[:4096])
    if found:
        what = _ROOT_NAMES.get(found.group(1).lower(), "an XML document")
        raise NotHTMLError(f"{what}, not an HTML page")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What the job makes of a page in a worker: the Article, where the page says the story comes from, and
    the fingerprint of its text (computed there, next to the cleaning, not in the crawl's event loop)."""

    article: Article
    attribution: Attribution
    fingerprint: Fingerprint


@dataclass(frozen=True, slots=True)
class CleanJob:
    """Everything that decides what a page becomes, for both doors.

    Attributes:
        options: the cleaning options.
        profiles: a folder of profile files (None: the packaged profiles); each worker loads it once.
        min_words: articles with fewer words are rejected (``too-short``).
        window: articles published outside it are rejected (``outside-window``).
        query: articles mentioning none of these terms are rejected (``off-topic``).
        keep_non_articles: keep pages whose ``page_type`` is not ``article`` (else ``not-article-<type>``).
    """

    options: CleanOptions = DEFAULT_OPTIONS
    profiles: str | None = None
    min_words: int = DEFAULT_MIN_WORDS
    window: Window = field(default_factory=Window)
    query: tuple[str, ...] = ()
    keep_non_articles: bool = False

    @property
    def registry(self) -> ProfileRegistry:
        """The rules and profiles the job cleans with (loaded once per process, see ``load_registry``).

        Raises:
            ProfileError: the profiles folder is missing or a file in it is invalid.
        """
        if self.profiles is None:
            return default_registry()
        return _LOADED.get(self.profiles) or load_registry(self.profiles)

    def admit(self, page: RawPage) -> None:
        """The checks made before cleaning: the page is an HTTP 200 response (when it is a response at all)
        whose Content-Type may hold HTML.

        Raises:
            HttpStatusError: the status is not 200 (redirects, 4xx and 5xx in a WARC file).
            NotHTMLError: the Content-Type is not one a page can have (image, PDF, JSON...).
        """
        if page.status is not None and page.status != 200:
            raise HttpStatusError(page.status)
        media_type = (page.header("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media_type and media_type not in _PAGE_TYPES:
            raise NotHTMLError(f"Content-Type {media_type} is not an HTML page")

    def clean(self, page: RawPage) -> Article:
        """Clean the page (``clean_text`` for already-extracted text) with the job's options and profiles.

        The body is decoded from its ``Content-Encoding`` first (the crawl archives and cleans the body as
        received), strictly: a body cut short is ``truncated``, whichever door it came through.

        Raises:
            ScraperError: any error of ``clean`` or ``clean_text``, ``NotHTMLError`` for a feed or sitemap, or an
                error of ``decode_content`` (``TruncatedError``...).
        """
        return self._clean(page, None if page.text is not None else self._body(page))

    def run(self, page: RawPage) -> Cleaned:
        """``clean``, then the page's attribution and the text's fingerprint (the body is decoded once).

        Raises:
            ScraperError: any error of ``clean``.
        """
        body = None if page.text is not None else self._body(page)
        article = self._clean(page, body)
        html = None
        if body is not None:
            html, _ = decode_bytes(gunzip_limited(body, self.options.max_bytes), page.encoding)
        return Cleaned(article, attribute(article, html), fingerprint(article.text))

    def _body(self, page: RawPage) -> bytes:
        """The page's body decoded from its ``Content-Encoding`` (strictly: a cut stream is ``truncated``)."""
        return decode_content(page.body, page.header("Content-Encoding"), self.options.max_bytes)

    def _clean(self, page: RawPage, body: bytes | None) -> Article:
        url = page.final_url or page.url
        when = _when(page.fetched_at)
        if page.text is not None or body is None:
            return clean_text(page.text or "", url, options=self.options, fetched_at=when, registry=self.registry)
        check_document(body)
        return clean(body, url, options=self.options, encoding=page.encoding, fetched_at=when,
                     registry=self.registry)

    def __call__(self, page: RawPage) -> Cleaned | ScraperError:
        """``run`` in a worker process: what the page became, or the error as a value (sent to the parent)."""
        try:
            return self.run(page)
        except ScraperError as exc:
            return exc

    def validate(self, article: Article) -> None:
        """The checks made after cleaning: the article is one this job keeps.

        Raises:
            NoTitleError, TooShortError, NotArticleError, OutsideWindowError, OffTopicError.
        """
        if not article.title:
            raise NoTitleError("the page has no title")
        if article.word_count < self.min_words:
            raise TooShortError(f"{article.word_count} words, fewer than {self.min_words}")
        if not self.keep_non_articles and article.page_type not in (None, "article"):
            raise NotArticleError(article.page_type)
        if not self.window.admits(article.published):
            raise OutsideWindowError(f"published {article.published}, outside {self.window}")
        if not matches_query(self.query, article.title, article.text):
            raise OffTopicError(f"mentions none of {', '.join(self.query)}")


def _when(fetched_at: str | None) -> dt.datetime | None:
    """The fetch time as a datetime (None when unknown or unreadable: every dated rule then applies)."""
    if not fetched_at:
        return None
    try:
        return dt.datetime.fromisoformat(fetched_at)
    except ValueError:
        return None
