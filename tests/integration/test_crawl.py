"""End-to-end crawls of the mock server on 127.0.0.1: discovery, filters, output files, faults."""

from __future__ import annotations

import gzip
import json
import resource
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from scraper.crawl.history import CrawlHistory
from scraper.golden import discover
from tests.conftest import GOLDEN
from tests.fixtures.fixture_crawl import _command

ROOT = Path(__file__).resolve().parents[2]
CASES = {c.path.name.split("_", 1)[1]: c for c in discover(GOLDEN)}
COMPARED = ("title", "authors", "published", "text", "language", "removed", "content_hash", "encoding")


def _expected(slug: str) -> dict:
    return json.loads(CASES[slug].expected_path.read_text(encoding="utf-8"))


def test_feed_crawl_writes_every_article_exactly_as_the_cleaner_does(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml")})
    assert result.returncode == 0, result.log
    by_slug = {a["url"].rsplit("/", 1)[1]: a for a in result.articles}
    assert set(by_slug) == set(CASES)
    for slug, article in by_slug.items():
        expected = _expected(slug)
        assert {k: article[k] for k in COMPARED} == {k: expected[k] for k in COMPARED}, slug
        assert article["source"]["status"] == 200
        assert article["discovered"]["published"].startswith("2025-06-")
    assert result.errors == []
    assert not list(result.out.rglob("*.part")), "no half-written files may remain"


def test_each_record_points_at_its_warc_record(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/atom.xml")})
    article = next(a for a in result.articles if a["url"].endswith("/aggregator-ai-promo"))
    source = article["source"]
    with Path(source["warc_file"]).open("rb") as handle:
        handle.seek(source["warc_offset"])
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_headers.get_header("WARC-Record-ID") == source["warc_record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == article["url"]
        body = record.content_stream().read()
    assert body == (CASES["aggregator-ai-promo"].path / "page.html").read_bytes()


def test_news_sitemap_date_window_applies_before_fetching(mockserver, crawl) -> None:
    # The golden pages are dated 2025-06-12 (aggregator), -13 (blog), -14 (comment thread), then later.
    result = crawl({"sitemap": mockserver.url("/news-sitemap.xml"), "since": "2025-06-12", "until": "2025-06-14"})
    assert len(result.articles) == 3
    assert all("2025-06-12" <= a["discovered"]["published"][:10] <= "2025-06-14" for a in result.articles)
    assert result.stat("scraper/spider/skipped_by_filter") == len(CASES) - 3
    assert result.stat("downloader/response_count") <= 3 + 2  # sitemap + robots.txt + 3 articles


def test_robots_sitemap_index_and_gzip_sitemap(mockserver, crawl) -> None:
    result = crawl({"sitemap": mockserver.url("/robots.txt")})
    assert len(result.articles) == len(CASES)


def test_section_pages_autodiscovery_and_depth_limit(mockserver, crawl) -> None:
    result = crawl({"start": mockserver.url("/"), "depth": "3"})
    assert result.returncode == 0
    assert len(result.articles) == len(CASES)
    assert result.stat("request_depth_max") == 3  # the endless calendar is entered, and left at the limit
    assert "'finish_reason': 'finished'" in result.log


def test_query_keeps_only_coverage_of_the_story(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml"), "query": "Harbour Syndicate, tram"})
    slugs = {a["url"].rsplit("/", 1)[1] for a in result.articles}
    # Feed titles pre-filter: two headlines name the Harbour Syndicate; "tram" is only in an Italian
    # headline as part of "tram" (word match), so that one is kept too.
    assert slugs == {"aggregator-ai-promo", "blog-bio-reply-form", "it-leggi-anche-commenti"}


def test_max_articles_caps_the_run(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml"), "max_articles": "2"})
    assert len(result.articles) == 2


def test_faults_end_as_error_records_never_a_crash(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/fault-feed.xml")})
    assert result.returncode == 0
    assert "Traceback" not in result.log
    errors = {e["url"].replace(mockserver.url(""), ""): e for e in result.errors}
    articles = {a["url"].replace(mockserver.url(""), "") for a in result.articles}
    assert articles == {"/news/aggregator-ai-promo", "/fault/retry-after", "/fault/hostile"}
    expected = {  # url: (stage, reason, part of the message)
        "/fault/500": ("fetch", "http-500", "HTTP 500"), "/fault/404": ("fetch", "http-404", "HTTP 404"),
        "/fault/slow": ("fetch", "timeout", "DownloadTimeoutError"),
        "/fault/loop": ("fetch", "redirect-limit", "REDIRECT_MAX_TIMES"),
        "/fault/bomb": ("fetch", "too-large", "DOWNLOAD_MAXSIZE"),
        "/fault/redirect-private": ("policy", "refused", "10.255.255.1 is private"),
        "file:///etc/passwd": ("policy", "refused", "scheme 'file'"),
        "javascript:alert(1)": ("policy", "refused", "scheme 'javascript'"),
        "http://10.0.0.1/admin": ("policy", "refused", "(SCRAPER_ALLOW_PRIVATE=1 allows it)"),
        "http://169.254.169.254/latest/": ("policy", "refused", "refused by fetch policy"),
        "http://[::10.0.0.1]/admin": ("policy", "refused", "IPv4-compatible form of 10.0.0.1"),
        "http://[64:ff9b::a9fe:a9fe]/latest/": ("policy", "refused", "NAT64 form of 169.254.169.254"),
        "http://[fec0::1]/": ("policy", "refused", "address fec0::1 is private"),
        "http://[2002:a00:1::]/": ("policy", "refused", "6to4 form of 10.0.0.1"),
    }
    assert set(errors) == set(expected)
    for url, (stage, reason, message) in expected.items():
        assert (errors[url]["stage"], errors[url]["reason"]) == (stage, reason), (url, errors[url])
        assert message in errors[url]["message"], (url, errors[url])
        assert errors[url]["source"]["warc_file"], "every error is in the WARC archive too"
    assert result.stat("scraper/retry_after/waited") == 1
    # Scrapy counts articles only: error records are dropped items, never scraped ones
    assert result.stat("item_scraped_count") == 3 and result.stat("scraper/errors") == len(expected)
    assert "Scraped from" not in result.log


def test_a_page_over_the_clean_time_limit_is_an_error_and_the_crawl_goes_on(mockserver, crawl) -> None:
    # /fault/heavy is a real article that takes ~2 s to clean; the good article takes ~20 ms.
    result = crawl({"feed": mockserver.url("/heavy-feed.xml")}, {"SCRAPER_CLEAN_TIME_LIMIT": "0.8"})
    assert result.returncode == 0 and "Traceback" not in result.log
    assert [a["url"] for a in result.articles] == [mockserver.url("/news/aggregator-ai-promo")]
    assert [(e["url"], e["stage"]) for e in result.errors] == [(mockserver.url("/fault/heavy"), "clean")]
    assert (result.errors[0]["reason"], result.errors[0]["error"]) == ("time-limit", "TimeLimitError")
    assert result.stat("scraper/workers_replaced") == 1


def _warc_page_urls(out: Path) -> set[str]:
    urls = set()
    for path in (out / "raw").rglob("*.warc.gz"):
        with path.open("rb") as handle:
            urls |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)
                     if r.rec_type == "response"}
    return {u for u in urls if "/gen/" in u}


def _twenty_articles_written(out: Path) -> bool:
    part = next((out / "articles").glob("news-*[0-9a-f].jsonl.part"), None)
    return part is not None and part.read_bytes().count(b"\n") >= 20


def test_sigterm_mid_crawl_closes_the_run_and_every_fetched_page_has_its_record(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/gen-feed.xml?n=2000")}, {"CONCURRENT_REQUESTS_PER_DOMAIN": "16"},
                   terminate_when=_twenty_articles_written)
    assert result.returncode == 0 and "Traceback" not in result.log
    assert "'finish_reason': 'shutdown'" in result.log
    assert not list(result.out.rglob("*.part")), "files are renamed into place on shutdown too"
    outcomes = [a["url"] for a in result.articles] + [e["url"] for e in result.errors]
    assert 20 <= len(result.articles) < 2000
    assert len(outcomes) == len(set(outcomes))
    assert set(outcomes) == _warc_page_urls(result.out), "a page fetched before the stop is cleaned and written"


def _cmdline(pid: Path) -> bytes:
    try:
        return (pid / "cmdline").read_bytes()
    except OSError:  # ended meanwhile
        return b""


def test_a_second_sigterm_stops_at_once_leaving_part_files_and_no_process(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/gen-feed.xml?n=2000")}, {"CONCURRENT_REQUESTS_PER_DOMAIN": "16"},
                   terminate_when=_twenty_articles_written, signals=2)
    assert "forcing unclean shutdown" in result.log
    assert result.returncode == 130, "cron and systemd must be able to tell a forced stop from success"
    assert result.log.strip().splitlines()[-1].startswith("scrapy: crawl stopped by force (a second signal)")
    assert list((result.out / "articles").glob("*.jsonl.part")), "an unfinished run is never renamed into place"
    assert not list((result.out / "articles").glob("*.jsonl"))
    # The cleaning workers were forked from the crawl, so they would carry its command line (and output dir).
    left = [pid for pid in Path("/proc").glob("[0-9]*") if str(result.out).encode() in _cmdline(pid)]
    assert left == [], f"processes outlived the crawl: {left}"


def test_with_a_history_each_run_fetches_only_articles_no_earlier_run_wrote(mockserver, crawl, tmp_path) -> None:
    history = {"SCRAPER_HISTORY": str(tmp_path / "history.sqlite3")}
    first = crawl({"feed": mockserver.url("/feed.xml"), "max_articles": "2"}, history)
    first_urls = {a["url"] for a in first.articles}
    assert len(first_urls) == 2 and first.stat("scraper/history/recorded") >= 2
    for path in (first.out / "articles").glob("*.jsonl"):
        path.rename(path.with_name("first-" + path.name))  # the next run writes beside them
    second = crawl({"feed": mockserver.url("/feed.xml")}, history)
    second_urls = [a["url"] for a in second.articles]
    assert second.stat("scraper/history/skipped") == 2
    assert set(second_urls).isdisjoint(first_urls)
    assert {u.rsplit("/", 1)[1] for u in first_urls | set(second_urls)} == set(CASES)
    assert CrawlHistory(tmp_path / "history.sqlite3").written(mockserver.url("/news/aggregator-ai-promo"))


def test_with_a_history_failed_pages_are_tried_again_next_run(mockserver, crawl, tmp_path) -> None:
    history = {"SCRAPER_HISTORY": str(tmp_path / "history.sqlite3")}
    failed = {"/fault/500", "/fault/404"}
    written = []
    for _ in range(2):
        result = crawl({"feed": mockserver.url("/fault-feed.xml")}, history)
        assert failed <= {e["url"].replace(mockserver.url(""), "") for e in result.errors}
        written.append((len(result.articles), result.stat("scraper/history/skipped")))
        for path in (result.out / "articles").glob("*.jsonl"):
            path.unlink()
    assert written == [(3, 0), (0, 3)]


def test_a_run_stopped_by_force_records_nothing_in_the_history(mockserver, crawl, tmp_path) -> None:
    result = crawl({"feed": mockserver.url("/gen-feed.xml?n=2000")},
                   {"CONCURRENT_REQUESTS_PER_DOMAIN": "16", "SCRAPER_HISTORY": str(tmp_path / "history.sqlite3")},
                   terminate_when=_twenty_articles_written, signals=2)
    assert list((result.out / "articles").glob("*.jsonl.part"))
    assert len(CrawlHistory(tmp_path / "history.sqlite3")) == 0, "its articles were never put in place"


def test_robots_txt_answering_503_disallows_everything(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml", strict=True)})
    assert result.articles == []
    assert result.errors and all(e["reason"] == "robots" and "answered HTTP 503" in e["message"]
                                 for e in result.errors)
    assert result.stat("scraper/robots/unreachable") >= 1


def test_private_addresses_are_refused_without_the_setting(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_ALLOW_LOOPBACK": "0"})
    assert result.articles == []
    assert (result.errors[0]["stage"], result.errors[0]["reason"]) == ("discover", "refused")
    assert result.errors[0]["message"] == ("refused by fetch policy: address 127.0.0.1 is loopback "
                                           "(SCRAPER_ALLOW_LOOPBACK=1 allows it)")


def test_warc_keeps_failed_responses_too(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/fault-feed.xml")})
    warcs = list((result.out / "raw").rglob("*.warc.gz"))
    statuses = []
    for path in warcs:
        with gzip.open(path, "rb") as _, path.open("rb") as handle:
            statuses += [r.http_headers.get_statuscode() for r in ArchiveIterator(handle) if r.rec_type == "response"]
    assert "500" in statuses and "404" in statuses and "200" in statuses


def test_robots_crawl_delay_spaces_requests(slow_mockserver, crawl) -> None:
    result = crawl({"feed": slow_mockserver.url("/feed.xml"), "max_articles": "3"})
    assert len(result.articles) == 3
    assert result.stat("scraper/robots/crawl_delay_waits") >= 2
    times = sorted(a["source"]["fetched_at"] for a in result.articles)
    assert times[0] < times[-1]  # three fetches one second apart cannot share a second


def test_scrapy_shell_on_a_refused_url_says_which_setting_allows_it(mockserver, tmp_path) -> None:
    cmd = [sys.executable, "-m", "scrapy", "shell", mockserver.url("/news/aggregator-ai-promo"), "-c",
           "response is None", "-s", f"SCRAPER_OUTPUT_DIR={tmp_path}", "-s", "TELNETCONSOLE_ENABLED=0"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "True"
    assert "address 127.0.0.1 is loopback (SCRAPER_ALLOW_LOOPBACK=1 allows it)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_closed_port_is_reported_as_a_refused_connection_not_as_robots(mockserver, crawl) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    result = crawl({"feed": mockserver.url(f"/parity-feed.xml?closed={closed}")})
    (error,) = [e for e in result.errors if f":{closed}/" in e["url"]]
    assert (error["stage"], error["reason"], error["error"]) == ("fetch", "connection-refused", "NetworkError")
    assert "Connection refused" in error["message"] and f"robots.txt of 127.0.0.1:{closed}" in error["message"]
    assert "Traceback" not in result.log
    assert sum(f"robots.txt of 127.0.0.1:{closed} could not be fetched" in line
               for line in result.log.splitlines() if "WARNING" in line) == 1


def test_a_cut_response_is_a_truncated_error_never_a_short_article(mockserver, crawl, tmp_path) -> None:
    # /fault/truncated-gzip: gzip cut at 70 % under a correct Content-Length (Scrapy decodes what it can, quietly);
    # /fault/cut-body: fewer bytes than its Content-Length, then the connection closes.
    result = crawl({"feed": mockserver.url(f"/parity-feed.xml?closed={_free_port()}")})
    assert "Traceback" not in result.log
    errors = {e["url"].replace(mockserver.url(""), ""): e for e in result.errors}
    cut_gzip = errors["/fault/truncated-gzip"]
    assert (cut_gzip["stage"], cut_gzip["reason"]) == ("read", "truncated")
    assert "the gzip body ends before its end" in cut_gzip["message"]
    assert (errors["/fault/cut-body"]["stage"], errors["/fault/cut-body"]["reason"]) == ("fetch", "truncated")
    assert not [a for a in result.articles if "/fault/" in a["url"]]
    # the archive holds the body as received, with its Content-Encoding: a WARC reader sees the same cut stream
    source = errors["/fault/truncated-gzip"]["source"]
    with Path(source["warc_file"]).open("rb") as handle:
        handle.seek(source["warc_offset"])
        record = next(iter(ArchiveIterator(handle)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.raw_stream.read().startswith(b"\x1f\x8b")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_feeds_and_sitemaps_the_parser_refuses_are_error_records_not_silence(mockserver, crawl) -> None:
    feeds = [mockserver.url(f"/fault/{name}") for name in ("entity-feed.xml", "html-feed.xml", "cut-feed.xml")]
    sitemaps = [mockserver.url(f"/fault/{name}") for name in ("bomb-sitemap.xml.gz", "cut-sitemap.xml.gz")]
    result = crawl({"feed": ",".join(feeds), "sitemap": ",".join(sitemaps)})
    assert result.returncode == 0 and "Traceback" not in result.log
    assert result.articles == []
    errors = {e["url"].rsplit("/", 1)[1]: (e["stage"], e["reason"], e["message"]) for e in result.errors}
    assert set(errors) == {"entity-feed.xml", "html-feed.xml", "cut-feed.xml", "bomb-sitemap.xml.gz",
                           "cut-sitemap.xml.gz"}
    assert errors["entity-feed.xml"][:2] == ("discover", "bad-feed")
    assert "Maximum entity amplification factor exceeded" in errors["entity-feed.xml"][2]
    assert errors["html-feed.xml"] == ("discover", "bad-feed", "not a feed: the document is <html>")
    assert errors["cut-feed.xml"][:2] == ("discover", "truncated")
    assert errors["bomb-sitemap.xml.gz"][:2] == ("discover", "too-large")
    assert errors["cut-sitemap.xml.gz"][:2] == ("discover", "truncated")
    assert all(e["source"]["warc_file"] for e in result.errors), "archived too, for a re-clean"


def test_entries_per_source_are_capped_with_the_cut_logged(mockserver, crawl) -> None:
    result = crawl({"feed": mockserver.url("/big-feed.xml?n=5000")}, {"SCRAPER_MAX_ENTRIES_PER_SOURCE": "3"})
    assert result.returncode == 0
    assert len(result.articles) == 3
    assert result.stat("scraper/discover/entries_cut") == 1
    assert "lists more than 3 entries; only the first 3 are used (SCRAPER_MAX_ENTRIES_PER_SOURCE)" in result.log


def _full_disk_after(limit: int) -> Callable[[], None]:
    """A child whose files cannot grow past ``limit`` bytes: each write beyond fails with EFBIG, as writes on a
    full disk fail with ENOSPC (Python ignores SIGXFSZ, so the write fails instead of killing the process)."""
    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_files


def _full_disk_crawl(mockserver: Any, tmp_path: Path, stories: str, **settings: str) -> tuple[str, Path, Path]:
    out = tmp_path / "out"
    history = tmp_path / "history.sqlite3"
    cmd = _command(out, {"feed": mockserver.url("/gen-feed.xml?n=60")},
                   {"SCRAPER_HISTORY": str(history), "SCRAPER_STORIES": stories, **settings})
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
                          preexec_fn=_full_disk_after(200 << 10))
    log = proc.stderr
    assert proc.returncode == 3, log[-3000:]
    assert "Traceback" not in log
    assert log.count("ERROR: Stopping the crawl: ") == 1
    last = log.strip().splitlines()[-1]
    assert "File too large" in last or "disk I/O error" in last or "full" in last, last
    assert "the run's files keep their .part names" in last
    unwritten = int(last.split("; ")[-2 if last.count("; ") > 1 else 1].split()[0])
    assert unwritten >= 1 and f"'scraper/storage/unwritten': {unwritten}" in log
    assert "'finish_reason': 'storage-error'" in log
    finals = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".part")]
    assert finals == [], "a file that could not be completed never gets its final name"
    for part in (out / "articles").glob("*.jsonl.part"):
        assert all(json.loads(line) for line in part.read_text(encoding="utf-8").splitlines())
    assert len(CrawlHistory(history)) == 0
    return last, out, history


def test_a_full_disk_stops_the_crawl_with_a_nonzero_exit_and_no_cut_file_under_a_final_name(mockserver,
                                                                                            tmp_path) -> None:
    last, out, _ = _full_disk_crawl(mockserver, tmp_path, "off")
    assert last.startswith("scrapy: crawl stopped: cannot write WARC record to part-00000.warc.gz.part: "), last
    with next(out.rglob("*.warc.gz.part")).open("rb") as warc:  # cut back to whole records: still readable
        assert sum(r.rec_type == "response" for r in ArchiveIterator(warc)) >= 1


def test_a_story_index_on_a_full_disk_stops_the_crawl_like_any_output(mockserver, tmp_path) -> None:
    index = tmp_path / "stories.sqlite3"
    # Without the raw archive, which is written as pages arrive and could fill first: the index is written
    # before the JSONL line of each article and grows faster.
    last, _, _ = _full_disk_crawl(mockserver, tmp_path, str(index), SCRAPER_ARCHIVE_RAW="false")
    assert last.startswith("scrapy: crawl stopped: "), last
    assert "story index" in last, last  # the index grows faster than the WARC: it is the first to fail


def test_an_output_folder_that_cannot_be_written_is_one_line_before_anything_is_fetched(mockserver, crawl,
                                                                                       tmp_path) -> None:
    blocked = tmp_path / "out"
    blocked.mkdir()
    (blocked / "articles").write_text("a file where the articles folder should be\n")  # as root, chmod won't do
    result = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_OUTPUT_DIR": str(blocked)})
    assert result.returncode == 1, result.log[-2000:]
    assert "Traceback" not in result.log and "Crawled (" not in result.log
    (line,) = [x for x in result.log.splitlines() if x.startswith("scrapy: ")]
    assert line.startswith("scrapy: cannot open ") and "articles" in line


def test_a_profile_with_a_toml_syntax_error_is_one_line(mockserver, crawl, tmp_path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "example.com.toml").write_text('domain = "example.com"\n[urls\nallow = ["x"]\n', encoding="utf-8")
    result = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_PROFILES_DIR": str(profiles)})
    assert result.returncode == 2 and "Traceback" not in result.log
    assert f"scrapy: crawl news: {profiles / 'example.com.toml'}: cannot read rules file: Expected ']'" in result.log


def test_the_downloader_connects_only_to_addresses_the_policy_allows_even_past_the_middleware(mockserver,
                                                                                             crawl) -> None:
    # localhost resolves to 127.0.0.1; with the policy middleware removed, only the resolver stands in the way.
    settings = {"SCRAPER_ALLOW_LOOPBACK": "0", "ROBOTSTXT_OBEY": "0",
                "DOWNLOADER_MIDDLEWARES": json.dumps({"middlewares.policy.FetchPolicyMiddleware": None})}
    result = crawl({"feed": f"http://localhost:{mockserver.port}/feed.xml"}, settings)
    assert result.articles == [] and "Traceback" not in result.log
    (error,) = result.errors
    assert (error["stage"], error["reason"]) == ("discover", "refused"), error
    assert "address 127.0.0.1 is loopback" in error["message"]
    assert result.stat("downloader/response_count") == 0
