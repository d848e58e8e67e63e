"""The crawl history: which article URLs finished runs wrote, keyed by normalised URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.crawl.history import CrawlHistory, history_key
from scraper.errors import StorageError


def test_keys_ignore_tracking_parameters_fragments_host_case_and_query_order() -> None:
    key = history_key("https://www.example.com/news/a-1?id=5&b=2")
    assert history_key("https://WWW.Example.com/news/a-1?b=2&id=5&utm_source=rss&at_medium=RSS#comments") == key
    assert history_key("https://www.example.com/news/a-1?id=6&b=2") != key
    assert history_key("https://www.example.com/news/a-2?id=5&b=2") != key


def test_recorded_urls_are_written_for_later_runs_and_only_new_ones_count(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history.sqlite3"
    first = CrawlHistory(path)
    assert not first.written("https://example.com/a")
    assert first.record(["https://example.com/a", "https://example.com/a?utm_campaign=x", None], "run-1") == 1
    first.close()
    later = CrawlHistory(path)
    assert later.written("https://example.com/a#top") and not later.written("https://example.com/b")
    assert later.record(["https://example.com/a", "https://example.com/b"], "run-2") == 1
    assert len(later) == 2
    later.close()


def test_an_unusable_history_file_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StorageError, match=r"dir\.sqlite3"):
        CrawlHistory(tmp_path / "dir.sqlite3")
