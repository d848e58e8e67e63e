"""Bulk re-cleaning: every input format, exactly-once outputs, resume (also after kill -9), limits,
the Python API, and the same records the crawl writes."""

from __future__ import annotations

import gzip
import io
import json
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

from scraper import clean, reclean
from scraper.article import RawPage
from scraper.cli import main
from scraper.pool import Limits, PagePool
from scraper.reclean import DONE_DIR, SUMMARY_FILE, run
from scraper.storage import WarcArchive
from tests.conftest import GOLDEN, page
from tests.mockserver import generated_article

ROOT = Path(__file__).resolve().parents[1]
GOOD = page().encode()


def _outputs(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    articles, errors = [], []
    for path in sorted(out.glob("*.jsonl")):
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        (errors if path.name.endswith(".errors.jsonl") else articles).extend(lines)
    return articles, errors


def _inputs_seen(out: Path) -> list[str]:
    articles, errors = _outputs(out)
    return sorted(r["source"]["input"] for r in articles + errors)


def test_folder_of_html_gz_and_text_files(tmp_path: Path) -> None:
    src = tmp_path / "in" / "deep"
    src.mkdir(parents=True)
    (src / "a.html").write_bytes(GOOD)
    (src / "b.htm.gz").write_bytes(gzip.compress(GOOD))
    (src / "c.html").write_bytes(b"%PDF-1.4 not a page")
    (src / "d.txt").write_text("Headline\n" + "A sentence of article text that goes on. " * 5 + "\nLeave a Reply\n",
                               encoding="utf-8")
    (src / "ignored.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    summary = run([str(tmp_path / "in")], out, jobs=2)
    assert summary.inputs == 4 and summary.articles == 3 and dict(summary.errors) == {"not-html": 1}
    articles, errors = _outputs(out)
    assert {Path(a["source"]["input"]).name for a in articles} == {"a.html", "b.htm.gz", "d.txt"}
    assert errors[0]["source"]["input"].endswith("c.html") and errors[0]["reason"] == "not-html"
    text_article = next(a for a in articles if a["source"]["input"].endswith("d.txt"))
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
    assert articles[0]["source"]["input"].endswith("dump.jsonl.gz:1")
    assert sorted(e["source"]["input"].rsplit(":", 1)[1] for e in errors) == ["2", "3", "4"]


def _cc_warc(path: Path) -> None:
    """A WARC shaped like Common Crawl's: warcinfo, then request/response/metadata per capture,
    gzip content-encoding and chunked transfer left in the headers, a non-HTML response too."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("cc.warc.gz", {"software": "cc-like"}))
        for i, (ctype, body) in enumerate([("text/html; charset=UTF-8", GOOD), ("image/png", b"\x89PNG....")]):
            url = f"https://news.example.com/cc/{i}"
            req = StatusAndHeaders("GET /cc HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                          http_headers=req))
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                          http_headers=http))
            fields = b"fetchTimeMs: 12\n"
            meta = writer.create_warc_record(url, "metadata", payload=io.BytesIO(fields), length=len(fields),
                                             warc_content_type="application/warc-fields")
            writer.write_record(meta)


def test_common_crawl_shaped_warc(tmp_path: Path) -> None:
    _cc_warc(tmp_path / "cc.warc.gz")
    out = tmp_path / "out"
    summary = run([str(tmp_path / "cc.warc.gz")], out, jobs=1)
    assert summary.inputs == 1 and summary.articles == 1  # request, metadata and image records skipped
    (article,), _ = _outputs(out)
    assert article["url"] == "https://news.example.com/cc/0"
    assert "@" in article["source"]["input"] and article["source"]["fetched_at"]


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
        crawled = clean(raw.body, raw.final_url, encoding=raw.encoding).to_dict()
        recleaned = {k: v for k, v in by_url[raw.url].items() if k != "source"}
        assert recleaned == crawled, raw.url


def test_rerun_skips_finished_shards(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"p{i}.html").write_bytes(GOOD)
    out = tmp_path / "out"
    first = run([str(tmp_path / "in")], out, jobs=1, files_per_shard=1)
    second = run([str(tmp_path / "in")], out, jobs=1, files_per_shard=1)
    assert (first.shards, first.shards_skipped) == (3, 0)
    assert (second.shards_skipped, second.inputs) == (3, 0)
    assert len(_inputs_seen(out)) == 3


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
    assert results["stuck"]["reason"] == "time-limit"
    assert results["fast"] == {"article": {"slept": 0.0}} and results["after"] == {"article": {"slept": 0.0}}
    assert pool.replaced == 1


def test_crashed_worker_becomes_an_error_and_is_replaced() -> None:
    pool = PagePool(_crash, 1, Limits(seconds=10, memory_bytes=0))
    results = dict(pool.imap([(1, "a"), (2, "die"), (3, "b")]))
    assert results[2]["reason"] == "worker-crashed" and results[3] == {"article": {"ok": "b"}}


def test_memory_limit_turns_a_greedy_page_into_an_error() -> None:
    pool = PagePool(_hog, 1, Limits(seconds=10, memory_bytes=600 << 20))
    results = dict(pool.imap([(1, "hog"), (2, "fine")]))
    assert results[1]["reason"] == "memory-limit" and results[2] == {"article": {"ok": "fine"}}


def test_python_api_yields_articles_and_errors(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(GOOD)
    (tmp_path / "b.html").write_bytes(b"")
    records = list(reclean([str(tmp_path)], jobs=1))
    assert sorted(r["kind"] for r in records) == ["article", "error"]
    assert not list(tmp_path.glob("*.jsonl"))


def test_missing_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reclean", str(tmp_path / "nope*.warc"), "-o", str(tmp_path / "out")]) == 3
    assert "no such input" in capsys.readouterr().err


def test_dask_cluster_runs_the_same_shards(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    (tmp_path / "in").mkdir()
    for i in range(4):
        (tmp_path / "in" / f"p{i}.html").write_bytes(generated_article(i))
    (tmp_path / "in" / "bad.html").write_bytes(b"")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code = main(["reclean", str(tmp_path / "in"), "-o", str(out), "--dask", cluster.scheduler_address,
                     "--files-per-shard", "2"])
    assert code == 1
    articles, errors = _outputs(out)
    assert len(articles) == 4 and len(errors) == 1
    assert len(list((out / DONE_DIR).glob("*.json"))) == 3


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
