"""Decide what becomes of each extracted block: structural verdicts, text rules, the guard.

``decide`` maps trafilatura's blocks back to the page, puts back the article parts it dropped
(``recover.py``), lets the tree rules and shapes judge every block
(``structure.py``), runs the text rules on what is left (``textrules.py``), and guards against
over-pruning: when the rules keep less than ``guard_ratio`` of what trafilatura extracted, the
stages fall back one by one (text rules off, then structural rules off, then both) and
``warnings`` names the stage skipped. Every block ends with one verdict: kept, or the id of the
rule that removed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lxml import etree

from scraper.align import SourceMap, Span
from scraper.article import Removal
from scraper.blocks import Block, total_chars
from scraper.config import CleanOptions
from scraper.recover import recover
from scraper.rules import RuleSet
from scraper.structure import find_groups, judge
from scraper.textrules import text_verdicts

# Blocks in one of these elements share a container: the unit of "the article goes on here".
_CONTAINERS = frozenset({
    "div", "section", "article", "main", "aside", "header", "footer", "nav", "ul", "ol", "dl", "table",
    "form", "details", "blockquote", "figure", "body", "center",
})
# Fallback order: (warning, structural rules on, text rules on).
_STAGES = ((None, True, True), ("text rules skipped", True, False), ("structural rules skipped", False, True),
           ("all rules skipped", False, False))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of every extracted block.

    Attributes:
        blocks: trafilatura's blocks, with link characters and containers read from the page.
        verdicts: for each block, the id of the rule that removed it, or None when kept.
        removals: one entry per removed block or section, in the order the rules ran.
        warnings: the stages the over-pruning guard skipped, if any.
    """

    blocks: tuple[Block, ...]
    verdicts: tuple[str | None, ...]
    removals: tuple[Removal, ...]
    warnings: tuple[str, ...]

    @property
    def kept(self) -> list[Block]:
        """The blocks no rule removed, in order."""
        return [b for b, v in zip(self.blocks, self.verdicts, strict=True) if v is None]


def _box_of(el: etree._Element) -> etree._Element:
    for anc in (el, *el.iterancestors()):
        if anc.tag in _CONTAINERS:
            return anc
    return el


def _with_sources(blocks: list[Block], spans: list[Span | None]) -> list[Block]:
    """Blocks carrying the link characters their source has in the page, and their container."""
    boxes: dict[etree._Element, int] = {}  # holds the elements, so that their numbers stay unique
    out = []
    for block, span in zip(blocks, spans, strict=True):
        if span is None:
            out.append(block)
            continue
        box = boxes.setdefault(_box_of(span.first), len(boxes))
        out.append(replace(block, link_chars=min(span.link_chars, len(block.text)), box=box))
    return out


def _stage(blocks: list[Block], tree_verdicts: list[str | None], tree_removals: list[Removal], *,
           rules: RuleSet, meta: Mapping[str, str | None], tree_on: bool, text_on: bool) -> Outcome:
    verdicts: list[str | None] = list(tree_verdicts) if tree_on else [None] * len(blocks)
    removals = list(tree_removals) if tree_on else []
    if text_on:
        live = [i for i, v in enumerate(verdicts) if v is None]
        found, text_removals = text_verdicts([blocks[i] for i in live], rules, meta)
        for i, verdict in zip(live, found, strict=True):
            verdicts[i] = verdict
        removals += text_removals
    return Outcome(tuple(blocks), tuple(verdicts), tuple(removals), ())


def decide(tree: etree._Element, blocks: list[Block], rules: RuleSet, meta: Mapping[str, str | None],
           options: CleanOptions) -> Outcome:
    """Judge trafilatura's ``blocks`` of the page ``tree`` with every rule, guarded.

    Args:
        tree: the page the blocks were extracted from (unchanged by the extraction).
        blocks: trafilatura's extraction as blocks, in order.
        rules: the rules valid for the page.
        meta: the page's ``title`` and ``description``, for ``repeat_meta`` rules.
        options: ``protect_ratio`` and ``guard_ratio`` are used.

    Returns:
        The verdict on every block; at least ``guard_ratio`` of the text is kept, or no rule ran.
    """
    baseline = total_chars(blocks)
    source = SourceMap(tree)
    blocks, spans, _ = recover(tree, source, blocks, source.spans(blocks))
    blocks = _with_sources(blocks, spans)
    judgement = judge(blocks, spans, find_groups(tree, rules, spans), options.protect_ratio)
    blocks = [replace(b, inner=True) if judgement.inner(i) else b for i, b in enumerate(blocks)]
    tree_verdicts = [judgement.removed.get(i) for i in range(len(blocks))]
    tree_removals = judgement.removals
    for warning, tree_on, text_on in _STAGES:
        outcome = _stage(blocks, tree_verdicts, tree_removals, rules=rules, meta=meta, tree_on=tree_on,
                         text_on=text_on)
        if total_chars(outcome.kept) >= options.guard_ratio * baseline or not (tree_on or text_on):
            return replace(outcome, warnings=(f"over-pruning guard: {warning}",) if warning else ())
    raise AssertionError("unreachable: the last stage always passes")
