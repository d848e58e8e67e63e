"""How two articles relate: ``duplicate`` (the same text), ``copy`` (one text is inside the other: another
site's boilerplate or headline around it, cut to its first paragraphs, paragraphs dropped or reordered) or
``rewrite`` (the same facts in other words), or not at all.

The thresholds were set on ``bench/stories.py``'s corpus (BENCHMARKS.md has the figures).
"""

from __future__ import annotations

import functools
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
# A rewrite: the facts both state weigh at least this share of the lighter side's facts, and are this many;
# or, when some of the text is shared too (a rewrite keeps words, other stories share almost none), less.
REWRITE_FACTS, REWRITE_MIN_SHARED = 0.75, 8
REWRITE_FACTS_WITH_TEXT, REWRITE_MIN_SHARED_WITH_TEXT, REWRITE_TEXT = 0.5, 4, 0.1
_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")


@dataclass(frozen=True, slots=True)
class Match:
    """A relation found between two articles, and how strong the evidence is (0 to 1)."""

    relation: Relation
    score: float


@functools.lru_cache(maxsize=1 << 18)
def fact_weight(fact: str) -> float:
    """A fact's weight: an exact date or an odd amount (313,500) says more than a year, a round number (5,000)
    or a small one (a list's numbering), which many unrelated texts share; a name counts 1."""
    if _DATE.match(fact):
        return 3.0 if len(fact) == 10 else 2.0
    if not (fact.startswith("#") or fact.endswith("%")):
        return 1.0
    try:
        value = float(fact.strip("#%"))
    except ValueError:
        return 1.0
    if fact.startswith("#") and 1900 <= value <= 2100 and value == int(value):
        return 1.0  # a year
    if value < 100:
        return 1.0 if fact.endswith("%") and value != int(value) else 0.5
    significant = len(fact.strip("#%").replace(".", "").rstrip("0"))
    return {1: 1.0, 2: 2.0}.get(significant, 3.0)


def facts_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, int]:
    """(weight of the shared facts / weight of the lighter side's facts, how many facts are shared)."""
    if not a or not b:
        return 0.0, 0
    shared = set(a).intersection(b)
    if not shared:
        return 0.0, 0
    lighter = min(_total_weight(a), _total_weight(b))
    return (sum(map(fact_weight, shared)) / lighter if lighter else 0.0), len(shared)


@functools.lru_cache(maxsize=1 << 16)
def _total_weight(facts: tuple[str, ...]) -> float:
    """The weight of an article's facts (kept: an article in the index is compared with many newcomers)."""
    return sum(map(fact_weight, facts))


def relate(a_hash: str, a: Fingerprint, b_hash: str, b: Fingerprint) -> Match | None:
    """How article A (content hash, fingerprint) relates to article B; None when they tell different stories."""
    if a_hash and a_hash == b_hash:
        return Match("duplicate", 1.0)
    contained = a.containment(b) if min(a.shingles, b.shingles) >= MIN_SHINGLES else 0.0
    if contained >= COPY_CONTAINMENT:
        return Match("copy", contained)
    score, shared = facts_overlap(a.facts, b.facts)
    if (score >= REWRITE_FACTS and shared >= REWRITE_MIN_SHARED) or (
            score >= REWRITE_FACTS_WITH_TEXT and shared >= REWRITE_MIN_SHARED_WITH_TEXT
            and contained >= REWRITE_TEXT):
        return Match("rewrite", min(1.0, score))
    return None


def looser(first: str, second: str) -> str:
    """The looser of two relations (``copy`` of a ``rewrite`` is a ``rewrite`` of the original)."""
    return first if STRENGTH.get(first, 3) >= STRENGTH.get(second, 3) else second
