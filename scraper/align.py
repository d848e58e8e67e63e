"""Map extracted blocks back to the page elements their text came from.

trafilatura copies text into new elements, so its output carries no trace of where each paragraph
sat in the page. The text does: every block is looked up, in page order, in the page's text with
whitespace removed, and the elements owning its first and last characters become its source.
Rules then judge a block by the evidence of its source (the classes and ids of its ancestors, the
heading that introduces it) without ever changing what trafilatura chose to extract.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from lxml import etree

from scraper.blocks import Block

_SPACE = re.compile(r"\s+")
# Blocks are looked up by their first and last characters (whitespace removed): long enough to be
# unique on a page, short enough to survive trafilatura's trimming inside a paragraph.
_KEY = 40
_SHORT_KEY = 12
_TEXTS = etree.XPath("//text()")
_LINK_TEXTS = etree.XPath("//a//text()")
_MAX_REPEATS = 4
_SEPARATOR = "\x00"  # never in parsed HTML text: libxml2 drops NUL characters


@dataclass(frozen=True, slots=True)
class Span:
    """Where a block's text lies in the page.

    Attributes:
        first, last: the elements owning the block's first and last characters.
        start, end: offsets in ``SourceMap.text`` (whitespace removed).
        link_chars: characters of the span that sit inside links in the page.
    """

    first: etree._Element
    last: etree._Element
    start: int
    end: int
    link_chars: int


class SourceMap:
    """The page's text (whitespace removed) with, for each text node, where it starts.

    The text nodes come from one XPath call and are squeezed in one regular-expression pass; the
    element owning a node is looked up only for the nodes where a block starts or ends.
    """

    def __init__(self, root: etree._Element) -> None:
        self._nodes = _TEXTS(root)
        squeezed = _SPACE.sub("", _SEPARATOR.join(self._nodes)).split(_SEPARATOR)
        self._starts = [0, *accumulate(len(p) for p in squeezed)][:-1]
        self._lengths = [len(p) for p in squeezed]
        self.text = "".join(squeezed)
        self._links = {(t.getparent(), t.is_tail) for t in _LINK_TEXTS(root)}

    def _node(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1

    def owner(self, index: int) -> etree._Element:
        """The element whose content the text node ``index`` is (for a tail, the parent's)."""
        node = self._nodes[index]
        parent = node.getparent()
        if node.is_tail:
            return parent.getparent() if parent.getparent() is not None else parent
        return parent

    def link_chars(self, start: int, end: int) -> int:
        """Characters between two offsets that sit in link text."""
        if end <= start or not self._starts:
            return 0
        total = 0
        for index in range(self._node(start), self._node(end - 1) + 1):
            node = self._nodes[index]
            if (node.getparent(), node.is_tail) in self._links:
                lo = max(start, self._starts[index])
                hi = min(end, self._starts[index] + self._lengths[index])
                total += max(hi - lo, 0)
        return total

    def _find(self, key: str, cursor: int) -> int:
        pos = self.text.find(key, cursor)
        return pos if pos >= 0 else self.text.find(key)

    def _in_link(self, offset: int) -> bool:
        node = self._nodes[self._node(offset)]
        return (node.getparent(), node.is_tail) in self._links

    def _heading_start(self, key: str, cursor: int) -> int:
        """Where a heading's text starts: its first occurrence that is not link text (a table of
        contents or a teaser repeats the headings of the page as links, usually before them)."""
        first = pos = self._find(key, cursor)
        for _ in range(_MAX_REPEATS):
            if pos < 0 or not self._in_link(pos):
                break
            pos = self.text.find(key, pos + 1)
        return pos if pos >= 0 else first

    def locate(self, block: Block, cursor: int) -> Span | None:
        """Where ``block`` lies, searching from ``cursor`` first (blocks come in page order)."""
        text = block.text.split(" | ", 1)[0] if block.kind == "table" else block.text
        squeezed = _SPACE.sub("", text)
        if not squeezed or not self.text:
            return None
        head = squeezed[:_KEY]
        start = self._heading_start(head, cursor) if block.kind == "head" else self._find(head, cursor)
        if start < 0 and len(head) > _SHORT_KEY:
            start = self._find(head[:_SHORT_KEY], cursor)
        if start < 0:
            return None
        tail = squeezed[-_KEY:]
        limit = start + len(squeezed) + 4 * _KEY
        end_at = self.text.find(tail, max(start, start + len(squeezed) - len(tail) - 2 * _KEY), limit)
        end = end_at + len(tail) if end_at >= 0 else min(start + len(squeezed), len(self.text))
        first, last = self._node(start), self._node(max(end - 1, start))
        return Span(self.owner(first), self.owner(last), start, end, self.link_chars(start, end))

    def spans(self, blocks: Sequence[Block]) -> list[Span | None]:
        """The span of every block, in order (None where the text cannot be found)."""
        out: list[Span | None] = []
        cursor = 0
        for block in blocks:
            span = self.locate(block, cursor)
            if span is not None:
                cursor = span.end
            out.append(span)
        return out
