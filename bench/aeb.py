"""Load the article-extraction benchmark and score extractions with its token-shingle metric."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its id, URL, raw HTML bytes and true article body."""

    id: str
    url: str
    html: bytes
    truth: str


@dataclass(frozen=True, slots=True)
class Score:
    """Aggregate scores over a set of pages, as the benchmark defines them."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def iter_pages(aeb_dir: Path) -> Iterator[Page]:
    """Yield every page of the benchmark in id order."""
    truth = json.loads((aeb_dir / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        html = gzip.decompress((aeb_dir / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        yield Page(page_id, entry.get("url") or "", html, entry["articleBody"] or "")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    """Return the multiset of 4-token shingles of a text (one shingle if shorter)."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def page_counts(truth: str, extracted: str) -> tuple[float, float, float]:
    """Return (tp, fp, fn) for one page, normalised so that they sum to 1."""
    true_sh, ext_sh = _shingles(truth), _shingles(extracted)
    tp = sum((true_sh & ext_sh).values())
    fp = sum((ext_sh - true_sh).values())
    fn = sum((true_sh - ext_sh).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def score(truths: Mapping[str, str], extractions: Mapping[str, str]) -> Score:
    """Score extractions against the truth with the benchmark's precision/recall/F1/accuracy."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for page_id, truth in truths.items():
        extracted = extractions.get(page_id, "")
        tp, fp, fn = page_counts(truth, extracted)
        if fp == 0 and fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
        else:
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
            recalls.append(tp / (tp + fn) if tp + fn else 0.0)
        exact += _TOKEN.findall(truth) == _TOKEN.findall(extracted)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f1, exact / len(truths) if truths else 0.0)
