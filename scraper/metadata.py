"""Page metadata that trafilatura leaves out or flattens: JSON-LD first, then meta tags.

Dates keep their time and UTC offset when the page gives them; ``paywalled`` comes from schema.org
``isAccessibleForFree``; language from ``<html lang>`` and friends; the canonical URL from the page.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from htmldate import find_date
from lxml import etree
from trafilatura.metadata import examine_meta

_JSONLD = etree.XPath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]/text()")
_META = etree.XPath("//meta[@content][@property or @name or @itemprop or @http-equiv]")
_CANONICAL = etree.XPath(
    "//link[contains(concat(' ', translate(@rel,'CANONICAL','canonical'), ' '), ' canonical ')]/@href"
)
_HTML_LANG = etree.XPath("/html/@lang | /html/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
_TIME_PUBLISHED = etree.XPath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content")
_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "webpage", "posting",
})
logger = logging.getLogger(__name__)
_H1 = etree.XPath("//h1")
_TITLE = etree.XPath("//head/title|//title")
_BYLINE_MARKED = etree.XPath("//*[@rel='author' or @itemprop='author']")
_CLASS_VALUES = etree.XPath("//@class")
_BYLINE_WORD = re.compile("author|byline", re.I)
_NOT_BYLINE_CLASS = re.compile(r"bio|box|desc|about|avatar|image|img|photo|pic|social|follow|more|list", re.I)
_AUTHOR_SPLIT = re.compile(r";|,|\s+and\s+|\s*&\s*|\s+y\s+|\s+und\s+|\s+et\s+")
_BY = re.compile(r"^(?:by|von|por|par|di|de|door|av|af):?\s+", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·»:-]\s+")
_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Everything the Article carries besides its text, read from the unpruned page."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None
    language: str | None = None
    paywalled: bool | None = None


def _walk_jsonld(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _walk_jsonld(item)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _walk_jsonld(value["@graph"])
        main = value.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _walk_jsonld(main)


def jsonld_objects(tree: etree._Element) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, flattened through lists and ``@graph``; bad JSON is skipped."""
    objects: list[dict[str, Any]] = []
    for raw in _JSONLD(tree):
        try:
            data = json.loads(raw.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        objects.extend(_walk_jsonld(data))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values}


def _article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD object describing the article (an Article subtype before a bare WebPage)."""
    ranked = [o for o in objects if _types(o) & _ARTICLE_TYPES]
    ranked.sort(key=lambda o: "webpage" in _types(o))
    return ranked[0] if ranked else None


def iso_datetime(value: Any) -> str | None:
    """Normalise a date string to ISO 8601, keeping the time and offset when present."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    text = re.sub(r"Z$", "+00:00", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _meta_values(tree: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in _META(tree):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        out.setdefault(key.strip(), el.get("content", "").strip())
    return out


def _paywalled(article: dict[str, Any] | None) -> bool | None:
    """Paywall flag from ``isAccessibleForFree`` on the article or its ``hasPart`` sections."""
    if article is None:
        return None
    flags = [article.get("isAccessibleForFree")]
    parts = article.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            flags.append(part.get("isAccessibleForFree"))
    seen = [str(f).strip().lower() for f in flags if f is not None]
    if any(f in ("false", "0", "no") for f in seen):
        return True
    if any(f in ("true", "1", "yes") for f in seen):
        return False
    return None


def _language(tree: etree._Element, meta: dict[str, str], article: dict[str, Any] | None) -> str | None:
    candidates = [*(_HTML_LANG(tree) or []), meta.get("content-language"), meta.get("og:locale"),
                  meta.get("language"), (article or {}).get("inLanguage")]
    for raw in candidates:
        if isinstance(raw, str) and (m := _LANG.match(raw.strip().split(",")[0].strip())):
            return m.group(1).lower()
    return None


def _names(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(names)


def _split_authors(raw: str | None) -> tuple[str, ...]:
    """Split a byline into names: drop a leading "By", split on ``;``, ``,``, "and", ``&``."""
    if not raw:
        return ()
    raw = _BY.sub("", raw.strip())
    parts = (" ".join(a.split()).strip(" .:") for a in _AUTHOR_SPLIT.split(raw))
    return tuple(dict.fromkeys(a for a in parts if a and not a.startswith(("http://", "https://"))))


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _title(tree: etree._Element) -> str | None:
    """The single ``<h1>`` when there is exactly one, else ``<title>`` without the site-name part."""
    h1s = [t for t in (_text(h) for h in _H1(tree)) if t]
    if len(h1s) == 1:
        return h1s[0]
    titles = [t for t in (_text(el) for el in _TITLE(tree)) if t]
    if not titles:
        return h1s[0] if h1s else None
    parts = _TITLE_SEPARATORS.split(titles[0])
    return max(parts, key=len) if len(parts) > 1 else titles[0]


def _byline(tree: etree._Element) -> str | None:
    """A short author line from rel=author, itemprop=author or a *byline*/*author-name* class."""
    marked = _BYLINE_MARKED(tree)
    candidates = marked or (  # lazy: stops at the first usable byline
        value.getparent() for value in _CLASS_VALUES(tree)
        if _BYLINE_WORD.search(value) and not _NOT_BYLINE_CLASS.search(value)
    )
    for el in candidates:
        text = _text(el).strip(" ,|·-")
        if text and len(text) <= 80 and len(text.split()) <= 8 and not re.search(r"\d|https?:|@|\bbio\b", text):
            return text
    return None


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value.strip() else None


def _clean_field(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _listing(values: Any) -> tuple[str, ...]:
    """Categories or tags as a tuple of distinct strings (comma-joined strings are split)."""
    if isinstance(values, list | tuple) and len(values) == 1:
        values = values[0]
    if isinstance(values, str):
        items = values.split(",")
    elif isinstance(values, list | tuple):
        items = [v for v in values if isinstance(v, str)]
    else:
        items = []
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))


def _date_fallback(tree: etree._Element, url: str | None) -> str | None:
    """htmldate's quick search, used only when JSON-LD and meta tags give no date."""
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:
        logger.debug("htmldate failed", exc_info=True)
        return None
    return found if isinstance(found, str) else None


def read_page_meta(tree: etree._Element, url: str | None) -> PageMeta:
    """Read every metadata field from the unpruned page: JSON-LD first, then meta tags, then heuristics."""
    a = _article(jsonld_objects(tree)) or {}
    meta = _meta_values(tree)
    head = examine_meta(tree)  # trafilatura's reading of <meta> tags (og:, twitter:, dc., ...)
    published = (iso_datetime(a.get("datePublished")) or iso_datetime(meta.get("article:published_time"))
                 or iso_datetime(meta.get("datepublished")) or iso_datetime(meta.get("pubdate"))
                 or next((iso_datetime(v) for v in _TIME_PUBLISHED(tree) if iso_datetime(v)), None)
                 or _date_fallback(tree, url))
    modified = (iso_datetime(a.get("dateModified")) or iso_datetime(meta.get("article:modified_time"))
                or iso_datetime(meta.get("og:updated_time")) or iso_datetime(meta.get("datemodified")))
    canonical = next((h.strip() for h in _CANONICAL(tree) if h.strip()), None) or meta.get("og:url") or None
    if canonical and url:
        canonical = urljoin(url, canonical)
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = None
    publisher = a.get("publisher")
    site = meta.get("og:site_name") or (publisher.get("name") if isinstance(publisher, dict) else None)
    meta_author = head.author if head.author and " " in head.author else None
    return PageMeta(
        title=_clean_field(a.get("headline")) or _clean_field(head.title) or _title(tree),
        authors=_names(a.get("author")) or _split_authors(meta_author or _byline(tree)),
        published=published, modified=modified, canonical_url=canonical or url,
        site_name=_clean_field(site if isinstance(site, str) else None) or _clean_field(head.sitename),
        description=_clean_field(head.description) or _clean_field(a.get("description")),
        categories=_listing(head.categories or a.get("articleSection") or meta.get("article:section")),
        tags=_listing(head.tags or a.get("keywords") or meta.get("news_keywords") or meta.get("keywords")),
        image=_clean_field(head.image) or _image(a.get("image")),
        language=_language(tree, meta, a or None), paywalled=_paywalled(a or None),
    )
