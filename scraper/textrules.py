"""Apply text rules to article blocks: repeated title, headings, whole-line patterns, cut markers, link runs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scraper.article import Removal
from scraper.blocks import Block, is_prose, total_chars
from scraper.rules import Rule, RuleSet

_TOKENS = re.compile(r"\w+")
# A "rest" cut (everything after a marker) is trusted only once this much article precedes it;
# earlier markers are inline boxes and only their own section goes.
_REST_MIN_SHARE = 0.3
_REST_MIN_CHARS = 1500
# "Headline | Site Name": a title may carry a site name of up to this many words around the headline.
_SITE_NAME_TOKENS = 6
_MIN_REPEAT_TOKENS = 4
_URL = re.compile(r"^(?:https?://|www\.)\S+$")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.casefold())


# Teaser blocks that a "links" heading owns are mostly link text.
_TEASER_LINK_RATIO = 0.5


# A heading's section (a bio, a newsletter pitch) holds at most this much prose; more is article.
_SECTION_MAX_PROSE = 1200
# Article prose right before a marker: the containers of this many prose blocks are the article's.
_ARTICLE_LOOKBACK = 6


def _article_boxes(blocks: Sequence[Block], start: int) -> set[int]:
    """The page containers of the article prose just before ``start`` (empty for plain text)."""
    boxes: set[int] = set()
    for block in reversed(blocks[:start]):
        if is_prose(block) and block.box >= 0:
            boxes.add(block.box)
            if len(boxes) >= _ARTICLE_LOOKBACK:
                break
    return boxes


def _section_end(blocks: Sequence[Block], start: int, extent: str) -> int:
    """Index after the blocks that the heading at ``start`` introduces.

    ``links``: the link-heavy teaser blocks right after it. ``section``: a marked heading (h1-h6)
    owns everything up to the next heading of its level or higher; a plain-line heading owns the
    blocks up to the next heading-like line. A section never runs into article prose: it ends
    before prose that sits in the same page container as the article before the heading, and
    before it would hold more than ``_SECTION_MAX_PROSE`` characters of prose.
    """
    level = blocks[start].level
    article = _article_boxes(blocks, start)
    prose = 0
    for j in range(start + 1, len(blocks)):
        nxt = blocks[j]
        if extent == "links":
            if nxt.link_ratio < _TEASER_LINK_RATIO:
                return j
            continue
        if (nxt.kind == "head" and nxt.level <= level) or (level == 7 and nxt.headingish):
            return j
        if is_prose(nxt):
            prose += len(nxt.text)
            if nxt.box in article or prose > _SECTION_MAX_PROSE:
                return j
    return len(blocks)


def _rest_allowed(blocks: Sequence[Block], start: int) -> bool:
    """Whether a marker ends the article: enough article precedes it, and the prose after it (if
    any) sits in other page containers than the article's (comments, related stories)."""
    before = total_chars(blocks[:start])
    if before < _REST_MIN_CHARS and before < _REST_MIN_SHARE * total_chars(blocks):
        return False
    article = _article_boxes(blocks, start)
    return not any(b.box in article and is_prose(b) for b in blocks[start + 1 :])


def _apply_positional(blocks: list[Block], rule: Rule, removals: list[Removal], maybe: list[bool]) -> set[int]:
    """Apply a ``heading`` or ``cut_after`` rule: each match cuts its section, or the rest."""
    assert rule.regex is not None
    gone: set[int] = set()
    i = 0
    while i < len(blocks):
        block = blocks[i]
        eligible = maybe[i] and (rule.kind == "cut_after" or block.headingish)
        if not (eligible and rule.regex.match(block.text)):
            i += 1
            continue
        live = [j for j in range(len(blocks)) if j not in gone]
        pos = live.index(i)
        view = [blocks[j] for j in live]
        wants_rest = rule.kind == "cut_after" or rule.extent == "rest"
        extent = "section" if rule.extent == "rest" else rule.extent
        end = len(view) if wants_rest and _rest_allowed(view, pos) else _section_end(view, pos, extent)
        cut = live[pos:end]
        removals.append(Removal(rule=rule.id, kind=rule.kind, chars=sum(len(blocks[j].text) for j in cut)))
        gone.update(cut)
        i = cut[-1] + 1
    return gone


def _apply_drop_line(blocks: list[Block], rule: Rule, removals: list[Removal], maybe: list[bool]) -> set[int]:
    assert rule.regex is not None
    gone = set()
    for i, block in enumerate(blocks):
        if maybe[i] and rule.regex.match(block.text):
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=len(block.text)))
            gone.add(i)
    return gone


def _apply_link_run(blocks: list[Block], rule: Rule, removals: list[Removal]) -> set[int]:
    """Remove runs of short, nearly all-link blocks (teaser lists) of at least ``min_items``."""
    min_items = int(rule.params.get("min_items", 2))
    max_words = int(rule.params.get("max_words", 20))
    min_ratio = float(rule.params.get("min_link_ratio", 0.8))
    kinds = rule.params.get("kinds") or ("p", "item", "head", "quote")

    def teaser(b: Block) -> bool:
        return (b.kind in kinds and b.words <= max_words and b.link_ratio >= min_ratio
                and not _URL.match(b.text))

    gone: set[int] = set()
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and teaser(blocks[j]):
            j += 1
        if j - i >= min_items:
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=total_chars(blocks[i:j])))
            gone.update(range(i, j))
            i = j
        else:
            i += 1
    return gone


def _apply_repeat_meta(
    blocks: list[Block], rule: Rule, meta: Mapping[str, str | None], removals: list[Removal]
) -> set[int]:
    """Drop a leading block that repeats the page title (or other listed metadata fields)."""
    values = [(meta.get(f) or "").strip() for f in rule.params.get("fields", ["title"])]
    wanted = [(_tokens(v), v.endswith(("…", "..."))) for v in values if v]
    limit = int(rule.params.get("max_position", 2))
    kinds = rule.params.get("kinds")
    for i, block in enumerate(blocks[:limit]):
        if kinds and block.kind not in kinds:
            continue
        if any(_same_text(_tokens(block.text), w, cut) for w, cut in wanted):
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=len(block.text)))
            return {i}
    return set()


def _same_text(found: list[str], wanted: list[str], cut_short: bool) -> bool:
    """Whether a block repeats a metadata value.

    True when token-equal; when the value is the block plus a short site-name prefix or suffix
    ("Headline - Site"); or when the block is the whole of a value cut short with an ellipsis.
    """
    if found == wanted:
        return True
    n = len(found)
    if n >= _MIN_REPEAT_TOKENS and 0 < len(wanted) - n <= _SITE_NAME_TOKENS and (
        wanted[:n] == found or wanted[-n:] == found
    ):
        return True
    return (cut_short and len(wanted) >= 8 and n <= 2 * len(wanted)
            and found[: len(wanted) - 1] == wanted[:-1])


def text_verdicts(
    blocks: Sequence[Block], rules: RuleSet, meta: Mapping[str, str | None] | None = None
) -> tuple[list[str | None], list[Removal]]:
    """Apply every text rule, in file order: for each block, the id of the rule that removed it.

    Args:
        blocks: the article's blocks.
        rules: the rule set; only text kinds are used here.
        meta: page metadata (``title``, ``description``) for ``repeat_meta`` rules.

    Returns:
        One rule id (or None, kept) per block, and one Removal per removed block or section.
    """
    verdicts: list[str | None] = [None] * len(blocks)
    live = list(range(len(blocks)))
    removals: list[Removal] = []
    lines = rules.any_match("heading", "cut_after", "drop_line")
    # one test per block for all whole-line patterns: most blocks match none of them
    may_match = [lines is not None and bool(lines.match(b.text)) for b in blocks]
    for rule in rules.rules:
        current = [blocks[i] for i in live]
        maybe = [may_match[i] for i in live]
        if rule.kind in ("heading", "cut_after"):
            gone = _apply_positional(current, rule, removals, maybe)
        elif rule.kind == "drop_line":
            gone = _apply_drop_line(current, rule, removals, maybe)
        elif rule.kind == "link_run":
            gone = _apply_link_run(current, rule, removals)
        elif rule.kind == "repeat_meta":
            gone = _apply_repeat_meta(current, rule, meta or {}, removals)
        else:
            continue
        if rule.evidence == "edge":
            gone = {pos for pos in gone if not current[pos].inner}
        for pos in gone:
            verdicts[live[pos]] = rule.id
        live = [i for pos, i in enumerate(live) if pos not in gone]
    return verdicts, removals


def apply_text(
    blocks: Sequence[Block], rules: RuleSet, meta: Mapping[str, str | None] | None = None
) -> tuple[list[Block], list[Removal]]:
    """Apply every text rule, in file order, to the blocks.

    Returns:
        The kept blocks and one Removal per removed block or section.
    """
    verdicts, removals = text_verdicts(blocks, rules, meta)
    return [b for b, v in zip(blocks, verdicts, strict=True) if v is None], removals
