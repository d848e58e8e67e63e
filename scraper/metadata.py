"""Page metadata a reader can trust, read from the unpruned page: headline, people, dates, language.

Title: the printed headline (an ``<h1>`` that agrees with ``og:title``/``<title>``/JSON-LD), without
the site's name. Authors: people only (``authors.py``), wire services apart. Dates keep their time
and UTC offset; JSON-LD and meta tags first, then the page's own date markup, htmldate's extensive
search, the URL last; never a modified date before the published one, never a date in the future.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser
from htmldate import find_date
from htmldate.extractors import try_date_expr
from lxml import etree
from trafilatura.metadata import examine_meta

from scraper.authors import (
    MARKED,
    STRUCTURED,
    Byline,
    after_stop_label,
    agency_name,
    is_role,
    is_section_label,
    name_key,
    name_pieces,
    opens_byline,
    person_key,
    split_byline,
    undo_double_utf8,
)
from scraper.pagetype import PageSignals, page_signals

logger = logging.getLogger(__name__)

# "/descendant::x" selects what "//x" does (no positional predicates here) without libxml2 first
# gathering every node of the page for the "descendant-or-self::node()" step "//" stands for.
_JSONLD = etree.XPath("/descendant::script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]/text()")
_META = etree.XPath("/descendant::meta[@content][@property or @name or @itemprop or @http-equiv]")
_CANONICAL = etree.XPath(
    "/descendant::link[contains(concat(' ', translate(@rel,'CANONICAL','canonical'), ' '), ' canonical ')]/@href"
)
_HTML_LANG = etree.XPath("/html/@lang | /html/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "webpage", "posting", "discussionforumposting",
    "medicalwebpage", "advertisercontentarticle", "satiricalarticle", "askpublicnewsarticle",
})
_PERSON_TYPES = frozenset({"person"})
_H1 = etree.XPath("//h1")
_TITLE = etree.XPath("//head/title|//title")
_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")

# ---------------------------------------------------------------------------------------------------
# PageMeta


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Everything the Article carries besides its text, read from the unpruned page.

    ``language_source`` says where ``language`` came from (``html-lang``, ``meta``, ``json-ld``);
    ``published_source`` where ``published`` came from (``structured``: JSON-LD, meta tags or date
    markup; ``printed``: the header's printed date; ``htmldate``: its search of the whole page;
    ``url``);
    ``og_type``, ``schema_types`` (every JSON-LD ``@type`` on the page, lower case) and ``signals``
    (``pagetype.page_signals`` of the unpruned tree) are kept for the page-type step.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None
    language: str | None = None
    language_source: str | None = None
    paywalled: bool | None = None
    og_type: str | None = None
    schema_types: tuple[str, ...] = ()
    signals: PageSignals | None = None


# ---------------------------------------------------------------------------------------------------
# JSON-LD and meta tags


def _walk_jsonld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _walk_jsonld(value["@graph"], depth + 1)
        main = value.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _walk_jsonld(main, depth + 1)


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


def schema_types(obj: dict[str, Any]) -> set[str]:
    """The object's ``@type`` values, lower case, without a schema.org prefix."""
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values}


def _article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD object describing the article (an Article subtype before a bare WebPage)."""
    ranked = [o for o in objects if schema_types(o) & _ARTICLE_TYPES]
    ranked.sort(key=lambda o: ("webpage" in schema_types(o)) or ("medicalwebpage" in schema_types(o)))
    return ranked[0] if ranked else None


def _meta_values(metas: list[etree._Element]) -> dict[str, str]:
    """The first value of each meta tag of ``metas`` (``_META`` of the page), by lower-case name."""
    out: dict[str, str] = {}
    for el in metas:
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        out.setdefault(key.strip(), el.get("content", "").strip())
    return out


def _meta_all(metas: list[etree._Element], name: str) -> list[str]:
    """Every value of a repeated meta tag (``citation_author``, ``article:author``)."""
    return [el.get("content", "").strip() for el in metas
            if (el.get("property") or el.get("name") or "").lower() == name and el.get("content", "").strip()]


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


def _language(tree: etree._Element, meta: dict[str, str], article: dict[str, Any] | None
              ) -> tuple[str | None, str | None]:
    """The declared language and where it was declared."""
    candidates = [*(("html-lang", v) for v in _HTML_LANG(tree) or []), ("meta", meta.get("content-language")),
                  ("meta", meta.get("og:locale")), ("meta", meta.get("language")),
                  ("meta", meta.get("dc.language")), ("json-ld", (article or {}).get("inLanguage"))]
    for source, value in candidates:
        raw = value.get("alternateName") or value.get("name") if isinstance(value, dict) else value
        if isinstance(raw, str) and (m := _LANG.match(raw.strip().split(",")[0].strip())):
            code = m.group(1).lower()
            if code not in ("und", "mul", "zxx", "xx"):
                return code, source
    return None, None


# ---------------------------------------------------------------------------------------------------
# Text helpers

_BLOCK = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dd", "dt", "td", "th", "tr", "section", "article", "header",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "address", "time",
})


def clean_string(value: Any) -> str | None:
    """Entities decoded (twice: ``&amp;#8211;`` is common), zero-width characters gone, spaces collapsed."""
    if not isinstance(value, str):
        return None
    text = html.unescape(html.unescape(value)) if "&" in value else value
    text = _SPACE.sub(" ", _ZERO_WIDTH.sub("", undo_double_utf8(text))).strip()
    return text or None


def _text(el: etree._Element, separator: str = " ", boundaries: frozenset[str] = _BLOCK) -> str:
    """The element's text with ``separator`` where block elements (or ``boundaries``) meet."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str):
            return
        edge = node.tag in boundaries
        if edge:
            parts.append(separator)
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if edge:
            parts.append(separator)

    walk(el)
    return clean_string("".join(parts)) or ""


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def _similarity(a: str, b: str) -> float:
    """Dice overlap of the two strings' word sets."""
    wa, wb = set(_words(a)), set(_words(b))
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


# ---------------------------------------------------------------------------------------------------
# Site names and titles

# Separators between a headline and the site's name: "Headline | Site", "Site – Headline".
_TITLE_SEP = re.compile(r"(\s+[|–—\-·•»«~/⁄*:]{1,2}\s+|\s*\|\s*|\s+[-–—]\s*(?=[A-Z])|(?<=\w)\s*[–—]\s+)")
_DATEISH = re.compile(r"^[\d\s./\-:]+$|^\d{1,2}\.?\s+\w+\.?\s+\d{4}$|^\w+\.?\s+\d{1,2},?\s+\d{4}$")
# A class token that hides its element ("sr-only", "is-hidden", "d-none"); not a token that only names a
# hidden part ("hide-focus-outline", "genesis-breadcrumbs-hidden", "bricks-lazy-hidden" on <body> or a
# wrapper), and not Tailwind's "hidden md:block" (shown from a breakpoint on).
_HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:(?:is|u|js|ui|a11y)-)?(?:sr-only|visually-?hidden|screen-?reader(?:-text|-only)?|hidden|d-none|"
    r"offscreen|hide|invisible)(?=\s|$)", re.I)
_SHOWN_FROM = re.compile(r"(?:^|\s)\w+:(?:block|flex|inline|inline-block|grid|table)(?=\s|$)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_H1_MAX_WORDS = 40


def _host_keys(url: str | None) -> set[str]:
    """``www.n-tv.de`` -> {"ntv", "ntvde"}: how a site's host shows up in its titles and bylines."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [label for label in host.split(".") if label and label not in ("www", "m", "amp", "mobile")]
    if not labels:
        return set()
    keys = {name_key(".".join(labels[-2:])), name_key(labels[-2] if len(labels) > 1 else labels[0]),
            name_key(".".join(labels))}
    if len(labels) > 2 and labels[-2] in ("co", "com", "org", "net", "gov", "ac", "edu"):
        keys |= {name_key(labels[-3]), name_key(".".join(labels[-3:]))}
    return {k for k in keys if len(k) >= 2}


def _site_names(meta: dict[str, str], objects: list[dict[str, Any]], article: dict[str, Any]) -> list[str]:
    """The names the site goes by: og:site_name, application-name, JSON-LD publisher and WebSite."""
    names = [meta.get("og:site_name"), meta.get("application-name"), meta.get("apple-mobile-web-app-title"),
             (meta.get("twitter:site") or "").lstrip("@") or None]
    publisher = article.get("publisher")
    for item in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(item, dict):
            names.append(item.get("name"))
        elif isinstance(item, str):
            names.append(item)
    for obj in objects:
        types = schema_types(obj)
        if types & {"website", "organization", "newsmediaorganization", "corporation"}:
            names.append(obj.get("name") if isinstance(obj.get("name"), str) else None)
            names.append(obj.get("alternateName") if isinstance(obj.get("alternateName"), str) else None)
    return [n for n in dict.fromkeys(_site_name(n) for n in names) if n]


_COPYRIGHT = re.compile(r"^(?:(?:copyright\b|©|\(c\)\s)\s*)+(?:[\d\s,–-]+\b)?", re.I)
_RIGHTS = re.compile(r"[\s.,;:-]*(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
                     r"todos los derechos reservados)[\s.]*$", re.I)


def _site_name(value: str | None) -> str | None:
    """A site's name as its markup gives it, tidied: a URL is its host ("https://www.newsnation.in" ->
    "newsnation.in"), a template's trailing "_" goes ("Wday_"), a copyright line is its holder ("© 2000-2026
    Newegg Inc." -> "Newegg Inc.") or none ("Copyright 2014")."""
    name = clean_string(value)
    if not name:
        return None
    if name.startswith(("http://", "https://")):
        netloc = urlsplit(name).netloc
        name = netloc.removeprefix("www.") if "." in netloc else netloc.lstrip("@")  # "http://@VIChattanooga"
    name = name.rstrip("_").strip()
    if _COPYRIGHT.match(name):
        name = _RIGHTS.sub("", _COPYRIGHT.sub("", name)).strip(" ,;:-")
        if len(name) > 60 or not re.search(r"[^\W\d_]", name):
            return None  # a sentence of terms, or only years
    return name or None


def _publisher_keys(sites: list[str], objects: list[dict[str, Any]], article: dict[str, Any], url: str | None
                    ) -> frozenset[str]:
    """Comparison keys of the publisher's names, for telling its name from an author's.

    ``org:`` keys are names JSON-LD gives an Organization or the article's publisher; ``site:`` keys
    the page's site names (og:site_name, ...), which personal blogs set to their author's name;
    ``host:`` keys the host name. A name JSON-LD also gives a Person is never a publisher's.
    """
    authors = article.get("author")
    people = [*objects, *(a for a in (authors if isinstance(authors, list) else [authors]) if isinstance(a, dict))]
    persons = {name_key(o["name"]) for o in people
               if isinstance(o.get("name"), str) and "person" in schema_types(o)}
    orgs: list[Any] = []
    publisher = article.get("publisher")
    for item in publisher if isinstance(publisher, list) else [publisher]:
        orgs.append(item.get("name") if isinstance(item, dict) else item)
    for obj in objects:
        types = schema_types(obj)
        if types & {"organization", "newsmediaorganization", "corporation"} and "person" not in types:
            orgs.append(obj.get("name"))
    keys = {"org:" + name_key(o) for o in orgs if isinstance(o, str)}
    keys |= {"site:" + name_key(s) for s in sites}
    keys |= {"site:" + name_key(s[4:]) for s in sites if s[:4].casefold() == "the "}  # "Telegraph Sport"
    keys |= {"host:" + k for k in _host_keys(url)}
    return frozenset(k for k in keys if k.partition(":")[2] and k.partition(":")[2] not in persons)


def _is_site_part(part: str, site_keys: set[str]) -> bool:
    key = name_key(part)
    if not key:
        return True
    if _DATEISH.match(part.strip()):
        return True
    for site in site_keys:
        if key == site or (len(site) >= 3 and site in key and len(key) <= len(site) + 14):
            return True
        if len(key) >= 2 and key in site and len(part.split()) <= 4 and (len(key) >= 3 or site.startswith(key)):
            return True
    return False


# The last word of a site's name: "Engora Data Blog", "Tech Review", "Berliner Zeitung".
_SITE_WORD = re.compile(
    r"(?:blog|news|magazine?|journal|zeitung|times|daily|online|media|press|post|review|weekly|tv|radio|"
    r"nachrichten|noticias|notizie|actualités|nieuws|nyheter|uutiset|wiadomości|haber)$", re.I)


def _is_site_prefix(head: str, site_keys: set[str]) -> bool:
    """Whether ``head`` of "head: rest" is the site's name: the name, a part of it ("Lessons Learned"
    of startuplessonslearned.com), or the name with a site word ("Engora Data Blog"); not the brand
    with more words, which is the headline's subject ("Docker Hardened Images: …" on docker.com)."""
    key = name_key(head)
    if not key:
        return False
    for site in site_keys:
        if key == site or (len(key) >= 3 and key in site and len(head.split()) <= 4):
            return True
        if len(site) >= 3 and site in key and len(key) <= len(site) + 14 and _SITE_WORD.search(head.strip()):
            return True
    return False


# A host name in parentheses after a headline: the source an aggregator (Slashdot, Hacker News) links to.
_SOURCE_DOMAIN = re.compile(r"\s*\((?:[a-z0-9-]+\.)+[a-z]{2,}\)\s*$", re.I)
_HOST_FIRST = re.compile(r"((?:[a-z0-9-]+\.)+[a-z]{2,})\s+(?=\S)", re.I)


def strip_site_name(title: str, site_keys: set[str]) -> str:
    """Remove the site's name (and a trailing date) before or after the headline.

    ``"Headline | DW | 28.04.2023"`` -> ``"Headline"``, ``"Peakforce - Headline"`` -> ``"Headline"``;
    a title that is only the site's name is kept.
    """
    parts = _TITLE_SEP.split(title)
    # parts alternate text, separator, text...
    texts, seps = parts[0::2], parts[1::2]
    while len(texts) > 1 and _is_site_part(texts[-1], site_keys):
        texts.pop()
        seps.pop()
    while len(texts) > 1 and _is_site_part(texts[0], site_keys):
        texts.pop(0)
        seps.pop(0)
    if len(texts) == 1 and ": " in texts[0]:  # "Golem.de: Headline"
        head, _, rest = texts[0].partition(": ")
        if rest and _is_site_prefix(head, site_keys):
            texts = [rest]
    if len(texts) == 1 and (host := _HOST_FIRST.match(texts[0])) and name_key(host.group(1)) in site_keys:
        texts = [texts[0][host.end():]]  # "davidbau.com Vibe Coding": the host written before the headline
    texts[-1] = _SOURCE_DOMAIN.sub("", texts[-1])  # "… No Longer Guarantee Jobs (latimes.com)": the story's source
    out = texts[0]
    for sep, text in zip(seps, texts[1:], strict=True):
        out += sep + text
    stripped = out.strip(" |–—-:·•»«~/")
    if out.rstrip().endswith("»") and stripped.count("«") > stripped.count("»"):
        stripped += "»"  # the headline's own closing quote: 'Модель: «Посмотри на красотку»'
    return stripped or title


def _visible(el: etree._Element) -> bool:
    for node in (el, *el.iterancestors()):
        if node.get("hidden") is not None or node.get("aria-hidden") == "true":
            return False
        classes = node.get("class", "")
        if (_HIDDEN_CLASS.search(classes) and not _SHOWN_FROM.search(classes)) or _HIDDEN_STYLE.search(
                node.get("style", "")):
            return False
    return True


def _h1_texts(h1s: list[etree._Element], site_keys: set[str]) -> list[str]:
    """Visible ``<h1>`` texts that could be a headline (not the site's logo, not a one-word menu)."""
    out: list[str] = []
    for h in h1s:
        text = _text(h)
        if not text or len(text.split()) > _H1_MAX_WORDS or not _visible(h):
            continue
        key = name_key(text)
        if not key or key in site_keys:
            continue
        out.append(text)
        # "<h1><p>Headline</p><p>A standfirst …</p></h1>": the first paragraph may be the headline alone
        blocks = [b for b in h.iterdescendants() if b.tag in _BLOCK and (b.text or "").strip()]
        if len(blocks) >= 2:
            out.append(_text(blocks[0]))
    return list(dict.fromkeys(out))


def _cut_pipe(title: str | None) -> str | None:
    """``"Headline | Section"`` -> ``"Headline"``: a pipe is never part of a printed headline."""
    if not title or " | " not in title:
        return title
    parts = [p.strip() for p in title.split(" | ") if p.strip()]
    return next((p for p in parts if len(p.split()) >= 3), max(parts, key=len, default=title))


def _title(tree: etree._Element, meta: dict[str, str], article: dict[str, Any], site_keys: set[str],
           h1s: list[etree._Element]) -> str | None:
    return _cut_pipe(_headline(tree, meta, article, site_keys, h1s))


def _headline(tree: etree._Element, meta: dict[str, str], article: dict[str, Any], site_keys: set[str],
              h1s: list[etree._Element]) -> str | None:
    """The headline as printed: an ``<h1>`` that agrees with what the page says its title is.

    The references (JSON-LD ``headline``, ``og:title``, ``twitter:title``, ``<title>``) lose the
    site's name first. The ``<h1>`` sharing the most words with one of them wins if it shares more
    than ``_AGREE`` of them (the printed form); typed in capitals, the reference's casing is used;
    holding a reference plus a label or a date ("Title: …", "… Posted on …"), the reference is used.
    With no ``<h1>`` agreeing (a logo, a section name, a slogan), an ``<h1 itemprop="headline">`` is the
    headline all the same (the SEO title differs from the printed one), else the first reference wins.
    """
    titles = [_text(el) for el in _TITLE(tree)[:1]]
    raw_refs = [article.get("headline"), meta.get("og:title"), meta.get("twitter:title"), *titles]
    refs = [strip_site_name(r, site_keys) for r in (clean_string(v) for v in raw_refs) if r]
    refs = [r for r in refs if name_key(r) and name_key(r) not in site_keys] or refs
    refs = [_untruncated(r, refs) for r in refs]
    headings = [strip_site_name(h, site_keys) for h in _h1_texts(h1s, site_keys)]
    best, best_score = None, 0.0
    for h in headings:
        score = max((_similarity(h, r) for r in refs), default=0.0)
        if score > best_score:
            best, best_score = h, score
    if best is not None and best_score > _AGREE:
        if ("?" in best or "\ufffd" in best) and (repaired := _unmangled(best, refs)):
            return repaired
        if best.isupper() and refs:  # typed in capitals for the style; the reference has the case
            same = max(refs, key=lambda r: SequenceMatcher(None, name_key(r), name_key(best)).ratio())
            return same if SequenceMatcher(None, name_key(same), name_key(best)).ratio() >= 0.85 else best
        return next((r for r in refs if _wraps(best, r)), best)
    for h in h1s:  # none agrees, but the page marks one as its headline (microdata): the printed headline
        if "headline" in (h.get("itemprop") or "").split() and _of_article(h, _STORY_TYPES) and (text := _text(h)):
            marked = strip_site_name(text, site_keys)
            if marked in headings:
                return marked
    return refs[0] if refs else None


def _unmangled(heading: str, refs: list[str]) -> str | None:
    """The reference the ``<h1>`` is, where the page's encoding turned characters into "?" or U+FFFD in the
    heading only ("Event Planning? Beginner? Guide" for "Event Planning: Beginner's Guide"); None if the two
    differ otherwise."""
    for ref in refs:
        ops = [op for op in SequenceMatcher(None, heading, ref, autojunk=False).get_opcodes() if op[0] != "equal"]
        if ops and all(tag == "replace" and set(heading[i1:i2]) <= {"?", "\ufffd"} and j2 - j1 <= 3
                       for tag, i1, i2, j1, j2 in ops):
            return ref
    return None


# SEO plugins cut JSON-LD ``headline`` at 110 characters (Google's old limit), mid-sentence.
_TRUNCATED_AT = range(90, 111)


def _untruncated(ref: str, refs: list[str]) -> str:
    """The full form of a reference cut at the headline length limit, when another reference has it."""
    if len(ref) not in _TRUNCATED_AT:
        return ref
    low = ref.casefold()
    return next((r for r in refs if len(r) > len(ref) and r.casefold().startswith(low)), ref)


_WRAP_BEFORE = re.compile(
    r"^\W*(?:\w+[\s\w]{0,18}:|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\w{3,9}\.? \d{1,2},? \d{4})\W*$")
_WRAP_AFTER = re.compile(
    r"^\W*(?:(?:posted|published|updated|written|veröffentlicht|publicado|publié|pubblicato)\b.*|by\s.*|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}.*|\w{3,9}\.? \d{1,2},? \d{4}.*)$", re.I,
)


def _wraps(h1: str, ref: str) -> bool:
    """Whether the ``<h1>`` is the reference plus a label, a date or a byline ("Title: …", "… Posted on
    July 1, 2024 by infuy"): markup printed inside the heading, not part of the headline."""
    low, part = h1.casefold(), ref.casefold()
    if len(ref.split()) < 3 or part == low or part not in low:
        return False
    before, _, after = low.partition(part)
    return (not before.strip() or bool(_WRAP_BEFORE.match(before))) and (
        not after.strip() or bool(_WRAP_AFTER.match(after)))



# An <h1> sharing under a third of its words with every reference is a section name, a logo or a slogan.
_AGREE = 0.3


# ---------------------------------------------------------------------------------------------------
# Authors

_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|autorzy|auteur|auteurs|autore|autori|autores|profile|profiles|people|"
    r"person|journalist|journalists|journalisten|writer|writers|staff|contributor|contributors|columnist|"
    r"columnists|reporter|reporters|redakteur|redaktion/autor|giornalisti|periodistas|yazar|yazarlar)"
    r"/[^/?#]+/?(?:[?#].*)?$", re.I,
)
_BYLINE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:by-?line|author-?name|authorname|author|byl|article-?author|post-?author|entry-?author|"
    r"writer|reporter|journalist|autor|auteur|autore|bylines?|credits?|zuozhe|bianji)(?:$|[\s_-])", re.I,
)
# A profile on a social network ("bsky.app/profile/…", "linkedin.com/in/…"): a follow link, not the byline.
_SOCIAL_HREF = re.compile(
    r"(?:https?:)?//(?:[\w-]+\.)*(?:bsky\.app|twitter\.com|x\.com|facebook\.com|instagram\.com|linkedin\.com|"
    r"threads\.net|mastodon\.\w+|youtube\.com|tiktok\.com|github\.com|medium\.com|pinterest\.\w+)/", re.I)
_BYLINE_ID = re.compile(r"by-?line|author|writer", re.I)
# rel="category tag": a link to the section or column the post is filed in ("/category/columnists/jane-doe/",
# the column's name "Proof Points"), not to its author.
_TAXONOMY_REL = re.compile(r"\b(?:category|tag)\b", re.I)
_HREFS = etree.XPath("/descendant::a/@href")
_CLASS_OR_ID = etree.XPath("//@class | //@id")


def _author_links(tree: etree._Element) -> list[etree._Element]:
    """Links to an author's page: /author/jane-doe, /autoren/jan-koch, /profile/adam-roberts; not one in a
    paragraph of running text ("As <a href='…/profile/ogbeide'>Dr. Stacy Ogbeide</a>, a psychologist,
    explains, …": a person quoted, linked to their profile)."""
    return [a for a in (href.getparent() for href in _HREFS(tree) if _AUTHOR_HREF.search(href)
                        and not _SOCIAL_HREF.match(href))
            if not _in_prose(a) and not _TAXONOMY_REL.search(a.get("rel", ""))]


_PROSE = 200  # characters: a byline line is shorter ("By Jane Doe, Senior Editor | Updated May 5, 2025")


def _in_prose(link: etree._Element) -> bool:
    """Whether the link sits in a paragraph of running text (its ``<p>`` holds more than ``_PROSE`` characters)."""
    for depth, node in enumerate(link.iterancestors()):
        if depth > 3:
            return False
        if node.tag == "p":
            return len(_text(node)) > _PROSE
        if node.tag in _BLOCK:
            return False
    return False


def _byline_classes(tree: etree._Element) -> list[etree._Element]:
    """Elements whose class or id names a byline or an author, in page order.

    The attribute values are matched in Python: an EXSLT regular expression in XPath costs several
    milliseconds a page.
    """
    out: list[etree._Element] = []
    for value in _CLASS_OR_ID(tree):
        pattern = _BYLINE_CLASS if value.attrname == "class" else _BYLINE_ID
        if pattern.search(value):
            el = value.getparent()
            if not out or out[-1] is not el:
                out.append(el)
    return out


def _document_elements(tree: etree._Element) -> Iterator[etree._Element]:
    """Every element of the tree's document in page order, as ``/descendant::*`` selects them: broken
    markup can leave libxml2 a second ``<html>`` beside the root."""
    root = tree.getroottree().getroot()
    for top in (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()):
        if isinstance(top.tag, str):
            yield from top.iter(etree.Element)


def _marked_authors(tree: etree._Element, seen: dict[str, list[etree._Element]] | None = None
                    ) -> list[etree._Element]:
    """Elements marked as an author, in page order: rel, itemprop, class or id "author", an
    ``<author>`` element, test ids and components naming one; with ``seen``, the elements whose class
    holds "author" or "byline" are gathered on the same walk into its "classed" list.

    The attributes are read in Python on one walk of the page: the same test in XPath (ten
    attribute tests an element) costs several times more.
    """
    out: list[etree._Element] = []
    classed = None if seen is None else seen.setdefault("classed", [])
    for el in _document_elements(tree):
        get = el.get
        names = get("class")
        if names and classed is not None and ("uthor" in names or "yline" in names):
            classed.append(el)
        testid = get("data-testid") or ""
        component = get("data-component") or ""
        if (get("rel") == "author" or "author" in (get("itemprop") or "") or names == "author"
                or get("id") == "author" or el.tag == "author" or el.tag.endswith("}author")
                or "author" in testid or "Author" in testid or "Byline" in component or "byline" in component):
            out.append(el)
    return out


_BYLINE_XPATHS: list[Callable[[etree._Element], list[etree._Element]]] = [
    _marked_authors,
    _author_links,
    _byline_classes,
]
# Class/id words of containers whose names are not the article's byline (comments, teasers, widgets).
_NOT_BYLINE = re.compile(
    r"(?:^|[-_])(?:comments?|commentlist|reply|replies|respond|discussion|related|recommend(?:ed|ations)?|"
    r"widgets|popular|trending|newsletter|share|sharing|social|teaser|teasers|carousel|nav|"
    r"navigation|menu|breadcrumbs?|more-?from|similar|recirc|promo|card|cards|listing|feed)(?:$|[-_])",
    re.I,
)
_REGION = re.compile(r"(?:^|[-_])(?:sidebar|footer)(?:$|[-_])", re.I)
_NOT_BYLINE_SELF = re.compile(r"(?:^|[-_])(?:comments?|reply|avatar|image|img|photo|picture|bio|about|desc|"
                              r"description|social|follow|share)(?:$|[-_])", re.I)
_NOT_BYLINE_TAGS = frozenset({"nav", "figure", "figcaption", "form", "select", "button"})
_NAME_ITEMPROP = etree.XPath(".//*[@itemprop='name']")
_LINK_SEPARATED = frozenset({*_BLOCK, "a"})
# A closing credit: "This post was written by Vanessa Mendez, MD", "This article was contributed by …".
_THIS_WAS_WRITTEN = r"this (?:post|article|story|piece|blog post|guest post) was (?:written|contributed|authored) by"
# A label of more than one word naming the writer: "Article by", "Article written by:", "Geschrieben von",
# "Escrito por", "Écrit par", "Scritto da", "Geschreven door" (not "Reviewed by", "Photos by": stop labels).
_LONG_LABEL = (r"(?:article|story|post|piece|report)(?: written)? by|reporting by|words by|"
               r"geschrieben von|verfasst von|ein (?:beitrag|artikel|text) von|escrit[oa] por|redactado por|"
               r"écrit par|rédigé par|un article de|scritt[oa] da|articolo di|geschreven door|skrevet (?:af|av)|"
               r"napisane przez|autor(?:ka)? tekstu")
# "Text", "Texto", "Testo" are labels only with their colon ("Text: Jan Koch"), not in "Text Messaging".
_BY_LINE = re.compile(
    r"^\s*(?:(?:" + _LONG_LABEL + r"|by|von|por|par|door|di|av|af|autor|written by|posted by|"
    + _THIS_WAS_WRITTEN + r"|"
    r"(?:view |see )?all (?:articles|posts|stories) by|more (?:articles|posts|stories) (?:by|from)|"
    r"read the latest from)\s*[:：]?|(?:text|texto|testo)\s*[:：])\s+\S",
    re.I,
)
_BY_LABEL = re.compile(r"(?:" + _LONG_LABEL + r"|written by|posted by|by|author|authors|von|por|par|door|autor|"
                       r"autorin|text|" + _THIS_WAS_WRITTEN + r"|author\(s\)|contributors?|autor(?:en|es|as|\(en\))|"
                       r"auteurs?|auteur\(s\)|autori|autore|autore\(i\))\s*[:：]?", re.I)
# Empty elements between a "By" label and the name (an icon, an avatar, a line break).
_EMPTY_BETWEEN = frozenset({"br", "span", "i", "img", "picture", "svg", "source", "div"})
_TEXT_NODES = etree.XPath(
    "/descendant::body/descendant::text()[normalize-space()][string-length(normalize-space()) < 160]")


def _byline_element_ok(el: etree._Element, teasers: bool = False) -> bool:
    """Whether an element marked as an author sits in the article, not in comments or teasers (an
    ``<article>`` that is a related story's card, unless ``teasers``).

    Only the few containers up to the article (``<article>``, ``<main>``) are looked at: broken
    markup often leaves the whole article inside an unclosed menu, and an article's own classes say
    little ("newsletter-post"). An ``<aside>`` or ``<footer>`` inside the article is its meta column
    or entry footer; outside it, the page's sidebar or footer.
    """
    boxed = region = False
    for depth, node in enumerate((el, *el.iterancestors())):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "main" or (tag == "article" and (teasers or not _teaser_article(node))):
            return True
        if tag == "article":
            return False  # a related story's card: its byline names that story's writer
        if tag in ("body", "html") or depth > _BYLINE_DEPTH:
            break
        if tag in _NOT_BYLINE_TAGS:
            return False
        names = f"{node.get('class', '')} {node.get('id', '')}"
        boxed = boxed or tag in ("aside", "footer")
        region = region or (depth > 0 and _region_names(names))
        if _refused_names(names, own=depth == 0) and (depth == 0 or node.find(".//h1") is None):
            return False  # a card, a widget... unless it holds the headline: the article's own header card
    return not (boxed or region)


_TEASER_LINK = etree.XPath(
    "(.//h2|.//h3|.//h4)[descendant::a[@href][not(starts-with(@href, '#'))] or ancestor::a[@href]][1]")
_TEASER_TEXT = 600


def _teaser_article(article: etree._Element) -> bool:
    """Whether an ``<article>`` is a teaser of another page (a related story's card): no ``<h1>``, a heading
    linking elsewhere, and little text. The article itself may leave its ``<h1>`` outside its ``<article>``
    and link headings to its own sections ("#part-2"), but it holds its text."""
    if article.find(".//h1") is not None or not _TEASER_LINK(article):
        return False
    size = 0
    for text in article.itertext():
        size += len(text.strip())
        if size >= _TEASER_TEXT:
            return False
    return True


@lru_cache(maxsize=4096)
def _region_names(names: str) -> bool:
    """Whether a class/id word names a footer or a sidebar: as the ``<footer>`` and ``<aside>``
    elements, the article's own (an entry footer, a meta column) inside it, the page's outside."""
    return any(_REGION.search(t) for t in names.split())


@lru_cache(maxsize=4096)
def _refused_names(names: str, *, own: bool) -> bool:
    """Whether a class/id word names a comment, teaser or widget container (``own``: the element
    itself, an avatar or a bio); cached, as a page's bylines share their ancestors."""
    pattern = _NOT_BYLINE_SELF if own else _NOT_BYLINE
    return any(pattern.search(t) for t in names.split())


_BYLINE_DEPTH = 14


def _markup_bylines(tree: etree._Element, marked_only: bool = False,
                    found: dict[str, list[etree._Element]] | None = None) -> Iterator[tuple[str, int]]:
    """Author strings from markup, each with whether the markup vouches for it being a name:
    rel/itemprop=author and links to author pages do; byline/author class names (skipped with
    ``marked_only``: the slowest search, used only when nothing else named the authors) do not.
    ``found`` keeps the elements found ("marked", "links", "classed": see ``_marked_authors``) for later steps."""
    for index, xpath in enumerate(_BYLINE_XPATHS[:2] if marked_only else _BYLINE_XPATHS):
        trusted = MARKED if index < 2 else 0
        seen = 0
        elements = _marked_authors(tree, found) if index == 0 else xpath(tree)
        if found is not None and index < 2:
            found["marked" if index == 0 else "links"] = elements
        if index == 1:
            elements = _first_link_group(elements)
        for el in elements:
            if not isinstance(el.tag, str) or el.tag in ("meta", "link", "script", "style", "img"):
                continue
            if not _byline_element_ok(el) or _after_stop_label(el):
                continue
            names = [_text(n) for n in _NAME_ITEMPROP(el)]
            text = " | ".join(n for n in names if n) or _text(el, " | ", _LINK_SEPARATED)
            if text and len(text) > 200:
                text = _box_name(el, text)  # an author card: the name above the biography
            if text and len(text) <= 200:
                seen += 1
                yield text, trusted
            if seen >= 12:
                break


def _after_stop_label(el: etree._Element) -> bool:
    """Whether the text just before the element is a reviewer's, editor's or photographer's label ("Reviewed
    by <a class='author-link'>Robert Tschudi</a>"): the element names that person, not the writer."""
    previous = el.getprevious()
    before = previous.tail if previous is not None else (el.getparent().text if el.getparent() is not None else None)
    if not before or not before.strip():
        return False
    found = after_stop_label(" ".join(before.split()))
    return found is not None and not found[1]


# The heading of an author card, not a name: "About the author", "Author Spotlight", "Über den Autor".
_BOX_LABEL = re.compile(
    r"^(?:about|meet|read more$|author|authors|the author|written by$|posted by$|"
    r"über (?:den|die) autor(?:in)?|zum autor|à propos de l'auteur|l'auteur|sobre el autor|sobre o autor|"
    r"sull'autore|l'autore|over de auteur)\b", re.I)
_BOX_NAME_WORDS = 6
_BOX_MAX = 3000
_INITIALS = re.compile(r"[A-Z]{1,3}")
_BOX_SKIPPED = frozenset({"script", "style", "img", "svg", "button", "nav", "ul", "ol", "li"})


def _box_name(box: etree._Element, text: str) -> str:
    """The name an author card (``box``, its text ``text``) prints above the biography ("<h4>Jane Doe</h4>
    <p>Jane is a writer who …</p>"): its first short line of text that is not the card's heading ("About
    the author"), if it comes before any long one and the rest of the card names the person again (the
    biography, a "More from Jane Doe" link); "" when the card opens with prose (a post, a list of
    stories), for a whole page or section marked with an author class, and for a line the card does not
    come back to ("Live Jobs")."""
    if box.tag in ("html", "body") or len(text) > _BOX_MAX:
        return ""
    for count, node in enumerate(box.iter(etree.Element)):
        if count > 60:
            break
        if node.tag in _BOX_SKIPPED:
            continue
        own = clean_string(node.text) or ""
        if not own:
            continue
        if len(own) > 80 or len(own.split()) > _BOX_NAME_WORDS:
            return ""  # the biography (or prose) comes first: no name line
        if _BOX_LABEL.match(own) or _BY_LABEL.fullmatch(own) or _INITIALS.fullmatch(own):
            continue  # the card's heading, a label, an avatar's initials ("NB")
        name = own.rstrip(":")
        words = [w for w in _words(name) if len(w) >= 3]
        rest = text.casefold().split(name.casefold(), 1)[-1]
        return name if words and any(re.search(rf"\b{re.escape(w)}\b", rest) for w in words) else ""
    return ""


def _first_link_group(links: list[etree._Element]) -> list[etree._Element]:
    """The first run of author-page links that share a container (one byline naming several people),
    as one element list; later links (teasers, other bylines) are left out."""
    usable = [a for a in links if _byline_element_ok(a) and _text(a)]
    if not usable:
        return []
    home = usable[0].getparent()
    box = home.getparent() if home is not None and home.tag not in _BLOCK else home
    group = [a for a in usable if box is not None and any(anc is box for anc in a.iterancestors())]
    if len(group) <= 1:
        return usable[:1]
    wrapper = etree.Element("span")
    for a in group[:8]:
        link = etree.SubElement(wrapper, "a")
        link.text = _text(a)
    return [wrapper]


# "By" in one language is a plain word in another: "Door Anchor for Resistance Bands" is no Dutch byline on
# an English page, "Par 72 course" no French one. These labels count only on a page in their language
# (or one that declares none).
_LABEL_LANGUAGES = {
    "von": {"de"}, "door": {"nl"}, "di": {"it"}, "av": {"sv", "no", "nb", "nn"}, "af": {"da"},
    "por": {"es", "pt", "gl", "ca"}, "par": {"fr"},
}


def _foreign_label(text: str, language: str | None) -> bool:
    """Whether ``text`` opens with another language's "by" than the page's."""
    if not language:
        return False
    first = text.split(maxsplit=1)[0].rstrip(":：").casefold() if text.strip() else ""
    wanted = _LABEL_LANGUAGES.get(first)
    return wanted is not None and language not in wanted


def _browse_link(el: etree._Element, text: str) -> bool:
    """Whether a "By …" ``text`` is a menu's link ("Shop by Brand", "By Manufacturer", "Browse by Topic") rather
    than a byline: the link's own text, to a page that is not an author's, whose address holds the whole label
    (``/browse-by-manufacturer/``) or that has one word after "By" ("By Category", "By Brand" linking to
    ``/brands/``). A full name linking elsewhere stays a byline ("by Meaghan Weeden" linking to
    ``/search?q=Meaghan Weeden``, "By Jane Doe" to her social profile)."""
    link = el if el.tag == "a" else next((a for a in el.iterancestors("a")), None)
    if link is None or not _links_elsewhere(link) or not (label := _BY_LINE.match(text)):
        return False
    where, said, name = _slug(link.get("href", "")), _slug(text), _slug(text[label.end() - 1:])
    return said in where or "-" not in name


def _slug(text: str) -> str:
    return re.sub(r"\W+", "-", unquote(text).casefold()).strip("-")


def _links_elsewhere(el: etree._Element) -> bool:
    """Whether ``el`` is a link to a page that is not an author's (a section, a search, a menu's target)."""
    href = el.get("href", "") if el.tag == "a" else ""
    return bool(href) and not _AUTHOR_HREF.search(href)


def _text_bylines(tree: etree._Element, language: str | None = None  # noqa: PLR0912 - one branch per byline form
                  ) -> Iterator[tuple[str, int]]:
    """Short text nodes that read as a byline: "By Jane Doe", "记者 张三", "홍길동 기자"; a label of another
    language than the page's (``language``) is a plain word."""
    for count, node in enumerate(_TEXT_NODES(tree)):
        if count > 3000:
            return
        text = " ".join(str(node).split())
        if _foreign_label(text, language):
            continue
        if _BY_LABEL.fullmatch(text):  # "Written by" in one element, the name in the next
            parent = node.getparent()
            if parent is None or not _byline_element_ok(parent):
                continue
            if node.is_text and len(parent):  # "<p>By <strong>Jane Doe</strong></p>": the name inside
                whole = _text(parent)
                if _BY_LINE.match(whole) and len(whole.split()) <= 12:
                    yield whole, 0
                    continue
            if node.is_text and not len(parent) and (tail := clean_string(parent.tail)):
                # "<strong>Contributors:</strong> Janet Loughrey": the name after the label's element (not
                # "<b>text</b>. Conversely, …" in running text)
                if tail[0].isalpha() and len(tail.split()) <= 8 and (text.endswith((":", "：")) or
                                                                     text.casefold() != "text"):
                    yield tail, 0
                continue
            following = parent.getnext()
            while following is not None and not _text(following) and following.tag in _EMPTY_BETWEEN:
                following = following.getnext()
            if following is not None and (name := _text(following, " | ", _LINK_SEPARATED)):
                # one name, or a list of them ("<h6>Author(s)</h6><ul><li>…</li><li>…</li></ul>")
                names = [n for n in name.split(" | ") if n.strip()]
                if names and len(names) <= 8 and all(len(n.split()) <= 8 for n in names):
                    yield name, 0
        elif _BY_LINE.match(text) and len(text.split()) <= 12:
            parent = node.getparent()
            if parent is not None and _byline_element_ok(parent) and not _browse_link(parent, text):
                yield text, 0
        elif re.search(r"기자|특파원|记者|記者|编辑|編輯|作者|特派員", text) and len(text) <= 60:
            yield text, 0


def _jsonld_people(article: dict[str, Any], objects: list[dict[str, Any]], publishers: frozenset[str]
                   ) -> tuple[list[str], list[str]]:
    """People and agencies of the JSON-LD article's ``author`` (Person objects, ``@id`` references
    to them, plain names)."""
    people: list[str] = []
    agencies: list[str] = []
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and "name" in o}
    value = article.get("author")
    for entry in value if isinstance(value, list) else [value]:
        item = entry
        if isinstance(entry, dict) and "name" not in entry and isinstance(entry.get("@id"), str):
            item = by_id.get(entry["@id"], entry)
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = ", ".join(n for n in name if isinstance(n, str))
            if not isinstance(name, str):
                continue
            types = schema_types(item) if item.get("@type") else {"person"}
            if types & _PERSON_TYPES:
                byline = split_byline(name, publishers, trusted=STRUCTURED)
                people += byline.people
                agencies += byline.agencies
            elif agency := agency_name(name):
                agencies.append(agency)
        elif isinstance(item, str) and not item.startswith(("http://", "https://")):
            byline = split_byline(item, publishers, trusted=STRUCTURED)
            people += byline.people
            agencies += byline.agencies
    return people, agencies


# Short leaf elements and images that may print a name over a biography ("<h3>Alban Brooke</h3>", an
# avatar's alt text); the biography is the first paragraph after them.
_NAME_LINES = etree.XPath(
    "/descendant::body/descendant::*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::strong or "
    "self::b or self::p or self::div or self::span][not(*[not(self::br)])][string-length(normalize-space()) > 4]"
    "[string-length(normalize-space()) < 40] | /descendant::body/descendant::img[string-length(@alt) > 4]"
    "[string-length(@alt) < 40]")
_NEXT_PARAGRAPH = etree.XPath("following::*[self::p or self::div][normalize-space()][1]")
# A name in title case, two to four words ("Alban Brooke", "Julia Gralberg", "Jean-Luc de la Tour").
_NAME_LIKE = re.compile(r"[^\W\d_a-z][^\W\d_A-Z][\w'’.-]*(?: (?:[a-z]{1,3} ){0,2}[^\W\d_a-z][^\W\d_A-Z][\w'’.-]*){1,2}")
# After the name or the first name, the verb of a biography: "Alban Brooke is the Head of Marketing …",
# "Tim explores …", "Eva schreibt seit …", "Ana es periodista …", "Jean est journaliste …".
_BIO_VERB = re.compile(
    r",? (?:is|was|has|had|holds|leads|writes|wrote|covers|joined|explores|works|lives|ist|war|hat|schreibt|arbeitet|"
    r"berichtet|lebt|es|fue|ha|escribe|trabaja|est|était|a|écrit|travaille|è|era|scrive|lavora|é|foi|escreve|"
    r"trabalha|schrijft|werkt|jest|pisze|är|skriver|er) ")
# A biography speaks of a person, as "he" or "she" or by a job: "He has recorded …", "Sie schreibt …", "ella
# coordina …", "a freelance travel writer" (not "Art Deco is a style …", "Facebook Shops let their users …").
_PERSON_WORD = re.compile(
    r"\b(?:he|she|his|her|him|himself|herself|er|sie|ihr|ihre|ihren|seine|seinen|él|ella|elle|lui|lei|ele|ela|"
    r"hij|zij|han|hon|hans|hennes|jej|jego|ona|writer|editor|journalist|reporter|correspondent|columnist|"
    r"author|founder|co-founder|ceo|director|manager|expert|specialist|consultant|engineer|executive|"
    r"photographer|designer|researcher|professor|scientist|analyst|contributor|co-host|periodista|"
    r"redactora?|journaliste|rédactrice|rédacteur|giornalista|jornalista|journalistin|redakteurin|redakteur|"
    r"autorin|autora|autrice|auteure|schrijver|schrijfster)\b", re.I)
_BIO_MIN = 60
_BIO_SEEN = 400


def _biography_name(tree: etree._Element, publishers: frozenset[str]) -> str | None:
    """The person a biography without author markup is about: a line holding only a name (a heading, a bold
    line, an avatar's alt text) over a paragraph opening with that name or its first word and a verb
    ("<h3>Alban Brooke</h3><p>Alban Brooke is the Head of Marketing at …</p>"), as an author's box at the
    article's end prints it; None when the page holds no such pair, pairs about several people (a list
    of people, each with a paragraph), or the person is the page's reviewer."""
    found: dict[str, str] = {}
    for count, el in enumerate(_NAME_LINES(tree)):
        if count > _BIO_SEEN or len(found) > 1:
            break
        raw = el.get("alt", "") if el.tag == "img" else (el.text or "")
        name = (clean_string(raw) or "").rstrip(":")
        if not _NAME_LIKE.fullmatch(name) or not _byline_element_ok(el):
            continue
        following = _NEXT_PARAGRAPH(el)
        if not following:
            continue
        bio = _text(following[0])
        if len(bio) < _BIO_MIN or not _PERSON_WORD.search(bio) or not any(
                bio.startswith(n) and _BIO_VERB.match(bio[len(n):]) for n in (name, name.split()[0])):
            continue
        people = split_byline(name, publishers).people
        if len(people) == 1 and name_key(people[0]) == name_key(name):
            found.setdefault(name_key(name), people[0])
    if len(found) != 1 or set(found) & _reviewers(tree):
        return None
    return next(iter(found.values()))


_META_SEPARATOR = re.compile(r"\s*(?:[|·•]|\s[-–—]\s)\s*")
_READING_TIME = re.compile(r"\d+\s*(?:min|mins|minutes?|minuten|minutos|minuti)\b.*", re.I)
# a kicker or a section link beside the headline ("Middle East · 3 June 2025") is no writer's name
_KICKER = re.compile(r"kicker|categor|section|eyebrow|topic|tag|rubri|overline|crumb|label", re.I)
_LINE_TEXTS = etree.XPath(".//text()[normalize-space()][not(ancestor::script or ancestor::style)]")
_META_LINE_MAX = 160
_DATE_WORDS = 6  # "Published on 3 June 2025", "Updated Jun 17, 2025 10:04 AM"
_NOT_META_LINE = frozenset({"h1", "h2", "nav", "ul", "ol", "figure", "picture", "img", "form", "table", "script",
                            "style", "noscript", "template"})


def _line_pieces(el: etree._Element) -> list[tuple[str, etree._Element]]:
    """The element's text nodes, cut at the separators a meta line prints between its parts, each with the
    element holding it."""
    pieces = []
    for node in _LINE_TEXTS(el):
        for piece in _META_SEPARATOR.split(" ".join(str(node).split())):
            if piece.strip(" ,·|"):
                pieces.append((piece.strip(" ,"), node.getparent()))
    return pieces


def _kicker(node: etree._Element, line: etree._Element) -> bool:
    """Whether a piece of a meta line is a section's link or a kicker: a link to a page that is not an
    author's, or an element classed as a category, a tag or a section."""
    for el in (node, *node.iterancestors()):
        if _links_elsewhere(el):
            return True
        if _KICKER.search(f"{el.get('class', '')} {el.get('id', '')}"):
            return True
        if el is line:
            return False
    return False


def _header_line_people(h1: etree._Element | None, publishers: frozenset[str], now: dt.datetime | None
                        ) -> list[str]:
    """The writers a header's meta line names without a "By": "Aaron Ricadela | Senior Writer | July 2, 2025",
    "Dec 17, 2025 · Julian K. Arni", "12.03.2025 • Mahua Das in Product". The line is an element beside the
    headline (two siblings each side of the ``<h1>`` and of its wrapper), short, printing a date; each of its
    other parts is a person's full name, a job, a reading time, or the section after "in". A subtitle, a
    kicker ("Middle East · 3 June 2025") or a line of several kinds of words is none."""
    if h1 is None or now is None:
        return []
    near: list[etree._Element] = []
    for anchor in (h1, h1.getparent()):
        if anchor is None or anchor.tag in ("body", "html", "main", "article"):
            break
        near += [*list(anchor.itersiblings(preceding=True))[:2], *list(anchor.itersiblings())[:2]]
    for line in near:
        if not isinstance(line.tag, str) or line.tag in _NOT_META_LINE or not _byline_element_ok(line) or \
                len(_PLAIN_TEXT(line)) > _META_LINE_MAX:
            continue  # (the length first, in C: the article's body may be the headline's sibling)
        pieces = _line_pieces(line)
        if not pieces:
            continue
        people: list[str] = []
        dated = False
        for piece, node in pieces:
            if not dated and len(piece.split()) <= _DATE_WORDS and _text_date(piece, now):
                dated = True
                continue
            if _READING_TIME.fullmatch(piece) or is_role(piece):
                continue
            head, _, last = piece.rpartition(" ")
            section = bool(head) and is_section_label(last)
            name = head if section else piece
            found = split_byline(name, publishers).people
            if (not found or _kicker(node, line) or any(" " not in p for p in found)
                    or name_key("".join(found)) != name_key("".join(name_pieces(name)))):
                people = []
                break
            people += found
            if section:
                break  # "Mahua Das in <a>Product</a>": the rest names the section
        if dated and people:
            return list(dict.fromkeys(people))
    return []


def _citation_authors(metas: list[etree._Element]) -> list[str]:
    """Scholarly ``citation_author`` tags (or ``citation_authors``, one a tag or "Last, First; …" in one),
    "Last, First" turned round."""
    names = []
    values = (_meta_all(metas, "citation_author") or _meta_all(metas, "citation_authors")
              or _meta_all(metas, "dc.creator"))
    for value in (part.strip() for v in values for part in v.split(";")):
        last, sep, first = value.partition(",")
        names.append(f"{first.strip()} {last.strip()}" if sep and first.strip() else value)
    return [n for n in names if n]


def _authors(tree: etree._Element, meta: dict[str, str], article: dict[str, Any], objects: list[dict[str, Any]],
             publishers: frozenset[str], *, metas: list[etree._Element], language: str | None = None,
             h1: etree._Element | None = None, now: dt.datetime | None = None) -> Byline:
    """People first from JSON-LD Person authors, then meta tags, then byline markup, then byline text.

    The first source naming a person wins; a later source that names the same people and more
    (JSON-LD often lists only the first of several) replaces it. Agencies are gathered from all.
    """
    agencies: list[str] = []
    best: list[str] = []

    def consider(people: Iterable[str]) -> None:
        nonlocal best
        found = list(dict.fromkeys(people))
        if not found:
            return
        if not best:
            best = found
            return
        keys = {name_key(p) for p in best}
        if len(found) > len(best) and keys <= {name_key(p) for p in found}:
            best = found

    people, found_agencies = _jsonld_people(article, objects, publishers)
    agencies += found_agencies
    consider(people)
    citation = _citation_authors(metas)
    if citation and not best:
        consider(p for name in citation for p in split_byline(name, publishers).people)
    meta_names = [meta.get(k) for k in ("author", "article:author", "dc.creator", "dcterms.creator",
                                        "parsely-author", "sailthru.author", "byl", "cxenseparse:author")]
    for n in ("1", "2"):  # Slack/Twitter cards: twitter:label1 "Written by", twitter:data1 "Jane Doe"
        if re.fullmatch(r"(?:written by|author|by|autor|auteur|autore)\s*:?", meta.get(f"twitter:label{n}", ""), re.I):
            meta_names.append(meta.get(f"twitter:data{n}"))
    for raw in meta_names:
        if raw and not raw.startswith(("http://", "https://")):
            byline = split_byline(raw, publishers, trusted=STRUCTURED)
            agencies += byline.agencies
            consider(byline.people)
    if best and not people and not citation and (printed := _printed_byline(tree, publishers, language)) and \
            not {name_key(p) for p in printed} & {name_key(p) for p in best}:
        # a meta author tag names the CMS account that posted the page (an editor, an uploader); the
        # byline printed over the article names its writer
        best = printed
    if best and all(_LOGIN.fullmatch(p) for p in best) and (full := _full_name_byline(tree, publishers, language)) and \
            not {name_key(p) for p in full} & {name_key(p) for p in best}:
        # JSON-LD or a meta tag give a CMS login ("KatieS", "andrew.keaveney"); the page prints the name
        best = full
    seen: dict[str, list[etree._Element]] = {}
    structured = bool(best)
    sources = (_markup_bylines(tree, marked_only=True, found=seen) if best
               else _chain(_markup_bylines(tree, found=seen), _text_bylines(tree, language)))
    for count, (raw, trusted) in enumerate(sources):
        byline = split_byline(raw, publishers, trusted=trusted)
        agencies += byline.agencies
        if best and count >= 3:
            break
        consider(byline.people)
    if not best:  # no byline: a biography's name, else a header's meta line naming the writer without a "By"
        best = [person] if (person := _biography_name(tree, publishers)) else _header_line_people(h1, publishers, now)
    if not structured:
        seen.pop("classed", None)  # a byline's one person is completed only when JSON-LD or a meta tag gave them
    best = _completed(tree, best, seen, publishers)
    if len(best) > 1 and (reviewers := _reviewers(tree)):
        best = [p for p in best if name_key(p) not in reviewers] or best
    return Byline(tuple(best), tuple(dict.fromkeys(agencies)))


def _completed(tree: etree._Element, best: list[str], seen: dict[str, list[etree._Element]],
               publishers: frozenset[str]) -> list[str]:
    """One person completed from the page's byline markup: the others of a byline naming several
    (``_wider_byline``), the full name beside a given name alone (``_fuller_name``)."""
    if len(best) != 1:
        return best
    if seen.get("classed") and (wider := _wider_byline(seen["classed"], best[0], publishers)):
        return wider
    if _GIVEN_NAME.fullmatch(best[0]) and (fuller := _fuller_name(tree, best[0], publishers, seen)):
        return [fuller]
    return best


_WIDER_SEEN = 8
_PLAIN_TEXT = etree.XPath("normalize-space()")
_GIVEN_NAME = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*")  # "Juliette", "Anne-Marie" (not "Hej!")


def _wider_byline(classed: list[etree._Element], person: str, publishers: frozenset[str]) -> list[str]:
    """The people of a byline element (its class naming an author or a byline) that names ``person``,
    the one person JSON-LD or a meta tag gave, and others on one line ("Written by Dr Marna van der Merwe,
    Dr Dieter Veldsman, Erik van Vulpen"): the tags often list only the first of several; [] if none
    does. An author card's lines (the name over a job, a slogan, a date, "Paid") are not one byline."""
    key = person_key(person)
    surname = person.split(",", 1)[0].rsplit(maxsplit=1)[-1]
    for el in classed[:_WIDER_SEEN]:
        plain = _PLAIN_TEXT(el)  # in C: most elements (a card, a date line, a bio) end here
        if len(plain) > _PROSE or surname not in plain or not _byline_element_ok(el):
            continue
        lines = _text(el, " | ")
        if len(lines) > _PROSE or "|" in lines.strip(" |"):
            continue
        people = split_byline(lines.strip(" |"), publishers).people
        if len(people) > 1 and key in {person_key(p) for p in people}:
            return list(people)
    return []


_FULLER_DEPTH = 3
_FULLER_TEXT = 300


def _fuller_name(tree: etree._Element, given: str, publishers: frozenset[str],
                 seen: dict[str, list[etree._Element]]) -> str | None:
    """The full name an author's box prints beside a given name alone ("Articles by Juliette" under
    "<p>Juliette Carreiro</p>"): the given name and one or two capitalised words after it, in the text
    of a byline element naming the given name or of its few containers; None if no such line (only
    the page's author markup is looked at: a first-name byline is rare)."""
    after = re.compile(rf"(?<!\w){re.escape(given)}((?: (?:[a-z]{{1,3}} ){{0,2}}[^\W\d_a-z][^\W\d_A-Z][\w'’-]*){{1,2}})"
                       r"(?![\w'’-])")
    marked = seen["marked"] if "marked" in seen else _marked_authors(tree)
    links = seen["links"] if "links" in seen else _author_links(tree)  # found already unless the loop ended early
    for el in (*marked, *links)[:12]:
        if not isinstance(el.tag, str) or given not in _text(el) or not _byline_element_ok(el):
            continue
        for depth, node in enumerate((el, *el.iterancestors())):
            if depth > _FULLER_DEPTH:
                break
            text = _text(node, " | ", _LINK_SEPARATED)
            if len(text) > _FULLER_TEXT:
                break
            for match in after.finditer(text):
                people = split_byline(given + match.group(1), publishers).people
                if len(people) == 1 and " " in people[0] and people[0].startswith(given):
                    return people[0]
    return None


# A CMS login rather than a name: "andrew.keaveney", "katie_s", "jdoe2", "KatieS" (a capital inside).
_LOGIN = re.compile(r"\w+[._]\w+(?:[._]\w+)*|[^\W\d]+\d+|[A-Z]?[a-z]+[A-Z]+[a-z]*")


def _full_name_byline(tree: etree._Element, publishers: frozenset[str], language: str | None) -> list[str]:
    """The people of the page's first byline markup or text naming someone by a full name."""
    for count, (raw, trusted) in enumerate(_chain(_markup_bylines(tree), _text_bylines(tree, language))):
        if count >= 6:
            break
        people = split_byline(raw, publishers, trusted=trusted).people
        if people and all(" " in p for p in people):
            return list(people)
    return []


def _printed_byline(tree: etree._Element, publishers: frozenset[str], language: str | None) -> list[str]:
    """The people of the "By …" line the article prints ("By Charles Patterson, WCI Columnist"); none
    when its "By" lines name different people (a list of books, of recipes, each "by" its author)."""
    lines: list[tuple[str, ...]] = []
    for count, (raw, _) in enumerate(_text_bylines(tree, language)):
        if count >= 8:
            break
        if _BY_LINE.match(raw) and (found := split_byline(raw, publishers).people):
            lines.append(found)
    if not lines or len({frozenset(name_key(p) for p in line) for line in lines}) > 1:
        return []
    return list(lines[0])


_REVIEW_LABEL = re.compile(r"review|check|edit|geprüft|redigiert|bearbeitet|revisad|revisto|révisé|relu", re.I)


def _reviewers(tree: etree._Element) -> set[str]:
    """Name keys of the people the page labels as reviewers, fact checkers or editors ("Fact-checked by
    Frank Bass", "Reviewed by: <a>Molly Price</a>"): a byline's links name them beside the author."""
    keys: set[str] = set()
    for count, node in enumerate(_TEXT_NODES(tree)):
        if count > 3000:
            break
        found = after_stop_label(" ".join(str(node).split()))
        if found is None or not _REVIEW_LABEL.search(found[0]):
            continue  # not a label, or a photographer's or an illustrator's (who may also be the author)
        rest = found[1]
        if not rest:
            parent = node.getparent()
            following = parent[0] if parent is not None and node.is_text and len(parent) else (
                parent.getnext() if parent is not None else None)
            rest = _text(following) if following is not None else ""
        keys |= {name_key(p) for p in split_byline(rest, trusted=MARKED).people}
    return keys


def _chain(*iterators: Iterator[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    for iterator in iterators:
        yield from iterator


# ---------------------------------------------------------------------------------------------------
# Dates

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "published_time", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date",
    "date", "article.published", "article_date_original", "citation_publication_date", "citation_date",
    "cxenseparse:recs:publishtime", "date_published", "rnews:datepublished",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified", "modified_time",
    "lastmod", "last-modified", "dcterms.modified", "dc.date.modified", "article.updated", "updated",
)
_DATE_MARKUP = etree.XPath("/descendant::*[contains(@itemprop, 'datePublished') or contains(@itemprop, 'dateModified')"
                           " or self::time]")


_ITEM_SCOPE = etree.XPath("ancestor-or-self::*[@itemscope][1]/@itemtype")


# An article's own item, not the page around it or a post on a forum
_STORY_TYPES = _ARTICLE_TYPES - {"webpage", "medicalwebpage", "posting", "discussionforumposting", "socialmediaposting"}


def _of_article(el: etree._Element, types: frozenset[str] = _ARTICLE_TYPES) -> bool:
    """Whether microdata ``el`` belongs to the article's item (``itemtype`` NewsArticle, BlogPosting...: one of
    ``types``), not to an answer, a comment or a teaser's item inside the page."""
    scope = _ITEM_SCOPE(el)
    return bool(scope) and str(scope[0]).rstrip("/").rsplit("/", 1)[-1].casefold() in types


def _markup_dates(tree: etree._Element) -> tuple[list[str], list[str], list[etree._Element]]:
    """Published and modified dates in the page's markup, in page order: the ``datetime`` and
    ``content`` of ``itemprop=datePublished``/``dateModified`` elements, the ``datetime`` of a
    ``<time pubdate>`` or a ``<time>`` classed publish/entry-date/post-date (published) or
    updated/modified; and the ``<time datetime>`` elements; one walk of the page for all three."""
    published: list[str] = []
    modified: list[str] = []
    times: list[etree._Element] = []
    for el in _DATE_MARKUP(tree):
        if el.tag == "time" and el.get("datetime") is not None:
            times.append(el)
        props = (el.get("itemprop") or "").split()  # "datePublished dateCreated": one element, several properties
        is_published, is_modified = "datePublished" in props, "dateModified" in props
        cls = el.get("class") or ""
        is_time = el.tag == "time"
        time_published = is_time and (el.get("pubdate") is not None or "publish" in cls or "entry-date" in cls
                                      or "post-date" in cls)
        time_modified = is_time and ("updated" in cls or "modified" in cls)
        values = [(name, value) for name, value in el.items() if name in ("datetime", "content")]
        if not values and (is_published or is_modified) and len(text := _text(el)) <= 80 and _of_article(el):
            values = [("text", text)]  # "<div itemprop='datePublished'>2019-11-19T08:57:40+01:00</div>"
        for name, value in values:  # one element's attributes in their order
            if (is_published or (time_published and name == "datetime")) and not _in_teaser(el):
                published.append(value)
            if is_modified or (time_modified and name == "datetime"):
                modified.append(value)
    return published, modified, times


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|meta|byline|info", re.I)
_UPDATED_CUE = re.compile(
    r"updated|modified|aktualisiert|actualizado|actualizada|mis à jour|modifié|aggiornat|atualizad|bijgewerkt"
    r"|last reviewed|reviewed|edited", re.I,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|$)")
_FUTURE = dt.timedelta(days=1)
_MIN_DATE = dt.datetime(1995, 1, 1)


# Time zones as news pages abbreviate them, in hours from UTC (where one abbreviation names several zones,
# the one news sites use most: IST India, CST the US).
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2,
    "WEST": 1, "EET": 2, "EEST": 3, "OEZ": 2, "OESZ": 3, "MSK": 3, "EAT": 3, "WAT": 1, "CAT": 2, "SAST": 2,
    "GST": 4, "PKT": 5, "NPT": 5.75, "BDT": 6, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8,
    "JST": 9, "KST": 9, "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9,
    "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
}
# US zones named without saying summer or winter ("9:02 AM ET"): the offset of that day in that region.
_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"}
_ZONE_SECONDS = {name: int(hours * 3600) for name, hours in _ZONES.items()}


@functools.cache
def _region(zone: str) -> dt.tzinfo | None:
    try:
        return ZoneInfo(_REGIONS[zone])
    except (KeyError, ZoneInfoNotFoundError):
        return None


def _zones(name: str | None, offset: int | None) -> dt.tzinfo | int | None:
    """dateutil's ``tzinfos``: a zone abbreviation's offset in seconds, or its region (a numeric offset as given)."""
    if name in _REGIONS:
        return _region(name)
    return _ZONE_SECONDS.get(name or "", offset)
_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?![a-z])", re.I)
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])(?::|h(?=\d\d))([0-5]\d)(?::([0-5]\d))?(?![\d:])"
                    r"(?:\s*([aApP])\.?\s?[mM]\b\.?)?(?:\s*\(?([A-Z]{2,5})\b\)?)?")
_CAPITALS = re.compile(r"\b[A-Z]{2,5}\b")


def _written_datetime(text: str) -> str | None:
    """A datetime written out in words, with its time: "19 Nov 2019 07:09 GMT", "Tue Nov 19 2019 03:05:46
    GMT+0000", "Mon, 18 Nov 2019 16:07:38 -0600", "November 19, 2019, 07:47 PM EST" (python-dateutil, with the
    zone abbreviations news pages print); None without an English month name, a year or a time (a day in
    numbers alone is the writer's habit: ``_text_date`` reads those)."""
    if len(text) > 80 or not _MONTH_NAME.search(text) or not re.search(r"\b(?:19|20)\d{2}\b", text) or \
            not _CLOCK.search(text):
        return None
    text = re.sub(r"\b(?:GMT|UTC)\s?(?=[+-]\d)", "", text)  # "GMT+0100" is +01:00 (dateutil reads it POSIX-wise)
    # capitals that are no zone, month or half of the day go ("AMT": Armenia's or the Amazon's): a local time
    text = _CAPITALS.sub(lambda m: m[0] if m[0] in _ZONES or m[0] in _REGIONS or m[0] in ("AM", "PM")
                         or _MONTH_NAME.fullmatch(m[0]) else "", text)
    try:
        parsed: dt.datetime = dateutil_parser.parse(text, tzinfos=_zones, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year == 1900:
        return None
    return parsed.isoformat()


def iso_datetime(value: Any) -> str | None:
    """Normalise a date string to ISO 8601, keeping the time and offset when present."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})", r"\1T\2", text)
    text = re.sub(r"Z$", "+00:00", text)
    text = re.sub(r"\s*(?:UTC|GMT)$", "+00:00", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    text = re.sub(r"^(\d{4})/(\d{2})/(\d{2})", r"\1-\2-\3", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        if (written := _written_datetime(value)) is not None:
            return written
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _as_datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _plausible(value: str | None, now: dt.datetime) -> str | None:
    """The date, unless it is before 1995 or more than a day in the future."""
    if value is None:
        return None
    try:
        when = _as_datetime(value)
    except ValueError:
        return None
    if when > now + _FUTURE or when < _MIN_DATE.replace(tzinfo=dt.UTC):
        return None
    return value


def _first_date(values: Iterable[Any], now: dt.datetime) -> str | None:
    """The first plausible date of ``values``; a day alone ("2025-06-18") gives way to a later value with the
    time on that same day ("2025-06-18T09:30:00+02:00" in ``article:published_time``), not to a bare
    midnight (a day stored as a datetime)."""
    first = None
    for value in values:
        found = _plausible(iso_datetime(value), now)
        if not found:
            continue
        if first is None:
            first = found
            if len(first) > 10:
                return first
        elif found[:10] == first and len(found) > 10 and found[11:19] != "00:00:00":
            return found
    return first


# A day written in numbers with a slash or a hyphen, "3/4/2025", "01-04-2024", "12/11/25": which number
# is the month is the writer's habit, not the string's.
_NUMERIC_DAY = re.compile(r"(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2((?:19|20)?\d{2})(?![\d/.-])")
# Languages whose writers put the month first in such a day: US English, Filipino. English declared
# without a region is written both ways (htmldate's day-first reading stays).
_MONTH_FIRST = frozenset({"en-us", "en-ph", "fil", "fil-ph", "es-us"})


def _month_first(tree: etree._Element, meta: dict[str, str], body: str = "") -> bool:
    """Whether the page writes a numeric day month first ("3/4/2025" is 4 March): its declared language
    does, or the numeric days in its text (``body``) that can be read one way only are all month first
    ("12/18/2025" beside "3/4/2025"; one "18/12/2025" and the page writes the day first)."""
    declared = next(iter(_HTML_LANG(tree)), None) or meta.get("content-language") or meta.get("og:locale") or ""
    if declared.strip().replace("_", "-").lower() in _MONTH_FIRST:
        return True
    month_first = day_first = 0
    for count, match in enumerate(_NUMERIC_DAY.finditer(body)):
        if count > 200:
            break
        first, second = int(match.group(1)), int(match.group(3))
        if len(match.group(4)) != 4 or not (first and second):
            continue  # "5-10-15": a code or a score as often as a day
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first and second <= 31:
            month_first += 1
    return month_first > 0 and not day_first


_MonthFirst = Callable[[], bool]


def _with_clock(day: str, text: str) -> str:
    """The printed ``day`` with the time the same line prints ("Published 11:11 PM EST Nov 19, 2019",
    "November 19, 2019, 9:02 AM", "기사입력 : 2018-08-25 15:24", "le 19 novembre 2019 à 14h30"), with its
    zone's offset when the line names one; the day alone when the line prints no time."""
    match = _CLOCK.search(text)
    if match is None or len(day) != 10:
        return day
    hour, minute, second, half, zone = match.groups()
    hour_n = int(hour)
    if half:
        if not 1 <= hour_n <= 12:
            return day
        hour_n = hour_n % 12 + (12 if half.lower() == "p" else 0)
    stamp = f"{day}T{hour_n:02d}:{minute}:{second or '00'}"
    zone_info = dt.timezone(dt.timedelta(seconds=_ZONE_SECONDS[zone])) if zone in _ZONE_SECONDS else (
        _region(zone) if zone in _REGIONS else None)
    return dt.datetime.fromisoformat(stamp).replace(tzinfo=zone_info).isoformat() if zone_info else stamp


def _text_date(text: str, now: dt.datetime, month_first: _MonthFirst | None = None) -> str | None:
    """A day from printed text ("March 1, 2024", "12.12.2025", "28. April 2023"), via htmldate's parsers;
    "3/4/2025" is 4 March where the page writes the month first (``month_first``: asked only for a numeric
    day, since it reads the whole page)."""
    if not 6 <= len(text) <= 80:
        return None
    if month_first is not None and (m := _NUMERIC_DAY.search(text)) and month_first():
        month, day, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        try:
            return _plausible(dt.date(year + 2000 if year < 100 else year, month, day).isoformat(), now)
        except ValueError:
            pass  # "25/12/2025" on such a page: written day first after all
    # htmldate's fast parsers only: its extensive mode calls dateparser (tenths of a second a call);
    # the whole-page htmldate fallback still reads the formats these miss
    latest = (now + _FUTURE).replace(tzinfo=None)
    found = try_date_expr(text, "%Y-%m-%d", False, _MIN_DATE, latest)
    if not isinstance(found, str) and _CLOCK.search(text):  # "Published 11:11 PM EST Nov 19, 2019": the time first
        found = try_date_expr(_CLOCK.sub(" ", text), "%Y-%m-%d", False, _MIN_DATE, latest)
    return found if isinstance(found, str) else None


_LINKED_HEADING = etree.XPath("(.//h2|.//h3|.//h4)[descendant::a[@href] or ancestor::a[@href]]")


def _in_teaser(el: etree._Element) -> bool:
    """Whether ``el`` sits in a teaser: the nearest ``<article>`` around it titles another page (a linked
    ``<h2>`` to ``<h4>``, no ``<h1>``), as a related-posts loop below the article does."""
    for depth, node in enumerate(el.iterancestors()):
        if depth > 8 or node.tag in ("body", "main"):
            return False
        if node.tag == "article":
            return node.find(".//h1") is None and bool(_LINKED_HEADING(node))
    return False


def _printed_dates(times: list[etree._Element], h1: etree._Element | None, now: dt.datetime,
                   month_first: _MonthFirst | None = None, teasers: bool = True) -> tuple[str | None, str | None]:
    """The published and updated days printed in the article's header: ``<time datetime>`` elements
    (``times``) and short date lines near the headline ("Published March 1, 2024", "Updated 12.12.2025")."""
    published = updated = None
    for el in times[:20]:
        if not _byline_element_ok(el, teasers=True) or (not teasers and _in_teaser(el)):
            continue
        value = _plausible(iso_datetime(el.get("datetime")), now)
        if not value and (day := _text_date(printed := _text(el), now, month_first)):
            value = _with_clock(day, printed)
        if not value:
            continue
        context = f"{el.get('class', '')} {_text(el.getparent()) if el.getparent() is not None else ''}"[:200]
        if _UPDATED_CUE.search(context) and not re.search(r"publi|posted|erschienen|veröffentlicht", context, re.I):
            updated = updated or value
        else:
            published = published or value
        if published:
            break
    if published is None and h1 is not None:
        published, updated_near = _dates_near(h1, now, month_first, teasers)
        updated = updated or updated_near
    return published, updated


def _dates_near(h1: etree._Element, now: dt.datetime, month_first: _MonthFirst | None = None,
                teasers: bool = True) -> tuple[str | None, str | None]:
    """Date lines in the few elements around the headline (the article's header)."""
    published = updated = None
    container = h1.getparent()
    for _ in range(3):
        if container is None or container.getparent() is None:
            break
        if len(_text(container)) > 1500:
            break
        container = container.getparent()
    if container is None:
        return None, None
    for count, el in enumerate(container.iter()):
        if count > 400:
            break
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a"):
            continue
        own = clean_string(el.text) or ""
        if own and len(el) and opens_byline(own) and _byline_element_ok(el, teasers=True):
            # a byline and its date: "By <a>Louis Jacobson</a> on Monday, November 18th, 2019 at 11:04 a.m."
            own = clean_string(" ".join(filter(None, (el.text, *(child.tail for child in el))))) or ""
        if not own or len(own) > 80 or not re.search(r"\d{4}|\d{1,2}[./]\d{1,2}[./]\d{2}", own):
            continue
        label = f"{own} {clean_string(el.getprevious().text) if el.getprevious() is not None else ''}"
        value = _text_date(own, now, month_first)
        if not value or (not teasers and _in_teaser(el)):
            continue
        value = _with_clock(value, own)
        if _UPDATED_CUE.search(label):
            updated = updated or value
        else:
            published = published or value
    return published, updated


# A republished article's note of its first publication, in the page's words.
_ORIGINAL_LABELS = (
    "originally published", "first published", "originally appeared", "first appeared",
    "ursprünglich erschienen", "ursprünglich veröffentlicht", "erstmals erschienen", "erstmals veröffentlicht",
    "zuerst erschienen", "publicado originalmente", "publicado por primera vez", "publié initialement",
    "initialement publié", "publié à l'origine", "pubblicato originariamente", "originariamente pubblicato",
    "pubblicato per la prima volta", "oorspronkelijk gepubliceerd", "eerder gepubliceerd",
)
# Word stems of the labels' verbs, lower case whatever the label's case: a cheap XPath test, the
# labels themselves matched in Python on the few text nodes holding one.
_ORIGINAL_STEMS = ("riginally published", "irst published", "riginally appeared", "irst appeared", "rschienen",
                   "eröffentlicht", "ublicado", "ublié", "ubblicato", "epubliceerd")
_ORIGINAL_TEXT = etree.XPath(
    "/descendant::body/descendant::text()[not(parent::script) and not(parent::style)][string-length() < 400]["
    + " or ".join(f"contains(., '{stem}')" for stem in _ORIGINAL_STEMS) + "]")
_ORIGINAL_STEM = re.compile("|".join(re.escape(stem) for stem in _ORIGINAL_STEMS))
_BODY_TEXT = etree.XPath("string(/descendant::body[1])")
_ORIGINAL_LABEL = re.compile("|".join(re.escape(label) for label in _ORIGINAL_LABELS), re.I)


def _originally_published(tree: etree._Element, now: dt.datetime, body: str) -> str | None:
    """The day a republished article says it first appeared ("This article was originally published on
    26 Sep 2019", "Erstmals erschienen am 3. März 2021"): the day after the label, in its line or the
    next element (``body``: the page's text)."""
    if not _ORIGINAL_STEM.search(body):  # one search of the whole text: most pages hold none
        return None
    seen = 0
    for node in _ORIGINAL_TEXT(tree):
        text = " ".join(str(node).split())
        match = _ORIGINAL_LABEL.search(text)
        if match is None:
            continue
        seen += 1
        if seen > 3:
            break
        rest = text[match.end():]
        parent = node.getparent()
        if len(rest) < 6 and parent is not None:
            following = parent.getnext() if node.is_tail or not len(parent) else parent[0]
            rest = f"{rest} {_text(following)}" if following is not None else rest
        if found := _text_date(rest.strip(" :")[:80], now):
            return found
    return None


def _url_date(url: str | None, now: dt.datetime) -> str | None:
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if not match:
        return None
    try:
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None
    return _plausible(day, now)


# 1 January written as a day, in the page's own words: "2025-01-01", "01.01.2025", "1/1/2025", "Jan. 1, 2025",
# "1er janvier 2025", "1. Januar 2025", "1 de enero de 2025", "1 gennaio 2025", "2025年1月1日", "1 stycznia".
_NEW_YEAR = (r"{y}[-/.]0?1[-/.]0?1\b|\b0?1[-/.]0?1[-/.]{y}|\b(?:jan|ene|gen|sty|tam|oca|янв)\w*\.?\s+0?1(?:st)?\b,?\s+"
             r"{y}|\b0?1(?:st|er|\.|º)?\s+(?:de\s+)?(?:jan|ene|gen|sty|tam|oca|янв)\w*\.?,?\s+(?:de\s+)?{y}|{y}\s*年\s*0?1\s*月\s*0?1")


_PAGE_TEXTS = etree.XPath("//text()[not(parent::script) and not(parent::style)]")
_HTMLDATE_MAX_TEXT = 1_000_000


def _htmldate(tree: etree._Element, url: str | None, now: dt.datetime) -> str | None:
    """htmldate's extensive search for the original date: the fallback when the markup is silent.

    Its last resorts are a year alone (a copyright line "© 2014", a year in the text), returned as
    1 January of that year: a day the page never printed. That answer is refused unless the page
    does print 1 January of that year. A page holding more than ``_HTMLDATE_MAX_TEXT`` characters of text
    (no article does; a hostile page can) is not searched: the search costs about 0.4 s a megabyte.
    """
    if sum(len(text) for text in _PAGE_TEXTS(tree)) > _HTMLDATE_MAX_TEXT:
        return None
    try:
        found = find_date(tree, url=url, extensive_search=True, original_date=True,
                          max_date=(now + _FUTURE).strftime("%Y-%m-%d"))
    except Exception:  # htmldate is a heuristic over arbitrary pages; its failure only means "no date"
        logger.debug("htmldate failed", exc_info=True)
        return None
    if not isinstance(found, str):
        return None
    if found[4:] == "-01-01" and not re.search(_NEW_YEAR.format(y=found[:4]), " ".join(tree.itertext()), re.I):
        return None
    return _plausible(found, now)


def _same_day(precise: str, day: str) -> bool:
    """Whether a datetime falls on ``day`` in some time zone (UTC-12 to UTC+14)."""
    try:
        when = _as_datetime(precise)
        target = dt.date.fromisoformat(day[:10])
    except ValueError:
        return False
    return any((when + dt.timedelta(hours=h)).date() == target for h in range(-12, 15)) or when.date() == target


def _printed_differs(printed: str, structured: str) -> bool:
    """Whether a printed day earlier than the metadata's is another day, not the same one misread: the
    metadata's day in another time zone, its day and month swapped ("01/08/2025" read the other way
    round), or a bare year read as 1 January."""
    if _same_day(structured, printed[:10]):
        return False
    if printed[5:7] == structured[8:10] and printed[8:10] == structured[5:7] and printed[:4] == structured[:4]:
        return False
    return printed[4:10] != "-01-01"


def _dates(tree: etree._Element, meta: dict[str, str], article: dict[str, Any], url: str | None,  # noqa: PLR0917 - private
           h1: etree._Element | None, now: dt.datetime) -> tuple[str | None, str | None, str | None]:
    """Published and modified: structured data first, the printed header date when it disagrees."""
    published_markup, modified_markup, times = _markup_dates(tree)
    structured = _first_date([article.get("datePublished"), article.get("dateCreated"),
                              *(meta.get(k) for k in _PUBLISHED_META), *published_markup], now)
    modified = _first_date([article.get("dateModified"), *(meta.get(k) for k in _MODIFIED_META),
                            *modified_markup], now)
    # a teaser's printed day cannot overrule the metadata's; with no metadata day it is kept (the page-type
    # model reads a printed day as a sign of an article)
    body = _BODY_TEXT(tree)
    month_first = functools.cache(lambda: _month_first(tree, meta, body))  # read only for a numeric day
    printed, printed_updated = _printed_dates(times, h1, now, month_first, teasers=not structured)
    # The page's printed header date when its metadata is silent: where both exist and the printed
    # one is later, it is far more often an "updated" stamp or a teaser's date than a correction.
    published, source = (structured, "structured") if structured else (printed, "printed")
    if structured and len(structured) == 10 and printed and len(printed) > 10 and printed[:10] == structured:
        published = printed  # the metadata's day, the time the header prints with it
    if structured and printed and _as_datetime(printed) < _as_datetime(structured) - _FUTURE and \
            _printed_differs(printed, structured):
        # A printed day before the metadata's cannot be an "updated" stamp: the metadata holds a
        # re-import or build date, the page the day the article appeared.
        published, source = printed, "printed"
    original = _originally_published(tree, now, body)
    if original and (published is None or _as_datetime(original) < _as_datetime(published) - _FUTURE):
        published, source = original, "printed"  # "This article was originally published on 26 Sep 2019"
    if published is None:
        published, source = _htmldate(tree, url, now), "htmldate"
    if published is None:
        published, source = _url_date(url, now), "url"
    if modified is None and printed_updated:
        modified = printed_updated
    if published and modified:
        try:
            # a modified date before publication is a template's mistake; a day alone is only compared as a day
            both_timed = len(modified) > 10 and len(published) > 10
            if _as_datetime(modified) < _as_datetime(published) and (
                    both_timed or not _same_day(modified, published[:10])):
                modified = None
        except ValueError:
            modified = None
    return published, modified, source if published else None


# ---------------------------------------------------------------------------------------------------
# The rest


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value.strip() else None


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
    return tuple(dict.fromkeys(c for c in (clean_string(i) for i in items) if c))


def _headline_element(h1s: list[etree._Element], title: str | None) -> etree._Element | None:
    """The ``<h1>`` printing the title (the anchor of the article's header), if any."""
    key = name_key(title or "")
    for h in h1s:
        if key and name_key(_text(h)) == key:
            return h
    return next((h for h in h1s if _visible(h) and _text(h)), None)


def read_page_meta(tree: etree._Element, url: str | None, *, now: dt.datetime | None = None) -> PageMeta:
    """Read every metadata field from the unpruned page: JSON-LD first, then meta tags, then markup.

    Args:
        tree: the parsed page, before any pruning.
        url: the page URL (resolves the canonical link; its host names the site; its path may hold a date).
        now: the reference time for refusing future dates (default: the clock).

    Returns:
        The page's metadata.
    """
    now = now or dt.datetime.now(dt.UTC)
    objects = jsonld_objects(tree)
    a = _article(objects) or {}
    metas = _META(tree)
    meta = _meta_values(metas)
    head = examine_meta(tree)  # trafilatura's reading of <meta> tags (og:, twitter:, dc., ...)
    canonical = next((h.strip() for h in _CANONICAL(tree) if h.strip()), None) or meta.get("og:url") or None
    if canonical and url:
        canonical = urljoin(url, canonical)
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = None
    sites = _site_names(meta, objects, a)
    site_keys = {name_key(s) for s in sites} | _host_keys(url or canonical)
    site_keys.discard("")
    h1s = _H1(tree)
    title = _title(tree, meta, a, site_keys, h1s)
    language, language_source = _language(tree, meta, a or None)
    headline = _headline_element(h1s, title)
    byline = _authors(tree, meta, a, objects, _publisher_keys(sites, objects, a, url or canonical), metas=metas,
                      language=language, h1=headline, now=now)
    published, modified, published_source = _dates(tree, meta, a, url, headline, now)
    types = sorted({t for o in objects for t in schema_types(o)})
    return PageMeta(
        title=title, authors=byline.people, agencies=byline.agencies,
        published=published, published_source=published_source, modified=modified, canonical_url=canonical or url,
        site_name=sites[0] if sites else _site_name(head.sitename),
        description=clean_string(head.description) or clean_string(a.get("description")),
        categories=_listing(head.categories or a.get("articleSection") or meta.get("article:section")),
        tags=_listing(head.tags or a.get("keywords") or meta.get("news_keywords") or meta.get("keywords")),
        image=clean_string(head.image) or _image(a.get("image")),
        language=language, language_source=language_source, paywalled=_paywalled(a or None),
        og_type=(meta.get("og:type") or "").strip().lower() or None, schema_types=tuple(types),
        signals=page_signals(tree),
    )
