"""The project's glue to Scrapy: the checked ``SCRAPER_*`` settings, the run id and the cleaning job of a
crawl (each made once per crawler), a one-line exit for bad arguments and settings, and the add-on that
puts ``SCRAPER_CONTACT`` into the User-Agent."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from scrapy.settings import default_settings

from scraper.crawl.config import (
    PLACEHOLDER_AGENT,
    CrawlConfig,
    SettingsError,
    crawl_config,
    job_from_config,
    user_agent,
)
from scraper.errors import ScraperError
from scraper.job import CleanJob, load_registry
from scraper.storage import new_run_id

EXIT_CANNOT_START, EXIT_USAGE = 1, 2
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
