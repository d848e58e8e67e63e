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

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document, use_config

from scraper._version import __version__
from scraper.article import Article
from scraper.blocks import Block, blocks_from_body, blocks_from_text, render, total_chars
from scraper.config import DEFAULT_OPTIONS, CleanOptions
from scraper.decode import check_not_binary, decode_bytes, gunzip_limited
from scraper.errors import EmptyArticleError, NotHTMLError, PageTooLargeError, TruncatedPageError
from scraper.language import page_language
from scraper.markup import count_attributes
from scraper.metadata import PageMeta, read_page_meta
from scraper.pagetype import classify_page
from scraper.profiles import ProfileRegistry, SiteProfile, default_registry
from scraper.rules import RuleSet
from scraper.structure import remove_element
from scraper.textrules import apply_text
from scraper.verdicts import Outcome, decide

logger = logging.getLogger(__name__)

_TAG_START = re.compile(r"<[A-Za-z]")
_HTMLISH = re.compile(r"<\s*(?:html|head|body|p|div|article|title|meta|br|span|h[1-6]|table|section)\b", re.I)
_WORDS = re.compile(r"\w+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# clean_text takes a first line of at most this many words as the headline.
_TITLE_MAX_WORDS = 20


def _trafilatura_config():  # type: ignore[no-untyped-def]
    config = use_config()
    # Signal-based timeouts do not work off the main thread or in pools; our limits bound the work.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


_CONFIG = _trafilatura_config()


_PAGE_CHARS = etree.XPath("string-length(normalize-space(/html/body))")


def _extract(tree: etree._Element, options: CleanOptions) -> Document | None:
    """trafilatura on the page as given: its own extractor first, its whole cascade when unsure.

    The fast pass (trafilatura's own extractor) is kept when it finds at least ``fast_share`` of
    the page's text; otherwise the full cascade runs (readability and jusText compared with it),
    as plain ``trafilatura.extract`` does. On pages where the fast pass finds that much, the two
    agree (measured on WCXB and AEB), and the fast pass costs about 60 % of the cascade.
    """
    if options.fast_share < 1.0:
        fast = _trafilatura(tree, options, fast=True)
        found = len(fast.text or "") if fast is not None else 0
        if fast is not None and found >= options.fast_share * float(_PAGE_CHARS(tree)):
            return fast
    return _trafilatura(tree, options, fast=False)


def _trafilatura(tree: etree._Element, options: CleanOptions, *, fast: bool) -> Document | None:
    """Run trafilatura with every knob we set, in one place (review this on a version bump).

    Metadata is read by ``metadata.read_page_meta`` instead; links are off because trafilatura keeps
    less text with them on (link density is measured on the page instead); comments are never
    extracted.
    """
    document = trafilatura.bare_extraction(
        tree,
        url=None,  # with a URL trafilatura rewrites every link through courlan; we only need text
        fast=fast,
        include_comments=False,
        favor_precision=options.favor_precision,
        include_tables=options.include_tables,
        include_links=False,
        include_images=False,
        include_formatting=False,
        with_metadata=False,
        deduplicate=False,
        config=_CONFIG,
    )
    return document if isinstance(document, Document) else None


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
    """Fail fast on non-HTML text, on pages with more elements than trafilatura can handle, and on start tags
    with more attributes than the HTML parser can handle (its cost grows with their square)."""
    if not _HTMLISH.search(text[:65536]) and not _HTMLISH.search(text):
        raise NotHTMLError("not HTML: no HTML tags found (use clean_text for plain text)")
    if text.count("<") > options.max_elements:
        count = sum(1 for _ in _TAG_START.finditer(text))
        if count > options.max_elements:
            raise PageTooLargeError(f"page has {count} elements, over max_elements={options.max_elements}")
    most, offset, total = count_attributes(text)
    if most > options.max_attributes:
        raise PageTooLargeError(f"a start tag (at character {offset}) has {most} attributes, over "
                                f"max_attributes={options.max_attributes}")
    if total > options.max_page_attributes:
        raise PageTooLargeError(f"the page's start tags have {total} attributes, over "
                                f"max_page_attributes={options.max_page_attributes}")


# Every element an HtmlElement, chosen inside lxml: lxml.html's own lookup calls back into Python for
# each element object created (trafilatura creates hundreds of thousands); its form-field classes
# are never used here or by trafilatura.
_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)


def parse_html(text: str) -> etree._Element:
    """Parse HTML, keeping trees deeper than libxml2's default limit whole.

    Raises:
        NotHTMLError: nothing parses.
        TruncatedPageError: the page nests deeper than even the huge-tree limit, so the parser
            dropped content; a partial article is never returned as if it were whole.
    """
    parser = lxml_html.HTMLParser(
        huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
    )
    parser.set_element_class_lookup(_LOOKUP)
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


# Elements trafilatura discards in every path, removed before it copies the tree (JSON-LD stays:
# trafilatura reads it to recognise forum threads). Removing navigation or form controls too would
# change which container trafilatura picks (measured on WCXB: word F1 -0.004 and -0.005).
_INERT = etree.XPath(
    "//script[not(contains(@type,'ld+json'))]|//style|//noscript|//template|//svg|//iframe|//embed|//object"
    "|//canvas|//audio|//video|//link|//head/meta"
)


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


def _run(page: _Page, url: str | None, rules: RuleSet, options: CleanOptions) -> tuple[PageMeta, Outcome]:
    """Parse, read metadata, extract with trafilatura, and judge its blocks."""
    tree = parse_html(page.text)
    meta = read_page_meta(tree, url)
    _strip(tree, _INERT)
    blocks = _body_blocks(_extract(tree, options))
    return meta, decide(tree, blocks, rules, _meta_for_rules(meta), options)


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
    meta, outcome = _run(page, url, rules, options)
    text = render(outcome.kept)
    if not outcome.blocks:
        raise EmptyArticleError("no article text found")
    if len(text) < max(options.min_chars, 1):
        raise EmptyArticleError(f"article text too short after cleaning ({len(text)} characters)")
    return _build(meta, outcome, text, url=url, profile=chosen, encoding=page.encoding)


def explain(
    html: str | bytes,
    url: str | None = None,
    *,
    profile: SiteProfile | None = None,
    options: CleanOptions | None = None,
    encoding: str | None = None,
    fetched_at: dt.datetime | None = None,
    registry: ProfileRegistry | None = None,
) -> Outcome:
    """What ``clean`` decides for every block trafilatura extracts from the page, and why.

    Takes the arguments of ``clean``. Returns the blocks with, for each, the id of the rule that
    removed it (None: kept), the removals and the guard's warnings; nothing is raised for a page
    whose article comes out empty.
    """
    options = options or DEFAULT_OPTIONS
    page = _decode(html, encoding, options)
    _check_markup(page.text, options)
    rules, _ = _resolve_rules(url, profile, fetched_at, registry)
    return _run(page, url, rules, options)[1]


def _build(meta: PageMeta, outcome: Outcome, text: str, *, url: str | None, profile: SiteProfile | None,
           encoding: str | None) -> Article:
    language, language_source = page_language(meta.language, meta.language_source, text)
    return Article(
        url=url, canonical_url=meta.canonical_url, site_name=meta.site_name, title=meta.title,
        authors=meta.authors, agencies=meta.agencies, published=meta.published, modified=meta.modified,
        language=language, language_source=language_source,
        description=meta.description, categories=meta.categories, tags=meta.tags, image=meta.image,
        paywalled=meta.paywalled, page_type=classify_page(meta, outcome.blocks, url), text=text,
        word_count=_word_count(text), content_hash=_content_hash(text), removed=outcome.removals,
        profile=profile.id if profile else None, cleaner_version=__version__,
        trafilatura_version=trafilatura.__version__, encoding=encoding, warnings=outcome.warnings,
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
    if total_chars(kept) < options.guard_ratio * total_chars(blocks):
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

