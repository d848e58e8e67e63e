"""The article as a list of blocks (headings, paragraphs, list items), and the text rules on them.

Both cleaning paths meet here: ``clean()`` turns trafilatura's extracted body into blocks, and
``clean_text()`` turns plain text into blocks; the same rules then cut the same boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…:;。！？\"”’»)]\s*$")
# Sentence ends inside a paragraph (a paragraph need not end with one: "... Um Amor de Verdade").
_SENTENCE_MARK = re.compile(r"[.!?。！？](?:\s|$)")


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of article text.

    Attributes:
        kind: ``head``, ``p``, ``item`` (list item), ``quote``, ``table`` or ``code``.
        text: the block's text, whitespace-normalised (tables keep one row a line).
        level: heading level (1-6) for ``head`` blocks; 7 otherwise.
        link_chars: characters of the text that sit inside links.
        group: blocks of one list or table share a group number.
        soft: the block continues the previous one after a line break (``<br>``), not a new paragraph.
        words: number of words, capped at 1000 (computed from ``text``).
        box: which container of the page the block's text sits in (blocks sharing a number share
            it); -1 when unknown (plain text input).
        inner: the block lies inside the article's run of paragraphs (between the first and the last
            prose block that no tree rule claims); rules of ``edge`` evidence leave it alone.
    """

    kind: str
    text: str
    level: int = 7
    link_chars: int = 0
    group: int = -1
    soft: bool = False
    words: int = field(default=-1, compare=False)
    box: int = field(default=-1, compare=False)
    inner: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.words < 0:
            # Counting stops early: callers only compare against small thresholds.
            object.__setattr__(self, "words", _count_words(self.text))

    @property
    def link_ratio(self) -> float:
        """Share of the text that is link text."""
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def headingish(self) -> bool:
        """Whether the block reads as a heading: marked as one, or a short line without end punctuation."""
        if self.kind == "head":
            return True
        return self.kind == "p" and self.words <= 10 and not _SENTENCE_END.search(self.text)


_WORD_CAP = 1000
# Article prose: a paragraph of this many words that reads as sentences and is mostly not links.
_PROSE_WORDS = 12
_PROSE_LINK_RATIO = 0.5


def is_prose(block: Block) -> bool:
    """Whether a block reads as article prose rather than a teaser, label or menu line."""
    return (block.kind in ("p", "quote", "item") and block.words >= _PROSE_WORDS
            and block.link_ratio < _PROSE_LINK_RATIO
            and (bool(_SENTENCE_END.search(block.text)) or len(_SENTENCE_MARK.findall(block.text)) >= 2))


def _count_words(text: str) -> int:
    """Words in ``text``, counted up to ``_WORD_CAP`` (enough for every threshold we use)."""
    count = 0
    for _ in _WORD.finditer(text):
        count += 1
        if count >= _WORD_CAP:
            break
    return count


def _norm(text: str) -> str:
    lines = (_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _pieces(el: etree._Element, skip: str = "") -> list[tuple[str, bool]]:
    """Text of an extracted element as (text, inside a link) pieces; ``lb`` becomes a newline.

    Descendants tagged ``skip`` (a list nested in a list item) are left out, their tails kept.
    """
    out: list[tuple[str, bool]] = []

    def walk(node: etree._Element, in_ref: bool) -> None:
        inside = in_ref or node.tag == "ref"
        if node.tag == "lb":
            out.append(("\n", False))
        elif node.text:
            out.append((node.text, inside))
        for child in node:
            if child.tag != skip:
                walk(child, inside)
            if child.tail:
                out.append((child.tail, inside))

    walk(el, False)
    return out


def _lines(el: etree._Element, skip: str = "") -> list[tuple[str, int]]:
    """The element's text split into lines, each with its count of link characters."""
    lines: list[tuple[str, int]] = []
    text, links = "", 0
    for piece, is_link in _pieces(el, skip):
        chunks = piece.split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                lines.append((text, links))
                text, links = "", 0
            text += chunk
            if is_link:
                links += len(_SPACE.sub(" ", chunk).strip())
    lines.append((text, links))
    out = []
    for raw, link in lines:
        line = _SPACE.sub(" ", raw).strip()
        if line:
            out.append((line, min(link, len(line))))
    return out


def _text_and_links(el: etree._Element, skip: str = "") -> tuple[str, int]:
    """Text of an extracted element (lines joined by newlines) and its link characters."""
    lines = _lines(el, skip)
    return "\n".join(t for t, _ in lines), sum(n for _, n in lines)


def _level(el: etree._Element) -> int:
    rend = el.get("rend", "")
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2


def _table_text(el: etree._Element) -> str:
    rows = []
    for row in el.iter("row"):
        cells = [_text_and_links(cell)[0].replace("\n", " ") for cell in row.iter("cell")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def blocks_from_body(body: etree._Element) -> list[Block]:
    """Flatten trafilatura's extracted body (head/p/list/quote/table/code) into blocks."""
    blocks: list[Block] = []
    group = 0

    def add(kind: str, el: etree._Element, level: int = 7, grp: int = -1) -> None:
        if kind in ("p", "quote"):
            for i, (line, links) in enumerate(_lines(el)):
                blocks.append(Block(kind, line, level, links, grp, soft=i > 0))
            return
        # a list item's own text; the items of a list nested in it follow as blocks of their own
        text, links = _text_and_links(el, "list" if kind == "item" else "")
        if text:
            blocks.append(Block(kind, text, level, min(links, len(text)), grp))

    def loose(text: str | None) -> None:
        # trafilatura leaves text between its blocks as the body's text or a block's tail.
        line = _SPACE.sub(" ", text or "").strip()
        if line:
            blocks.append(Block("p", line))

    loose(body.text)
    for el in body:
        tag = el.tag
        if tag == "head":
            add("head", el, _level(el))
        elif tag == "list":
            group += 1
            for item in el.iter("item"):
                add("item", item, grp=group)
        elif tag == "table":
            group += 1
            text = _table_text(el)
            if text:
                blocks.append(Block("table", text, group=group))
        elif tag == "quote" and len(el) and all(c.tag in ("p", "head", "list") for c in el):
            for child in el:
                add("quote", child)
        elif tag in ("code", "quote"):
            add(tag, el)
        elif tag != "graphic":
            add("p", el)
        loose(el.tail)
    return blocks


def blocks_from_text(text: str) -> list[Block]:
    """Split plain text into blocks: one per non-empty line; ``- item`` lines become list items."""
    blocks: list[Block] = []
    group = 0
    previous_item = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _norm(raw)
        if not line:
            previous_item = False
            continue
        is_item = bool(re.match(r"^[-*•·▪●]\s+\S", line))
        if is_item:
            group += 0 if previous_item else 1
            blocks.append(Block("item", re.sub(r"^[-*•·▪●]\s+", "", line), group=group))
        else:
            blocks.append(Block("p", line))
        previous_item = is_item
    return blocks


def render(blocks: Iterable[Block]) -> str:
    """Join blocks into article text: one blank line between paragraphs, ``- `` before list items.

    Lines of one paragraph (``soft`` blocks) stay on consecutive lines.
    """
    out: list[str] = []
    for block in blocks:
        text = f"- {block.text}" if block.kind == "item" else block.text
        if block.soft and out:
            out[-1] += "\n" + text
        else:
            out.append(text)
    return "\n\n".join(out)


def total_chars(blocks: Sequence[Block]) -> int:
    """Characters of text in the blocks."""
    return sum(len(b.text) for b in blocks)
