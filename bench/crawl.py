"""Crawl throughput: the same article pages crawled with cleaning, crawled without cleaning, and cleaned
offline, in one run. Prints pages per second of each, the ratios, and where the CPU went.

Usage: python bench/crawl.py [--pages N] [--workers W] [--repeat R] [--saved DIR]

The pages come from tests/mockserver.py on 127.0.0.1: by default 2,000 generated article pages
(``/gen-feed.xml?n=N``, ~62 KB each); with ``--saved DIR`` (e.g. ../shared/aeb/html), N pages cycling
through the saved pages of DIR (``/pages-feed.xml?n=N``), which are then real news pages. "Offline"
cleans the same bodies with ``scraper.clean`` in a process pool of the same size as the crawl's.
The three measurements alternate ``--repeat`` times and the best of each is kept: this machine's
speed drifts by ±15 % between minutes, and the best run is the one least disturbed.

Seconds are the engine's own (spider open to close: interpreter start-up is not counted). CPU per page
comes from getrusage: the crawl process (including its ~1 s start-up), its cleaning workers, the
offline workers, and the test server (from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.article import RawPage  # noqa: E402
from scraper.job import Cleaned, CleanJob  # noqa: E402
from tests.mockserver import generated_article, read_page, sorted_pages  # noqa: E402

# Runs `scrapy` and reports the CPU seconds of the crawl process and of its (joined) workers at exit.
_WRAPPER = (
    "import atexit, os, resource, sys\n"
    "def _report():\n"
    "    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    os.write(2, f'CPU {me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime}\\n'.encode())\n"
    "atexit.register(_report)\n"
    "sys.argv[0] = 'scrapy'\n"
    "from scrapy.cmdline import execute\n"
    "execute()\n"
)


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by a running process (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl(feed: str, workers: int, out: Path, cleaning: bool) -> dict[str, float]:
    """Run one crawl; return engine seconds, articles written and CPU seconds (crawl process, workers)."""
    pipelines = ({"pipelines.clean.CleanPipeline": None, "pipelines.validate.DropIncompletePipeline": None,
                  "pipelines.dedupe.DedupePipeline": None} if not cleaning else {})
    settings = {
        "SCRAPER_ALLOW_LOOPBACK": "1", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "ROBOTSTXT_OBEY": "1",
        "CONCURRENT_REQUESTS": "32", "CONCURRENT_REQUESTS_PER_DOMAIN": "32", "SCRAPER_CLEAN_WORKERS": str(workers),
        "SCRAPER_OUTPUT_DIR": str(out), "LOG_LEVEL": "INFO", "CLOSESPIDER_PAGECOUNT": "0", "ITEM_PIPELINES": json.dumps(
            {**{"pipelines.archive.RawArchivePipeline": 100, "pipelines.clean.CleanPipeline": 200,
                "pipelines.validate.DropIncompletePipeline": 300, "pipelines.dedupe.DedupePipeline": 400,
                "pipelines.jsonl.JsonlWriterPipeline": 900}, **pipelines}),
    }
    cmd = [sys.executable, "-c", _WRAPPER, "crawl", "news", "-a", f"feed={feed}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    lines = proc.stderr.splitlines()
    seconds = float(next(line.split(":")[-1].strip(" ,}") for line in lines if "'elapsed_time_seconds'" in line))
    _, crawl_cpu, workers_cpu = next(line for line in lines if line.startswith("CPU ")).split()
    articles = sum(len(p.read_text().splitlines()) for p in (out / "articles").glob("news-*[0-9a-f].jsonl"))
    return {"seconds": seconds, "articles": articles, "crawl_cpu": float(crawl_cpu), "workers_cpu": float(workers_cpu)}


def offline(bodies: list[bytes], workers: int) -> dict[str, float]:
    """Clean the same page bodies in a process pool; return seconds, articles and the workers' CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pages = [RawPage(url=f"http://127.0.0.1/p/{n}", status=200, body=body) for n, body in enumerate(bodies)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(CleanJob(), pages, chunksize=16))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": seconds, "articles": sum(1 for r in results if isinstance(r, Cleaned)), "workers_cpu": cpu}


def main() -> int:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="article pages (default 2000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="cleaning processes (default: cores)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the three measurements (default 2)")
    parser.add_argument("--saved", type=Path, help="serve these saved pages (*.html[.gz]) instead of generated ones")
    args = parser.parse_args()
    server_cmd = [sys.executable, "-m", "tests.mockserver"]
    server_cmd += ["--pages", str(args.saved.resolve())] if args.saved else []
    if args.saved:
        saved = sorted_pages(args.saved)
        bodies = [read_page(saved[n % len(saved)]) for n in range(args.pages)]
    else:
        bodies = [generated_article(n) for n in range(args.pages)]
    server = subprocess.Popen(server_cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    port = int(server.stdout.readline().split()[1])
    feed = f"http://127.0.0.1:{port}/{'pages' if args.saved else 'gen'}-feed.xml?n={args.pages}"
    best: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            crawl(feed, args.workers, Path(tmp) / "warm", cleaning=False)  # the server renders and caches pages
            for round_ in range(args.repeat):
                for name in ("offline cleaning", "crawl without cleaning", "crawl with cleaning"):
                    server_before = _server_cpu(server.pid)
                    if name == "offline cleaning":
                        result = offline(bodies, args.workers)
                    else:
                        result = crawl(feed, args.workers, Path(tmp) / f"{round_}-{len(best)}",
                                       name == "crawl with cleaning")
                    result["server_cpu"] = _server_cpu(server.pid) - server_before
                    if name not in best or result["seconds"] < best[name]["seconds"]:
                        best[name] = result
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
    kind = f"saved pages from {args.saved}" if args.saved else "generated pages"
    print(f"pages: {args.pages} ({kind}, {sum(map(len, bodies)) / len(bodies) / 1024:.0f} KiB mean)  "
          f"cleaning workers: {args.workers}  cores: {os.cpu_count()}  best of {args.repeat}")
    print(f"{'':<24} {'pages/s':>8}  CPU ms/page: {'crawl proc':>10} {'cleaners':>9} {'server':>7}")
    for name, r in best.items():
        per = {k: 1000 * r.get(k, 0.0) / args.pages for k in ("crawl_cpu", "workers_cpu", "server_cpu")}
        print(f"{name:<24} {args.pages / r['seconds']:8.1f}  {'':12} {per['crawl_cpu']:10.2f} "
              f"{per['workers_cpu']:9.2f} {per['server_cpu']:7.2f}")
    pps = {name: args.pages / r["seconds"] for name, r in best.items()}
    print(f"articles written by the crawl: {best['crawl with cleaning']['articles']:.0f}; "
          f"by offline cleaning: {best['offline cleaning']['articles']:.0f}")
    print(f"crawl with cleaning / offline cleaning: {pps['crawl with cleaning'] / pps['offline cleaning']:.3f}")
    print(f"crawl with cleaning / crawl without:    {pps['crawl with cleaning'] / pps['crawl without cleaning']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
