"""One job, one record: re-cleaning a crawl's WARC archive gives the crawl's articles and the crawl's errors,
record for record, for a site with faults (404, 500, too short, not HTML, a duplicate, a gzip body cut short, a
body shorter than its Content-Length, a private address, a closed port)."""

from __future__ import annotations

import csv
import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scraper.cli import main


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reclean_outputs(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    articles, errors = [], []
    for path in sorted(out.glob("*.jsonl")):
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        (errors if path.name.endswith(".errors.jsonl") else articles).extend(lines)
    return articles, errors


def _where(record: dict[str, Any]) -> tuple[str, int]:
    return record["source"]["warc_file"], record["source"]["warc_offset"]


def test_recleaning_the_crawls_warc_gives_the_same_articles_and_the_same_errors(mockserver, crawl, tmp_path) -> None:
    # One cleaning worker: pages are cleaned in the order they were archived, so the crawl and the re-clean
    # meet the two copies of the redirected article in the same order and keep the same one.
    result = crawl({"feed": mockserver.url(f"/parity-feed.xml?closed={_closed_port()}")},
                   {"SCRAPER_CLEAN_WORKERS": "1"})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    reasons = Counter((e["stage"], e["reason"]) for e in result.errors)
    assert reasons == Counter({("fetch", "http-404"): 1, ("fetch", "http-500"): 1, ("validate", "too-short"): 1,
                               ("clean", "not-html"): 1, ("dedupe", "duplicate"): 1, ("policy", "refused"): 1,
                               ("fetch", "connection-refused"): 1, ("read", "truncated"): 1,
                               ("fetch", "truncated"): 1}), result.errors
    assert len(result.articles) == 2
    duplicate = next(e for e in result.errors if e["reason"] == "duplicate")  # the article, or its redirect
    assert duplicate["source"]["final_url"] == mockserver.url("/news/aggregator-ai-promo")
    out = tmp_path / "recleaned"
    assert main(["reclean", str(result.out / "raw"), "-o", str(out), "-j", "1", "-q"]) == 1
    articles, errors = _reclean_outputs(out)
    # Equal but for ``story``: the crawl placed its articles in its story index; the re-clean has none.
    assert all(a["story"] is None for a in articles) and all(a["story"] for a in result.articles)
    crawled = [{**a, "story": None} for a in result.articles]
    assert sorted(articles, key=_where) == sorted(crawled, key=_where)
    assert sorted(errors, key=_where) == sorted(result.errors, key=_where)
    summary = json.loads((out / "_summary.json").read_text(encoding="utf-8"))
    assert summary["errors_by_reason"] == dict(sorted(Counter(e["reason"] for e in result.errors).items()))


def test_feed_exports_hold_articles_only(mockserver, crawl, tmp_path) -> None:
    exported_jsonl, exported_csv = tmp_path / "export.jsonl", tmp_path / "export.csv"
    result = crawl({"feed": mockserver.url(f"/parity-feed.xml?closed={_closed_port()}")},
                   extra=("-O", str(exported_jsonl), "-O", str(exported_csv)))
    assert result.returncode == 0, result.log[-3000:]
    lines = [json.loads(x) for x in exported_jsonl.read_text(encoding="utf-8").splitlines()]
    assert lines == result.articles, "the export holds exactly the article lines the crawl wrote"
    with exported_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["url"] for row in rows] == [a["url"] for a in result.articles]
    assert result.stat("item_scraped_count") == len(result.articles) == 2
    assert result.stat("scraper/errors") == len(result.errors) == 9


def test_a_typo_in_an_argument_stops_the_crawl_before_anything_is_fetched(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml"), "sinse": "2025-06-01"})
    assert result.returncode == 2
    assert "scrapy: crawl news: unknown argument -a sinse=...; did you mean -a since=?" in result.log
    assert "Traceback" not in result.log and "Crawled (" not in result.log
    assert not result.out.exists(), "nothing was started, so nothing was written"


@pytest.mark.parametrize(("settings", "message"), [
    ({"SCRAPER_ALLOW_LOOPBAK": "1"}, "unknown setting SCRAPER_ALLOW_LOOPBAK; did you mean SCRAPER_ALLOW_LOOPBACK?"),
    ({"SCRAPER_CLEAN_WORKERS": "two"}, "SCRAPER_CLEAN_WORKERS='two': expected a whole number"),
])
def test_a_bad_setting_stops_the_crawl_with_one_line_naming_it(mockserver, crawl, settings, message) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml")}, settings)
    assert result.returncode == 2 and f"scrapy: {message}" in result.log, result.log[-2000:]
    assert "Traceback" not in result.log and not result.out.exists()
