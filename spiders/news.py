"""The generic news spider: walks feeds, sitemaps and section pages from profiles or arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from extensions.distributed import worker_name
from extensions.errors import error_from_failure
from extensions.project import EXIT_CANNOT_START, config, fail
from middlewares.received import AS_RECEIVED
from scraper.article import RawPage
from scraper.crawl.config import PLACEHOLDER_AGENT, closest, public_hosts
from scraper.crawl.discovery import (
    Entry,
    Listing,
    entry_wanted,
    page_links,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
)
from scraper.crawl.history import CrawlHistory
from scraper.crawl.netpolicy import scheme_refusal
from scraper.crawl.plan import CrawlPlan, build_plan
from scraper.crawl.shared import SharedCrawl
from scraper.errors import RefusedError, ScraperError, StorageError
from scraper.job import load_registry
from scraper.records import ErrorRecord, Source, error_record

# Article responses with these statuses reach the pipelines (and the archive) instead of the errback;
# redirects are still followed.
_ERROR_STATUSES = list(range(400, 600))
ARGUMENTS = ("site", "feed", "sitemap", "start", "since", "until", "query", "max_articles", "depth")
# Arguments that schedulers pass to every spider (scrapyd: the job id).
_SCHEDULER_ARGUMENTS = frozenset({"_job"})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class NewsSpider(scrapy.Spider):
    """``scrapy crawl news -a site=bbc.co.uk`` or ``-a feed=URL`` / ``-a sitemap=URL`` / ``-a start=URL``.

    Other arguments: ``since``/``until`` (YYYY-MM-DD), ``query`` (comma-separated terms),
    ``max_articles``, ``depth``; an unknown argument or a bad value stops the command before anything is
    fetched (one line, exit code 2), and so does a bad ``SCRAPER_*`` setting. Yields a ``RawPage`` per article
    response (any status) and an ``ErrorRecord`` per URL that gave no page (refused, unreachable...).
    Settings: ``SCRAPER_PROFILES_DIR``, and ``SCRAPER_HISTORY`` (a history file: article URLs that an earlier
    run wrote are not fetched again), ``SCRAPER_REDIS_URL`` and ``SCRAPER_CRAWL_ID`` (article URLs are claimed
    in the shared crawl, see ``extensions/distributed.py``).
    """

    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._arguments = {k: kwargs.pop(k) for k in ARGUMENTS if k in kwargs}
        for name in sorted(set(kwargs) - _SCHEDULER_ARGUMENTS):
            hint = closest(name, ARGUMENTS)
            fail(f"crawl news: unknown argument -a {name}=...; "
                 + (f"did you mean -a {hint}=?" if hint else f"the arguments are {', '.join(ARGUMENTS)}"))
        super().__init__(*args, **kwargs)
        self.plan: CrawlPlan | None = None
        self.scheduled = 0
        self.seen: set[str] = set()
        self.history: CrawlHistory | None = None
        self.shared: SharedCrawl | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        settings = config(crawler)  # a bad setting stops the command here, before anything starts
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.plan = build_plan(load_registry(settings.profiles_dir), **spider._arguments)
            if settings.history:
                spider.history = CrawlHistory(settings.history)
        except (ValueError, ScraperError) as exc:
            fail(f"crawl news: {exc}")
        if settings.redis_url:
            spider.shared = SharedCrawl(settings.redis_url, settings.crawl_id, worker_name())
            try:
                spider.shared.ping()
            except StorageError as exc:
                fail(f"crawl news: {exc}", EXIT_CANNOT_START)
        return spider

    def closed(self, reason: str) -> None:
        if self.history is not None:
            self.history.close()

    def _claim(self, url: str) -> bool:
        """True the first time ``url`` is met in this crawl (in every process of a distributed crawl)."""
        if self.shared is not None:
            return self.shared.claim(url)
        if url in self.seen:
            return False
        self.seen.add(url)
        return True

    def _over_max_articles(self) -> bool:
        """Count one more article scheduled; True if that goes past ``max_articles`` (counted crawl-wide
        when distributed)."""
        assert self.plan is not None
        self.scheduled += 1
        if self.plan.max_articles is None:
            return False
        total = self.shared.count_scheduled() if self.shared is not None else self.scheduled
        return total > self.plan.max_articles

    async def start(self) -> AsyncIterator[scrapy.Request]:
        assert self.plan is not None
        hosts = public_hosts(seed.url for seed in self.plan.seeds)
        if hosts and self.settings.get("USER_AGENT") == PLACEHOLDER_AGENT:
            self.logger.warning("USER_AGENT names no contact: set SCRAPER_CONTACT (an e-mail address or URL) "
                                "before crawling %s", ", ".join(hosts))
        for seed in self.plan.seeds:
            yield self._discovery_request(seed.url, seed.kind, seed.site, depth=0)

    def _discovery_request(self, url: str, kind: str, site: str | None, depth: int) -> scrapy.Request:
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "robots": self.parse_robots,
                    "section": self.parse_section}[kind]
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              cb_kwargs={"site": site, "depth": depth}, meta={"scraper_stage": "discover"})

    def _article_requests(self, entries: list[Entry], site: str | None) -> Iterator[scrapy.Request | ErrorRecord]:
        assert self.plan is not None
        rules = self.plan.url_rules(site)
        for entry in entries:
            if self.plan.max_articles is not None and self.scheduled >= self.plan.max_articles:
                self.crawler.stats.inc_value("scraper/spider/over_max_articles")
                return
            if (why := scheme_refusal(entry.url)) is not None:
                self.crawler.stats.inc_value("scraper/policy/refused")
                yield error_record(RefusedError(why), source=Source(url=entry.url, fetched_at=_now()), site=site)
                continue
            if rules.denied(entry.url):
                self.crawler.stats.inc_value("scraper/spider/skipped_by_url_rule")
                continue
            if not entry_wanted(entry, self.plan.window, self.plan.query):
                self.crawler.stats.inc_value("scraper/spider/skipped_by_filter")
                continue
            if self.history is not None and self.history.written(entry.url):
                self.crawler.stats.inc_value("scraper/history/skipped")
                continue
            if not self._claim(entry.url):
                continue
            if self._over_max_articles():
                self.crawler.stats.inc_value("scraper/spider/over_max_articles")
                return
            discovered = {"title": entry.title, "published": entry.published, "keywords": list(entry.keywords)}
            # Articles are de-duplicated here, so that a redirect loop back to the same URL is followed
            # (and reported at REDIRECT_MAX_TIMES) instead of vanishing in the duplicate filter.
            yield scrapy.Request(
                entry.url, callback=self.parse_article, errback=self.on_error, cb_kwargs={"site": site},
                dont_filter=True,
                meta={"scraper_stage": "fetch", "handle_httpstatus_list": _ERROR_STATUSES,
                      "scraper_discovered": discovered},
            )

    def parse_feed(self, response: Response, site: str | None, depth: int) -> Iterator[Any]:
        """Feed entries become article requests (after the date window and query pre-filter); a feed the XML
        parser refused becomes an error record."""
        yield from self._listing(response, site, depth, parse_feed)

    def parse_sitemap(self, response: Response, site: str | None, depth: int) -> Iterator[Any]:
        """Index children become sitemap requests; entries (with news: fields) become article requests; a sitemap
        that cannot be read (refused, cut short, a gzip bomb) becomes an error record."""
        yield from self._listing(response, site, depth, parse_sitemap)

    def _listing(self, response: Response, site: str | None, depth: int,
                 parse: Callable[[bytes, str, int], Listing]) -> Iterator[Any]:
        """The requests of a feed or sitemap, at most ``SCRAPER_MAX_ENTRIES_PER_SOURCE`` entries (a cut is logged
        and counted), or its error record: a source never vanishes in silence."""
        limit = config(self.crawler).max_entries_per_source
        try:
            listing = parse(response.body, response.url, limit)
        except ScraperError as exc:
            self.crawler.stats.inc_value(f"scraper/discover_error/{exc.reason}")
            redirects = response.request.meta.get("redirect_urls") if response.request else None
            where = Source(url=redirects[0] if redirects else response.url, final_url=response.url,
                           status=response.status, fetched_at=_now())
            yield error_record(exc, source=where, stage="discover", site=site)
            return
        if listing.capped:
            self.crawler.stats.inc_value("scraper/discover/entries_cut")
            self.logger.warning("%s lists more than %d entries; only the first %d are used "
                                "(SCRAPER_MAX_ENTRIES_PER_SOURCE)", response.url, limit, limit)
        if listing.damaged:
            self.crawler.stats.inc_value("scraper/discover/damaged")
            self.logger.warning("%s is damaged after %d entries (%s); those entries are used", response.url,
                                len(listing.entries) + len(listing.sitemaps), listing.damaged)
        for child in listing.sitemaps:
            yield self._discovery_request(child, "sitemap", site, depth)
        yield from self._article_requests(list(listing.entries), site)

    def parse_robots(self, response: Response, site: str | None, depth: int) -> Iterator[scrapy.Request]:
        """Each ``Sitemap:`` line of a robots.txt becomes a sitemap request."""
        for url in robots_sitemaps(response.text, response.url):
            yield self._discovery_request(url, "sitemap", site, depth)

    def parse_section(self, response: Response, site: str | None, depth: int) -> Iterator[Any]:
        """Announced feeds, article links, and (within the depth limit) further section pages."""
        assert self.plan is not None
        if not hasattr(response, "text") or b"html" not in (response.headers.get(b"Content-Type") or b"text/html"):
            return
        found = page_links(response.body, response.url)
        for feed in found.feeds:
            yield self._discovery_request(feed, "feed", site, depth)
        rules = self.plan.url_rules(site)
        articles = [Entry(url) for url in found.links if rules.is_article(url)]
        yield from self._article_requests(articles, site)
        if depth >= self.plan.max_depth:
            return
        for url in found.links:
            if rules.on_site(url) and not rules.denied(url) and not rules.is_article(url):
                yield self._discovery_request(url, "section", site, depth + 1)

    def parse_article(self, response: Response, site: str | None) -> Iterator[RawPage]:
        """The response as a RawPage, whatever its status (the pipelines decide what it becomes), with its body
        as received: still in its ``Content-Encoding``, which the cleaning job decodes (strictly)."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'") or None
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs
                        if k.lower() != b"content-encoding")
        body, codings = response.meta.get(AS_RECEIVED) or (response.body, None)
        if codings:
            headers += (("Content-Encoding", codings),)
        redirects = response.request.meta.get("redirect_urls") if response.request else None
        yield RawPage(
            url=redirects[0] if redirects else response.url, final_url=response.url, status=response.status,
            fetched_at=_now(), body=body, headers=headers, encoding=charset, site=site,
            discovered=response.meta.get("scraper_discovered"),
        )

    def on_error(self, failure: Failure) -> Iterator[ErrorRecord]:
        """A request that gave no usable response becomes an error record (archived, then written)."""
        request = failure.request  # type: ignore[attr-defined]
        error = error_from_failure(failure.value, urlsplit(request.url).hostname)
        response = getattr(failure.value, "response", None)
        redirects = request.meta.get("redirect_urls") or []
        where = Source(url=redirects[0] if redirects else request.url, final_url=request.url,
                       status=response.status if response is not None else None, fetched_at=_now())
        discovery = request.meta.get("scraper_stage") == "discover"
        self.crawler.stats.inc_value(f"scraper/{'discover' if discovery else 'fetch'}_error/{error.reason}")
        yield error_record(error, source=where, stage="discover" if discovery else None,
                           site=request.cb_kwargs.get("site"))


__all__ = ["NewsSpider"]
