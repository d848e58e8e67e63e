"""Pathological pages: each must end in a result or a clear error within 10 seconds.

Usage: python bench/pathological.py

Prints, for each case, the outcome (article length or error class) and the seconds ``clean()``
took, next to plain ``trafilatura.extract()`` on the same input where that finishes in time.
"""

from __future__ import annotations

import gzip
import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARA = "<p>The council met on Tuesday to discuss the budget for the coming year and agreed a plan.</p>"
LIMIT = 10.0


def cases() -> dict[str, bytes]:
    """The pathological inputs, built in memory."""
    return {
        "1M sibling <p>": ("<html><body>" + "<p>x</p>" * 1_000_000 + "</body></html>").encode(),
        "150k sibling <p> (over the limit)": ("<html><body>" + "<p>word</p>" * 150_000 + "</body></html>").encode(),
        "39k sibling <p> (just under the limit)": ("<html><body>" + "<p>w</p>" * 39_000 + "</body></html>").encode(),
        "20 KB gzip -> 10 MB": gzip.compress(b"<html><body>" + b"<div>" + b"a" * 10_000_000 + b"</div></body></html>"),
        "nesting 300 deep (past libxml2 default)": (
            "<html><body>" + "<div>" * 300 + PARA * 8 + "</div>" * 300 + "</body></html>").encode(),
        "nesting 5000 deep (past huge limit)": (
            "<html><body>" + "<div>" * 5000 + PARA + "</div>" * 5000 + "</body></html>").encode(),
        "7 MB single text node": ("<html><body><p>" + "word " * 1_400_000 + "</p></body></html>").encode(),
        "100k attributes on one tag (1.5 MB)": (
            "<html><body><p " + " ".join(f"a{i}=1" for i in range(100_000)) + ">x</p>" + PARA * 8
            + "</body></html>").encode(),
        "625 tags of 1000 attributes (over the page limit)": (
            "<html><body>" + ("<div " + " ".join(f"data-a{i}=1" for i in range(1000)) + ">" + PARA + "</div>")
            * 625 + "</body></html>").encode(),
        "200 tags of 999 attributes (just under the limits)": (
            "<html><body>" + ("<div " + " ".join(f"data-a{i}=1" for i in range(999)) + ">" + PARA + "</div>")
            * 200 + "</body></html>").encode(),
        "19k links in one list": ("<html><body><ul>" + "<li><a href='/x'>link text</a></li>" * 19_000
                                  + "</ul>" + PARA * 10 + "</body></html>").encode(),
    }


def _ours(data: bytes, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import scraper

    try:
        queue.put(f"article ({len(scraper.clean(data, 'https://example.com/a').text)} chars)")
    except scraper.ScraperError as exc:
        queue.put(f"{type(exc).__name__}: {exc}"[:90])


def _plain(data: bytes, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import trafilatura

    result = trafilatura.extract(data)
    queue.put(f"text ({len(result or '')} chars)")


def timed(fn: Callable[[bytes, mp.Queue], None], data: bytes) -> tuple[str, float]:  # type: ignore[type-arg]
    """Run fn in a child process with the time limit; return its outcome and seconds."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=fn, args=(data, queue))
    start = time.perf_counter()
    proc.start()
    proc.join(LIMIT * 3)
    seconds = time.perf_counter() - start
    if proc.is_alive():
        proc.kill()
        return f"still running after {LIMIT * 3:.0f}s (killed)", seconds
    return (queue.get() if not queue.empty() else f"crashed (exit {proc.exitcode})"), seconds


def main() -> int:
    """Print one line per case; exit 1 if any of ours took more than the limit."""
    worst = 0.0
    print(f"{'case':<42} {'ours':>7}  {'plain':>7}  outcome (ours) | outcome (plain trafilatura)")
    for name, data in cases().items():
        ours, t_ours = timed(_ours, data)
        plain, t_plain = timed(_plain, data)
        worst = max(worst, t_ours)
        print(f"{name:<42} {t_ours:6.2f}s {t_plain:6.2f}s  {ours} | {plain}")
    print(f"slowest of ours: {worst:.2f}s (limit {LIMIT:.0f}s)")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
