"""``scrapy crawl``: Scrapy's command, with an exit code that tells a scheduler how the run ended.

Scrapy's own exits 0 whenever the crawl started, so a run stopped by a full disk, or stopped by force (a second
SIGTERM) with its files left as ``.part``, looked like success to cron and systemd. Here: 0 when the run's files
are in place, 3 when a write error stopped it, 130 when it was stopped by force; 1 and 2 as before (it could not
start; a bad argument or setting). The last line on stderr says what happened and how much was left unwritten.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.commands import crawl

from extensions.project import EXIT_FORCED, EXIT_STORAGE, storage_error


class Command(crawl.Command):
    """Scrapy's ``crawl`` command; see the module docstring for the exit codes."""

    def __init__(self) -> None:
        super().__init__()
        self._crawler: Any = None
        self._closed = False

    def _create_crawler(self, spidercls: Any) -> Any:
        crawler = super()._create_crawler(spidercls)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)
        self._crawler = crawler
        return crawler

    def _spider_closed(self, spider: Any, reason: str) -> None:
        self._closed = True

    def run(self, args: list[str], opts: Any) -> None:
        super().run(args, opts)
        crawler = self._crawler
        if self.exitcode or crawler is None or getattr(crawler, "spider", None) is None:
            return
        error = storage_error(crawler)
        if error is not None:
            unwritten = crawler.stats.get_value("scraper/storage/unwritten", 0)
            print(f"scrapy: crawl stopped: {error}; {unwritten} pages fetched were not written; the run's files keep "
                  "their .part names and the history records nothing", file=sys.stderr, flush=True)
            self.exitcode = EXIT_STORAGE
        elif not self._closed:
            print("scrapy: crawl stopped by force (a second signal): pages in flight were not written; the run's "
                  "files keep their .part names and the history records nothing", file=sys.stderr, flush=True)
            self.exitcode = EXIT_FORCED
        elif getattr(crawler, "scraper_history_error", None) is not None:
            self.exitcode = EXIT_STORAGE
