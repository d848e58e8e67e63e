"""Apply text rules to article blocks: repeated title, headings, whole-line patterns, cut markers, link runs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scraper.article import Removal
from scraper.blocks import Block, total_chars
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


def _section_end(blocks: Sequence[Block], start: int, extent: str) -> int:
    """Index after the blocks that the heading at ``start`` introduces.

    ``links``: the link-heavy teaser blocks right after it. ``section``: a marked heading (h1-h6)
    owns everything up to the next heading of its level or higher; a plain-line heading owns the
    blocks up to the next heading-like line.
    """
    level = blocks[start].level
    for j in range(start + 1, len(blocks)):
        nxt = blocks[j]
        if extent == "links":
            if nxt.link_ratio < _TEASER_LINK_RATIO:
                return j
        elif (nxt.kind == "head" and nxt.level <= level) or (level == 7 and nxt.headingish):
            return j
    return len(blocks)


def _rest_allowed(blocks: Sequence[Block], start: int) -> bool:
    """Whether enough article precedes a marker for cutting everything after it."""
    before = total_chars(blocks[:start])
    return before >= _REST_MIN_CHARS or before >= _REST_MIN_SHARE * total_chars(blocks)


def _apply_positional(blocks: list[Block], rule: Rule, removals: list[Removal]) -> list[Block]:
    """Apply a ``heading`` or ``cut_after`` rule: the first match cuts its section or the rest."""
    assert rule.regex is not None
    i = 0
    while i < len(blocks):
        block = blocks[i]
        eligible = rule.kind == "cut_after" or block.headingish
        if not (eligible and rule.regex.match(block.text)):
            i += 1
            continue
        wants_rest = rule.kind == "cut_after" or rule.extent == "rest"
        extent = "section" if rule.extent == "rest" else rule.extent
        end = len(blocks) if wants_rest and _rest_allowed(blocks, i) else _section_end(blocks, i, extent)
        removals.append(Removal(rule=rule.id, kind=rule.kind, chars=total_chars(blocks[i:end])))
        blocks = blocks[:i] + blocks[end:]
    return blocks


def _apply_drop_line(blocks: list[Block], rule: Rule, removals: list[Removal]) -> list[Block]:
    assert rule.regex is not None
    kept = []
    for block in blocks:
        if rule.regex.match(block.text):
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=len(block.text)))
        else:
            kept.append(block)
    return kept


def _apply_link_run(blocks: list[Block], rule: Rule, removals: list[Removal]) -> list[Block]:
    """Remove runs of short, nearly all-link blocks (teaser lists) of at least ``min_items``."""
    min_items = int(rule.params.get("min_items", 2))
    max_words = int(rule.params.get("max_words", 20))
    min_ratio = float(rule.params.get("min_link_ratio", 0.8))
    kinds = rule.params.get("kinds") or ("p", "item", "head", "quote")

    def teaser(b: Block) -> bool:
        return (b.kind in kinds and b.words <= max_words and b.link_ratio >= min_ratio
                and not _URL.match(b.text))

    kept: list[Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and teaser(blocks[j]):
            j += 1
        if j - i >= min_items:
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=total_chars(blocks[i:j])))
            i = j
        else:
            kept.append(blocks[i])
            i += 1
    return kept


def _apply_repeat_meta(
    blocks: list[Block], rule: Rule, meta: Mapping[str, str | None], removals: list[Removal]
) -> list[Block]:
    """Drop leading blocks that repeat the page title (or other listed metadata fields)."""
    values = [(meta.get(f) or "").strip() for f in rule.params.get("fields", ["title"])]
    wanted = [(_tokens(v), v.endswith(("…", "..."))) for v in values if v]
    limit = int(rule.params.get("max_position", 2))
    kinds = rule.params.get("kinds")
    for i, block in enumerate(blocks[:limit]):
        if kinds and block.kind not in kinds:
            continue
        if any(_same_text(_tokens(block.text), w, cut) for w, cut in wanted):
            removals.append(Removal(rule=rule.id, kind=rule.kind, chars=len(block.text)))
            return blocks[:i] + blocks[i + 1 :]
    return blocks


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


def apply_text(
    blocks: Sequence[Block], rules: RuleSet, meta: Mapping[str, str | None] | None = None
) -> tuple[list[Block], list[Removal]]:
    """Apply every text rule, in file order, to the blocks.

    Args:
        blocks: the article's blocks.
        rules: the rule set; only text kinds are used here.
        meta: page metadata (``title``, ``description``) for ``repeat_meta`` rules.

    Returns:
        The kept blocks and one Removal per removed block or section.
    """
    out = list(blocks)
    removals: list[Removal] = []
    for rule in rules.rules:
        if rule.kind in ("heading", "cut_after"):
            out = _apply_positional(out, rule, removals)
        elif rule.kind == "drop_line":
            out = _apply_drop_line(out, rule, removals)
        elif rule.kind == "link_run":
            out = _apply_link_run(out, rule, removals)
        elif rule.kind == "repeat_meta":
            out = _apply_repeat_meta(out, rule, meta or {}, removals)
    return out, removals
