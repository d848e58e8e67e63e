"""The crawl's own settings (``SCRAPER_*``), read and checked once into a ``CrawlConfig``.

An unknown ``SCRAPER_*`` name is refused naming the closest known one, and a bad value is refused naming
the setting and what it takes: one line each, before anything is fetched. The defaults are the constants
of ``scraper/settings.py``; ``job_from_config`` builds the crawl's cleaning job from the result.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper import settings as defaults
from scraper._version import __version__
from scraper.config import DEFAULT_OPTIONS, load_options
from scraper.job import CleanJob, Window

PREFIX = "SCRAPER_"
DEFAULTS: dict[str, Any] = {k: v for k, v in vars(defaults).items() if k.startswith(PREFIX)}
# The USER_AGENT of scraper/settings.py, until SCRAPER_CONTACT (or USER_AGENT itself) is set.
PLACEHOLDER_AGENT: str = defaults.USER_AGENT
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class SettingsError(ValueError):
    """A crawl argument or setting that cannot be used; the message is one line naming it."""


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise SettingsError(f"{name}={value!r}: expected 1 or 0 (true or false)")


def _number(cast: Callable[[Any], float], name: str, value: Any, minimum: float, what: str) -> Any:
    try:
        number = cast(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}={value!r}: expected {what}") from None
    if isinstance(value, bool) or number < minimum:
        raise SettingsError(f"{name}={value!r}: expected {what} of at least {minimum:g}")
    return number


def _int(name: str, value: Any, minimum: int = 0) -> int:
    return int(_number(int, name, value, minimum, "a whole number"))


def _float(name: str, value: Any, minimum: float = 0.0) -> float:
    return float(_number(float, name, value, minimum, "a number"))


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"{name}={value!r}: expected text")
    return value.strip()


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """The ``SCRAPER_*`` settings of one crawl, parsed (see README "Crawl settings" for each)."""

    allow_loopback: bool
    allow_private: bool
    archive_raw: bool
    clean_config: str | None
    clean_memory_limit: int
    clean_time_limit: float
    clean_workers: int
    contact: str
    crawl_id: str
    history: str | None
    keep_non_articles: bool
    max_entries_per_source: int
    min_words: int
    output_dir: str
    profiles_dir: str | None
    redis_expire: int
    redis_idle_max: float
    redis_url: str | None
    retry_after_max: float
    run_id: str | None
    stories: str | None
    story_drop: tuple[str, ...]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like ``name`` (a typo's fix), or None."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def check_names(names: Iterable[str], others: Collection[str] = ()) -> None:
    """Refuse ``SCRAPER_*`` names that are not settings of the crawl (nor among ``others``: Scrapy has one,
    ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``).

    Raises:
        SettingsError: naming the first unknown name and the closest known one.
    """
    for name in sorted(n for n in names if n.startswith(PREFIX) and n not in DEFAULTS and n not in others):
        suffix = closest(name.removeprefix(PREFIX), [known.removeprefix(PREFIX) for known in DEFAULTS])
        hint = PREFIX + suffix if suffix else None
        also = f"; did you mean {hint}?" if hint else "; the crawl settings are listed in README.md"
        raise SettingsError(f"unknown setting {name}{also}")


def _redis_url(value: str) -> str | None:
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError(f"SCRAPER_REDIS_URL={value!r}: expected redis://host:port/db, rediss://... or "
                            "unix:///path/redis.sock")
    return value or None


def _folder(name: str, value: str) -> str | None:
    if value and not Path(value).is_dir():
        raise SettingsError(f"{name}={value!r}: no such folder")
    return value or None


STORY_RELATIONS = ("duplicate", "copy", "rewrite")


def _stories(value: str, history: str | None, output_dir: str) -> str | None:
    """The story index file: off, a file named, or ``stories.sqlite3`` next to the history (or the output)."""
    if value.lower() in ("off", "0", "no", "false"):
        return None
    if value:
        if Path(value).is_dir():
            raise SettingsError(f"SCRAPER_STORIES={value!r}: a folder; name the index file (e.g. stories.sqlite3)")
        return value
    return str(Path(history).parent / "stories.sqlite3") if history else str(Path(output_dir) / "stories.sqlite3")


def _story_drop(value: str) -> tuple[str, ...]:
    relations = tuple(r.strip().lower() for r in value.split(",") if r.strip())
    for relation in relations:
        if relation not in STORY_RELATIONS:
            raise SettingsError(f"SCRAPER_STORY_DROP={value!r}: {relation!r} is not one of "
                                f"{', '.join(STORY_RELATIONS)} (comma-separated; empty keeps every article)")
    return relations


def crawl_config(settings: Mapping[str, Any], others: Collection[str] = ()) -> CrawlConfig:
    """Read and check every ``SCRAPER_*`` setting (missing ones take their defaults; ``others`` are names of
    the same prefix that belong to someone else).

    Raises:
        SettingsError: an unknown name or a bad value (one line naming the setting).
    """
    check_names(settings.keys(), others)

    def get(name: str) -> Any:
        value = settings.get(name)
        return DEFAULTS[name] if value is None else value

    run_id = _text("SCRAPER_RUN_ID", get("SCRAPER_RUN_ID"))
    crawl_id = _text("SCRAPER_CRAWL_ID", get("SCRAPER_CRAWL_ID"))
    if run_id and not _NAME.match(run_id):
        raise SettingsError(f"SCRAPER_RUN_ID={run_id!r}: use 1-100 letters, digits, '.', '_' or '-'")
    redis_url = _redis_url(_text("SCRAPER_REDIS_URL", get("SCRAPER_REDIS_URL")))
    if redis_url and not _NAME.match(crawl_id):
        raise SettingsError(f"SCRAPER_CRAWL_ID={crawl_id!r}: SCRAPER_REDIS_URL needs a crawl id of 1-100 letters, "
                            "digits, '.', '_' or '-' (e.g. news-2026112309)")
    clean_config = _text("SCRAPER_CLEAN_CONFIG", get("SCRAPER_CLEAN_CONFIG"))
    if clean_config and not Path(clean_config).is_file():
        raise SettingsError(f"SCRAPER_CLEAN_CONFIG={clean_config!r}: no such file")
    output_dir = _text("SCRAPER_OUTPUT_DIR", get("SCRAPER_OUTPUT_DIR"))
    if not output_dir:
        raise SettingsError("SCRAPER_OUTPUT_DIR is empty: name the folder for articles/ and raw/")
    history = _text("SCRAPER_HISTORY", get("SCRAPER_HISTORY")) or None
    return CrawlConfig(
        allow_loopback=_bool("SCRAPER_ALLOW_LOOPBACK", get("SCRAPER_ALLOW_LOOPBACK")),
        allow_private=_bool("SCRAPER_ALLOW_PRIVATE", get("SCRAPER_ALLOW_PRIVATE")),
        archive_raw=_bool("SCRAPER_ARCHIVE_RAW", get("SCRAPER_ARCHIVE_RAW")),
        clean_config=clean_config or None,
        clean_memory_limit=_int("SCRAPER_CLEAN_MEMORY_LIMIT", get("SCRAPER_CLEAN_MEMORY_LIMIT")),
        clean_time_limit=_float("SCRAPER_CLEAN_TIME_LIMIT", get("SCRAPER_CLEAN_TIME_LIMIT"), 0.001),
        clean_workers=_int("SCRAPER_CLEAN_WORKERS", get("SCRAPER_CLEAN_WORKERS")),
        contact=_text("SCRAPER_CONTACT", get("SCRAPER_CONTACT")),
        crawl_id=crawl_id,
        history=history,
        keep_non_articles=_bool("SCRAPER_KEEP_NON_ARTICLES", get("SCRAPER_KEEP_NON_ARTICLES")),
        max_entries_per_source=_int("SCRAPER_MAX_ENTRIES_PER_SOURCE", get("SCRAPER_MAX_ENTRIES_PER_SOURCE"), 1),
        min_words=_int("SCRAPER_MIN_WORDS", get("SCRAPER_MIN_WORDS")),
        output_dir=output_dir,
        profiles_dir=_folder("SCRAPER_PROFILES_DIR", _text("SCRAPER_PROFILES_DIR", get("SCRAPER_PROFILES_DIR"))),
        redis_expire=_int("SCRAPER_REDIS_EXPIRE", get("SCRAPER_REDIS_EXPIRE"), 1),
        redis_idle_max=_float("SCRAPER_REDIS_IDLE_MAX", get("SCRAPER_REDIS_IDLE_MAX")),
        redis_url=redis_url,
        retry_after_max=_float("SCRAPER_RETRY_AFTER_MAX", get("SCRAPER_RETRY_AFTER_MAX")),
        run_id=run_id or None,
        stories=_stories(_text("SCRAPER_STORIES", get("SCRAPER_STORIES")), history, output_dir),
        story_drop=_story_drop(_text("SCRAPER_STORY_DROP", get("SCRAPER_STORY_DROP"))),
    )


def job_from_config(config: CrawlConfig, window: Window | None = None, query: tuple[str, ...] = ()) -> CleanJob:
    """The crawl's cleaning job: options from ``SCRAPER_CLEAN_CONFIG``, profiles from ``SCRAPER_PROFILES_DIR``,
    ``SCRAPER_MIN_WORDS``, ``SCRAPER_KEEP_NON_ARTICLES``, and the spider's since/until window and query.

    Raises:
        OptionsError: the options file is not valid.
    """
    options = load_options(config.clean_config) if config.clean_config else DEFAULT_OPTIONS
    return CleanJob(options=options, profiles=config.profiles_dir, min_words=config.min_words,
                    window=window or Window(), query=query, keep_non_articles=config.keep_non_articles)


def user_agent(contact: str) -> str:
    """The User-Agent naming a contact (an e-mail address or a URL)."""
    return f"newsclean/{__version__} (news research crawler; contact: {contact})"


def public_hosts(urls: Iterable[str]) -> list[str]:
    """The hosts of ``urls`` that are neither loopback nor private: crawling them calls for a contact."""
    hosts = []
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if not host or host == "localhost" or host.endswith(".localhost"):
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            hosts.append(host)
            continue
        if address.is_global:
            hosts.append(host)
    return sorted(set(hosts))
