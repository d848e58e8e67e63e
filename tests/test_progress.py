"""Progress of a re-clean: a total and the time left once known, the right final state, INFO lines without a
terminal, a bar on one, nothing with -q, and progress for Dask runs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from scraper import progress as progress_module
from scraper.progress import Progress
from tests.conftest import page

ROOT = Path(__file__).resolve().parents[1]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_log_lines_give_the_share_done_and_the_time_left(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    clock = _Clock()
    monkeypatch.setattr(progress_module.time, "monotonic", clock)
    progress = Progress(terminal=False, every=10)
    progress.count_total(lambda: [4 << 20, 4 << 20]).join()
    with caplog.at_level(logging.INFO, logger="scraper.progress"):
        clock.now += 5
        progress.read(2 << 20)
        for _ in range(39):
            progress.record()
        progress.shard_done()
        assert caplog.messages == [], "a line every 10 s, not on every page"
        clock.now += 15
        progress.record()
        assert caplog.messages == ["reclean: 40 pages (2.0/s), 1 shards done, 25 % of 8.0 MiB, about 60 s left"]
        progress.record()  # within the 10 s: no new line
        assert len(caplog.messages) == 1
        progress.read(6 << 20)
        progress.shard_done()
        progress.close()
    assert caplog.messages[-1] == "reclean: 41 pages (2.0/s), 2 shards done, 100 % of 8.0 MiB, finished in 20 s"


def test_before_the_total_is_known_the_bytes_read_are_shown_and_an_interrupted_run_is_not_complete(
        caplog: pytest.LogCaptureFixture) -> None:
    progress = Progress(terminal=False, every=0)
    with caplog.at_level(logging.INFO, logger="scraper.progress"):
        progress.read(3 << 10)
        progress.record()
        assert "3.0 KiB read" in caplog.messages[-1] and "left" not in caplog.messages[-1]
        progress.total = 6 << 10
        progress.close(complete=False)
    assert "50 % of 6.0 KiB" in caplog.messages[-1]


def test_skipped_shards_count_as_done_but_not_in_the_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(progress_module.time, "monotonic", clock)
    progress = Progress(terminal=False)
    progress.total = 100
    progress.skip(50)
    clock.now += 10
    progress.read(10)
    assert "60 % of" in progress.line() and "about 40 s left" in progress.line()


def test_quiet_shows_nothing(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(quiet=True, terminal=True, every=0)
    with caplog.at_level(logging.INFO):
        progress.read(10)
        progress.record()
        progress.close()
    assert caplog.messages == [] and capsys.readouterr().err == ""


def test_a_terminal_gets_a_bar_that_ends_at_the_total(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(terminal=True)
    progress.total = 2048
    progress.read(1024)
    progress.record()
    progress.shard_done()
    progress.close()
    err = capsys.readouterr().err
    assert "reclean: 100%" in err and "2.00k/2.00k" in err and "1 pages" in err and "1 shards done" in err


def test_without_a_terminal_reclean_logs_progress_at_info_and_its_final_state(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for n in range(2):
        (src / f"p{n}.html").write_text(page(f"<p>Story number {n} has its own paragraph of text to tell.</p>"),
                                        encoding="utf-8")
    cmd = [sys.executable, "-m", "scraper", "reclean", str(src), "-o", str(tmp_path / "out"), "-j", "1",
           "--files-per-shard", "1"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    final = next(line for line in lines if line.startswith("INFO scraper.progress: reclean: 2 pages"))
    assert "2 shards done, 100 % of" in final and "finished in" in final
    assert not any(line.startswith("WARNING") for line in lines)
    quiet = subprocess.run([*cmd[:-4], "-o", str(tmp_path / "out2"), "-q"], cwd=ROOT, capture_output=True, text=True,
                           check=False)
    assert quiet.returncode == 0 and quiet.stderr == ""
