"""Load the two public extraction benchmarks (AEB, WCXB) as one page type, and score extractions.

AEB (scrapinghub/article-extraction-benchmark): ``ground-truth.json`` + ``html/<id>.html.gz``;
scored with its token-shingle metric. WCXB (Murrough-Foley/web-content-extraction-benchmark):
``ground-truth/<id>.json`` + ``html/<id>.html.gz``; scored with word F1 and its must-keep /
must-not-keep snippets. Both are scored with word F1 too, so the two can be read side by side.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")

WHERE = """\
Get the data sets here (data only, not part of this repository):
  AEB:  https://github.com/scrapinghub/article-extraction-benchmark  (html/*.html.gz, ground-truth.json)
  WCXB: https://github.com/Murrough-Foley/web-content-extraction-benchmark  (dev split: html/*.html.gz,
        ground-truth/*.json; CC-BY-4.0)"""


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its id, URL, raw HTML bytes, true article text and what the set says of it."""

    id: str
    url: str
    html: bytes
    truth: str
    page_type: str = "article"
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    title: str | None = None
    author: str | None = None
    published: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


def layout(root: Path) -> str:
    """``aeb`` or ``wcxb``, from the files the folder holds.

    Raises:
        FileNotFoundError: neither layout is there (the message says where to get the data).
    """
    if (root / "ground-truth.json").is_file():
        return "aeb"
    if (root / "ground-truth").is_dir():
        return "wcxb"
    raise FileNotFoundError(f"{root}: no ground-truth.json (AEB) or ground-truth/ (WCXB) here.\n{WHERE}")


def iter_pages(root: Path, *, page_types: Sequence[str] | None = ("article",)) -> Iterator[Page]:
    """Yield the pages of either benchmark in id order (WCXB: only ``page_types``; None = all)."""
    if layout(root) == "aeb":
        yield from _aeb(root)
    else:
        yield from _wcxb(root, page_types)


def _aeb(root: Path) -> Iterator[Page]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        yield Page(page_id, entry.get("url") or "", html, entry["articleBody"] or "")


def _wcxb(root: Path, page_types: Sequence[str] | None) -> Iterator[Page]:
    for path in sorted((root / "ground-truth").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        kind = entry.get("page_type") or "article"
        if page_types is not None and kind not in page_types:
            continue
        html = gzip.decompress((root / "html" / f"{path.stem}.html.gz").read_bytes())
        yield Page(
            path.stem, entry.get("url") or "", html, entry.get("main_content") or "", kind,
            tuple(entry.get("with") or ()), tuple(entry.get("without") or ()), entry.get("title"),
            entry.get("author"), entry.get("publish_date"),
        )


def words(text: str) -> Counter[str]:
    """Lower-cased ``\\w+`` tokens as a bag of words (WCXB's tokens)."""
    return Counter(_TOKEN.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's scores: word P/R/F1 and the snippets found / leaked."""

    precision: float
    recall: float
    f1: float
    with_found: int
    with_total: int
    without_leaked: int
    without_total: int


def score_page(page: Page, extracted: str) -> PageScore:
    """Word P/R/F1 against the truth, and the snippet counts (WCXB's metric)."""
    true, got = words(page.truth), words(extracted)
    overlap = sum((true & got).values())
    if not true and not got:
        p = r = f1 = 1.0
    else:
        p = overlap / sum(got.values()) if got else 0.0
        r = overlap / sum(true.values()) if true else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
    flat = _SPACE.sub(" ", extracted.lower())
    found = sum(_SPACE.sub(" ", s.lower()).strip() in flat for s in page.with_)
    leaked = sum(_SPACE.sub(" ", s.lower()).strip() in flat for s in page.without)
    return PageScore(p, r, f1, found, len(page.with_), leaked, len(page.without))


@dataclass(frozen=True, slots=True)
class Shingles:
    """AEB's aggregate token-shingle scores."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def shingle_counts(truth: str, extracted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of 4-token shingles for one page, normalised so that they sum to 1."""
    true_sh, ext_sh = _shingles(truth), _shingles(extracted)
    tp = sum((true_sh & ext_sh).values())
    fp = sum((ext_sh - true_sh).values())
    fn = sum((true_sh - ext_sh).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def shingle_score(truths: Mapping[str, str], extractions: Mapping[str, str]) -> Shingles:
    """AEB's precision/recall/F1/accuracy over pages (see its README)."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for page_id, truth in truths.items():
        extracted = extractions.get(page_id, "")
        tp, fp, fn = shingle_counts(truth, extracted)
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
    return Shingles(p, r, f1, exact / len(truths) if truths else 0.0)
