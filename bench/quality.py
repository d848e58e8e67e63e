"""Quality and speed of our cleaner against plain trafilatura, on AEB or WCXB, in one run.

Usage: python bench/quality.py DATASET [--repeat N] [--worst K] [--jobs N] [--json OUT] [--ids A,B]

DATASET is a folder in the AEB layout (``ground-truth.json``) or the WCXB layout (``ground-truth/``;
its article pages are scored). Both systems run in the same process on the same pages, alternating
page by page so that machine load affects both alike. Prints for each: word F1/P/R (mean per page),
AEB's shingle F1/P/R/accuracy (AEB only), the share of must-keep snippets found and of must-not-keep
snippets leaked (WCXB only), errors, pages per second; then the pages where ours scores more than
0.1 below trafilatura, and the pages where ours returns nothing while trafilatura finds 200 words.
The baseline is ``trafilatura.extract(html, url=url, include_comments=False)``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trafilatura
from datasets import WHERE, Page, PageScore, iter_pages, layout, score_page, shingle_score, words

import scraper

SYSTEMS = ("ours", "trafilatura")
BELOW = 0.1
LOST_WORDS = 200


@dataclass(slots=True)
class Result:
    """One system on one page: its text, error class (if it raised) and seconds taken."""

    text: str
    error: str | None
    seconds: float


def _ours(page: Page) -> tuple[str, str | None]:
    try:
        return scraper.clean(page.html, page.url).text, None
    except scraper.ScraperError as exc:
        return "", type(exc).__name__


def _plain(page: Page) -> tuple[str, str | None]:
    return trafilatura.extract(page.html, url=page.url, include_comments=False) or "", None


_FUNCS: dict[str, Callable[[Page], tuple[str, str | None]]] = {"ours": _ours, "trafilatura": _plain}


def _run_pages(pages: list[Page], repeat: int) -> dict[str, dict[str, Result]]:
    """Both systems on every page, ``repeat`` times, alternating; the last texts and summed time."""
    out: dict[str, dict[str, Result]] = {name: {} for name in SYSTEMS}
    for page in pages[:1]:  # warm caches (rule compilation, imports) outside the timing
        for fn in _FUNCS.values():
            fn(page)
    for _ in range(repeat):
        for page in pages:
            for name in SYSTEMS:
                start = time.perf_counter()
                text, error = _FUNCS[name](page)
                took = time.perf_counter() - start
                old = out[name].get(page.id)
                out[name][page.id] = Result(text, error, took + (old.seconds if old else 0.0))
    return out


def _worker(args: tuple[list[Page], int]) -> dict[str, dict[str, Result]]:
    return _run_pages(*args)


def run(pages: list[Page], repeat: int, jobs: int) -> dict[str, dict[str, Result]]:
    """Run both systems, on ``jobs`` processes (each alternates the two systems on its share)."""
    if jobs <= 1:
        return _run_pages(pages, repeat)
    shares = [pages[i::jobs] for i in range(jobs)]
    with mp.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_worker, [(share, repeat) for share in shares])
    return {name: {k: v for part in parts for k, v in part[name].items()} for name in SYSTEMS}


@dataclass(frozen=True, slots=True)
class Summary:
    """One system over every page."""

    f1: float
    precision: float
    recall: float
    with_found: float
    without_leaked: float
    errors: int
    pages_per_second: float


def _summary(pages: list[Page], scores: dict[str, PageScore], results: dict[str, Result], repeat: int,
             jobs: int) -> Summary:
    n = len(pages)
    mean = lambda attr: sum(getattr(scores[p.id], attr) for p in pages) / n  # noqa: E731
    found = sum(s.with_found for s in scores.values())
    found_of = sum(s.with_total for s in scores.values())
    leaked = sum(s.without_leaked for s in scores.values())
    leaked_of = sum(s.without_total for s in scores.values())
    seconds = sum(r.seconds for r in results.values())
    return Summary(
        mean("f1"), mean("precision"), mean("recall"), found / found_of if found_of else float("nan"),
        leaked / leaked_of if leaked_of else float("nan"), sum(1 for r in results.values() if r.error),
        jobs * repeat * n / seconds if seconds else 0.0,
    )


def _print_table(kind: str, pages: list[Page], summaries: dict[str, Summary],
                 results: dict[str, dict[str, Result]]) -> None:
    head = f"{'system':<24} {'wordF1':>6} {'P':>6} {'R':>6}"
    if kind == "aeb":
        head += f" {'shF1':>6} {'shP':>6} {'shR':>6} {'acc':>6}"
    else:
        head += f" {'with':>6} {'leak':>6}"
    print(head + f" {'errors':>6} {'pages/s':>8}")
    truths = {p.id: p.truth for p in pages}
    for name, label in (("ours", "ours (scraper.clean)"), ("trafilatura", "trafilatura.extract")):
        s = summaries[name]
        row = f"{label:<24} {s.f1:6.4f} {s.precision:6.4f} {s.recall:6.4f}"
        if kind == "aeb":
            sh = shingle_score(truths, {k: r.text for k, r in results[name].items()})
            row += f" {sh.f1:6.4f} {sh.precision:6.4f} {sh.recall:6.4f} {sh.accuracy:6.4f}"
        else:
            row += f" {s.with_found:6.4f} {s.without_leaked:6.4f}"
        print(row + f" {s.errors:6d} {s.pages_per_second:8.1f}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=WHERE)
    parser.add_argument("dataset", type=Path, help="AEB or WCXB folder (see below for where to get them)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the pages for timing (default 1)")
    parser.add_argument("--worst", type=int, default=10, help="list up to K pages where ours is below trafilatura")
    parser.add_argument("--jobs", type=int, default=1, help="processes (speed ratios stay comparable)")
    parser.add_argument("--json", type=Path, help="write every page's texts and scores here")
    parser.add_argument("--ids", help="comma-separated page ids to run (default: all)")
    args = parser.parse_args(argv)
    try:
        kind = layout(args.dataset)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    wanted = set(args.ids.split(",")) if args.ids else None
    pages = [p for p in iter_pages(args.dataset) if wanted is None or p.id in wanted]
    results = run(pages, args.repeat, args.jobs)
    scores = {name: {p.id: score_page(p, results[name][p.id].text) for p in pages} for name in SYSTEMS}
    summaries = {n: _summary(pages, scores[n], results[n], args.repeat, args.jobs) for n in SYSTEMS}
    print(f"{kind}: {len(pages)} pages  repeat: {args.repeat}  trafilatura {trafilatura.__version__}  "
          f"cleaner {scraper.__version__}")
    _print_table(kind, pages, summaries, results)
    ours, base = summaries["ours"], summaries["trafilatura"]
    below = sorted((scores["ours"][p.id].f1 - scores["trafilatura"][p.id].f1, p.id, p.url) for p in pages)
    below = [b for b in below if b[0] < -BELOW]
    above = sum(1 for p in pages if scores["ours"][p.id].f1 - scores["trafilatura"][p.id].f1 > BELOW)
    lost = [p for p in pages if not results["ours"][p.id].text
            and sum(words(results["trafilatura"][p.id].text).values()) >= LOST_WORDS]
    speed = ours.pages_per_second / base.pages_per_second
    print(f"ratio ours/trafilatura: word F1 {ours.f1 / base.f1:.4f}  speed {speed:.3f}")
    print(f"pages more than {BELOW} below trafilatura: {len(below)} ({len(below) / len(pages):.1%}); "
          f"more than {BELOW} above: {above}")
    print(f"pages where ours returns nothing and trafilatura finds >= {LOST_WORDS} words: {len(lost)}"
          + (f" ({', '.join(p.id for p in lost)})" if lost else ""))
    for delta, page_id, url in below[: args.worst]:
        s, t = scores["ours"][page_id], scores["trafilatura"][page_id]
        err = results["ours"][page_id].error
        print(f"  {page_id} {delta:+.3f} ours F1={s.f1:.3f} P={s.precision:.3f} R={s.recall:.3f}"
              f"  trafilatura F1={t.f1:.3f}{'  ' + err if err else ''}  {url}")
    if args.json:
        args.json.write_text(json.dumps({
            "dataset": kind, "summary": {n: asdict(s) for n, s in summaries.items()},
            "pages": {p.id: {"url": p.url, **{n: {"text": results[n][p.id].text, "error": results[n][p.id].error,
                                                 **asdict(scores[n][p.id])} for n in SYSTEMS}} for p in pages},
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
