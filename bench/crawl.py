"""Crawl throughput: the same 2,000 generated article pages crawled with cleaning, crawled without
cleaning, and cleaned offline, in one run. Prints pages per second of each and the ratios.

Usage: python bench/crawl.py [--pages N] [--workers W]

The pages come from tests/mockserver.py on 127.0.0.1 (``/gen-feed.xml?n=N``). "Offline" cleans the
same page bodies with ``scraper.clean`` in a process pool of the same size as the crawl's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.clean import clean_to_dict  # noqa: E402
from tests.mockserver import generated_article  # noqa: E402


def crawl(port: int, pages: int, workers: int, out: Path, cleaning: bool) -> tuple[float, int]:
    """Run one crawl; return (engine seconds, articles written)."""
    pipelines = ({"pipelines.clean.CleanPipeline": None, "pipelines.validate.DropIncompletePipeline": None,
                  "pipelines.dedupe.DedupePipeline": None} if not cleaning else {})
    settings = {
        "SCRAPER_ALLOW_LOOPBACK": "1", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "ROBOTSTXT_OBEY": "1",
        "CONCURRENT_REQUESTS": "32", "CONCURRENT_REQUESTS_PER_DOMAIN": "32", "SCRAPER_CLEAN_WORKERS": str(workers),
        "SCRAPER_OUTPUT_DIR": str(out), "LOG_LEVEL": "INFO", "ITEM_PIPELINES": json.dumps(
            {**{"pipelines.archive.RawArchivePipeline": 100, "pipelines.clean.CleanPipeline": 200,
                "pipelines.validate.DropIncompletePipeline": 300, "pipelines.dedupe.DedupePipeline": 400,
                "pipelines.jsonl.JsonlWriterPipeline": 900}, **pipelines}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"feed=http://127.0.0.1:{port}/gen-feed.xml?n={pages}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    # The engine's own clock (from spider open to close), so interpreter start-up is not counted.
    seconds = float(next(line.split(":")[-1].strip(" ,}") for line in proc.stderr.splitlines()
                         if "'elapsed_time_seconds'" in line))
    articles = sum(len(p.read_text().splitlines()) for p in (out / "articles").glob("news-*[0-9a-f].jsonl"))
    return seconds, articles


def offline(pages: int, workers: int) -> tuple[float, int]:
    """Clean the same page bodies in a process pool; return (seconds, articles)."""
    bodies = [generated_article(n) for n in range(pages)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(clean_to_dict, bodies, [f"http://127.0.0.1/gen/{n}" for n in range(pages)],
                                chunksize=16))
    return time.perf_counter() - start, sum(1 for kind, _ in results if kind == "article")


def main() -> int:
    """Run the three measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="generated article pages (default 2000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="cleaning processes (default: cores)")
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "tests.mockserver"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    port = int(server.stdout.readline().split()[1])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t_off, n_off = offline(args.pages, args.workers)
            t_raw, _ = crawl(port, args.pages, args.workers, Path(tmp) / "raw", cleaning=False)
            t_clean, n_clean = crawl(port, args.pages, args.workers, Path(tmp) / "clean", cleaning=True)
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
    pps = {"crawl with cleaning": args.pages / t_clean, "crawl without cleaning": args.pages / t_raw,
           "offline cleaning": args.pages / t_off}
    print(f"pages: {args.pages}  cleaning workers: {args.workers}  cores: {os.cpu_count()}")
    for name, value in pps.items():
        print(f"{name:<24} {value:8.1f} pages/s")
    print(f"articles written by the crawl: {n_clean}; by offline cleaning: {n_off}")
    print(f"crawl with cleaning / offline cleaning: {pps['crawl with cleaning'] / pps['offline cleaning']:.3f}")
    print(f"crawl with cleaning / crawl without:    {pps['crawl with cleaning'] / pps['crawl without cleaning']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
