"""Quality and speed on the article-extraction benchmark: our cleaner against plain trafilatura.

Usage: python bench/quality.py AEB_DIR [--repeat N] [--worst K] [--json OUT]

Both extractors run in the same process on the same pages, alternating page by page so that machine
load affects both alike. Prints precision, recall, F1 and accuracy (the benchmark's token-shingle
metric, see AEB_DIR/README.md), pages per second, and the ratios of ours to the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trafilatura
from aeb import Page, Score, iter_pages, page_counts, score

import scraper


def _ours(page: Page) -> str:
    try:
        return scraper.clean(page.html, page.url).text
    except scraper.ScraperError:
        return ""


def _plain(page: Page) -> str:
    return trafilatura.extract(page.html, url=page.url) or ""


def run(pages: list[Page], repeat: int) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Extract every page with both systems, ``repeat`` times; return texts and total seconds."""
    systems = {"ours": _ours, "trafilatura": _plain}
    texts: dict[str, dict[str, str]] = {name: {} for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    for page in pages:  # warm caches (rule compilation, imports) outside the timing
        _ours(page)
        _plain(page)
        break
    for _ in range(repeat):
        for page in pages:
            for name, fn in systems.items():
                start = time.perf_counter()
                texts[name][page.id] = fn(page)
                seconds[name] += time.perf_counter() - start
    return texts, seconds


def _row(name: str, s: Score, pps: float) -> str:
    return f"{name:<22} {s.f1:6.4f} {s.precision:6.4f} {s.recall:6.4f} {s.accuracy:6.4f} {pps:8.1f}"


def _worst(pages: list[Page], texts: dict[str, str], k: int) -> None:
    rows = []
    for page in pages:
        tp, fp, fn = page_counts(page.truth, texts[page.id])
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows.append((min(p, r), p, r, page.url))
    for _, p, r, url in sorted(rows)[:k]:
        print(f"  P={p:.3f} R={r:.3f} {url}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("aeb_dir", type=Path, help="folder with ground-truth.json and html/*.html.gz")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the pages for timing (default 1)")
    parser.add_argument("--worst", type=int, default=0, help="list the K worst pages of our cleaner")
    parser.add_argument("--json", type=Path, help="write the scores as JSON here")
    args = parser.parse_args(argv)
    pages = list(iter_pages(args.aeb_dir))
    truths = {p.id: p.truth for p in pages}
    texts, seconds = run(pages, args.repeat)
    scores = {name: score(truths, t) for name, t in texts.items()}
    pps = {name: args.repeat * len(pages) / s for name, s in seconds.items()}
    print(f"pages: {len(pages)}  repeat: {args.repeat}  trafilatura {trafilatura.__version__}  "
          f"cleaner {scraper.__version__}")
    print(f"{'system':<22} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages/s':>8}")
    print(_row("ours (scraper.clean)", scores["ours"], pps["ours"]))
    print(_row("trafilatura.extract", scores["trafilatura"], pps["trafilatura"]))
    print(f"ratio ours/trafilatura: F1 {scores['ours'].f1 / scores['trafilatura'].f1:.4f}  "
          f"speed {pps['ours'] / pps['trafilatura']:.3f}")
    if args.worst:
        print(f"worst {args.worst} pages (ours):")
        _worst(pages, texts["ours"], args.worst)
    if args.json:
        args.json.write_text(json.dumps(
            {name: {**vars_of(s), "pages_per_second": pps[name]} for name, s in scores.items()}, indent=2))
    return 0


def vars_of(s: Score) -> dict[str, float]:
    """Score fields as a dict."""
    return {"f1": s.f1, "precision": s.precision, "recall": s.recall, "accuracy": s.accuracy}


if __name__ == "__main__":
    raise SystemExit(main())
