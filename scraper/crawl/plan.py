"""What a crawl run fetches: spider arguments and site profiles turned into a validated plan.

Pure (no Scrapy): the ``news`` spider builds a ``CrawlPlan`` from its ``-a`` arguments and walks it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import urlsplit

from scraper.crawl.discovery import UrlRules
from scraper.crawl.netpolicy import scheme_refusal
from scraper.job import Window, parse_query
from scraper.profiles import ProfileRegistry, SiteProfile

SeedKind = Literal["feed", "sitemap", "robots", "section"]
SEED_KINDS: tuple[SeedKind, ...] = get_args(SeedKind)
# Profile [seeds] keys (profiles.SEED_KEYS) and the kind of seed each holds.
_PROFILE_SEEDS: dict[str, SeedKind] = {"feeds": "feed", "sitemaps": "sitemap", "news_sitemaps": "sitemap",
                                       "sections": "section", "robots": "robots"}


@dataclass(frozen=True, slots=True)
class Seed:
    """Where a crawl starts: a feed, a sitemap (or index), a robots.txt (for its Sitemap lines) or a section page."""

    kind: SeedKind
    url: str
    site: str | None = None


@dataclass(frozen=True, slots=True)
class CrawlPlan:
    """Everything the spider needs to decide what to fetch."""

    seeds: tuple[Seed, ...]
    rules: dict[str | None, UrlRules]
    window: Window
    query: tuple[str, ...]
    max_articles: int | None
    max_depth: int

    def url_rules(self, site: str | None) -> UrlRules:
        """The URL rules of a site (or of the ad-hoc seeds, keyed None)."""
        return self.rules.get(site) or self.rules[None]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip()]


def _date(name: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r}: expected a date YYYY-MM-DD") from exc


def _positive(name: str, value: str | None, default: int | None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{name}={value!r}: expected a whole number") from exc
    if number < 0:
        raise ValueError(f"{name}={value!r}: must be >= 0")
    return number


def _urls(name: str, value: str | None) -> list[str]:
    urls = _split(value)
    for url in urls:
        if (why := scheme_refusal(url)) is not None:
            raise ValueError(f"{name}: {url!r}: {why}")
    return urls


def _profile_seeds(profile: SiteProfile) -> list[Seed]:
    """The profile's seeds (their keys were checked when the profile was loaded)."""
    return [Seed(_PROFILE_SEEDS[key], url, profile.id) for key, urls in profile.seeds.items() for url in urls]


def build_plan(
    registry: ProfileRegistry,
    *,
    site: str | None = None,
    feed: str | None = None,
    sitemap: str | None = None,
    start: str | None = None,
    since: str | None = None,
    until: str | None = None,
    query: str | None = None,
    max_articles: str | None = None,
    depth: str | None = None,
) -> CrawlPlan:
    """Turn spider arguments into a plan.

    Args:
        site: comma-separated profile names (domains); the crawl starts from their [seeds].
        feed / sitemap / start: comma-separated URLs for ad-hoc runs (``start`` = section or home
            pages, which are also searched for feed links).
        since / until: publication-date window, YYYY-MM-DD, inclusive.
        query: comma-separated words or phrases; only coverage mentioning one of them is kept.
        max_articles: stop scheduling articles after this many.
        depth: how many links deep to follow section pages (default 2).

    Raises:
        ValueError: an argument is malformed, names an unknown profile, or no source is given.
    """
    seeds: list[Seed] = []
    rules: dict[str | None, UrlRules] = {}
    for name in _split(site):
        try:
            profile = registry.get(name)
        except Exception as exc:
            raise ValueError(f"site={name!r}: {exc}") from exc
        seeds += _profile_seeds(profile)
        rules[profile.id] = UrlRules(profile.allow, profile.deny, (profile.domain,))
    seeds += [Seed("feed", u) for u in _urls("feed", feed)]
    for url in _urls("sitemap", sitemap):
        seeds.append(Seed("robots" if urlsplit(url).path == "/robots.txt" else "sitemap", url))
    seeds += [Seed("section", u) for u in _urls("start", start)]
    if not seeds:
        raise ValueError("nothing to crawl: give site=, feed=, sitemap= or start=")
    adhoc_hosts = tuple(sorted({(urlsplit(s.url).hostname or "").removeprefix("www.")
                                for s in seeds if s.site is None}))
    rules[None] = UrlRules(hosts=adhoc_hosts)
    window = Window(_date("since", since), _date("until", until))
    if window.since and window.until and window.since > window.until:
        raise ValueError(f"since={since} is after until={until}")
    return CrawlPlan(
        seeds=tuple(dict.fromkeys(seeds)), rules=rules, window=window, query=parse_query(query),
        max_articles=_positive("max_articles", max_articles, None), max_depth=_positive("depth", depth, 2) or 0,
    )
