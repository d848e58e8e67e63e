"""The scraper command line: output on stdout, errors on stderr, exit codes, help for everything."""

from __future__ import annotations

import argparse
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
    assert main(["clean", "/nonexistent/page.html"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_plain_text_without_plain_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text("Headline\nA body paragraph of text that an earlier extraction wrote out.\n", encoding="utf-8")
    assert main(["clean", str(dump)]) == 3
    err = capsys.readouterr().err
    assert "--plain" in err and "clean_text" not in err and err.count("\n") == 1


@pytest.mark.parametrize(("body", "what"), [
    (b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>A</title><description>" + b"words " * 80
     + b"</description></item></channel></rss>", "an RSS feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>A</title></entry></feed>", "an Atom feed"),
    (b"<?xml version='1.0'?>\n<!-- generator -->\n<urlset><url><loc>https://x.org/a</loc></url></urlset>", "a sitemap"),
])
def test_a_feed_or_sitemap_is_not_an_article(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes,
                                             what: str) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(body)
    assert main(["clean", str(feed), "--url", "https://news.example.com/feed.xml"]) == 3
    err = capsys.readouterr().err
    assert "NotHTMLError" in err and f"{what}, not an HTML page" in err


def test_an_unknown_site_or_a_bad_options_file_is_a_usage_error(page_file: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(page_file), "--site", "nowhere.example"]) == 2
    assert "no site profile 'nowhere.example'" in capsys.readouterr().err
    options = tmp_path / "opts.toml"
    options.write_text("min_chars = -1\n", encoding="utf-8")
    assert main(["clean", str(page_file), "--config", str(options)]) == 2
    assert "min_chars" in capsys.readouterr().err


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
        if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings:
            assert "%(default)s" in action.help, f"{name}: {action.option_strings} hides its default"


def _help(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "scraper", *args, "--help"], capture_output=True, text=True,
                          check=True)
    return proc.stdout


def test_top_level_help_names_every_command_and_the_exit_codes() -> None:
    text = _help()
    for command in _subcommand_parsers():
        assert f"    {command} " in text, f"scraper --help leaves out {command}"
    assert "``" not in text and "exit codes:" in text and "130" in text


def test_reclean_help_shows_the_defaults_and_the_exit_codes() -> None:
    text = " ".join(_help("reclean").split())
    assert "(default: 2048)" in text and "(default: 60.0)" in text and "(default: 50)" in text
    assert "exit codes:" in text and "-q, --quiet" in text


def test_quiet_may_come_before_or_after_the_command(page_file: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(page_file, folder / "a.html")
    for argv in (["-q", "reclean", str(folder), "-o", str(tmp_path / "o1")],
                 ["reclean", str(folder), "-o", str(tmp_path / "o2"), "-q"]):
        assert main([*argv, "-j", "1"]) == 0
        assert capsys.readouterr().err == ""
    assert main(["reclean", str(folder), "-o", str(tmp_path / "o3"), "-j", "1"]) == 0
    assert "1 articles, 0 errors" in capsys.readouterr().err


def test_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    with pytest.raises(SystemExit) as info:
        main(["explode"])
    assert info.value.code == 2


def test_clean_answers_a_page_with_a_100000_attribute_tag_within_10_seconds(tmp_path: Path) -> None:
    # Before the limit, libxml2 alone took 25 s on it and nothing stopped `scraper clean`.
    flood = tmp_path / "flood.html"
    attributes = " ".join(f"a{i}=1" for i in range(100_000))
    flood.write_text(page(f"<p {attributes}>Held up.</p>"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "scraper", "clean", str(flood)], capture_output=True, text=True,
                          timeout=10, check=False)
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.strip().endswith("PageTooLargeError: a start tag (at character 1051) has 100000 attributes, "
                                        "over max_attributes=1000"), proc.stderr
