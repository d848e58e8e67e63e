"""Recover article text that trafilatura dropped from the middle of the article.

trafilatura drops some parts of an article's own container: headings styled inside cards, the
panels of accordions, tabs and ``<details>`` (FAQ answers), list items and definition or table
cells that its link and list heuristics take for navigation. Inside the article's main container
(the deepest element holding most of the extracted prose) and between its first and last extracted
paragraph, such elements come back as blocks, in page order. The rules then judge them like every
other block, so a recovered teaser list or newsletter box still goes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from scraper.align import SourceMap, Span
from scraper.blocks import Block, is_prose

_SPACE = re.compile(r"\s+")
# The main container holds at least this share of the extracted prose.
_MAIN_SHARE = 0.6
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th", "dd", "dt"})
_TEXT_TAGS = frozenset({"p", "li", *_HEADINGS, *_CELLS})
# Collapsed interface: what a reader opens with a click is part of the page they read.
_COLLAPSED = re.compile(r"accordion|collaps|toggle|tab-?pane|tabpanel|panel|expand|faq|hidden", re.I)
_MIN_CHARS = 20
# A recovered list item or cell reads as text: long enough, and mostly not links.
_ITEM_MIN_CHARS = 60
# Longer items are whole cards (a product or a listing with its details), not a list's text.
_ITEM_MAX_CHARS = 800
_MAX_LINK_RATIO = 0.3
_KEY = 40
# An item holding a picture is a slide or a card: its text is a caption or a teaser.
_HAS_MEDIA = etree.XPath("boolean(.//img | .//picture | .//figure | .//video)")


@dataclass(frozen=True, slots=True)
class _Found:
    offset: int
    block: Block


def _main(blocks: Sequence[Block], spans: Sequence[Span | None]) -> tuple[etree._Element | None, int, int]:
    """The deepest element holding most of the extracted prose, and the prose's first and last offsets."""
    weight: Counter[etree._Element] = Counter()
    total = 0
    lo, hi = -1, -1
    for block, span in zip(blocks, spans, strict=True):
        if span is None or not is_prose(block):
            continue
        total += len(block.text)
        lo = span.start if lo < 0 else min(lo, span.start)
        hi = max(hi, span.end)
        for el in (span.first, *span.first.iterancestors()):
            weight[el] += len(block.text)
    heavy = [el for el, w in weight.items() if w >= _MAIN_SHARE * total]
    if not heavy:
        return None, lo, hi
    return max(heavy, key=lambda el: sum(1 for _ in el.iterancestors())), lo, hi


def _collapsed(el: etree._Element, main: etree._Element) -> bool:
    for anc in (el, *el.iterancestors()):
        if anc is main:
            return False
        if anc.tag in ("details", "summary") or anc.get("hidden") is not None or anc.get("aria-hidden") == "true":
            return True
        if _COLLAPSED.search(f"{anc.get('class', '')} {anc.get('id', '')}"):
            return True
    return False


def _link_ratio(el: etree._Element, text: str) -> float:
    links = sum(len(_SPACE.sub(" ", a.text_content()).strip()) for a in el.iter("a"))
    return links / len(text) if text else 0.0


def _wanted(el: etree._Element, text: str, main: etree._Element) -> Block | None:
    """The block to recover for ``el``, or None when it does not read as article text."""
    tag = el.tag
    if tag in _HEADINGS:
        return Block("head", text, level=int(tag[1])) if len(text.split()) >= 2 else None
    if _collapsed(el, main):
        return Block("item" if tag == "li" else "p", text)
    if (tag in ("li", *_CELLS) and _ITEM_MIN_CHARS <= len(text) <= _ITEM_MAX_CHARS
            and _link_ratio(el, text) < _MAX_LINK_RATIO and not _HAS_MEDIA(el)):
        return Block("item" if tag == "li" else "p", text)
    return None


def _covered(offset: int, spans: Sequence[Span]) -> bool:
    return any(s.start <= offset < s.end for s in spans)


def recover(tree: etree._Element, source: SourceMap, blocks: list[Block],
            spans: list[Span | None]) -> tuple[list[Block], list[Span | None], int]:
    """Blocks and spans with the dropped article parts put back in page order.

    Returns:
        The blocks, their spans, and how many blocks were recovered.
    """
    main, lo, hi = _main(blocks, spans)
    if main is None:
        return blocks, spans, 0
    taken = [s for s in spans if s is not None]
    # Texts already in the article: a page that prints a list twice (a summary box repeating the bullets, a
    # table and its mobile cards) gives one copy, not two.
    known = {_SPACE.sub(" ", b.text).strip() for b in blocks}
    found: list[_Found] = []
    claimed: set[etree._Element] = set()
    for el in main.iter(*_TEXT_TAGS):
        if any(anc in claimed for anc in el.iterancestors()):
            continue
        text = _SPACE.sub(" ", el.text_content()).strip()
        if len(text) < _MIN_CHARS or text in known:
            continue
        offset = source.text.find(_SPACE.sub("", text)[:_KEY], lo)
        if not lo < offset < hi or _covered(offset, taken):
            continue
        block = _wanted(el, text, main)
        if block is not None:
            found.append(_Found(offset, block))
            claimed.add(el)
            known.add(text)
    if not found:
        return blocks, spans, 0
    return (*_merge(blocks, spans, found, source), len(found))


def _merge(blocks: list[Block], spans: list[Span | None], found: list[_Found],
           source: SourceMap) -> tuple[list[Block], list[Span | None]]:
    """Insert the found blocks among the extracted ones by their place in the page."""
    out_blocks: list[Block] = []
    out_spans: list[Span | None] = []
    pending = sorted(found, key=lambda f: f.offset)
    for block, span in zip(blocks, spans, strict=True):
        while pending and span is not None and pending[0].offset < span.start:
            _add(pending.pop(0), source, out_blocks, out_spans)
        out_blocks.append(block)
        out_spans.append(span)
    for item in pending:
        _add(item, source, out_blocks, out_spans)
    return out_blocks, out_spans


def _add(item: _Found, source: SourceMap, blocks: list[Block], spans: list[Span | None]) -> None:
    blocks.append(item.block)
    spans.append(source.locate(item.block, item.offset))
