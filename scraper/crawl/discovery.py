"""Finding articles: RSS/Atom feeds, sitemaps (with Google News fields), robots.txt, section pages.

Pure functions over bytes (no network, no Scrapy): the spider fetches, this module reads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from scraper.decode import gunzip_limited
from scraper.errors import FeedError, NotHTMLError, PageTooLargeError, TruncatedError
from scraper.job import Window, matches_query
from scraper.metadata import iso_datetime
from scraper.profiles import UrlPattern

# Sitemaps may be served gzipped; a sitemap is at most 50 MB uncompressed by the protocol.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# Entries read from one feed or sitemap (the sitemap protocol's own limit of URLs per file); the rest is not read.
MAX_ENTRIES = 50_000
# How feeds and sitemaps are parsed: as a stream (no whole tree in memory), never fetching or expanding entities
# (libxml2 stops an entity expansion that grows too much, which is then the feed's error).
_XML_OPTIONS = {"recover": True, "resolve_entities": False, "no_network": True, "huge_tree": False,
                "remove_comments": True, "remove_pis": True}
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
# An article URL usually carries a date or a long slug; section pages rarely do.
_ARTICLE_HINTS = re.compile(r"/(?:19|20)\d{2}/\d{1,2}/|/(?:19|20)\d{2}-\d{2}-\d{2}|[a-z0-9]+(?:-[a-z0-9]+){3,}|\d{6,}")
_NOT_ARTICLE = re.compile(
    r"/(?:tag|tags|topic|topics|author|authors|category|categories|search|login|signin|subscribe|account|"
    r"video|videos|live|gallery|galleries|podcast|podcasts)(?:/|$)|\.(?:jpe?g|png|gif|svg|pdf|mp[34]|zip|css|js)$",
    re.I,
)
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


@dataclass(frozen=True, slots=True)
class Entry:
    """One candidate article found in a feed or sitemap, with what the source says about it."""

    url: str
    title: str | None = None
    published: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed feed or sitemap: child sitemaps (from an index) and page entries.

    Attributes:
        capped: the source holds more entries than were read (``max_entries``).
        damaged: the XML parser stopped before the end (what it said); the entries before that point are kept.
    """

    sitemaps: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    capped: bool = False
    damaged: str | None = None


Sitemap = Listing


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and (child.text or "").strip():
            return " ".join(child.text.split())  # type: ignore[union-attr]
    return None


_Read = Callable[[etree._Element, str], "Entry | str | None"]


def _fatal(events: etree.iterparse) -> str | None:
    """The first fatal error the parser recovered from (an entity expansion it stopped, a syntax error)."""
    fatal = [e for e in events.error_log if e.level_name == "FATAL"]  # type: ignore[attr-defined]
    return str(fatal[0].message) if fatal else None


def _read_listing(data: bytes, base_url: str, *, roots: frozenset[str], what: str, wanted: frozenset[str],
                  limit: int, read: _Read) -> Listing:
    """The entries of an XML feed or sitemap read as a stream: each ``wanted`` element is read whole by ``read``
    (an Entry, a child sitemap URL, or None), then freed with what came before it, so memory stays bounded
    whatever the document's size; reading stops after ``limit`` of them.

    Raises:
        FeedError: the document is empty, not XML, its root is not one of ``roots``, or the parser refused it
            before any entry (an entity expansion it stopped, a syntax error).
    """
    if not data.strip():
        raise FeedError(f"empty document, not {what}")
    entries: list[Entry] = []
    sitemaps: list[str] = []
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), **_XML_OPTIONS)
    root: str | None = None
    capped = False
    message: str | None = None
    try:
        for event, el in events:
            if root is None:
                root = _local(el.tag)
                if root not in roots:
                    raise FeedError(f"not {what}: the document is <{root}>")
            if event != "end" or _local(el.tag) not in wanted:
                continue
            if len(entries) + len(sitemaps) == limit:
                capped = True
                break
            item = read(el, base_url)
            if isinstance(item, Entry):
                entries.append(item)
            elif item:
                sitemaps.append(item)
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]  # type: ignore[union-attr]  # an element with a sibling has a parent
    except etree.XMLSyntaxError as exc:
        message = str(exc)
    message = message or (None if capped else _fatal(events))
    if message and not entries and not sitemaps:
        raise FeedError(f"the XML parser refused {what}: {message}")
    if root is None:
        raise FeedError(f"not {what}: no XML element")
    return Listing(tuple(sitemaps), tuple(entries), capped, message)


def _feed_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom) to ISO 8601."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return iso_datetime(value)


def _feed_entry(el: etree._Element, base_url: str) -> Entry | None:
    link = None
    for child in el:
        if _local(child.tag) != "link":
            continue
        href = child.get("href")
        if href and child.get("rel", "alternate") == "alternate":
            link = href
            break
        if child.text and child.text.strip():
            link = child.text.strip()
            break
    link = link or _child_text(el, "guid", "id")
    if not link:
        return None
    date = _child_text(el, "pubdate", "published", "updated", "date", "issued")
    tags = tuple(t for t in ((c.text or "").strip() or c.get("term") for c in el if _local(c.tag) == "category") if t)
    return Entry(urljoin(base_url, link), _child_text(el, "title"), _feed_date(date), tags)


def parse_feed(data: bytes, base_url: str, max_entries: int = MAX_ENTRIES) -> Listing:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, read as a stream, at most ``max_entries``.

    Raises:
        FeedError: the feed is empty, not a feed, or refused by the XML parser before any entry.
    """
    return _read_listing(data, base_url, roots=_FEED_ROOTS, what="a feed", wanted=frozenset({"item", "entry"}),
                         limit=max_entries, read=_feed_entry)


def decompress_sitemap(data: bytes) -> bytes:
    """Gunzip a ``.xml.gz`` sitemap, bounded by the protocol's 50 MB limit.

    Raises:
        PageTooLargeError: it expands beyond 50 MB (a compression bomb).
        TruncatedError: the gzip stream ends before its end.
        FeedError: the gzip stream is corrupt.
    """
    try:
        return gunzip_limited(data, MAX_SITEMAP_BYTES)
    except NotHTMLError as exc:
        raise FeedError(f"corrupt gzip sitemap: {exc.__cause__}") from exc
    except PageTooLargeError:
        limit = MAX_SITEMAP_BYTES >> 20
        raise PageTooLargeError(f"the gzipped sitemap expands beyond the protocol's {limit} MB") from None
    except TruncatedError:
        raise TruncatedError(f"the gzipped sitemap ends before its end ({len(data)} bytes)") from None


def _sitemap_item(el: etree._Element, base_url: str) -> Entry | str | None:
    loc = _child_text(el, "loc")
    if not loc:
        return None
    if _local(el.tag) == "sitemap":
        return urljoin(base_url, loc)
    news = next((c for c in el if _local(c.tag) == "news"), None)
    title = published = language = None
    keywords: tuple[str, ...] = ()
    if news is not None:
        title = _child_text(news, "title")
        published = iso_datetime(_child_text(news, "publication_date"))
        raw_keywords = _child_text(news, "keywords")
        keywords = tuple(k.strip() for k in (raw_keywords or "").split(",") if k.strip())
        publication = next((c for c in news if _local(c.tag) == "publication"), None)
        language = _child_text(publication, "language") if publication is not None else None
    published = published or iso_datetime(_child_text(el, "lastmod"))
    return Entry(urljoin(base_url, loc), title, published, keywords, language)


def parse_sitemap(data: bytes, base_url: str, max_entries: int = MAX_ENTRIES) -> Listing:
    """A sitemap index or urlset (gzipped or not), keeping Google News fields (publication date, title, keywords,
    language), read as a stream, at most ``max_entries`` entries or child sitemaps.

    Raises:
        FeedError: not a sitemap, or refused by the XML parser before any entry.
        PageTooLargeError, TruncatedError: see ``decompress_sitemap``.
    """
    return _read_listing(decompress_sitemap(data), base_url, roots=_SITEMAP_ROOTS, what="a sitemap",
                         wanted=frozenset({"url", "sitemap"}), limit=max_entries, read=_sitemap_item)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, as absolute URLs."""
    return [urljoin(base_url, m.group(1)) for m in _SITEMAP_LINE.finditer(text)]


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What a section or home page offers: feeds it announces, and the links on it."""

    feeds: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


def page_links(html: bytes | str, base_url: str) -> PageLinks:
    """Feed autodiscovery links and every http(s) link of an HTML page, fragment-free, in page order."""
    try:
        root = lxml_html.fromstring(html if isinstance(html, bytes) else html.encode("utf-8"))
    except (etree.ParserError, ValueError):
        return PageLinks()
    base = next((b for b in root.xpath("//base/@href") if b.strip()), None)
    base_url = urljoin(base_url, base) if base else base_url
    feeds = [
        urljoin(base_url, el.get("href", ""))
        for el in root.xpath("//link[@href][@type]")
        if "alternate" in (el.get("rel") or "").lower() and el.get("type", "").lower() in _FEED_TYPES
    ]
    links: dict[str, None] = {}
    for href in root.xpath("//a/@href"):
        url = urldefrag(urljoin(base_url, href.strip()))[0]
        if urlsplit(url).scheme in ("http", "https"):
            links.setdefault(url, None)
    return PageLinks(tuple(dict.fromkeys(feeds)), tuple(links))


@dataclass(frozen=True, slots=True)
class UrlRules:
    """Which URLs are articles and which may be followed (from a profile's ``[urls]`` or the defaults)."""

    allow: tuple[UrlPattern, ...] = ()
    deny: tuple[UrlPattern, ...] = ()
    hosts: tuple[str, ...] = field(default=())

    def on_site(self, url: str) -> bool:
        """Whether the URL is on one of the crawl's hosts (or any host when none is set)."""
        host = (urlsplit(url).hostname or "").lower()
        return not self.hosts or any(host == h or host.endswith("." + h) for h in self.hosts)

    def denied(self, url: str) -> bool:
        """Whether a deny pattern (or the built-in non-article list) rejects the URL."""
        return any(p.search(url) for p in self.deny) or bool(_NOT_ARTICLE.search(urlsplit(url).path))

    def is_article(self, url: str) -> bool:
        """Whether the URL looks like an article: it matches an allow pattern, or, with none, the heuristic."""
        if self.denied(url) or not self.on_site(url):
            return False
        if self.allow:
            return any(p.search(url) for p in self.allow)
        return bool(_ARTICLE_HINTS.search(urlsplit(url).path.lower()))


def entry_wanted(entry: Entry, window: Window, terms: Iterable[str]) -> bool:
    """Pre-filter a feed/sitemap entry on its date and (when it has one) its title and keywords."""
    terms = tuple(terms)
    if not window.admits(entry.published):
        return False
    if terms and (entry.title or entry.keywords):
        return matches_query(terms, entry.title, " ".join(entry.keywords))
    return True
