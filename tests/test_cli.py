"""The scraper command line: output on stdout, errors on stderr, exit codes, help for everything."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.cli import build_parser, main
from tests.conftest import GOLDEN, page

URL = "https://news.example.com/2025/06/reservoirs"


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    promo = "<div class='x'><h3>Try Our AI Features</h3><p>Explore what Acme AI can do for you:</p></div>"
    path.write_text(page(promo), encoding="utf-8")
    return path


def test_clean_prints_one_json_line(page_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(page_file), "--url", URL]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert data["url"] == URL and "Try Our AI" not in data["text"]


def test_clean_text_only(page_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(page_file), "--text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The regional water authority") and not out.startswith("{")


def test_clean_plain_text_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text("Headline here\nA body paragraph that is long enough to be kept as the article text.\n"
                    "Leave a Reply\nYour email address will not be published.\n", encoding="utf-8")
    assert main(["clean", str(dump), "--plain", "--text"]) == 0
    out = capsys.readouterr().out
    assert "A body paragraph" in out and "Leave a Reply" not in out


def test_failure_is_one_line_on_stderr_and_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 ...")
    assert main(["clean", str(bad)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "NotHTMLError" in captured.err


def test_missing_file_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", "/nonexistent/page.html"]) == 3
    assert "cannot read" in capsys.readouterr().err


def test_stdin_and_module_entry_point(page_file: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "scraper", "clean", "-", "--url", URL, "--text"],
                          input=page_file.read_bytes(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert b"reservoir levels had fallen" in proc.stdout


def test_profiles_check_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["profiles", "check"]) == 0
    assert "global rules" in capsys.readouterr().err
    (tmp_path / "_global.toml").write_text("[[rules]]\nid = 'nope'\n", encoding="utf-8")
    assert main(["profiles", "check", "--profiles", str(tmp_path)]) == 3
    assert "must look like" in capsys.readouterr().err


def test_golden_rerun_update_and_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "golden"
    shutil.copytree(GOLDEN / "news.example.com", folder / "news.example.com")
    case = next((folder / "news.example.com").iterdir())
    case_id = f"news.example.com/{case.name}"
    assert main(["golden", "rerun", case_id, "--dir", str(folder), "--fields", "title"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("What is the Harbour Syndicate")
    (case / "expected.json").write_text("{}\n", encoding="utf-8")
    assert main(["golden", "update", "--dir", str(folder)]) == 0
    assert "updated" in capsys.readouterr().err
    assert json.loads((case / "expected.json").read_text(encoding="utf-8"))["title"]
    assert main(["golden", "add", "--dir", str(folder), "--file", str(case / "page.html"),
                 "--url", "https://www.other.example/x", "--name", "Copy Of Page"]) == 0
    added = list((folder / "other.example").iterdir())
    assert len(added) == 1 and added[0].name.endswith("_copy-of-page")
    assert (added[0] / "expected.json").exists()
    assert main(["golden", "rerun", "no/such-case", "--dir", str(folder)]) == 3


def _subcommand_parsers() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["clean", "profiles", "golden", "reclean"])
def test_every_option_has_help(name: str) -> None:
    sub = _subcommand_parsers()[name]
    for action in sub._actions:  # type: ignore[attr-defined]
        assert action.help, f"{name}: option {action.option_strings or action.dest} has no help"


def test_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    with pytest.raises(SystemExit) as info:
        main(["explode"])
    assert info.value.code == 2
