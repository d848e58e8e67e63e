"""``make demo``: render the demo site, serve it on 127.0.0.1, crawl it with ``scrapy crawl news``,
and print a summary (pages fetched, articles written, errors, blocks removed by rule, leaks)."""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from demo.site import load_articles, render

ROOT = Path(__file__).resolve().parent.parent
# Blocks the cleaner exists to remove: none may survive in any article text.
MISSION = ["Try Our AI Features", "Explore what", "Hashtags", "No comments yet", "Related Articles", "Leave a Reply",
           "View all posts by", "will not be published", "Sign up for our", "Read more", "READ MORE", "Reply",
           "You may also like", "Share on Facebook", "Advertisement", "3 Comments", "is a reporter who has covered"]


def _serve(site: Path) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.mockserver", "--site", str(site)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    words = proc.stdout.readline().split()
    if not words or words[0] != "PORTS":
        proc.kill()
        raise SystemExit("demo server did not start")
    return proc, int(words[1])


def _crawl(port: int, out: Path, run_id: str) -> int:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"feed=http://127.0.0.1:{port}/feed.xml",
           "-s", "SCRAPER_ALLOW_LOOPBACK=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", f"SCRAPER_OUTPUT_DIR={out}",
           "-s", f"SCRAPER_RUN_ID={run_id}", "-s", "LOG_LEVEL=WARNING"]
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode


def _summary(out: Path, run_id: str) -> int:
    stem = out / "articles" / f"news-{run_id}"
    articles = [json.loads(x) for x in Path(f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = Path(f"{stem}.errors.jsonl").read_text(encoding="utf-8").splitlines()
    fetched = 0
    for warc in (out / "raw" / f"news-{run_id}").glob("*.warc.gz"):
        with gzip.open(warc, "rb") as _, warc.open("rb") as handle:
            fetched += sum(1 for r in ArchiveIterator(handle) if r.rec_type == "response")
    removed = collections.Counter(r["rule"] for a in articles for r in a["removed"])
    leaks = [(a["url"], m) for a in articles for m in MISSION if m in a["text"]]
    paragraphs = {s["slug"]: s["paragraphs"] for s in load_articles()}
    lost = [(a["url"], p) for a in articles for p in paragraphs[a["url"].rsplit("/", 1)[1]] if p not in a["text"]]
    print(f"\npages fetched (archived): {fetched}\narticles written:        {len(articles)}  -> {stem}.jsonl")
    print(f"errors:                  {len(errors)}  -> {stem}.errors.jsonl")
    print(f"raw archive:             {out / 'raw' / f'news-{run_id}'}")
    print("blocks removed, by rule:")
    for rule, count in removed.most_common():
        print(f"  {count:4d}  {rule}")
    print(f"mission-named blocks left in any text: {len(leaks)}")
    for url, marker in leaks:
        print(f"  LEAK {marker!r} in {url}")
    print(f"story paragraphs lost: {len(lost)} of {sum(len(v) for v in paragraphs.values())}")
    for url, text in lost:
        print(f"  LOST in {url}: {text[:60]}")
    return 1 if leaks or lost or len(articles) != len(paragraphs) else 0


def main() -> int:
    """Render, serve, crawl, summarise."""
    run_id = "demo-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "output"
    site = out / "demo-site"
    slugs = render(site)
    print(f"demo site: {len(slugs)} article pages in {site}", flush=True)
    server, port = _serve(site)
    try:
        print(f"serving on http://127.0.0.1:{port}/ ; crawling its feed with scrapy crawl news ...", flush=True)
        code = _crawl(port, out, run_id)
    finally:
        server.kill()
        server.wait()
        if server.stdout:
            server.stdout.close()
    if code != 0:
        print(f"crawl failed with exit code {code}", file=sys.stderr)
        return code
    return _summary(out, run_id)


if __name__ == "__main__":
    raise SystemExit(main())
