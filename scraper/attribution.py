"""Where a page says its story comes from: ``original_url`` and ``original_source``.

Read from the page and its cleaned Article, in this order of trust: syndication markup (``<meta
name="syndication-source|original-source">``, ``<link rel="original-source">``, JSON-LD ``isBasedOn``), a
canonical link to another site, a credit line anywhere on the page ("Original Source: www.bbc.com", "This
article originally appeared on ...", "Quelle: dpa", "Publicado originalmente en ..."), and a wire agency's
dateline or sign-off in the article itself ("(Reuters) -", "— AP", "(dpa)"). Six languages, as the rules.
It runs after cleaning (``scraper.job``), never inside the cleaner's steps.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from courlan import extract_domain
from lxml import etree

from scraper.article import Article
from scraper.clean import parse_html
from scraper.errors import ScraperError

# Wire agencies as credited in datelines and sign-offs, and the name recorded for each.
AGENCIES: dict[str, str] = {
    "reuters": "Reuters", "ap": "AP", "associated press": "AP", "afp": "AFP", "agence france-presse": "AFP",
    "dpa": "dpa", "efe": "EFE", "ansa": "ANSA", "lusa": "Lusa", "apa": "APA", "kna": "KNA", "epd": "epd",
    "sid": "SID", "belga": "Belga", "anp": "ANP", "pa": "PA", "aap": "AAP", "upi": "UPI", "bloomberg": "Bloomberg",
    "xinhua": "Xinhua", "europa press": "Europa Press", "agência brasil": "Agência Brasil",
    "agencia brasil": "Agência Brasil", "adnkronos": "Adnkronos", "agi": "AGI", "askanews": "askanews",
    "notimex": "Notimex", "télam": "Télam", "telam": "Télam", "ats": "ATS", "sda": "SDA", "kyodo": "Kyodo",
    "yonhap": "Yonhap", "tass": "TASS", "anadolu": "Anadolu", "ani": "ANI", "pti": "PTI", "ians": "IANS",
    "cp": "CP", "the canadian press": "CP", "nzpa": "NZPA",
}
_AGENCY_RE = "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True))
# "Original Source: X" and its kin: the line names the source after the phrase (six languages).
_CREDIT = re.compile(
    r"^\W{0,3}(?:"
    r"original\s+source|source\s+originale|fuente\s+original|fonte\s+original[e]?|originalquelle|"
    r"this\s+(?:article|story|post|piece)\s+(?:was\s+)?(?:originally|first)\s+(?:appeared|published|ran)"
    r"(?:\s+(?:on|in|at|by))?|(?:originally|first)\s+(?:published|appeared|posted)\s+(?:on|in|at|by)|"
    r"republished\s+(?:with\s+permission\s+)?from|reprinted\s+(?:with\s+permission\s+)?from|"
    r"read\s+the\s+original\s+(?:article|story)\s+(?:on|at)|"
    r"(?:dieser\s+(?:artikel|beitrag|text)\s+)?(?:erschien|ist)\s+(?:zuerst|ursprünglich|erstmals)\s+"
    r"(?:erschienen\s+)?(?:bei|auf|in|im)|zuerst\s+(?:erschienen|veröffentlicht)\s+(?:bei|auf|in|im)|"
    r"erstveröffentlichung|"
    r"(?:cet\s+article\s+a\s+été\s+)?(?:initialement|originellement|d'abord)\s+publié\s+(?:sur|par|dans)|"
    r"article\s+(?:initialement\s+)?publié\s+(?:initialement\s+)?(?:sur|par|dans)|"
    r"(?:este\s+artículo\s+fue\s+)?publicado\s+originalmente\s+(?:en|por)|"
    r"(?:este\s+artigo\s+foi\s+)?publicado\s+originalmente\s+(?:em|no|na|por|pelo|pela)|"
    r"(?:questo\s+articolo\s+è\s+stato\s+)?pubblicato\s+originariamente\s+(?:su|da|in)|"
    r"articolo\s+originale\s+(?:su|da)"
    r")\s*[:\-–—]?\s*(?P<name>.{2,120}?)\s*[.;]?\s*$",
    re.I)
# "Source: X" / "Quelle: X" and kin name the source only when X is a site or an agency (a chart's "Source:
# Eurostat" is not where the story comes from).
_SOURCE_LINE = re.compile(r"^\W{0,3}(?:source|sources|quelle|quellen|fuente|fuentes|fonte|fontes|font)\s*:\s*"
                          r"(?P<name>.{2,80}?)\s*[.;]?\s*$", re.I)
# A wire dateline at the start of the article: "CARACAS (Reuters) -", "WASHINGTON, June 12 (AP) —", "(dpa) -".
_DATELINE = re.compile(rf"^[^\n()]{{0,80}}\((?P<name>{_AGENCY_RE})(?:/[^)]{{1,40}})?\)\s*[-–—:.]", re.I)
# A sign-off at the end: "— AP", "(AFP)", "Reporting by ...; Editing by ..." (Reuters), "Mit Material von dpa".
_SIGNOFF = re.compile(
    rf"^\W{{0,3}}(?:[-–—]\s*|\(|©\s*|copyright\s+\d{{4}}\s+|mit\s+material\s+(?:von|der)\s+|avec\s+|con\s+"
    rf"(?:información|informações)\s+(?:de|da|do)\s+|com\s+(?:a\s+)?|(?:agencias|agências|agenzie)\s*[:/]\s*)"
    rf"(?:the\s+)?(?P<name>{_AGENCY_RE})(?:\s*/\s*\w+)*\)?\s*[.]?\s*$", re.I)
_REPORTING_BY = re.compile(r"^\(?\s*reporting\s+by\b.{3,200}\bediting\s+by\b", re.I)
_HOST = re.compile(r"^(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:]\S*)?$", re.I)
_BLOCKS = ("p", "div", "li", "section", "article", "footer", "aside", "blockquote", "figcaption", "h1", "h2",
           "h3", "h4", "h5", "h6", "br", "td", "tr", "dd", "dt", "header")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where the page says the story comes from (both None when it does not say).

    Attributes:
        original_url: the original's URL, when the page gives one.
        original_source: the original's site or outlet as the page names it (``www.bbc.com``, ``Reuters``).
        how: what said it: ``meta``, ``json-ld``, ``canonical``, ``credit``, ``dateline`` or ``signoff``.
    """

    original_url: str | None = None
    original_source: str | None = None
    how: str | None = None


NONE = Attribution()


def attribute(article: Article, html: str | None = None) -> Attribution:
    """Where ``article`` says its story comes from, from its page ``html`` (decoded) and its cleaned text.

    Args:
        article: the cleaned article (its URL, canonical URL and text).
        html: the page it was cleaned from (None for already-extracted text: the text alone is read).

    Returns:
        The attribution; ``NONE`` when the page names no origin.
    """
    tree = _parse(html) if html else None
    if tree is not None:
        found = _from_markup(tree, article.url)
        if found is not None:
            return found
    found = _from_canonical(article)
    if found is not None:
        return found
    lines = [line.strip() for line in article.text.split("\n") if line.strip()]
    found = _from_lines(lines, tree, article.url)
    if found is None and tree is not None:
        found = _from_lines(_page_lines(tree), tree, article.url)
    return found or _from_wire(lines) or NONE


def _parse(html: str) -> etree._Element | None:
    """The page's tree, parsed as the cleaner parses it (its parser's limits and fast element classes)."""
    try:
        return parse_html(html)
    except ScraperError:
        return None


def _site(url: str | None) -> str | None:
    """The registered domain of a URL (``news.bbc.co.uk`` -> ``bbc.co.uk``), or None."""
    if not url:
        return None
    try:
        return extract_domain(url)
    except (ValueError, TypeError):
        return None


def _other_site(url: str | None, page_url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL on another site than the page."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return False
    mine, theirs = _site(page_url), _site(url)
    return bool(theirs) and theirs != mine


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _from_markup(tree: etree._Element, page_url: str | None) -> Attribution | None:
    """Syndication meta tags and links, and JSON-LD ``isBasedOn`` / ``isBasedOnUrl``."""
    for value in tree.xpath(
            "//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
            "='syndication-source' or translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
            "='original-source']/@content | //link[@rel='original-source' or @rel='syndication-source']/@href"):
        url = urljoin(page_url or "", str(value).strip())
        if _other_site(url, page_url):
            return Attribution(url, _host(url), "meta")
    for script in tree.xpath("//script[contains(@type,'ld+json')]/text()"):
        found = _from_json_ld(str(script), page_url)
        if found is not None:
            return found
    return None


def _from_json_ld(text: str, page_url: str | None) -> Attribution | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key in ("isBasedOn", "isBasedOnUrl"):
                based = item.get(key)
                url = based.get("url") or based.get("@id") if isinstance(based, dict) else based
                if isinstance(url, str) and _other_site(urljoin(page_url or "", url), page_url):
                    url = urljoin(page_url or "", url)
                    return Attribution(url, _host(url), "json-ld")
            stack.extend(v for k, v in item.items() if k == "@graph" or isinstance(v, dict | list))
    return None


def _from_canonical(article: Article) -> Attribution | None:
    """A canonical link to another site says the story is that page."""
    if article.canonical_url and _other_site(article.canonical_url, article.url):
        return Attribution(article.canonical_url, _host(article.canonical_url), "canonical")
    return None


def _page_lines(tree: etree._Element) -> list[str]:
    """The page's text, one line per block (scripts and styles left out)."""
    body = tree.find("body")
    root = body if body is not None else tree
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    text = etree.tostring(root, method="text", encoding="unicode")
    return [line.strip() for line in text.split("\n") if line.strip() and len(line) < 300]


def _source_name(name: str) -> tuple[str | None, str | None]:
    """(url, source) for what a credit line names: a URL, a host, an agency or an outlet's name."""
    name = name.strip(" \"'“”«»()[]<>")
    if re.match(r"^https?://", name, re.I):
        return name, _host(name)
    if _HOST.match(name):
        return None, _HOST.match(name)[1].lower()  # type: ignore[index]
    return None, AGENCIES.get(name.lower(), name)


def _link_for(tree: etree._Element | None, label: str, page_url: str | None) -> str | None:
    """The URL of a link on the page whose text is ``label`` or that points to the host ``label``."""
    if tree is None:
        return None
    wanted = label.lower()
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        url = urljoin(page_url or "", href) if href else ""
        if not _other_site(url, page_url):
            continue
        text = (link.text_content() or "").strip().lower()
        if text == wanted or (urlsplit(url).hostname or "").lower() == wanted:
            return url
    return None


def _from_lines(lines: list[str], tree: etree._Element | None, page_url: str | None) -> Attribution | None:
    """A credit line ("Original Source: ...", "Quelle: dpa") among ``lines``; the last one wins (they close
    articles)."""
    for line in reversed(lines):
        match = _CREDIT.match(line)
        if match is None:
            match = _SOURCE_LINE.match(line)
            if match is None:
                continue
            url, source = _source_name(match["name"])
            if url is None and source is not None and not (_HOST.match(source) or source in AGENCIES.values()):
                continue
        else:
            url, source = _source_name(match["name"])
        if source is None:
            continue
        if url is None:
            url = _link_for(tree, source, page_url)
        return Attribution(url, source, "credit")
    return None


def _from_wire(lines: list[str]) -> Attribution | None:
    """An agency's dateline in the first paragraph, or its sign-off in the last lines of the article."""
    if lines:
        match = _DATELINE.match(lines[0])
        if match:
            return Attribution(None, AGENCIES[match["name"].lower()], "dateline")
    for line in reversed(lines[-3:]):
        if len(line) > 200:
            continue
        match = _SIGNOFF.match(line)
        if match:
            return Attribution(None, AGENCIES[match["name"].lower()], "signoff")
        if _REPORTING_BY.match(line):
            return Attribution(None, "Reuters", "signoff")
    return None
