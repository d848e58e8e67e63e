"""Re-clean throughput and memory: ``scraper reclean`` with -j 1 and with all cores, against a plain
loop of ``trafilatura.extract()`` over the same pages, in one run; peak memory for 1,000 and 10,000 pages.

Usage: python bench/reclean.py [DIR] [--pages N] [--big M] [--repeat R]

DIR is a folder of saved pages (``.html`` or ``.html.gz``, e.g. ../shared/aeb/html); without it,
realistic generated ~60 KB article pages are used (tests/mockserver.py). The corpora of N and M pages
are made of symbolic links cycling through DIR's pages. Peak memory is the largest resident set of
the run's processes (the parent and each worker), read from the kernel after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mockserver import generated_article  # noqa: E402

_CHILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=False, stderr=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

_PLAIN = """
import gzip, sys, time, pathlib, trafilatura
paths = sorted(pathlib.Path(sys.argv[1]).glob("*.htm*"))
start = time.perf_counter()
for p in paths:
    data = p.read_bytes()
    trafilatura.extract(gzip.decompress(data) if p.name.endswith(".gz") else data)
print(time.perf_counter() - start)
"""


def make_pages(folder: Path, count: int, source: Path | None) -> Path:
    """A folder of ``count`` pages: links cycling through ``source``'s pages, or generated pages."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = sorted(p.resolve() for p in source.iterdir() if p.name.endswith((".html", ".htm", ".html.gz"))) \
        if source else []
    for n in range(count):
        if saved:
            original = saved[n % len(saved)]
            suffix = ".html.gz" if original.name.endswith(".gz") else ".html"
            (folder / f"p{n:06d}{suffix}").symlink_to(original)
        else:
            (folder / f"p{n:06d}.html").write_bytes(generated_article(n))
    return folder


def reclean(pages: Path, jobs: int, out: Path) -> tuple[float, int]:
    """Run the CLI in a fresh process; return (seconds from the run's summary, which like the plain loop
    leaves out interpreter start-up, and the peak RSS in KiB over the run's processes)."""
    cmd = [sys.executable, "-c", _CHILD, sys.executable, "-m", "scraper", "reclean", str(pages), "-o", str(out),
           "-j", str(jobs)]
    _, rss = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    seconds = json.loads((out / "_summary.json").read_text())["this_run"]["seconds"]
    return float(seconds), int(rss)


def main() -> int:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", type=Path, help="folder of saved pages (default: generated pages)")
    parser.add_argument("--pages", type=int, default=1000, help="pages for the speed runs (default 1000)")
    parser.add_argument("--big", type=int, default=10000, help="pages for the large memory run (default 10000)")
    parser.add_argument("--repeat", type=int, default=2, help="speed runs per setting; the best counts (default 2)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small = make_pages(base / f"pages-{args.pages}", args.pages, args.dir)
        big = make_pages(base / f"pages-{args.big}", args.big, args.dir)
        plain = min(float(subprocess.run([sys.executable, "-c", _PLAIN, str(small)], check=True,
                                         capture_output=True, text=True, cwd=ROOT).stdout)
                    for _ in range(args.repeat))
        # Best of --repeat runs for the speed figures: this machine shares its cores with others.
        t1, m1 = min(reclean(small, 1, Path(tmp) / f"out-j1-{i}") for i in range(args.repeat))
        tn, mn = min(reclean(small, cores, Path(tmp) / f"out-jn-{i}") for i in range(args.repeat))
        tb, mb = reclean(big, cores, Path(tmp) / "out-big")
    n = args.pages
    print(f"pages: {n}  from: {args.dir or 'generated'}  cores: {cores}")
    print(f"plain trafilatura.extract loop   {n / plain:8.1f} pages/s")
    print(f"scraper reclean -j 1             {n / t1:8.1f} pages/s   peak RSS {m1 / 1024:7.1f} MiB")
    print(f"scraper reclean -j {cores}             {n / tn:8.1f} pages/s   peak RSS {mn / 1024:7.1f} MiB")
    print(f"scraper reclean -j {cores}, {args.big} pages {args.big / tb:6.1f} pages/s   peak RSS {mb / 1024:7.1f} MiB")
    print(f"speed-up -j {cores} / -j 1: {t1 / tn:.2f}   -j 1 / plain trafilatura: {plain / t1:.2f}")
    print(f"peak memory {args.big} pages / {n} pages: {mb / mn:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
