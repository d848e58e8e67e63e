"""The one cleaning function: page in, Article out (pure: no network, no files, no global state).

Steps: decode -> limits -> parse -> page metadata -> structural rules -> trafilatura -> text rules
-> over-pruning guard -> Article. ``clean_text`` runs the text rules alone on already-extracted text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document, use_config

from scraper._version import __version__
from scraper.article import Article, Removal
from scraper.blocks import Block, blocks_from_body, blocks_from_text, render, total_chars
from scraper.config import DEFAULT_OPTIONS, CleanOptions
from scraper.decode import check_not_binary, decode_bytes, gunzip_limited
from scraper.errors import EmptyArticleError, NotHTMLError, PageTooLargeError, ScraperError, TruncatedPageError
from scraper.language import page_language
from scraper.metadata import PageMeta, read_page_meta
from scraper.pagetype import classify_page
from scraper.profiles import ProfileRegistry, SiteProfile, default_registry
from scraper.prune import apply_structural, remove_element
from scraper.rules import RuleSet
from scraper.textrules import apply_text

logger = logging.getLogger(__name__)

_TAG_START = re.compile(r"<[A-Za-z]")
_HTMLISH = re.compile(r"<\s*(?:html|head|body|p|div|article|title|meta|br|span|h[1-6]|table|section)\b", re.I)
_WORDS = re.compile(r"\w+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# trafilatura's fast mode, when its extractor finds nothing, returns the page text as one paragraph.
_BASELINE_LINES = 20
# clean_text takes a first line of at most this many words as the headline.
_TITLE_MAX_WORDS = 20


def _trafilatura_config():  # type: ignore[no-untyped-def]
    config = use_config()
    # Signal-based timeouts do not work off the main thread or in pools; our limits bound the work.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


_CONFIG = _trafilatura_config()


def _extract(tree: etree._Element, options: CleanOptions, *, fast: bool) -> Document | None:
    """Run trafilatura with every knob we set, in one place (review this on a version bump).

    Metadata is read by ``metadata.read_page_meta`` from the unpruned page, so it is off here;
    links are kept so that text rules can measure link density; comments are never extracted.
    """
    document = trafilatura.bare_extraction(
        tree,
        url=None,  # with a URL trafilatura rewrites every link through courlan; we only need link text
        fast=fast,
        include_comments=False,
        favor_precision=options.favor_precision,
        include_tables=options.include_tables,
        include_links=True,
        include_images=False,
        include_formatting=False,
        with_metadata=False,
        deduplicate=False,
        config=_CONFIG,
    )
    return document if isinstance(document, Document) else None


def _looks_like_baseline(blocks: list[Block]) -> bool:
    """Whether trafilatura fell back to dumping the whole page as one paragraph of short lines."""
    paragraphs = sum(1 for b in blocks if not b.soft)
    return paragraphs <= 2 and len(blocks) - paragraphs >= _BASELINE_LINES


def _extract_blocks(tree: etree._Element, options: CleanOptions) -> list[Block]:
    """Extract with trafilatura's own algorithm; only a short result pays for its fallback extractors.

    On pruned pages the fallbacks (readability, jusText) rarely change the result but cost a third
    of the time, so they run only when the fast pass finds less than ``guard_min_chars``.
    """
    blocks = _body_blocks(_extract(tree, options, fast=True))
    if _looks_like_baseline(blocks):
        slow = _body_blocks(_extract(tree, options, fast=False))
        return slow if slow and not _looks_like_baseline(slow) else blocks
    if total_chars(blocks) < options.guard_min_chars:
        slow = _body_blocks(_extract(tree, options, fast=False))
        return slow if total_chars(slow) > total_chars(blocks) else blocks
    return blocks


@dataclass(frozen=True, slots=True)
class _Page:
    """A decoded page ready for parsing."""

    text: str
    encoding: str | None


def _decode(html: str | bytes, encoding: str | None, options: CleanOptions) -> _Page:
    """Turn the input into text within the size limit; reject what is clearly not HTML."""
    if isinstance(html, str):
        if len(html) > options.max_bytes:
            raise PageTooLargeError(f"page has {len(html)} characters, over max_bytes={options.max_bytes}")
        if not html.strip():
            raise NotHTMLError("empty document")
        return _Page(html, None)
    data = gunzip_limited(bytes(html), options.max_bytes)
    if len(data) > options.max_bytes:
        raise PageTooLargeError(f"page has {len(data)} bytes, over max_bytes={options.max_bytes}")
    check_not_binary(data)
    text, used = decode_bytes(data, encoding)
    return _Page(text, used)


def _word_count(text: str) -> int:
    return sum(1 for _ in _WORDS.finditer(text))


def _check_markup(text: str, options: CleanOptions) -> None:
    """Fail fast on non-HTML text and on pages with more elements than trafilatura can handle."""
    if not _HTMLISH.search(text[:65536]) and not _HTMLISH.search(text):
        raise NotHTMLError("not HTML: no HTML tags found (use clean_text for plain text)")
    if text.count("<") > options.max_elements:
        count = sum(1 for _ in _TAG_START.finditer(text))
        if count > options.max_elements:
            raise PageTooLargeError(f"page has {count} elements, over max_elements={options.max_elements}")


def _parse(text: str) -> etree._Element:
    """Parse HTML, keeping trees deeper than libxml2's default limit whole.

    Raises:
        NotHTMLError: nothing parses.
        TruncatedPageError: the page nests deeper than even the huge-tree limit, so the parser
            dropped content; a partial article is never returned as if it were whole.
    """
    parser = lxml_html.HTMLParser(
        huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
    )
    try:
        root = lxml_html.fromstring(_XML_DECL.sub("", text, count=1), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise NotHTMLError(f"cannot parse as HTML: {exc}") from exc
    if root is None:
        raise NotHTMLError("cannot parse as HTML: empty tree")
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            raise TruncatedPageError(f"the HTML parser cut the page: {entry.message}")
    if root.tag != "html":
        wrapper = lxml_html.Element("html")
        body = etree.SubElement(wrapper, "body")
        body.append(root)
        root = wrapper
    return root


# Elements trafilatura discards in every path, removed before it copies the tree three times.
# JSON-LD stays: trafilatura reads it to recognise forum threads. Inert content and navigation go
# before our rules (less to scan; no rule targets them); form controls go after, because rules do
# (a form with a <textarea> is a comment form).
_INERT = etree.XPath(
    "//script[not(contains(@type,'ld+json'))]|//style|//noscript|//template|//svg|//iframe|//embed"
    "|//object|//canvas|//audio|//video|//link|//head/meta|//nav|//menu|//dialog"
)
_CONTROLS = etree.XPath("//button|//select|//input|//textarea|//option")


def _strip(tree: etree._Element, selector: etree.XPath) -> None:
    """Remove what ``selector`` finds (elements trafilatura would drop anyway)."""
    for el in selector(tree):
        remove_element(el)


def _meta_for_rules(meta: PageMeta) -> dict[str, str | None]:
    return {"title": meta.title, "description": meta.description}


def _content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


def _resolve_rules(url: str | None, profile: SiteProfile | None, fetched_at: dt.datetime | None,
                   registry: ProfileRegistry | None) -> tuple[RuleSet, SiteProfile | None]:
    """Global rules plus the site profile's (given, or matched by URL), valid on the fetch day."""
    registry = registry or default_registry()
    chosen = profile if profile is not None else registry.for_url(url)
    day = fetched_at.date() if fetched_at else None
    return registry.rules_for(chosen).active_on(day), chosen


def _body_blocks(doc: Document | None) -> list[Block]:
    return blocks_from_body(doc.body) if doc is not None and doc.body is not None else []


@dataclass(slots=True)
class _Outcome:
    """One extraction: page metadata, blocks before and after text rules, what was removed."""

    meta: PageMeta
    blocks: list[Block]
    kept: list[Block]
    tree_removals: list[Removal]
    text_removals: list[Removal]
    warnings: list[str]


def _run(page: _Page, url: str | None, rules: RuleSet, options: CleanOptions, *, structural: bool,
         meta: PageMeta | None = None) -> _Outcome:
    """Parse, read metadata, optionally apply structural rules, extract, apply text rules."""
    tree = _parse(page.text)
    meta = meta or read_page_meta(tree, url)
    _strip(tree, _INERT)
    tree_removals = apply_structural(tree, rules, options.protect_ratio) if structural else []
    _strip(tree, _CONTROLS)
    blocks = _extract_blocks(tree, options)
    kept, text_removals = apply_text(blocks, rules, _meta_for_rules(meta))
    return _Outcome(meta, blocks, kept, tree_removals, text_removals, [])


def _passes(kept: list[Block], baseline: int, options: CleanOptions) -> bool:
    chars = total_chars(kept)
    return chars >= options.guard_min_chars or chars >= options.guard_ratio * baseline


def _guarded(page: _Page, url: str | None, rules: RuleSet, options: CleanOptions, first: _Outcome) -> _Outcome:
    """The over-pruning guard: when rules leave too little, fall back to fewer rules.

    Tried in order: all rules; text rules on the unpruned page; the unpruned page with no rules.
    """
    base = _run(page, url, rules, options, structural=False, meta=first.meta) if first.tree_removals else first
    baseline = total_chars(base.blocks)
    if _passes(first.kept, baseline, options):
        return first
    if first.tree_removals and _passes(base.kept, baseline, options):
        base.warnings.append("over-pruning guard: structural rules skipped")
        return base
    base.kept, base.text_removals = base.blocks, []
    base.warnings.append("over-pruning guard: all rules skipped")
    return base


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    profile: SiteProfile | None = None,
    options: CleanOptions | None = None,
    encoding: str | None = None,
    fetched_at: dt.datetime | None = None,
    registry: ProfileRegistry | None = None,
) -> Article:
    """Clean one HTML page into an Article.

    Args:
        html: the page, as bytes (decoded here, gzip accepted) or text.
        url: the page URL; picks the site profile and resolves relative links.
        profile: the site profile to use; by default the packaged profile matching ``url``.
        options: cleaning options (``DEFAULT_OPTIONS`` when None).
        encoding: the charset declared by the HTTP ``Content-Type`` header, if known.
        fetched_at: when the page was fetched; selects date-bounded rules.
        registry: the rules and profiles to use (default: the packaged ones).

    Returns:
        The cleaned Article.

    Raises:
        NotHTMLError: the input is empty, binary or has no HTML markup.
        PageTooLargeError: the page exceeds a size, element or depth limit.
        TruncatedPageError: the parser could not keep the whole page.
        EmptyArticleError: no article text remains.
    """
    options = options or DEFAULT_OPTIONS
    page = _decode(html, encoding, options)
    _check_markup(page.text, options)
    rules, chosen = _resolve_rules(url, profile, fetched_at, registry)
    outcome = _run(page, url, rules, options, structural=True)
    if total_chars(outcome.kept) < options.guard_min_chars:
        outcome = _guarded(page, url, rules, options, outcome)
    text = render(outcome.kept)
    if not outcome.blocks:
        raise EmptyArticleError("no article text found")
    if len(text) < max(options.min_chars, 1):
        raise EmptyArticleError(f"article text too short after cleaning ({len(text)} characters)")
    return _build(outcome, text, url, chosen, page.encoding)


def _build(outcome: _Outcome, text: str, url: str | None, profile: SiteProfile | None,
           encoding: str | None) -> Article:
    meta = outcome.meta
    language, language_source = page_language(meta.language, meta.language_source, text)
    return Article(
        url=url, canonical_url=meta.canonical_url, site_name=meta.site_name, title=meta.title,
        authors=meta.authors, agencies=meta.agencies, published=meta.published, modified=meta.modified,
        language=language, language_source=language_source,
        description=meta.description, categories=meta.categories, tags=meta.tags, image=meta.image,
        paywalled=meta.paywalled, page_type=classify_page(meta, outcome.blocks, url), text=text,
        word_count=_word_count(text),
        content_hash=_content_hash(text), removed=tuple(outcome.tree_removals + outcome.text_removals),
        profile=profile.id if profile else None, cleaner_version=__version__,
        trafilatura_version=trafilatura.__version__, encoding=encoding, warnings=tuple(outcome.warnings),
    )


def _looks_like_title(block: Block) -> bool:
    """A first line that reads as a headline: short, and not ending like a sentence or a lead-in."""
    return block.words <= _TITLE_MAX_WORDS and not block.text.rstrip().endswith((".", ",", ";", ":"))


def clean_text(
    text: str,
    url: str | None = None,
    *,
    title: str | None = None,
    profile: SiteProfile | None = None,
    options: CleanOptions | None = None,
    fetched_at: dt.datetime | None = None,
    registry: ProfileRegistry | None = None,
) -> Article:
    """Clean plain text that an earlier extraction left dirty, with the same text rules as ``clean``.

    Lines become blocks; short lines without end punctuation count as headings. When no ``title`` is
    given and the first line reads as a headline (short, not ending in ``.``/``:``), it is taken as
    the title and leaves the text.

    Args:
        text: the extracted text (one paragraph or heading a line; blank lines allowed).
        url: where the text came from; picks the site profile.
        title: the article title, if known.
        profile: the site profile to use; by default the packaged profile matching ``url``.
        options: cleaning options (``DEFAULT_OPTIONS`` when None).
        fetched_at: when the page was fetched; selects date-bounded rules.
        registry: the rules and profiles to use (default: the packaged ones).

    Returns:
        The cleaned Article (metadata limited to what text carries).

    Raises:
        NotHTMLError: the text is empty.
        EmptyArticleError: no article text remains.
    """
    options = options or DEFAULT_OPTIONS
    if not text.strip():
        raise NotHTMLError("empty text")
    if len(text) > options.max_bytes:
        raise PageTooLargeError(f"text has {len(text)} characters, over max_bytes={options.max_bytes}")
    blocks = blocks_from_text(text)
    if title is None and len(blocks) > 1 and _looks_like_title(blocks[0]):
        title = blocks[0].text
    rules, chosen = _resolve_rules(url, profile, fetched_at, registry)
    kept, removals = apply_text(blocks, rules, {"title": title, "description": None})
    warnings: list[str] = []
    if not _passes(kept, total_chars(blocks), options):
        kept, removals, warnings = blocks, [], ["over-pruning guard: all rules skipped"]
    body = render(kept)
    if len(body) < max(options.min_chars, 1):
        raise EmptyArticleError(f"article text too short after cleaning ({len(body)} characters)")
    language, language_source = page_language(None, None, body)
    return Article(
        url=url, canonical_url=url, title=title, language=language, language_source=language_source,
        text=body, word_count=_word_count(body),
        content_hash=_content_hash(body), removed=tuple(removals), profile=chosen.id if chosen else None,
        cleaner_version=__version__, trafilatura_version=trafilatura.__version__, warnings=tuple(warnings),
    )


def clean_to_dict(
    body: bytes, url: str | None, encoding: str | None = None, fetched_at: str | None = None
) -> tuple[str, dict[str, Any]]:
    """``clean()`` for worker processes: plain values in, plain values out, errors as data.

    Returns:
        ``("article", Article.to_dict())`` or ``("error", {"error": class name, "reason": slug,
        "message": text})``. Only ``ScraperError`` becomes data; anything else is a bug and raises.
    """
    when = dt.datetime.fromisoformat(fetched_at) if fetched_at else None
    try:
        return "article", clean(body, url, encoding=encoding, fetched_at=when).to_dict()
    except ScraperError as exc:
        return "error", {"error": type(exc).__name__, "reason": exc.reason, "message": str(exc)}
