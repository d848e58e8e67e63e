"""What kind of page this is: an article, or a listing, product, forum thread, video, live blog or other.

Cheap signals only, no model: what the page says it is (JSON-LD ``@type``, ``og:type``), how its
text is laid out (one container holding the running text, or many teasers, repeated posts, prices
and buy buttons), what the page carries (a date, a byline) and what the cleaner extracted (prose
paragraphs or short lines). ``page_signals`` reads the page tree; ``classify_page`` decides.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from lxml import etree

if TYPE_CHECKING:
    from scraper.blocks import Block
    from scraper.metadata import PageMeta

PageType = Literal["article", "listing", "product", "forum", "video", "liveblog", "other"]
PAGE_TYPES: tuple[PageType, ...] = ("article", "listing", "product", "forum", "video", "liveblog", "other")

_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"[.!?…。！？\"”»)]\s*$")
_PRICE = re.compile(r"(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|Rs\.?))\s?\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{2})?\b"
                    r"|\b\d{1,3}(?:[.,]\d{3})*[.,]\d{2}\s?(?:€|EUR|zł|kr|Kč|CHF|USD)")
_BUY = re.compile(
    r"^\s*(?:add to (?:cart|bag|basket|trolley)|buy now|buy it now|in den warenkorb|zum warenkorb|"
    r"jetzt kaufen|ajouter au panier|añadir al carrito|aggiungi al carrello|adicionar ao carrinho|"
    r"in winkelwagen|add to wishlist|select options|choose options|pre-?order|in stock|out of stock|"
    r"sold out|ausverkauft|auf lager|en stock|disponible)\s*$", re.I,
)
_CTA = re.compile(
    r"^\s*(?:get started|start (?:now|free|your free trial|for free)|request (?:a )?(?:demo|quote)|book (?:a|your) "
    r"(?:demo|call|consultation|appointment)|contact (?:us|sales)|talk to (?:sales|an expert|us)|sign up(?: free)?|"
    r"try (?:it )?(?:free|for free|now)|free trial|get (?:a )?(?:quote|demo|free quote)|schedule (?:a )?(?:demo|call)|"
    r"shop now|learn more|see pricing|view pricing|get in touch|download now|apply now|join now|"
    r"jetzt (?:starten|testen|anfragen)|kontakt(?:ieren)?|demander une démo|essai gratuit|contáctanos|"
    r"solicita(?:r)? (?:una )?demo|prova gratis)\s*[›»→>]?\s*$", re.I,
)
_PAGE_LINK = re.compile(r"^\s*(?:next|previous|prev|older|newer|weiter|zurück|suivant|siguiente|successivo|»|«|›|‹|"
                        r"\d{1,3}|next page|load more|show more|mehr laden|voir plus)\s*[›»→>]?\s*$", re.I)
_DOC_MARK = re.compile(
    r"^\s*(?:on this page|table of contents|contents|edit this page|edit on github|improve this page|"
    r"was this (?:page|article|information) helpful\??|in this (?:section|topic)|see also|related topics|"
    r"auf dieser seite|inhaltsverzeichnis|sur cette page|en esta página|in questa pagina|nesta página)\s*:?\s*$",
    re.I,
)
_SERVICE_MARK = re.compile(
    r"^\s*(?:our (?:services|solutions|clients|team|work|process|products)|testimonials?|what our (?:clients|"
    r"customers) say|trusted by|case studies|why (?:choose|us)|how it works|pricing|plans(?: & pricing)?|"
    r"get (?:a|your) (?:free )?(?:quote|estimate|consultation)|free consultation|request a (?:quote|callback)|"
    r"frequently asked questions|faqs?|unsere leistungen|nos services|nuestros servicios|i nostri servizi)\s*:?\s*$",
    re.I,
)
_CHROME = frozenset({"nav", "header", "footer", "aside", "menu"})
_FORUM_MARK = re.compile(
    r"(?:^|[\s_-])(?:post|posts|postbody|post-body|topic|thread|reply|replies|message|messages|"
    r"forum|comment|answer|answers|question)(?:$|[\s_-])", re.I,
)
_FORUM_WORDS = re.compile(
    r"^\s*(?:reply|quote|report|joined|posts|members?|thread starter|original poster|op|likes?|"
    r"#\d+|permalink|share|accepted answer|answered|asked|upvotes?|votes?|solution)\s*:?\s*$", re.I,
)
_DATE_IN_URL = re.compile(r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-]|$)|/(?:19|20)\d{6}")

_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "report", "scholarlyarticle",
    "satiricalarticle", "advertisercontentarticle", "askpublicnewsarticle", "medicalscholarlyarticle",
})
_PRODUCT_TYPES = frozenset({"product", "productgroup", "offer", "aggregateoffer", "individualproduct",
                            "productmodel", "car", "vehicle", "softwareapplication", "mobileapplication",
                            "videogame", "book"})
_FORUM_TYPES = frozenset({"discussionforumposting", "qapage", "question", "answer"})
_LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "offercatalog", "blog"})
_SERVICE_TYPES = frozenset({"service", "localbusiness", "professionalservice", "store", "organization",
                            "corporation", "faqpage", "contactpage", "aboutpage", "profilepage", "event",
                            "course", "educationaloccupationalprogram", "jobposting", "recipe"})
_VIDEO_TYPES = frozenset({"videoobject"})
_LIVE_TYPES = frozenset({"liveblogposting"})

_WEIGHTS = Path(__file__).with_name("pagetype.json")
_BLOCKS = ("p", "div", "li", "td", "section", "article", "dd", "blockquote")
_MAX_ELEMENTS = 20000
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})  # their own text is not the page's


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What ``page_signals`` measured on the page tree (all cheap counts).

    Attributes:
        words: words of visible text in the body (capped scan).
        link_words: of them, words inside links.
        paragraph_words: words in ``<p>`` elements of 25 words or more (running prose).
        main_share: the largest share of ``paragraph_words`` that one element holds (prose in one place).
        teasers: links whose text reads as a headline (4-20 words) outside running prose.
        repeated: the largest number of siblings sharing one class (cards, results, posts).
        prices: price strings in short text nodes; buy_buttons: "Add to cart"-style controls.
        forum_posts: elements marked as posts/replies/answers that repeat; forum_words: "Reply",
            "Quote", "Joined" labels.
        inputs: form fields (search, login, checkout) outside comment forms.
        videos: ``<video>`` and video ``<iframe>`` elements.
        h1s: ``<h1>`` elements; time_elements: ``<time>`` elements; headings: ``<h2>``-``<h4>``.
        code_blocks: ``<pre>`` and block ``<code>`` (documentation); calls_to_action: "Get started",
            "Request a demo"-style controls (landing pages); chrome_links: links in navigation,
            headers, footers and sidebars; filters: checkboxes and radio buttons (shop filters);
            pagination: links reading "Next", "»" or a page number.
        doc_marks: "On this page", "Edit this page", "Was this page helpful?" (documentation);
            service_marks: "Our services", "Testimonials", "Get a quote" headings and labels (landing
            pages); phone_links: ``tel:`` links (local businesses).
    """

    words: int = 0
    link_words: int = 0
    paragraph_words: int = 0
    main_share: float = 0.0
    teasers: int = 0
    repeated: int = 0
    prices: int = 0
    buy_buttons: int = 0
    forum_posts: int = 0
    forum_words: int = 0
    inputs: int = 0
    videos: int = 0
    h1s: int = 0
    time_elements: int = 0
    headings: int = 0
    code_blocks: int = 0
    calls_to_action: int = 0
    chrome_links: int = 0
    filters: int = 0
    pagination: int = 0
    doc_marks: int = 0
    service_marks: int = 0
    phone_links: int = 0

    @property
    def link_share(self) -> float:
        """Share of the page's words that are link text."""
        return self.link_words / self.words if self.words else 0.0


def page_signals(tree: etree._Element) -> PageSignals:  # noqa: PLR0912, PLR0915 - one pass counts every signal
    """Measure the page tree (unpruned; scripts may be present) for ``classify_page``."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    words = link_words = paragraph_words = teasers = prices = buy = forum_words = inputs = videos = 0
    h1s = times = headings = code = cta = chrome = filters = pages = docs = services = phones = 0
    prose: Counter[Any] = Counter()
    post_classes: Counter[tuple[Any, str]] = Counter()
    sibling_classes: Counter[tuple[Any, str]] = Counter()
    # One walk with open-element counters, so that "inside a link" and "inside navigation" cost
    # nothing per element (asking each element for its ancestors would dominate the time).
    # Elements only (comments come as the children whose tails are an element's own text).
    in_link = in_chrome = count = 0
    findall = _WORD.findall
    forum_class: dict[str, bool] = {}
    for event, el in etree.iterwalk(root, events=("start", "end"), tag=etree.Element):
        tag = el.tag
        if event == "end":
            if tag == "a":
                in_link -= 1
            elif tag in _CHROME:
                in_chrome -= 1
            continue
        count += 1
        if count > _MAX_ELEMENTS:
            break
        chrome_here = in_chrome > 0
        if tag == "a":
            in_link += 1
        elif tag in _CHROME:
            in_chrome += 1
        if tag in _SKIPPED:
            continue
        own_text = el.text
        own = len(findall(own_text)) if own_text and not own_text.isspace() else 0
        for child in el:
            tail = child.tail
            if tail and not tail.isspace():  # most tails are indentation: no words, no regex call
                own += len(findall(tail))
        words += own
        if in_link:
            link_words += own
        if tag == "a":
            text = " ".join("".join(el.itertext()).split())
            n = len(_WORD.findall(text))
            if chrome_here:
                chrome += 1
            if _PAGE_LINK.match(text):
                pages += 1
            if _CTA.match(text):
                cta += 1
            if el.get("href", "").startswith("tel:"):
                phones += 1
            if 4 <= n <= 20:
                parent = el.getparent()
                if parent is None or parent.tag != "p" or len(_WORD.findall("".join(parent.itertext()))) < n + 15:
                    teasers += 1
        elif tag == "p":
            n = len(_WORD.findall("".join(el.itertext())))
            if n >= 25:
                paragraph_words += n
                for depth, anc in enumerate(el.iterancestors()):
                    if depth > 12:
                        break
                    prose[anc] += n
        elif tag in ("input", "select", "textarea"):
            kind = (el.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                filters += 1
            elif kind not in ("hidden", "submit", "button"):
                inputs += 1
        elif tag == "button":
            if _CTA.match(" ".join("".join(el.itertext()).split())):
                cta += 1
        elif tag in ("h2", "h3", "h4"):
            headings += 1
        elif tag == "pre" or (tag == "code" and el.getparent() is not None and el.getparent().tag != "p"):
            code += 1
        elif tag == "video" or (tag == "iframe" and re.search(r"youtube|vimeo|dailymotion|player", el.get("src", ""))):
            videos += 1
        elif tag == "h1":
            h1s += 1
        elif tag == "time":
            times += 1
        short = " ".join(own_text.split()) if own_text else ""
        if short and len(short) <= 40:
            if _PRICE.search(short):
                prices += 1
            if _BUY.match(short):
                buy += 1
            if _FORUM_WORDS.match(short):
                forum_words += 1
            if _DOC_MARK.match(short):
                docs += 1
            if _SERVICE_MARK.match(short):
                services += 1
        cls = el.get("class") if tag in _BLOCKS else None
        if cls:
            parent = el.getparent()
            tokens = cls.split()
            first = tokens[0] if tokens else ""
            if first:
                sibling_classes[(parent, first)] += 1
            marked = forum_class.get(cls)
            if marked is None:  # pages repeat their class strings: test each once
                marked = forum_class[cls] = bool(_FORUM_MARK.search(cls))
            if marked and tag in ("div", "li", "article", "section", "tr", "table"):
                post_classes[(parent, first)] += 1
    main = max(prose.values(), default=0)
    return PageSignals(
        words=words, link_words=link_words, paragraph_words=paragraph_words,
        main_share=main / paragraph_words if paragraph_words else 0.0, teasers=teasers,
        repeated=max(sibling_classes.values(), default=0), prices=prices, buy_buttons=buy,
        forum_posts=max(post_classes.values(), default=0), forum_words=forum_words, inputs=inputs,
        videos=videos, h1s=h1s, time_elements=times, headings=headings, code_blocks=code,
        calls_to_action=cta, chrome_links=chrome, filters=filters, pagination=pages, doc_marks=docs,
        service_marks=services, phone_links=phones,
    )


@dataclass(frozen=True, slots=True)
class _Text:
    """What the extracted text looks like."""

    words: int
    prose_words: int  # words in paragraphs of 30 words or more
    paragraphs: int
    items: int
    link_share: float
    heads: int
    sentences: int  # blocks ending like a sentence
    code: int


def _text_shape(blocks: Sequence[Block]) -> _Text:
    words = prose = paragraphs = items = links = chars = heads = sentences = code = 0
    for b in blocks:
        heads += b.kind == "head"
        code += b.kind == "code"
        sentences += bool(_SENTENCE.search(b.text))
        n = len(_WORD.findall(b.text))
        words += n
        chars += len(b.text)
        links += b.link_chars
        if b.kind in ("p", "quote") and n >= 30:
            prose += n
            paragraphs += 1
        elif b.kind == "item":
            items += 1
    return _Text(words, prose, paragraphs, items, links / chars if chars else 0.0, heads, sentences, code)


def _declared(types: Iterable[str], og_type: str | None) -> set[str]:
    """The kinds the page declares itself to be."""
    t = set(types)
    kinds = {kind for kind, schema in (("liveblog", _LIVE_TYPES), ("article", _ARTICLE_TYPES),
                                        ("product", _PRODUCT_TYPES), ("forum", _FORUM_TYPES),
                                        ("listing", _LISTING_TYPES), ("video", _VIDEO_TYPES)) if t & schema}
    og = (og_type or "").lower()
    if og.startswith(("product", "og:product")) or og in ("ebay-objects:item", "zalando_sharing:product"):
        kinds.add("product")
    elif og.startswith("video"):
        kinds.add("video-og")
    elif og in ("article", "blog", "news", "newsarticle"):
        kinds.add("article-og")
    return kinds


_URL_GROUPS = {
    "url_shop": r"shop|store|cart|checkout|products?|produkte?|produits?|productos?|prodotti|collections?|catalog|"
                r"catalogue|c|dp|gp|item|itm|p|sku|buy|deals?",
    "url_listing": r"tag|tags|topic|topics|category|categories|kategorie|categoria|categorie|rubrik|section|"
                   r"sections|search|suche|buscar|recherche|archive|archives|page|news|blog|latest",
    "url_forum": r"forum|forums|threads?|t|viewtopic|questions|community|discussions?|board|boards|r|comments",
    "url_docs": r"docs?|documentation|reference|manual|api|wiki|help|support|faq|kb|learn|guide|guides|tutorial",
    "url_service": r"services?|solutions|pricing|plans|features|product|platform|about|contact|careers|"
                   r"industries|locations?|login|signup|register|account|download",
}
_HOST_GROUPS = {
    "host_forum": frozenset({"forum", "forums", "community", "discuss", "discussion", "discussions", "boards",
                             "board", "answers", "ask", "talk", "groups", "bbs"}),
    "host_docs": frozenset({"docs", "doc", "developer", "developers", "dev", "learn", "help", "support", "wiki",
                            "kb", "manual", "api", "guide", "guides"}),
    "host_shop": frozenset({"shop", "store", "buy", "order", "checkout", "products"}),
}
_URL_RES = {name: re.compile(r"/(?:" + alts + r")(?:/|$|\.)", re.I) for name, alts in _URL_GROUPS.items()}


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


def page_features(meta: PageMeta, blocks: Sequence[Block], url: str | None = None,
                  signals: PageSignals | None = None) -> dict[str, float]:
    """The numbers ``classify_page`` weighs: declarations, dates and bylines, URL shape, layout, text shape."""
    s = signals or meta.signals or PageSignals()
    text = _text_shape(blocks)
    kinds = _declared(meta.schema_types, meta.og_type)
    path = urlsplit(url).path if url else ""
    segments = [p for p in path.split("/") if p]
    slug = segments[-1] if segments else ""
    title = meta.title or ""
    f: dict[str, float] = {
        "ld_article": float("article" in kinds), "og_article": float("article-og" in kinds),
        "ld_product": float("product" in kinds), "ld_forum": float("forum" in kinds),
        "ld_listing": float("listing" in kinds), "ld_video": float("video" in kinds or "video-og" in kinds),
        "ld_service": float(bool(set(meta.schema_types) & _SERVICE_TYPES)),
        "published": float(meta.published_source in ("structured", "printed")),
        "published_guess": float(meta.published_source in ("htmldate", "url")),
        "modified": float(bool(meta.modified)),
        "authors": float(bool(meta.authors)), "url_dated": float(bool(_DATE_IN_URL.search(path))),
        "slug_dashes": min(slug.count("-"), 10) / 10, "depth": min(len(segments), 6) / 6,
        "home": float(not segments), "query": float(bool(url and urlsplit(url).query)),
        "title_question": float(title.rstrip().endswith("?")), "title_words": min(len(title.split()), 20) / 20,
        "words": _log(text.words) / 10, "prose_share": text.prose_words / text.words if text.words else 0.0,
        "paragraphs": _log(text.paragraphs) / 5, "item_share": text.items / max(len(blocks), 1),
        "text_links": text.link_share, "main_share": s.main_share, "link_share": s.link_share,
        "page_words": _log(s.words) / 10, "paragraph_words": _log(s.paragraph_words) / 10,
        "teasers": _log(s.teasers) / 5,
        "teaser_density": min(s.teasers / max(s.paragraph_words / 100, 1.0), 20) / 20,
        "repeated": _log(s.repeated) / 5, "prices": _log(s.prices) / 5, "buy": _log(s.buy_buttons) / 3,
        "forum_posts": _log(s.forum_posts) / 5, "forum_words": _log(s.forum_words) / 5,
        "inputs": _log(s.inputs) / 4, "videos": _log(s.videos) / 3, "h1s": min(s.h1s, 4) / 4,
        "times": _log(s.time_elements) / 4,
        "headings": _log(s.headings) / 4, "code": _log(s.code_blocks + text.code) / 4,
        "cta": _log(s.calls_to_action) / 3, "chrome_links": _log(s.chrome_links) / 6,
        "filters": _log(s.filters) / 4, "pagination": _log(s.pagination) / 3,
        "heads_per_prose": min(text.heads / max(text.prose_words / 100, 1.0), 10) / 10,
        "sentence_share": text.sentences / max(len(blocks), 1),
        "extracted_share": min(text.words / s.words, 1.0) if s.words else 0.0,
        "mean_paragraph": min(text.prose_words / text.paragraphs, 150) / 150 if text.paragraphs else 0.0,
        "doc_marks": _log(s.doc_marks) / 3, "service_marks": _log(s.service_marks) / 3,
        "phone_links": _log(s.phone_links) / 3,
        "no_date_no_author": float(meta.published_source not in ("structured", "printed") and not meta.authors),
    }
    host = (urlsplit(url).hostname or "") if url else ""
    label = host.split(".")[0] if host.count(".") >= 2 else ""
    for name, labels in _HOST_GROUPS.items():
        f[name] = float(label in labels)
    for name, pattern in _URL_RES.items():
        f[name] = float(bool(pattern.search(path)))
    return f


# The model was fitted on pages with their URLs (a dated path says "article"); a page re-cleaned from a
# file without one lacks that evidence, so it is called a non-article only on much stronger signs.
_NO_URL_THRESHOLD = 0.95


@cache
def _model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_WEIGHTS.read_text(encoding="utf-8"))
    return data


def _linear(weights: Mapping[str, float], features: Mapping[str, float]) -> float:
    return weights.get("_bias", 0.0) + sum(w * features.get(name, 0.0)
                                           for name, w in weights.items() if name != "_bias")


def not_article_probability(features: Mapping[str, float]) -> float:
    """The model's probability that the page is not an article (logistic regression)."""
    z = _linear(_model()["not_article"], features)
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def non_article_type(features: Mapping[str, float]) -> PageType:
    """The most likely type of a page that is not an article (a linear score per type)."""
    types: Mapping[str, Mapping[str, float]] = _model()["types"]
    best = max(types, key=lambda kind: _linear(types[kind], features))
    return best if best in PAGE_TYPES else "other"  # type: ignore[return-value]


def classify_page(meta: PageMeta, blocks: Sequence[Block], url: str | None = None,
                  signals: PageSignals | None = None) -> PageType:
    """Decide the page type from the page's metadata, its signals and the extracted blocks.

    A live blog or a video page that says so is that; otherwise a logistic regression over
    ``page_features`` (weights in ``pagetype.json``, fitted by ``bench/train_pagetype.py``) gives the
    probability that the page is not an article, and above the model's threshold (set so that about
    one article in a hundred is misjudged) a linear score per type names what it is instead.

    Args:
        meta: the page metadata (``meta.signals`` unless ``signals`` is given).
        blocks: the blocks trafilatura extracted (before text rules).
        url: the page URL (its path says "/product/", "/tag/", a date...).
        signals: the page-tree signals, when not carried by ``meta``.

    Returns:
        One of ``PAGE_TYPES``.
    """
    s = signals or meta.signals or PageSignals()
    kinds = _declared(meta.schema_types, meta.og_type)
    if "liveblog" in kinds:
        return "liveblog"
    text = _text_shape(blocks)
    if ("video" in kinds or "video-og" in kinds) and s.videos and text.prose_words < 150 and "article" not in kinds:
        return "video"
    features = page_features(meta, blocks, url, s)
    threshold = _model()["threshold"] if url else max(_model()["threshold"], _NO_URL_THRESHOLD)
    if not_article_probability(features) < threshold:
        return "article"
    return non_article_type(features)


def is_article(record: Mapping[str, Any]) -> bool:
    """Whether an article record (``Article.to_dict()``) is an article, not another kind of page.

    Records written before page types existed (no ``page_type`` key) count as articles.
    """
    return record.get("page_type") in (None, "article")


def not_article_reason(record: Mapping[str, Any]) -> str | None:
    """``"not-article: <type>"`` for a record that is not an article, else None (the drop reason)."""
    return None if is_article(record) else f"not-article: {record.get('page_type')}"
