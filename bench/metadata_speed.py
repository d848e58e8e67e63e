"""CPU time of page metadata (``read_page_meta``, page signals included) against plain trafilatura.

Usage: python bench/metadata_speed.py DATASET [--repeat N] [--limit N]

DATASET is an AEB- or WCXB-layout folder (WCXB: every page type). Each page is decoded and parsed
as ``scraper.clean`` does it (not timed); then ``read_page_meta`` on that tree and
``trafilatura.extract(html, url=url, include_comments=False)`` (parsing included: that is what a
user of plain trafilatura pays for a whole page) are timed with ``time.process_time``, alternating
page by page so that machine load affects both alike. A warm-up pass comes first (caches, the
models that load on first use); then ``--repeat`` passes, each printed, and the median pass:
milliseconds of CPU per page of each and their ratio.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trafilatura
from datasets import WHERE, Page, iter_pages

from scraper.config import DEFAULT_OPTIONS
from scraper.errors import ScraperError
from scraper.metadata import read_page_meta

# the module, not the function scraper/__init__.py exports under the same name
clean_module = importlib.import_module("scraper.clean")


def _text(page: Page) -> str | None:
    """The page decoded as ``clean`` decodes it (None when cleaning refuses it before metadata)."""
    try:
        decoded = clean_module._decode(page.html, None, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        clean_module._check_markup(decoded.text, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        clean_module.parse_html(decoded.text)
    except ScraperError:
        return None
    return str(decoded.text)


def _pass(pages: list[tuple[Page, str]]) -> tuple[float, float]:
    """Seconds of CPU of metadata and of plain trafilatura over all pages, alternating page by page."""
    meta = plain = 0.0
    for page, text in pages:
        tree = clean_module.parse_html(text)  # a fresh tree, as clean() has
        start = time.process_time()
        read_page_meta(tree, page.url)
        meta += time.process_time() - start
        start = time.process_time()
        trafilatura.extract(page.html, url=page.url, include_comments=False)
        plain += time.process_time() - start
    return meta, plain


def main(argv: list[str] | None = None) -> int:
    """Print ms per page of both, per pass and the median pass."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="an AEB- or WCXB-layout folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes after the warm-up (default 3)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (0: all)")
    args = parser.parse_args(argv)
    try:
        pages = list(iter_pages(args.dataset, page_types=None))
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        print(WHERE, file=sys.stderr)
        return 2
    if args.limit:
        pages = pages[: args.limit]
    usable = [(p, t) for p in pages if (t := _text(p)) is not None]
    print(f"{args.dataset}: {len(usable)} pages ({len(pages) - len(usable)} refused before metadata); "
          f"trafilatura {trafilatura.__version__}; CPU ms per page (time.process_time)")
    _pass(usable)  # warm-up
    n = len(usable) or 1
    metas, plains = [], []
    for i in range(args.repeat):
        meta, plain = _pass(usable)
        metas.append(meta * 1000 / n)
        plains.append(plain * 1000 / n)
        print(f"pass {i + 1}: read_page_meta {metas[-1]:6.2f}   trafilatura.extract {plains[-1]:6.2f}   "
              f"ratio {metas[-1] / plains[-1]:.3f}")
    meta_ms, plain_ms = statistics.median(metas), statistics.median(plains)
    print(f"median:  read_page_meta {meta_ms:6.2f}   trafilatura.extract {plain_ms:6.2f}   "
          f"ratio {meta_ms / plain_ms:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
