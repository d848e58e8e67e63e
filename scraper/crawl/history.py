"""What earlier crawl runs already wrote, so that a scheduled crawl fetches each article once.

A crawl run with a history file skips every article URL that a finished earlier run wrote as an
article, before fetching it. URLs are recorded only when the run's output files are in place (the run
closed, gracefully or on SIGTERM): a run that crashed recorded nothing, so its articles are fetched
again. Pages that ended as errors are never recorded and are retried by the next run.

The file is SQLite (WAL, so overlapping runs can read and write it); keys are normalised URLs: courlan's
normalisation (lower-case host, sorted query, tracking parameters such as ``utm_*`` removed) without the
fragment. Each key keeps the run that first wrote it and when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urldefrag

from courlan import normalize_url

from scraper.errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS written (
    url TEXT PRIMARY KEY,   -- normalised URL (history_key)
    run TEXT NOT NULL,      -- the run whose output holds the article
    at TEXT NOT NULL        -- when that run closed (ISO 8601 UTC)
) WITHOUT ROWID
"""


def history_key(url: str) -> str:
    """The key of ``url``: normalised by courlan (tracking parameters dropped), without its fragment."""
    with contextlib.suppress(ValueError):  # courlan rejects some malformed URLs; they are kept as they are
        url = normalize_url(url)
    return urldefrag(url).url


class CrawlHistory:
    """The history file: ``written(url)`` before fetching, ``record(urls, run)`` once a run's output is final.

    Raises:
        StorageError: the file cannot be opened, read or written (names the file).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A second run writing at the same moment waits (busy timeout) rather than failing.
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open crawl history {self.path}: {exc}") from exc

    def written(self, url: str) -> bool:
        """Whether a finished earlier run wrote ``url`` as an article."""
        try:
            row = self._db.execute("SELECT 1 FROM written WHERE url = ?", (history_key(url),)).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read crawl history {self.path}: {exc}") from exc
        return row is not None

    def record(self, urls: Iterable[str | None], run: str) -> int:
        """Record the article URLs of a finished run in one transaction; returns how many were new."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [(key, run, now) for key in {history_key(u) for u in urls if u}]
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                before = self._db.total_changes
                self._db.executemany("INSERT OR IGNORE INTO written (url, run, at) VALUES (?, ?, ?)", rows)
                return self._db.total_changes - before
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write crawl history {self.path}: {exc}") from exc

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM written").fetchone()[0])

    def close(self) -> None:
        self._db.close()
