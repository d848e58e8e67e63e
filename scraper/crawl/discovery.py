"""Finding articles: RSS/Atom feeds, sitemaps (with Google News fields), robots.txt, section pages.

Pure functions over bytes (no network, no Scrapy): the spider fetches, this module reads.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from scraper.job import Window, matches_query
from scraper.metadata import iso_datetime
from scraper.profiles import UrlPattern

# Sitemaps may be served gzipped; a sitemap is at most 50 MB uncompressed by the protocol.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
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
class Sitemap:
    """A parsed sitemap: child sitemaps (from an index) and page entries."""

    sitemaps: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and (child.text or "").strip():
            return " ".join(child.text.split())  # type: ignore[union-attr]
    return None


def _parse_xml(data: bytes) -> etree._Element | None:
    data = data.lstrip()
    if not data:
        return None
    try:
        return etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        return None


def _feed_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom) to ISO 8601."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return iso_datetime(value)


def parse_feed(data: bytes, base_url: str) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; unreadable feeds give no entries."""
    root = _parse_xml(data)
    if root is None:
        return []
    entries: list[Entry] = []
    for el in root.iter():
        kind = _local(el.tag)
        if kind not in ("item", "entry"):
            continue
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
            continue
        date = _child_text(el, "pubdate", "published", "updated", "date", "issued")
        tags = tuple(t for t in ((c.text or "").strip() or c.get("term") for c in el
                                 if _local(c.tag) == "category") if t)
        entries.append(Entry(urljoin(base_url, link), _child_text(el, "title"), _feed_date(date), tags))
    return entries


def decompress_sitemap(data: bytes) -> bytes:
    """Gunzip a ``.xml.gz`` sitemap, bounded by the protocol's 50 MB limit (a bomb gives empty bytes)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        inflater = zlib.decompressobj(wbits=47)
        out = inflater.decompress(data, MAX_SITEMAP_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile):
        return b""
    return b"" if len(out) > MAX_SITEMAP_BYTES or inflater.unconsumed_tail else out


def parse_sitemap(data: bytes, base_url: str) -> Sitemap:
    """A sitemap index or urlset, keeping Google News fields (publication date, title, keywords, language)."""
    root = _parse_xml(decompress_sitemap(data))
    if root is None:
        return Sitemap()
    kind = _local(root.tag)
    if kind == "sitemapindex":
        locs = (_child_text(sm, "loc") for sm in root if _local(sm.tag) == "sitemap")
        return Sitemap(sitemaps=tuple(urljoin(base_url, loc) for loc in locs if loc))
    entries = []
    for url in root:
        if _local(url.tag) != "url":
            continue
        loc = _child_text(url, "loc")
        if not loc:
            continue
        news = next((c for c in url if _local(c.tag) == "news"), None)
        title = published = language = None
        keywords: tuple[str, ...] = ()
        if news is not None:
            title = _child_text(news, "title")
            published = iso_datetime(_child_text(news, "publication_date"))
            raw_keywords = _child_text(news, "keywords")
            keywords = tuple(k.strip() for k in (raw_keywords or "").split(",") if k.strip())
            publication = next((c for c in news if _local(c.tag) == "publication"), None)
            language = _child_text(publication, "language") if publication is not None else None
        published = published or iso_datetime(_child_text(url, "lastmod"))
        entries.append(Entry(urljoin(base_url, loc), title, published, keywords, language))
    return Sitemap(entries=tuple(entries))


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
