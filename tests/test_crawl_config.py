"""The crawl's SCRAPER_* settings: every one is read (and documented), unknown names and bad values are
refused in one line, the contact reaches the User-Agent, and public hosts without one get a warning."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from extensions.project import SCRAPY_OWN, ProjectAddon, clean_job
from scraper import settings as project
from scraper.crawl.config import (
    DEFAULTS,
    PLACEHOLDER_AGENT,
    CrawlConfig,
    SettingsError,
    crawl_config,
    public_hosts,
    user_agent,
)
from spiders.news import NewsSpider

ROOT = Path(__file__).resolve().parents[1]


def _name(field: str) -> str:
    return "SCRAPER_" + field.upper()


def test_every_setting_is_read_into_the_config_and_documented() -> None:
    fields = {_name(f) for f in CrawlConfig.__dataclass_fields__}
    assert fields == set(DEFAULTS), "a SCRAPER_* setting that nothing reads, or a field with no default"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Crawl settings"):]
    documented = set(re.findall(r"`(SCRAPER_[A-Z_]+)`", table[:table.index("\n#")]))
    assert documented == set(DEFAULTS), "the README's settings table lists exactly the crawl settings"


def test_defaults_and_values_from_the_command_line() -> None:
    config = crawl_config({})
    assert (config.output_dir, config.min_words, config.clean_workers, config.archive_raw) == ("output", 50, 0, True)
    given = crawl_config({"SCRAPER_ALLOW_LOOPBACK": "1", "SCRAPER_ARCHIVE_RAW": "false", "SCRAPER_MIN_WORDS": "10",
                          "SCRAPER_CLEAN_TIME_LIMIT": "2.5", "SCRAPER_HISTORY": "", "SCRAPER_RUN_ID": "hourly-01"})
    assert (given.allow_loopback, given.archive_raw, given.min_words, given.clean_time_limit) == (True, False, 10, 2.5)
    assert (given.history, given.run_id) == (None, "hourly-01")


@pytest.mark.parametrize(("settings", "message"), [
    ({"SCRAPER_ALLOW_LOOPBAK": "1"}, "unknown setting SCRAPER_ALLOW_LOOPBAK; did you mean SCRAPER_ALLOW_LOOPBACK?"),
    ({"SCRAPER_XYZZY": "1"}, "unknown setting SCRAPER_XYZZY; the crawl settings are listed in README.md"),
    ({"SCRAPER_ALLOW_PRIVATE": "maybe"}, "SCRAPER_ALLOW_PRIVATE='maybe': expected 1 or 0 (true or false)"),
    ({"SCRAPER_CLEAN_WORKERS": "-1"}, "SCRAPER_CLEAN_WORKERS='-1': expected a whole number of at least 0"),
    ({"SCRAPER_CLEAN_TIME_LIMIT": "0"}, "SCRAPER_CLEAN_TIME_LIMIT='0': expected a number of at least 0.001"),
    ({"SCRAPER_MIN_WORDS": "fifty"}, "SCRAPER_MIN_WORDS='fifty': expected a whole number"),
    ({"SCRAPER_OUTPUT_DIR": ""}, "SCRAPER_OUTPUT_DIR is empty"),
    ({"SCRAPER_PROFILES_DIR": "/nonexistent/profiles"}, "SCRAPER_PROFILES_DIR='/nonexistent/profiles': no such folder"),
    ({"SCRAPER_CLEAN_CONFIG": "/nonexistent.toml"}, "SCRAPER_CLEAN_CONFIG='/nonexistent.toml': no such file"),
    ({"SCRAPER_REDIS_URL": "http://redis:6379"}, "SCRAPER_REDIS_URL='http://redis:6379': expected redis://"),
    ({"SCRAPER_REDIS_URL": "redis://r:6379/0"}, "SCRAPER_CRAWL_ID='': SCRAPER_REDIS_URL needs a crawl id"),
    ({"SCRAPER_RUN_ID": "../escape"}, "SCRAPER_RUN_ID='../escape': use 1-100 letters"),
])
def test_bad_settings_are_one_line_naming_the_setting(settings: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        crawl_config(settings)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_scrapys_own_settings_with_our_prefix_are_not_refused() -> None:
    assert "SCRAPER_SLOT_MAX_ACTIVE_SIZE" in SCRAPY_OWN
    crawl_config({"SCRAPER_SLOT_MAX_ACTIVE_SIZE": 5_000_000}, SCRAPY_OWN)


def test_the_contact_goes_into_the_user_agent_unless_it_was_set_itself() -> None:
    settings = Settings({"USER_AGENT": PLACEHOLDER_AGENT, "SCRAPER_CONTACT": "crawl@example.org"}, priority="project")
    ProjectAddon().update_settings(settings)
    assert settings["USER_AGENT"] == user_agent("crawl@example.org") and "crawl@example.org" in settings["USER_AGENT"]
    own = Settings({"USER_AGENT": "MyBot/1.0 (+https://example.org/bot)", "SCRAPER_CONTACT": "x@example.org"})
    ProjectAddon().update_settings(own)
    assert own["USER_AGENT"] == "MyBot/1.0 (+https://example.org/bot)"
    assert project.USER_AGENT == PLACEHOLDER_AGENT and "SCRAPER_CONTACT" in PLACEHOLDER_AGENT


def test_public_hosts_are_the_ones_that_need_a_contact() -> None:
    urls = ["http://127.0.0.1:8000/feed.xml", "http://localhost/x", "http://10.1.2.3/", "http://[::1]/",
            "https://www.bbc.com/news", "http://93.184.216.34/"]
    assert public_hosts(urls) == ["93.184.216.34", "www.bbc.com"]


def _first_request(spider: NewsSpider) -> None:
    async def take() -> None:
        async for _ in spider.start():
            return

    asyncio.run(take())


def test_a_crawl_of_public_hosts_without_a_contact_starts_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(NewsSpider, {"USER_AGENT": PLACEHOLDER_AGENT})
    spider = NewsSpider.from_crawler(crawler, feed="https://news.example.org/feed.xml")
    with caplog.at_level(logging.WARNING):
        _first_request(spider)
    assert "set SCRAPER_CONTACT" in caplog.text and "news.example.org" in caplog.text
    caplog.clear()
    local = NewsSpider.from_crawler(get_crawler(NewsSpider, {"USER_AGENT": PLACEHOLDER_AGENT}),
                                    feed="http://127.0.0.1:8000/feed.xml")
    with caplog.at_level(logging.WARNING):
        _first_request(local)
    assert "SCRAPER_CONTACT" not in caplog.text


def test_the_crawls_job_takes_the_settings_and_the_spiders_window(tmp_path: Path) -> None:
    options = tmp_path / "options.toml"
    options.write_text("[clean]\nfavor_precision = true\n", encoding="utf-8")
    crawler = get_crawler(NewsSpider, {"SCRAPER_CLEAN_CONFIG": str(options), "SCRAPER_MIN_WORDS": "7"})
    crawler.spider = NewsSpider.from_crawler(crawler, feed="https://x.org/f", since="2025-06-01", query="tram")
    job = clean_job(crawler)
    assert job.options.favor_precision and job.min_words == 7 and job.query == ("tram",)
    assert str(job.window.since) == "2025-06-01"
