"""The project's glue to Scrapy: the checked ``SCRAPER_*`` settings, the run id, the cleaning job and the output
files of a crawl (each made once per crawler), a one-line exit for bad arguments and settings, the stop on the
first storage failure, and the add-on that puts ``SCRAPER_CONTACT`` into the User-Agent."""

from __future__ import annotations

import logging
import sys
from typing import Any, NoReturn

from scrapy.settings import default_settings
from scrapy.utils.defer import deferred_from_coro

from extensions.errors import NotWritten
from scraper.crawl.config import (
    PLACEHOLDER_AGENT,
    CrawlConfig,
    SettingsError,
    crawl_config,
    job_from_config,
    user_agent,
)
from scraper.errors import ScraperError, StorageError
from scraper.job import CleanJob, load_registry
from scraper.storage import OutputSet, new_run_id

logger = logging.getLogger(__name__)
# Exit codes of `scrapy crawl news` (README "Exit codes"); 0 is a run whose files are in place.
EXIT_CANNOT_START, EXIT_USAGE, EXIT_STORAGE, EXIT_FORCED = 1, 2, 3, 130
STORAGE_REASON = "storage-error"  # the finish_reason of a run stopped by a write error
# Scrapy's own settings that share our prefix (its "scraper" component: SCRAPER_SLOT_MAX_ACTIVE_SIZE).
SCRAPY_OWN = frozenset(name for name in vars(default_settings) if name.startswith("SCRAPER_"))


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Stop the command before it starts, with one line on stderr and exit code 2 (a bad argument or setting)
    or 1 (something it needs is unavailable); no traceback."""
    print(f"scrapy: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def config(crawler: Any) -> CrawlConfig:
    """The crawl's ``SCRAPER_*`` settings, checked once; a bad one stops the command (see ``fail``)."""
    if getattr(crawler, "scraper_config", None) is None:
        try:
            crawler.scraper_config = crawl_config(crawler.settings, SCRAPY_OWN)
        except SettingsError as exc:
            fail(str(exc))
    result: CrawlConfig = crawler.scraper_config
    return result


def run_id(crawler: Any) -> str:
    """The id of this crawl run, shared by every output file (``SCRAPER_RUN_ID`` or generated once)."""
    if not getattr(crawler, "scraper_run_id", None):
        crawler.scraper_run_id = config(crawler).run_id or new_run_id()
    return str(crawler.scraper_run_id)


def clean_job(crawler: Any) -> CleanJob:
    """The crawl's cleaning job (settings, and the spider's since/until window and query), made once."""
    if getattr(crawler, "scraper_job", None) is None:
        plan = getattr(getattr(crawler, "spider", None), "plan", None)
        try:
            job = job_from_config(config(crawler), plan.window if plan else None, plan.query if plan else ())
            load_registry(job.profiles)  # a bad profiles folder stops the crawl here, not on every page
        except ScraperError as exc:
            fail(str(exc))
        crawler.scraper_job = job
    result: CleanJob = crawler.scraper_job
    return result


def outputs(crawler: Any) -> OutputSet:
    """The output files of this run (WARC archive, JSONL files), finished together by ``finish_outputs``."""
    if getattr(crawler, "scraper_outputs", None) is None:
        crawler.scraper_outputs = OutputSet()
    result: OutputSet = crawler.scraper_outputs
    return result


def not_written(crawler: Any, error: StorageError) -> NotWritten:
    """Record a write error: the first one stops the crawl (one ERROR line; finish reason ``storage-error``);
    each item it leaves unwritten is counted. Returns the exception the pipeline raises for the item."""
    crawler.stats.inc_value("scraper/storage/unwritten")
    _stop(crawler, error)
    return NotWritten(error)


def _stop(crawler: Any, error: StorageError) -> None:
    if getattr(crawler, "scraper_storage_error", None) is not None:
        return
    crawler.scraper_storage_error = error
    crawler.stats.set_value("scraper/storage/error", str(error))
    logger.error("Stopping the crawl: %s; the run's files keep their .part names and the history records nothing",
                 error)
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "spider", None) is not None:
        deferred_from_coro(engine.close_spider_async(reason=STORAGE_REASON))


def storage_failed(crawler: Any, error: StorageError) -> None:
    """Record a write error outside an item (closing a store): the first one stops the crawl."""
    _stop(crawler, error)


def storage_error(crawler: Any) -> StorageError | None:
    """The write error that stopped this run, if one did."""
    error: StorageError | None = getattr(crawler, "scraper_storage_error", None)
    return error


def finish_outputs(crawler: Any) -> bool:
    """Put the run's files in place together (sync all, then rename all), once; True if they are. After a write
    error, or if one happens now, every file keeps its ``.part`` name and the run counts as stopped by it."""
    files = outputs(crawler)
    if storage_error(crawler) is not None and not files.committed:  # a write failed elsewhere (the story index)
        files.abandon()
        return False
    try:
        files.commit()
    except StorageError as exc:
        _stop(crawler, exc)
        return False
    return storage_error(crawler) is None


class ProjectAddon:
    """Checks the ``SCRAPER_*`` settings of every command (crawl, shell, fetch), and sets ``USER_AGENT`` from
    ``SCRAPER_CONTACT`` unless ``USER_AGENT`` was set itself."""

    def update_settings(self, settings: Any) -> None:
        try:
            contact = crawl_config(settings, SCRAPY_OWN).contact
        except SettingsError as exc:
            fail(str(exc))
        if contact and settings.get("USER_AGENT") == PLACEHOLDER_AGENT:
            settings.set("USER_AGENT", user_agent(contact), priority=settings.getpriority("USER_AGENT"))
