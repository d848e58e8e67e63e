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

from lxml import etree

from scraper.blocks import Block

_SPACE = re.compile(r"\s+")
# Blocks are looked up by their first and last characters (whitespace removed): long enough to be
# unique on a page, short enough to survive trafilatura's trimming inside a paragraph.
_KEY = 40
_SHORT_KEY = 12


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
    """The page's text (whitespace removed) with, for each piece, the element that owns it."""

    def __init__(self, root: etree._Element) -> None:
        pieces: list[str] = []
        starts: list[int] = []
        owners: list[etree._Element] = []
        links: list[int] = [0]  # link characters before each piece (prefix sums)
        offset = 0
        depth = 0  # how many <a> elements are open

        def add(text: str | None, owner: etree._Element | None, in_link: bool) -> None:
            nonlocal offset
            if not text or owner is None:
                return
            squeezed = _SPACE.sub("", text)
            if squeezed:
                pieces.append(squeezed)
                starts.append(offset)
                owners.append(owner)
                offset += len(squeezed)
                links.append(links[-1] + (len(squeezed) if in_link else 0))

        for event, el in etree.iterwalk(root, events=("start", "end")):
            if not isinstance(el.tag, str):
                continue
            if event == "start":
                depth += el.tag == "a"
                add(el.text, el, depth > 0)
            else:
                depth -= el.tag == "a"
                add(el.tail, el.getparent(), depth > 0)
        self.text = "".join(pieces)
        self._starts = starts
        self._owners = owners
        self._links = links

    def _piece(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1

    def link_chars(self, start: int, end: int) -> int:
        """Link characters between two offsets (whole pieces; a piece is in a link or not)."""
        if end <= start or not self._starts:
            return 0
        first, last = self._piece(start), self._piece(end - 1)
        whole = self._links[last + 1] - self._links[first]
        # trim the parts of the end pieces that lie outside the span
        for index, cut in ((first, start - self._starts[first]),
                           (last, self._starts[last] + self._piece_len(last) - end)):
            if cut > 0 and self._links[index + 1] > self._links[index]:
                whole -= cut
        return max(whole, 0)

    def _piece_len(self, index: int) -> int:
        nxt = self._starts[index + 1] if index + 1 < len(self._starts) else len(self.text)
        return nxt - self._starts[index]

    def _find(self, key: str, cursor: int) -> int:
        pos = self.text.find(key, cursor)
        return pos if pos >= 0 else self.text.find(key)

    def locate(self, block: Block, cursor: int) -> Span | None:
        """Where ``block`` lies, searching from ``cursor`` first (blocks come in page order)."""
        text = block.text.split(" | ", 1)[0] if block.kind == "table" else block.text
        squeezed = _SPACE.sub("", text)
        if not squeezed or not self.text:
            return None
        head = squeezed[:_KEY]
        start = self._find(head, cursor)
        if start < 0 and len(head) > _SHORT_KEY:
            start = self._find(head[:_SHORT_KEY], cursor)
        if start < 0:
            return None
        tail = squeezed[-_KEY:]
        limit = start + len(squeezed) + 4 * _KEY
        end_at = self.text.find(tail, max(start, start + len(squeezed) - len(tail) - 2 * _KEY), limit)
        end = end_at + len(tail) if end_at >= 0 else min(start + len(squeezed), len(self.text))
        owners = self._owners
        return Span(owners[self._piece(start)], owners[self._piece(max(end - 1, start))], start, end,
                    self.link_chars(start, end))

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
