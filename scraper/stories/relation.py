"""How two articles relate: ``duplicate`` (the same text), ``copy`` (one text is inside the other: another
site's boilerplate or headline around it, cut to its first paragraphs, paragraphs dropped or reordered) or
``rewrite`` (the same facts in other words), or not at all.

The thresholds were set on ``bench/stories.py``'s corpus (BENCHMARKS.md has the figures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scraper.stories.fingerprint import Fingerprint

Relation = Literal["duplicate", "copy", "rewrite"]
# From the closest to the loosest: a story's member is related to its original by the loosest link on the way.
STRENGTH: dict[str, int] = {"original": 0, "duplicate": 1, "copy": 2, "rewrite": 3}
# A copy: at least this share of the smaller text's shingles is in the larger one.
COPY_CONTAINMENT = 0.6
# Fewer shingles than this and containment says little (a few sentences).
MIN_SHINGLES = 8
# A rewrite: the facts both state weigh at least this share of the lighter side's facts...
REWRITE_FACTS = 0.5
# ...with at least this many numbers or dates among them, and this many facts in all.
REWRITE_MIN_NUMBERS = 2
REWRITE_MIN_SHARED = 6
_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")


@dataclass(frozen=True, slots=True)
class Match:
    """A relation found between two articles, and how strong the evidence is (0 to 1)."""

    relation: Relation
    score: float


def fact_weight(fact: str) -> float:
    """A fact's weight: dates and amounts count more than names, years and small numbers less."""
    if _DATE.match(fact):
        return 3.0 if len(fact) == 10 else 2.0
    if fact.endswith("%"):
        return 2.5
    if fact.startswith("#"):
        try:
            value = float(fact[1:])
        except ValueError:
            return 1.0
        if 1900 <= value <= 2100 and value == int(value):
            return 1.0
        return 0.5 if value < 10 else 2.5
    return 1.0


def _is_number(fact: str) -> bool:
    return fact.startswith("#") or fact.endswith("%") or bool(_DATE.match(fact))


def facts_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, int, int]:
    """(weight of the shared facts / weight of the lighter side, shared facts, shared numbers and dates)."""
    if not a or not b:
        return 0.0, 0, 0
    shared = set(a) & set(b)
    if not shared:
        return 0.0, 0, 0
    lighter = min(sum(map(fact_weight, a)), sum(map(fact_weight, b)))
    score = sum(map(fact_weight, shared)) / lighter if lighter else 0.0
    return score, len(shared), sum(map(_is_number, shared))


def relate(a_hash: str, a: Fingerprint, b_hash: str, b: Fingerprint) -> Match | None:
    """How article A (content hash, fingerprint) relates to article B; None when they tell different stories."""
    if a_hash and a_hash == b_hash:
        return Match("duplicate", 1.0)
    if min(a.shingles, b.shingles) >= MIN_SHINGLES:
        contained = a.containment(b)
        if contained >= COPY_CONTAINMENT:
            return Match("copy", contained)
    score, shared, numbers = facts_overlap(a.facts, b.facts)
    if score >= REWRITE_FACTS and shared >= REWRITE_MIN_SHARED and numbers >= REWRITE_MIN_NUMBERS:
        return Match("rewrite", min(1.0, score))
    return None


def looser(first: str, second: str) -> str:
    """The looser of two relations (``copy`` of a ``rewrite`` is a ``rewrite`` of the original)."""
    return first if STRENGTH.get(first, 3) >= STRENGTH.get(second, 3) else second
