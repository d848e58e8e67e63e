"""Bulk re-cleaning: every input format, exactly-once outputs, resume (also after kill -9), limits,
the crawl's job (status, validation, de-duplication), whole-folder summaries and exit codes, the Python API."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper import CleanJob, Window, clean, reclean
from scraper.article import RawPage
from scraper.cli import main
from scraper.dedupe import RedisDeduper, StoredDeduper
from scraper.errors import DuplicateError, MemoryLimitError, TimeLimitError, WorkerCrashedError
from scraper.pool import Limits, PagePool
from scraper.reclean import DONE_DIR, SUMMARY_FILE, run
from scraper.records import article_record
from scraper.storage import WarcArchive
from tests.conftest import GOLDEN, page
from tests.mockserver import generated_article

ROOT = Path(__file__).resolve().parents[1]
GOOD = page().encode()
OTHER = page("<p>The authority will publish weekly figures on reservoir levels from next month onwards, it said "
             "in a statement that also thanked residents for cutting their use of water in recent weeks.</p>",
             title="Weekly reservoir figures promised").encode()


def _outputs(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    articles, errors = [], []
    for path in sorted(out.glob("*.jsonl")):
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        (errors if path.name.endswith(".errors.jsonl") else articles).extend(lines)
    return articles, errors


def _where(record: dict[str, Any]) -> str:
    source = record["source"]
    if source["warc_file"]:
        return f"{source['warc_file']}@{source['warc_offset']}"
    return f"{source['file']}:{source['line']}" if source["line"] else source["file"]


def _inputs_seen(out: Path) -> list[str]:
    articles, errors = _outputs(out)
    return sorted(_where(r) for r in articles + errors)


def test_folder_of_html_gz_and_text_files(tmp_path: Path) -> None:
    src = tmp_path / "in" / "deep"
    src.mkdir(parents=True)
    (src / "a.html").write_bytes(GOOD)
    (src / "b.htm.gz").write_bytes(gzip.compress(OTHER))
    (src / "c.html").write_bytes(b"%PDF-1.4 not a page")
    (src / "d.txt").write_text("Headline\n" + "A sentence of article text that goes on. " * 8 + "\nLeave a Reply\n",
                               encoding="utf-8")
    (src / "ignored.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    summary = run([str(tmp_path / "in")], out, jobs=2)
    assert summary.this_run.inputs == 4 and summary.total.articles == 3
    assert dict(summary.total.errors) == {"not-html": 1}
    articles, errors = _outputs(out)
    assert {Path(a["source"]["file"]).name for a in articles} == {"a.html", "b.htm.gz", "d.txt"}
    assert errors[0]["source"]["file"].endswith("c.html") and errors[0]["reason"] == "not-html"
    assert errors[0]["stage"] == "clean" and errors[0]["error"] == "NotHTMLError"
    text_article = next(a for a in articles if a["source"]["file"].endswith("d.txt"))
    assert "Leave a Reply" not in text_article["text"]
    assert {p.name for p in out.iterdir() if p.suffix == ".jsonl"} == {p.name for p in out.glob("*.jsonl")}
    assert not list(out.rglob("*.part"))
    assert json.loads((out / SUMMARY_FILE).read_text())["articles"] == 3


def test_jsonl_and_gzipped_jsonl_with_configurable_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"body": GOOD.decode(), "link": "https://news.example.com/1"}, {"link": "https://x/2"}, "not an object"]
    raw = "\n".join(json.dumps(r) for r in rows) + "\n{broken json\n"
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(raw.encode()))
    out = tmp_path / "out"
    code = main(["reclean", str(tmp_path / "dump.jsonl.gz"), "-o", str(out), "--html-field", "body",
                 "--url-field", "link", "-j", "1"])
    assert code == 1  # partial failure
    articles, errors = _outputs(out)
    assert [a["url"] for a in articles] == ["https://news.example.com/1"]
    assert articles[0]["source"]["file"].endswith("dump.jsonl.gz") and articles[0]["source"]["line"] == 1
    assert sorted(e["source"]["line"] for e in errors) == [2, 3, 4]
    assert {(e["stage"], e["reason"]) for e in errors} == {("read", "unreadable")}


def _cc_warc(path: Path) -> None:
    """A WARC shaped like Common Crawl's: warcinfo, then request/response/metadata per capture, gzip
    content-encoding and chunked transfer left in the headers; a page, an image, a redirect, a 404 and a
    revisit record."""
    captures = [("200 OK", "text/html; charset=UTF-8", GOOD), ("200 OK", "image/png", b"\x89PNG...."),
                ("301 Moved Permanently", "text/html", b"<a href='/cc/0'>moved</a>"),
                ("404 Not Found", "text/html", b"<html><body><h1>Not found</h1></body></html>")]
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("cc.warc.gz", {"software": "cc-like"}))
        for i, (status, ctype, body) in enumerate(captures):
            url = f"https://news.example.com/cc/{i}"
            req = StatusAndHeaders("GET /cc HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                          http_headers=req))
            http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body))),
                                             ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                          http_headers=http))
            fields = b"fetchTimeMs: 12\n"
            meta = writer.create_warc_record(url, "metadata", payload=io.BytesIO(fields), length=len(fields),
                                             warc_content_type="application/warc-fields")
            writer.write_record(meta)
        revisit = writer.create_revisit_record("https://news.example.com/cc/0", digest="sha1:AAAA",
                                               refers_to_uri="https://news.example.com/cc/0",
                                               refers_to_date="2025-06-01T00:00:00Z")
        writer.write_record(revisit)


def test_common_crawl_shaped_warc_every_response_ends_in_one_record(tmp_path: Path) -> None:
    _cc_warc(tmp_path / "cc.warc.gz")
    out = tmp_path / "out"
    summary = run([str(tmp_path / "cc.warc.gz")], out, jobs=1)
    # request, metadata, warcinfo and revisit records are not pages; every response is an input
    assert summary.total.inputs == 4 and summary.total.articles == 1
    (article,), errors = _outputs(out)
    assert article["url"] == "https://news.example.com/cc/0"
    assert article["source"]["status"] == 200 and article["source"]["warc_offset"] > 0
    assert article["source"]["fetched_at"] and article["source"]["warc_record_id"].startswith("<urn:uuid:")
    by_url = {e["url"].rsplit("/", 1)[1]: (e["stage"], e["reason"], e["error"]) for e in errors}
    assert by_url == {"1": ("clean", "not-html", "NotHTMLError"), "2": ("fetch", "http-301", "HttpStatusError"),
                      "3": ("fetch", "http-404", "HttpStatusError")}
    assert summary.exit_code == 1


def test_our_own_crawl_warc_gives_the_records_the_crawl_wrote(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "raw")
    pages = []
    for case in sorted((GOLDEN).glob("*/*/page.html")):
        meta = json.loads((case.parent / "meta.json").read_text(encoding="utf-8"))
        raw = RawPage(url=meta["url"], final_url=meta["url"], status=200, fetched_at="2025-06-20T10:00:00+00:00",
                      body=case.read_bytes(), encoding=meta.get("encoding"),
                      headers=(("Content-Type", f"text/html; charset={meta.get('encoding') or 'utf-8'}"),))
        archive.write(raw)
        pages.append(raw)
    archive.close()
    out = tmp_path / "out"
    run([str(tmp_path / "raw")], out, jobs=2)
    articles, errors = _outputs(out)
    assert not errors
    by_url = {a["url"]: a for a in articles}
    for raw in pages:  # what the crawl's CleanPipeline computes for the same response
        crawled = {k: v for k, v in article_record(raw, CleanJob().run(raw)).to_dict().items()
                   if k not in ("source", "site", "discovered")}
        recleaned = {k: v for k, v in by_url[raw.url].items() if k not in ("source", "site", "discovered")}
        assert recleaned == crawled, raw.url
        source = by_url[raw.url]["source"]
        assert (source["url"], source["status"], source["fetched_at"]) == (raw.url, 200, raw.fetched_at)
        assert source["warc_file"] == str(archive.files[0]) and source["file"] is None


def test_rerun_skips_finished_shards(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"p{i}.html").write_bytes(GOOD)
    out = tmp_path / "out"
    first = run([str(tmp_path / "in")], out, jobs=1, files_per_shard=1)
    second = run([str(tmp_path / "in")], out, jobs=1, files_per_shard=1)
    assert (first.shards_done, first.shards_skipped) == (3, 0)
    assert (second.shards_done, second.shards_skipped, second.this_run.inputs) == (0, 3, 0)
    assert len(_inputs_seen(out)) == 3


def test_a_rerun_reports_and_exits_on_the_whole_output_folder(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.html").write_bytes(GOOD)
    (tmp_path / "in" / "bad.html").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    args = ["reclean", str(tmp_path / "in"), "-o", str(out), "-j", "1", "--files-per-shard", "1"]
    assert main(args) == 1
    first = json.loads((out / SUMMARY_FILE).read_text())
    capsys.readouterr()
    assert main(args) == 1, "nothing new was done, but the output folder still holds an error"
    second = json.loads((out / SUMMARY_FILE).read_text())
    err = capsys.readouterr().err
    assert {k: second[k] for k in ("shards", "inputs", "articles", "errors", "errors_by_reason")} == {
        "shards": 2, "inputs": 2, "articles": 1, "errors": 1, "errors_by_reason": {"not-html": 1}}
    assert {k: first[k] for k in ("shards", "inputs", "articles", "errors")} == {
        k: second[k] for k in ("shards", "inputs", "articles", "errors")}
    assert second["this_run"]["inputs"] == 0 and second["this_run"]["shards_skipped"] == 2
    assert "this run: 0 shards, 0 inputs" in err and "2 shards already finished, skipped" in err
    assert "holds 2 finished shards, 2 inputs: 1 articles, 1 errors (not-html: 1)" in err


def test_validation_and_deduplication_are_the_crawls(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_bytes(GOOD)
    (src / "b.html").write_bytes(GOOD)  # the same text: a duplicate
    (src / "c.html").write_bytes(page(title="").replace("<title></title>", "").replace("<h1></h1>", "").encode())
    short = "<html><head><title>Short</title></head><body><h1>Short</h1><p>Only a dozen words are in this " \
            "small page, and nothing else.</p></body></html>"
    (src / "d.html").write_text(short, encoding="utf-8")
    run([str(src)], tmp_path / "out", jobs=1)
    articles, errors = _outputs(tmp_path / "out")
    assert [Path(a["source"]["file"]).name for a in articles] == ["a.html"]
    assert {Path(e["source"]["file"]).name: (e["stage"], e["reason"]) for e in errors} == {
        "b.html": ("dedupe", "duplicate"), "c.html": ("validate", "no-title"), "d.html": ("validate", "too-short")}
    duplicate = next(e for e in errors if e["reason"] == "duplicate")
    assert duplicate["message"] == f"the same text as {src / 'a.html'}"
    # the same job with other validation settings: no minimum, and a window the page falls outside of
    run([str(src)], tmp_path / "out2", jobs=1, job=CleanJob(min_words=0, keep_non_articles=True))
    assert len(_outputs(tmp_path / "out2")[0]) == 2
    dated = page(head="<meta property='article:published_time' content='2025-06-12T10:00:00+00:00'>")
    (src / "a.html").write_text(dated, encoding="utf-8")
    run([str(src / "a.html")], tmp_path / "out3", jobs=1, job=CleanJob(window=Window(since=dt.date(2025, 6, 13))))
    (error,) = _outputs(tmp_path / "out3")[1]
    assert (error["stage"], error["reason"], error["error"]) == ("validate", "outside-window", "OutsideWindowError")


PRODUCT = ("<html><head><title>Acme kettle 1.7 l</title><script type='application/ld+json'>{\"@type\":\"Product\","
           "\"name\":\"Acme kettle\",\"offers\":{\"@type\":\"Offer\",\"price\":\"39.99\"}}</script></head><body>"
           "<h1>Acme kettle 1.7 l</h1><p>Price 39.99 EUR. Add to cart.</p><p>This kettle boils 1.7 litres of water in "
           "under four minutes and switches itself off when the water boils, with a blue light that shows it is on, "
           "and a filter that keeps the scale out of your tea for years of use.</p></body></html>")


def test_pages_that_are_not_articles_are_errors_unless_kept(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_bytes(GOOD)
    (src / "kettle.html").write_text(PRODUCT, encoding="utf-8")
    assert main(["reclean", str(src), "-o", str(tmp_path / "out"), "-j", "1", "-q", "--min-words", "10"]) == 1
    articles, errors = _outputs(tmp_path / "out")
    assert [Path(a["source"]["file"]).name for a in articles] == ["a.html"]
    (error,) = errors
    assert error["stage"] == "validate" and error["reason"].startswith("not-article-")
    assert main(["reclean", str(src), "-o", str(tmp_path / "kept"), "-j", "1", "-q", "--min-words", "10",
                 "--keep-non-articles"]) == 0
    kept = {Path(a["source"]["file"]).name: a["page_type"] for a in _outputs(tmp_path / "kept")[0]}
    assert kept["a.html"] == "article" and kept["kettle.html"] == error["reason"].removeprefix("not-article-")


def test_duplicates_are_found_across_shards_and_runs_of_one_output_folder(tmp_path: Path) -> None:
    first_in, second_in, out = tmp_path / "first", tmp_path / "second", tmp_path / "out"
    first_in.mkdir()
    second_in.mkdir()
    (first_in / "story.html").write_bytes(GOOD)
    (second_in / "copy.html").write_bytes(GOOD)
    (second_in / "other.html").write_bytes(OTHER)
    assert main(["reclean", str(first_in), "-o", str(out), "-j", "1", "-q"]) == 0
    assert main(["reclean", str(first_in), str(second_in), "-o", str(out), "-j", "1", "-q"]) == 1
    articles, errors = _outputs(out)
    assert sorted(Path(a["source"]["file"]).name for a in articles) == ["other.html", "story.html"]
    assert [(Path(e["source"]["file"]).name, e["reason"]) for e in errors] == [("copy.html", "duplicate")]


def test_an_unfinished_shard_forgets_its_duplicates_when_it_is_redone(tmp_path: Path) -> None:
    dedupe = StoredDeduper(tmp_path / "d.sqlite3")
    article = clean(GOOD, "https://news.example.com/a")
    dedupe.admit(article, "shard-a")
    dedupe.commit()
    dedupe.admit(clean(OTHER, "https://news.example.com/b"), "shard-b")
    dedupe.close()
    again = StoredDeduper(tmp_path / "d.sqlite3")
    assert again.forget_unfinished({"shard-a"}) == 2  # shard-b was not finished: its two keys go
    again.admit(clean(OTHER, "https://news.example.com/b"), "shard-b")
    with pytest.raises(DuplicateError, match=r"news\.example\.com/a"):
        again.admit(article, "shard-c")
    again.close()


@pytest.mark.parametrize("make", ["empty folder", "only other files", "missing"])
def test_an_input_with_nothing_to_reclean_is_a_usage_error_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str) -> None:
    target = tmp_path / "in"
    if make != "missing":
        target.mkdir()
    if make == "only other files":
        (target / "logo.png").write_bytes(b"\x89PNG")
    assert main(["reclean", str(target), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists(), "nothing is started"


def _start_reclean_until(tmp_path: Path, total: int, jobs: int, shards_done: int) -> subprocess.Popen[str]:
    """``scraper reclean`` of ``total`` generated pages (40 per shard) into ``tmp_path/out``, in its own
    process group, returned once ``shards_done`` shards are finished."""
    src = tmp_path / "in"
    src.mkdir()
    for n in range(total):
        (src / f"g{n:04d}.html").write_bytes(generated_article(n))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "scraper", "reclean", str(src), "-o", str(out), "-j", str(jobs),
           "--files-per-shard", "40"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / DONE_DIR).glob("*.json"))) < shards_done:
        time.sleep(0.05)
    return proc


def test_kill_9_mid_run_then_rerun_outputs_every_input_exactly_once(tmp_path: Path) -> None:
    total = 240
    src, out = tmp_path / "in", tmp_path / "out"
    proc = _start_reclean_until(tmp_path, total, jobs=1, shards_done=2)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, mid-shard
    proc.communicate()
    finished = len(list((out / DONE_DIR).glob("*.json")))
    assert 2 <= finished < total // 40, "the kill must land in the middle of the run"
    # Only finished shards have final files (an unfinished one has .part files, or none yet if the kill
    # landed between two shards).
    done = {m.stem for m in (out / DONE_DIR).glob("*.json")}
    final = {f.name.removesuffix(".errors.jsonl").removesuffix(".jsonl") for f in out.glob("*.jsonl")}
    assert final == done
    assert main(["reclean", str(src), "-o", str(out), "-j", "2", "--files-per-shard", "40"]) == 0
    seen = _inputs_seen(out)
    assert len(seen) == total and len(set(seen)) == total
    assert not list(out.glob("*.part"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_cleanly_then_rerun_resumes(tmp_path: Path, signum: int) -> None:
    # Ctrl-C and systemd both signal the whole process group: the run stops its workers, says how to
    # resume and exits 130; finished shards stay finished.
    total = 240
    src, out = tmp_path / "in", tmp_path / "out"
    proc = _start_reclean_until(tmp_path, total, jobs=2, shards_done=1)
    os.killpg(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "run the same command again to resume" in err and "Traceback" not in err
    finished = len(list((out / DONE_DIR).glob("*.json")))
    assert 1 <= finished < total // 40, "the signal must land in the middle of the run"
    with pytest.raises(ProcessLookupError):  # the whole group is gone: no worker outlived the run
        os.killpg(proc.pid, 0)
    assert main(["reclean", str(src), "-o", str(out), "-j", "2", "--files-per-shard", "40"]) == 0
    seen = _inputs_seen(out)
    assert len(seen) == total and len(set(seen)) == total


def _slow(payload: Any) -> dict[str, Any]:
    time.sleep(payload)
    return {"article": {"slept": payload}}


def _crash(payload: Any) -> dict[str, Any]:
    if payload == "die":
        os._exit(9)
    return {"article": {"ok": payload}}


def _hog(payload: Any) -> dict[str, Any]:
    if payload == "hog":
        bytearray(1 << 30)
    return {"article": {"ok": payload}}


def test_time_limit_kills_and_replaces_the_worker() -> None:
    pool = PagePool(_slow, 2, Limits(seconds=0.5, memory_bytes=0))
    results = dict(pool.imap([("fast", 0.0), ("stuck", 30.0), ("after", 0.0)]))
    assert isinstance(results["stuck"], TimeLimitError) and results["stuck"].reason == "time-limit"
    assert results["fast"] == {"article": {"slept": 0.0}} and results["after"] == {"article": {"slept": 0.0}}
    assert pool.replaced == 1


def test_crashed_worker_becomes_an_error_and_is_replaced() -> None:
    pool = PagePool(_crash, 1, Limits(seconds=10, memory_bytes=0))
    results = dict(pool.imap([(1, "a"), (2, "die"), (3, "b")]))
    assert isinstance(results[2], WorkerCrashedError) and results[3] == {"article": {"ok": "b"}}


def test_memory_limit_turns_a_greedy_page_into_an_error() -> None:
    pool = PagePool(_hog, 1, Limits(seconds=10, memory_bytes=600 << 20))
    results = dict(pool.imap([(1, "hog"), (2, "fine")]))
    assert isinstance(results[1], MemoryLimitError) and results[2] == {"article": {"ok": "fine"}}


def test_python_api_yields_articles_and_errors(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(GOOD)
    (tmp_path / "b.html").write_bytes(b"")
    records = list(reclean([str(tmp_path)], jobs=1))
    assert sorted(r["kind"] for r in records) == ["article", "error"]
    assert not list(tmp_path.glob("*.jsonl"))


def test_missing_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reclean", str(tmp_path / "nope*.warc"), "-o", str(tmp_path / "out")]) == 2
    assert "no such input" in capsys.readouterr().err


def test_dask_cluster_runs_the_same_shards(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    distributed = pytest.importorskip("distributed")
    (tmp_path / "in").mkdir()
    for i in range(4):
        (tmp_path / "in" / f"p{i}.html").write_bytes(generated_article(i))
    (tmp_path / "in" / "bad.html").write_bytes(b"")
    out = tmp_path / "out"
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with cluster, caplog.at_level(logging.INFO, logger="scraper.progress"):
        code = main(["reclean", str(tmp_path / "in"), "-o", str(out), "--dask", cluster.scheduler_address,
                     "--files-per-shard", "2"])
    assert code == 1
    final = [r.getMessage() for r in caplog.records if r.name == "scraper.progress"][-1]
    assert "reclean: 5 pages" in final and "3 shards done, 100 % of" in final
    articles, errors = _outputs(out)
    assert len(articles) == 4 and len(errors) == 1
    assert len(list((out / DONE_DIR).glob("*.json"))) == 3


def test_a_dask_run_with_redis_finds_duplicates_across_shards_and_resumes(tmp_path: Path, redis_url: str) -> None:
    distributed = pytest.importorskip("distributed")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(4):
        (src / f"a{i}.html").write_bytes(generated_article(i))
    (src / "z0.html").write_bytes(generated_article(0))  # a copy of a0.html, in the last of three shards
    (src / "z9.html").write_bytes(generated_article(9))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with cluster:
        args = ["reclean", str(src), "-o", str(out), "--dask", cluster.scheduler_address, "--redis", redis_url,
                "--files-per-shard", "2", "-q"]
        assert main(args) == 1
        articles, errors = _outputs(out)
        assert sorted(Path(a["source"]["file"]).name for a in articles) == ["a0.html", "a1.html", "a2.html",
                                                                            "a3.html", "z9.html"]
        assert [(Path(e["source"]["file"]).name, e["reason"]) for e in errors] == [("z0.html", "duplicate")]
        # The shard holding the original is lost (a crash before its marker): redone, it is not a duplicate of
        # itself, and the copy stays the duplicate.
        marker = next(m for m in (out / DONE_DIR).glob("*.json") if "a0.html" in m.read_text(encoding="utf-8")
                      or m.stem.startswith("a0"))
        marker.unlink()
        assert main(args) == 1
    articles, errors = _outputs(out)
    assert sorted(Path(a["source"]["file"]).name for a in articles)[0] == "a0.html" and len(articles) == 5
    assert [(Path(e["source"]["file"]).name, e["reason"]) for e in errors] == [("z0.html", "duplicate")]


def test_redis_deduper_forgets_the_keys_of_unfinished_shards(redis_url: str) -> None:
    dedupe = RedisDeduper(redis_url, "test-forget")
    article = clean(GOOD, "https://news.example.com/a")
    dedupe.admit(article, "shard-a")
    dedupe.admit(clean(OTHER, "https://news.example.com/b"), "shard-b")
    with pytest.raises(DuplicateError, match=r"the same URL as https://news\.example\.com/a"):
        dedupe.admit(clean(OTHER, "https://news.example.com/a"), "shard-c")
    assert dedupe.forget_unfinished({"shard-a"}) == 2  # shard-b was not finished: its two keys go
    dedupe.admit(clean(OTHER, "https://news.example.com/b"), "shard-b")
    with pytest.raises(DuplicateError, match=r"news\.example\.com/a"):
        dedupe.admit(article, "shard-c")
    assert dedupe.forget_shard("shard-a") == 2
    dedupe.admit(article, "shard-a")
    dedupe.close()


def test_redis_goes_with_dask_and_must_be_a_redis_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.html").write_bytes(GOOD)
    assert main(["reclean", str(tmp_path), "-o", str(tmp_path / "out"), "--redis", "redis://127.0.0.1:1/0"]) == 2
    assert "--redis goes with --dask" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["reclean", str(tmp_path), "-o", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:1",
              "--redis", "http://127.0.0.1:6379"])
    assert exit_info.value.code == 2 and "expected redis://" in capsys.readouterr().err


def test_large_pages_and_results_never_deadlock_the_pipes() -> None:
    # A page and a result each larger than a pipe buffer (64 KiB), many in a row: the parent must never
    # block sending while its worker blocks returning a result. Run apart so a hang fails, not freezes.
    script = (
        "from scraper.pool import PagePool, Limits\n"
        "def echo(p):\n    return {'article': {'text': p}}\n"
        "items = [(i, 'x' * 300_000) for i in range(40)]\n"
        "print(sum(1 for _ in PagePool(echo, 1, Limits(seconds=30, memory_bytes=0)).imap(items)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.stdout.strip() == "40", proc.stderr


def test_reclean_takes_the_options_file_and_profiles_folder_the_crawl_takes(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_bytes(GOOD)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "_global.toml").write_text('[[rules]]\nid = "promo.farmers"\nkind = "drop_line"\n'
                                           'phrases = ["farmers in the valley.*"]\nwhy = "a test rule"\n',
                                           encoding="utf-8")
    options = tmp_path / "options.toml"
    options.write_text("min_chars = 10\n", encoding="utf-8")
    base = ["reclean", str(src), "-j", "1", "-q"]
    assert main([*base, "-o", str(tmp_path / "out"), "--profiles", str(profiles), "--config", str(options)]) == 0
    (article,), _ = _outputs(tmp_path / "out")
    assert [r["rule"] for r in article["removed"]] == ["promo.farmers"]
    (profiles / "bad.example.toml").write_text("[[rules]\n", encoding="utf-8")
    assert main([*base, "-o", str(tmp_path / "out2"), "--profiles", str(profiles)]) == 2
    assert "bad.example.toml" in capsys.readouterr().err
    options.write_text("max_bytes = 'big'\n", encoding="utf-8")
    assert main([*base, "-o", str(tmp_path / "out3"), "--config", str(options)]) == 2
    assert "max_bytes" in capsys.readouterr().err


def _archive(folder: Path, count: int, prefix: str = "w") -> list[int]:
    """A crawl-style WARC of ``count`` good pages; returns each record's offset."""
    archive = WarcArchive(folder)
    offsets = [archive.write(RawPage(url=f"https://news.example.com/{prefix}/{i}",
                                     final_url=f"https://news.example.com/{prefix}/{i}", status=200,
                                     body=page(f"<p>Story {prefix} {i} of the series, told in full.</p>",
                                               title=f"Story {prefix} {i}").encode(),
                                     headers=(("Content-Type", "text/html; charset=utf-8"),)))[2]
               for i in range(count)]
    archive.close()
    return offsets


def test_corrupt_and_cut_gz_files_among_good_ones_are_error_records_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_bytes(GOOD)
    (src / "b.html.gz").write_bytes(gzip.compress(OTHER))
    packed = gzip.compress(OTHER + b"<p>tail</p>")
    (src / "corrupt.html.gz").write_bytes(packed[:10] + b"\xff" * 40)  # zlib: invalid block type
    (src / "cut.html.gz").write_bytes(packed[: len(packed) * 7 // 10])
    (src / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"url": "https://x.org/1", "html": "<p>x</p>"}\n' * 50)[:-60])
    out = tmp_path / "out"
    for _ in range(2):  # a re-run gives the same, instead of aborting again on the same file
        assert main(["reclean", str(src), "-o", str(out), "-j", "1", "-q"]) == 1
        articles, errors = _outputs(out)
        assert sorted(Path(a["source"]["file"]).name for a in articles) == ["a.html", "b.html.gz"]
        by_file = {Path(e["source"]["file"]).name: (e["stage"], e["reason"]) for e in errors}
        assert by_file["corrupt.html.gz"] == ("read", "unreadable")
        assert by_file["cut.html.gz"] == ("read", "truncated")
        assert by_file["cut.jsonl.gz"] == ("read", "truncated")
        summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
        assert summary["articles"] == 2 and summary["errors_by_reason"]["truncated"] == 2


@pytest.mark.parametrize(("cut", "message"), [
    (20, "ends inside the record at offset"),        # inside the gzip member of the record's WARC header
    (100, "ends inside the record at offset"),       # further in: warcio raised AttributeError here
    (-1, "ends inside the record at offset"),        # one byte short
])
def test_a_warc_cut_inside_a_record_ends_in_one_truncated_record_and_good_warcs_go_on(
        tmp_path: Path, cut: int, message: str) -> None:
    offsets = _archive(tmp_path / "cut", 3, "c")
    _archive(tmp_path / "good", 2, "g")
    path = tmp_path / "cut" / "part-00000.warc.gz"
    data = path.read_bytes()
    path.write_bytes(data[: offsets[2] + cut] if cut > 0 else data[:cut])
    out = tmp_path / "out"
    summary = run([str(tmp_path / "cut"), str(tmp_path / "good")], out, jobs=1)
    articles, errors = _outputs(out)
    assert sorted(a["url"].rsplit("/", 2)[1] + a["url"][-1] for a in articles) == ["c0", "c1", "g0", "g1"]
    (error,) = errors
    assert (error["stage"], error["reason"], error["error"]) == ("read", "truncated", "TruncatedError")
    assert message in error["message"] and error["source"]["warc_offset"] == offsets[2]
    assert summary.total.inputs == 5 and (out / SUMMARY_FILE).exists()


def test_an_uncompressed_warc_cut_inside_a_record_body_is_truncated_not_empty(tmp_path: Path) -> None:
    offsets = _archive(tmp_path / "w", 2)
    packed = (tmp_path / "w" / "part-00000.warc.gz").read_bytes()
    plain = gzip.decompress(packed)
    (tmp_path / "w" / "part-00000.warc.gz").unlink()
    (tmp_path / "w" / "plain.warc").write_bytes(plain[: len(plain) - 400])
    assert offsets
    out = tmp_path / "out"
    run([str(tmp_path / "w")], out, jobs=1)
    articles, errors = _outputs(out)
    assert [a["url"][-1] for a in articles] == ["0"]
    (error,) = errors
    assert (error["reason"], error["url"]) == ("truncated", "https://news.example.com/w/1")
    assert "bytes before its length" in error["message"]


def test_a_warc_response_whose_gzip_body_was_cut_is_truncated(tmp_path: Path) -> None:
    body = gzip.compress(page().encode())
    archive = WarcArchive(tmp_path / "raw")
    for name, payload in (("whole", body), ("cut", body[: len(body) * 7 // 10])):
        archive.write(RawPage(url=f"https://news.example.com/{name}", final_url=f"https://news.example.com/{name}",
                              status=200, body=payload,
                              headers=(("Content-Type", "text/html"), ("Content-Encoding", "gzip"))))
    archive.close()
    records = list(reclean([str(tmp_path / "raw")], job=CleanJob(min_words=20)))
    by_url = {r["url"].rsplit("/", 1)[1]: r for r in records}
    assert by_url["whole"]["kind"] == "article"
    assert (by_url["cut"]["kind"], by_url["cut"]["reason"]) == ("error", "truncated")
    assert "the gzip body ends before its end" in by_url["cut"]["message"]


def test_a_full_disk_stops_a_reclean_with_one_line_and_no_cut_shard_under_a_final_name(tmp_path: Path) -> None:
    import resource  # noqa: PLC0415

    src = tmp_path / "in"
    src.mkdir()
    for n in range(40):
        told = "".join(f"<p>Part {i} of story {n}, told in full with the figures the council gave on Monday.</p>"
                       for i in range(60))
        (src / f"p{n:02d}.html").write_bytes(page(told, title=f"Story {n}").encode())
    out = tmp_path / "out"

    def full_disk() -> None:  # files cannot grow past 40 KiB: writes beyond fail (EFBIG), like ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (40 << 10, 40 << 10))

    cmd = [sys.executable, "-m", "scraper", "reclean", str(src), "-o", str(out), "-j", "1", "--files-per-shard", "10"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=full_disk)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("scraper reclean: ")]
    assert "File too large" in line and "unfinished shards keep their .part names" in line
    for final in out.glob("*.jsonl"):  # only finished shards have final names, and they are whole
        assert final.stem.split(".")[0] in {p.stem for p in (out / DONE_DIR).glob("*.json")}
        assert all(json.loads(x) for x in final.read_text(encoding="utf-8").splitlines())
    assert list(out.glob("*.part"))
