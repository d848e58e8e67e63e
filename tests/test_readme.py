"""The README is the manual, and it is true: every command line of its ``sh`` blocks that works offline is
run, in a fresh copy of the checkout with the example inputs it names, and must succeed; so must its Python
examples. Lines that need the internet, a cluster or a Redis server are named and skipped."""

from __future__ import annotations

import gzip
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import BODY

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# The port the README's loopback examples use; the test's own server takes its place.
_README_PORT = "127.0.0.1:8000"


def blocks(language: str) -> list[str]:
    """The fenced code blocks of the README in ``language``."""
    return [body for lang, body in _FENCE.findall(README) if lang == language]


def commands() -> list[str]:
    """Every command line of the README's ``sh`` blocks (continuation lines joined, comment lines dropped)."""
    lines = []
    for body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append(line.strip())
    return lines


def needs(line: str) -> str | None:
    """What a command line needs beyond this machine, or None when it runs offline."""
    tokens = shlex.split(line, comments=True)
    if tokens[:2] == ["make", "test"]:
        return "it is the test suite itself"
    if "--dask" in tokens:
        return "a Dask cluster"
    if any(t.startswith("SCRAPER_REDIS_URL=") for t in tokens):
        return "a Redis server"
    arguments = [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t == "-a"]
    for argument in arguments:
        name, _, value = argument.partition("=")
        if name == "site":
            return "the internet (a site profile)"
        if name in ("feed", "sitemap", "start") and any(urlsplit(u).hostname not in _LOOPBACK
                                                        for u in value.split(",")):
            return "the internet"
    return None


def _page(title: str, sentence: str) -> str:
    paragraphs = "".join(f"<p>{p} {sentence}</p>" for p in BODY)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='main'><h1>{title}</h1>{paragraphs}</div></body></html>")


def _cc_warc(path: Path, url: str, html: str) -> None:
    body = html.encode()
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=http))


def _example_inputs(folder: Path) -> None:
    """The inputs the README's examples name, each a different story (the examples share output folders)."""
    (folder / "page.html").write_text(_page("Reservoir levels fall", "The page example."), encoding="utf-8")
    (folder / "dump.txt").write_text("Dry spring in the valley\n" + "\n".join(BODY) + "\nLeave a Reply\n",
                                     encoding="utf-8")
    (folder / "cc").mkdir()
    _cc_warc(folder / "cc" / "crawl-1.warc.gz", "https://news.example.com/cc/1", _page("From a WARC", "Capture one."))
    (folder / "pages").mkdir()
    for n in range(2):
        (folder / "pages" / f"story-{n}.html").write_text(_page(f"Saved story {n}", f"Saved page {n}."),
                                                           encoding="utf-8")
    rows = [{"link": f"https://news.example.com/dump/{n}", "body": _page(f"Dumped {n}", f"Dump row {n}.")}
            for n in range(2)]
    (folder / "dump.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    (folder / "old-extractions").mkdir()
    (folder / "old-extractions" / "a.txt").write_text(
        "Old extraction headline\n" + BODY[2] + "\nShare on Facebook\n", encoding="utf-8")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the working tree (tracked and new files, as a clone would have them) sharing this
    checkout's .venv, with the README's example inputs."""
    folder = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(ROOT / ".venv")
    # `make install` in the copy would re-point the shared venv at the copy: it must find nothing to do.
    stale = subprocess.run(["make", "-q", ".venv/.installed"], cwd=folder, capture_output=True, check=False)
    if stale.returncode != 0:
        pytest.fail(".venv is older than pyproject.toml or constraints.txt: run `make install` first")
    _example_inputs(folder)
    return folder


def test_the_readme_names_its_commands_and_what_the_skipped_ones_need() -> None:
    lines = commands()
    assert lines[0].startswith("make install") and lines[1].startswith("make demo")
    skipped = {line: needs(line) for line in lines if needs(line)}
    assert set(skipped.values()) <= {"it is the test suite itself", "a Dask cluster", "a Redis server",
                                     "the internet (a site profile)", "the internet"}
    assert len(lines) - len(skipped) >= 12, "most of the manual runs offline"
    assert needs(".venv/bin/scrapy crawl news -a feed=http://127.0.0.1:8000/feed.xml") is None
    assert needs(".venv/bin/scrapy crawl news -a feed=https://example.org/rss.xml") == "the internet"


def test_every_offline_command_of_the_readme_runs(checkout: Path, mockserver) -> None:  # type: ignore[no-untyped-def]
    ran = []
    for line in commands():
        if needs(line):
            continue
        command = line.replace(_README_PORT, f"127.0.0.1:{mockserver.port}")
        proc = subprocess.run(["bash", "-c", command], cwd=checkout, capture_output=True, text=True, timeout=900,
                              check=False)
        assert proc.returncode == 0, f"README line failed: {line}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        assert "Traceback" not in proc.stderr, line
        ran.append(line)
    assert any(line.startswith("make demo") for line in ran)
    recleaned = json.loads((checkout / "output" / "recleaned" / "_summary.json").read_text(encoding="utf-8"))
    golden = len(list((ROOT / "tests" / "golden").glob("*/*/meta.json")))
    assert (recleaned["articles"], recleaned["errors"]) == (20 + golden, 0), \
        "the archives of the demo (20 stories) and of the loopback crawl (the golden pages) re-clean to their articles"
    summary = json.loads((checkout / "out" / "_summary.json").read_text(encoding="utf-8"))
    assert (summary["articles"], summary["errors"]) == (6, 0), "cc, pages, the JSONL dump and the old extraction"


@pytest.mark.parametrize("number", range(len(blocks("python"))))
def test_every_python_example_of_the_readme_runs(checkout: Path, number: int) -> None:
    proc = subprocess.run([sys.executable, "-c", blocks("python")[number]], cwd=checkout, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"README Python example {number + 1} failed:\n{proc.stderr[-3000:]}"


def test_the_readme_is_a_manual_without_benchmark_history_or_issue_notes() -> None:
    assert not re.search(r"\bissues? \d|closing note", README, re.I)
    assert "p/s" not in README and "pages/s" not in README, "speed figures belong in BENCHMARKS.md"
    for heading in ("## Install", "## The two commands", "## The crawl", "### Crawl settings", "## Re-cleaning",
                    "## Exit codes", "## Python API", "## Records", "## Scheduling", "## Scaling out"):
        assert f"\n{heading}" in README, heading


def test_make_bench_says_where_to_get_the_data_when_it_is_missing(tmp_path: Path) -> None:
    proc = subprocess.run(["make", "bench", f"AEB={tmp_path / 'nowhere'}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert f"no benchmark data set in {tmp_path / 'nowhere'}" in proc.stdout
    assert "https://github.com/scrapinghub/article-extraction-benchmark" in proc.stdout
    assert "BENCHMARKS.md" in README and (ROOT / "BENCHMARKS.md").exists()
    benchmarks = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    for command in ("python bench/quality.py", "python bench/crawl.py", "python bench/reclean.py", "make bench"):
        assert command in benchmarks
