"""Metadata and page types against plain trafilatura, on a WCXB-layout set, in one run.

Usage: python bench/metadata.py DATASET [--jobs N] [--failures FIELD] [--limit N] [--json OUT]

For every page (all page types) it runs ``scraper.clean`` and ``trafilatura.bare_extraction(html,
url=url, with_metadata=True)``, alternating page by page, and prints, for the article pages:

- title: exact match with the true headline after Unicode NFKC, case folding and keeping only word
  characters;
- authors: F1 of the bag of name words (same normalisation) on pages with a true author, and the
  share of pages without one that get no author;
- published day: the day (or month, where the truth gives only that) of ``published`` equals the
  truth, on pages with a true date;

then precision and recall of "not an article" (our ``page_type`` other than ``article``, or no
article at all because cleaning failed) over all pages, the share of article pages called not an
article, and the types given to each true page type. ``--failures title|authors|published|page_type``
lists the pages that field gets wrong (ours, with trafilatura's answer beside it).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trafilatura
from datasets import WHERE, Page, iter_pages, layout

import scraper

_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"\w+")
FIELDS = ("title", "authors", "published", "page_type")


@dataclass(slots=True)
class Answer:
    """One system's metadata for one page (``error`` set when it produced no article)."""

    title: str | None = None
    authors: str = ""
    published: str | None = None
    page_type: str | None = None
    error: str | None = None


@dataclass(slots=True)
class Row:
    """One page: the truth and both systems' answers."""

    id: str
    url: str
    page_type: str
    title: str | None
    author: str | None
    published: str | None
    ours: Answer
    plain: Answer


def key(text: str | None) -> str:
    """NFKC, case-folded, word characters only: the comparison form of a title."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def name_words(text: str | None) -> Counter[str]:
    """The bag of name words (NFKC, case-folded ``\\w+`` tokens)."""
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text or "").casefold()))


def words_f1(truth: str | None, got: str | None) -> float:
    """F1 of two bags of name words (1.0 when both are empty)."""
    t, g = name_words(truth), name_words(got)
    if not t and not g:
        return 1.0
    overlap = sum((t & g).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(g.values()), overlap / sum(t.values())
    return 2 * p * r / (p + r)


def same_day(truth: str, got: str | None) -> bool:
    """Whether ``got`` falls on the true day (or month, when the truth gives only a month)."""
    return bool(got) and got[: len(truth)] == truth if len(truth) <= 10 else bool(got) and got[:10] == truth[:10]


def _ours(page: Page) -> Answer:
    try:
        article = scraper.clean(page.html, page.url)
    except scraper.ScraperError as exc:
        return Answer(error=type(exc).__name__)
    return Answer(article.title, " ".join(article.authors), article.published, article.page_type)


def _plain(page: Page) -> Answer:
    try:
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    except Exception as exc:  # the baseline's own failures are data here
        return Answer(error=type(exc).__name__)
    if doc is None:
        return Answer(error="None")
    return Answer(doc.title, doc.author or "", doc.date, None)


def _rows(pages: Iterable[Page]) -> list[Row]:
    rows = []
    for page in pages:
        rows.append(Row(page.id, page.url, page.page_type, page.title, page.author, page.published,
                        _ours(page), _plain(page)))
    return rows


def _worker(args: tuple[Path, list[str]]) -> list[Row]:
    root, ids = args
    wanted = set(ids)
    return _rows(p for p in iter_pages(root, page_types=None) if p.id in wanted)


def _run(root: Path, jobs: int, limit: int | None) -> list[Row]:
    ids = [p.id for p in iter_pages(root, page_types=None)][:limit]
    if jobs <= 1:
        wanted = set(ids)
        return _rows(p for p in iter_pages(root, page_types=None) if p.id in wanted)
    chunks = [ids[i::jobs] for i in range(jobs)]
    with mp.get_context("spawn").Pool(jobs) as pool:
        parts = pool.map(_worker, [(root, c) for c in chunks])
    return sorted((r for part in parts for r in part), key=lambda r: r.id)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def scores(rows: list[Row]) -> dict[str, dict[str, float]]:
    """The table's figures for each system."""
    articles = [r for r in rows if r.page_type == "article"]
    out: dict[str, dict[str, float]] = {}
    for name in ("plain", "ours"):
        ans = {r.id: getattr(r, name) for r in rows}
        out[name] = {
            "title": _mean([float(key(ans[r.id].title) == key(r.title)) for r in articles if r.title]),
            "authors_f1": _mean([words_f1(r.author, ans[r.id].authors) for r in articles if r.author]),
            "no_author_empty": _mean([float(not ans[r.id].authors) for r in articles if not r.author]),
            "published_day": _mean([float(same_day(r.published, ans[r.id].published))
                                    for r in articles if r.published]),
            "articles": float(len(articles)),
            "with_author": float(sum(1 for r in articles if r.author)),
            "with_date": float(sum(1 for r in articles if r.published)),
        }
    flagged = {r.id: r.ours.error is not None or r.ours.page_type != "article" for r in rows}
    non = [r for r in rows if r.page_type != "article"]
    called = [r for r in rows if flagged[r.id]]
    out["page_type"] = {
        "precision": _mean([float(r.page_type != "article") for r in called]),
        "recall": _mean([float(flagged[r.id]) for r in non]),
        "articles_flagged": _mean([float(flagged[r.id]) for r in articles]),
        "non_articles": float(len(non)),
        "errors": float(sum(1 for r in rows if r.ours.error)),
    }
    return out


def _print(rows: list[Row], seconds: float) -> None:
    s = scores(rows)
    o, p = s["ours"], s["plain"]
    print(f"{int(o['articles'])} article pages ({int(o['with_author'])} with a true author, "
          f"{int(o['with_date'])} with a true day), {len(rows)} pages in all, {seconds:.0f} s\n")
    print(f"| field | plain trafilatura {trafilatura.__version__} `bare_extraction` | newsclean `scraper.clean` |")
    print("|---|---|---|")
    print(f"| title = the headline as printed | {p['title']:.3f} | {o['title']:.3f} |")
    print(f"| author name words, F1 | {p['authors_f1']:.3f} | {o['authors_f1']:.3f} |")
    print(f"| no author where the truth has none | {p['no_author_empty']:.3f} | {o['no_author_empty']:.3f} |")
    print(f"| published day | {p['published_day']:.3f} | {o['published_day']:.3f} |")
    t = s["page_type"]
    print(f"\npage type, \"not an article\" (page_type other than article, or no article): precision "
          f"{t['precision']:.3f}, recall {t['recall']:.3f} of {int(t['non_articles'])} non-article pages; "
          f"article pages called not an article: {t['articles_flagged']:.3f}; cleaning errors: {int(t['errors'])}")
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        table[r.page_type][r.ours.page_type or f"error:{r.ours.error}"] += 1
    for truth in sorted(table, key=lambda k: (k != "article", k)):
        given = ", ".join(f"{k} {v}" for k, v in table[truth].most_common())
        print(f"  {truth:14s} -> {given}")


def _failures(rows: list[Row], field: str) -> None:
    print(f"\nfailures: {field}")
    for r in rows:
        if field == "page_type":
            flagged = r.ours.error is not None or r.ours.page_type != "article"
            if flagged != (r.page_type != "article"):
                print(f"{r.id}\t{r.page_type}\t-> {r.ours.page_type or r.ours.error}\t{r.url}")
            continue
        if r.page_type != "article":
            continue
        if field == "title" and r.title and key(r.ours.title) != key(r.title):
            print(f"{r.id}\t{r.url}\n  truth: {r.title}\n  ours:  {r.ours.title}\n  plain: {r.plain.title}")
        elif field == "authors" and r.author and words_f1(r.author, r.ours.authors) < 1.0:
            print(f"{r.id}\t{r.url}\n  truth: {r.author}\n  ours:  {r.ours.authors}\n  plain: {r.plain.authors}")
        elif field == "published" and r.published and not same_day(r.published, r.ours.published):
            print(f"{r.id}\t{r.url}\n  truth: {r.published}  ours: {r.ours.published}  plain: {r.plain.published}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a WCXB-layout folder (ground-truth/, html/)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1; the machine is shared)")
    parser.add_argument("--failures", choices=FIELDS, action="append", default=[], help="list this field's failures")
    parser.add_argument("--limit", type=int, help="only the first N pages (a quick look)")
    parser.add_argument("--json", type=Path, help="also write every page's answers here")
    args = parser.parse_args()
    try:
        if layout(args.dataset) != "wcxb":
            print(f"{args.dataset}: metadata truth needs the WCXB layout.\n{WHERE}", file=sys.stderr)
            return 2
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = _run(args.dataset, args.jobs, args.limit)
    _print(rows, time.perf_counter() - start)
    for field in args.failures:
        _failures(rows, field)
    if args.json:
        args.json.write_text(json.dumps({"scores": scores(rows), "pages": [asdict(r) for r in rows]},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
