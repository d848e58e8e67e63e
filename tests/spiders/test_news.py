"""NewsSpider callbacks called directly with responses built in memory."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet import error as net
from twisted.python.failure import Failure

from extensions.errors import RequestRefused
from scraper.article import RawPage
from scraper.errors import RefusedError
from scraper.records import ErrorRecord
from spiders.news import NewsSpider

FEED = b"""<rss version="2.0"><channel>
<item><title>Harbour gang boss escapes</title><link>https://news.example.com/2025/06/12/gang</link>
<pubDate>Thu, 12 Jun 2025 08:30:00 GMT</pubDate></item>
<item><title>Weather</title><link>https://news.example.com/2025/05/01/weather</link>
<pubDate>Thu, 01 May 2025 08:30:00 GMT</pubDate></item>
<item><title>Local file</title><link>file:///etc/passwd</link></item>
</channel></rss>"""


def _spider(**args: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, {"SCRAPER_OUTPUT_DIR": "output"})
    return NewsSpider.from_crawler(crawler, **args)


@pytest.mark.parametrize(("args", "message"), [
    ({"since": "2025-06-01"}, "crawl news: nothing to crawl: give site=, feed=, sitemap= or start="),
    ({"feed": "https://x.org/f", "since": "2025-13-01"}, "crawl news: since='2025-13-01': expected a date YYYY-MM-DD"),
    ({"feed": "https://x.org/f", "sinse": "2025-06-01"}, "crawl news: unknown argument -a sinse=...; did you mean "
                                                         "-a since=?"),
    ({"feed": "https://x.org/f", "colour": "red"}, "crawl news: unknown argument -a colour=...; the arguments are "
                                                   "site, feed"),
    ({"site": "nowhere.example"}, "crawl news: site='nowhere.example': no site profile 'nowhere.example'"),
])
def test_arguments_are_checked_when_the_spider_is_built(capsys: pytest.CaptureFixture[str], args: dict[str, str],
                                                        message: str) -> None:
    with pytest.raises(SystemExit) as info:
        _spider(**args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scrapy: {message}") and err.count("\n") == 1


def test_a_scheduler_job_id_is_accepted() -> None:
    assert _spider(feed="https://x.org/f", _job="6487ec79947edab326d6db28a2d86511e8247444").plan is not None


def test_feed_callback_filters_by_window_and_refuses_bad_schemes() -> None:
    spider = _spider(feed="https://news.example.com/feed.xml", since="2025-06-01")
    out = list(spider.parse_feed(XmlResponse("https://news.example.com/feed.xml", body=FEED), site=None, depth=0))
    requests = [o for o in out if isinstance(o, scrapy.Request)]
    errors = [o for o in out if isinstance(o, ErrorRecord)]
    assert [r.url for r in requests] == ["https://news.example.com/2025/06/12/gang"]
    assert requests[0].meta["scraper_discovered"]["title"] == "Harbour gang boss escapes"
    assert [(e.url, e.stage, e.reason) for e in errors] == [("file:///etc/passwd", "policy", "refused")]


def test_article_callback_yields_a_raw_page_with_charset_and_original_url() -> None:
    spider = _spider(feed="https://news.example.com/feed.xml")
    request = Request("https://news.example.com/final", meta={"redirect_urls": ["https://news.example.com/short"]})
    response = HtmlResponse("https://news.example.com/final", body=b"<html>x</html>", request=request,
                            headers={"Content-Type": "text/html; charset=ISO-8859-1"}, status=200)
    (page,) = spider.parse_article(response, site="bbc.com")
    assert isinstance(page, RawPage)
    assert (page.url, page.final_url, page.encoding, page.site) == (
        "https://news.example.com/short", "https://news.example.com/final", "ISO-8859-1", "bbc.com")


def test_section_callback_follows_articles_feeds_and_sections_within_depth() -> None:
    spider = _spider(start="https://news.example.com/", depth="1")
    html = (b"<html><head><link rel='alternate' type='application/atom+xml' href='/atom.xml'></head><body>"
            b"<a href='/world'>World</a><a href='/2025/06/12/a-long-article-slug-here'>A</a>"
            b"<a href='https://elsewhere.org/2025/06/12/x-y-z-w'>off site</a></body></html>")
    response = HtmlResponse("https://news.example.com/", body=html, headers={"Content-Type": "text/html"})
    urls = [r.url for r in spider.parse_section(response, site=None, depth=0)]
    assert urls == ["https://news.example.com/atom.xml", "https://news.example.com/2025/06/12/a-long-article-slug-here",
                    "https://news.example.com/world"]
    deeper = [r.url for r in spider.parse_section(response, site=None, depth=1)]
    assert "https://news.example.com/world" not in deeper


@pytest.mark.parametrize(("exc", "stage", "reason", "error"), [
    (DownloadTimeoutError("Getting x took longer than 2 seconds."), "fetch", "timeout", "NetworkError"),
    (DownloadConnectionRefusedError("Connection was refused by other side: 111"), "fetch", "connection-refused",
     "NetworkError"),
    (net.ConnectionRefusedError("111: Connection refused"), "fetch", "connection-refused", "NetworkError"),
    (CannotResolveHostError("no such host"), "fetch", "dns", "NetworkError"),
    (IgnoreRequest("max redirections reached"), "fetch", "redirect-limit", "FetchError"),
    (IgnoreRequest("Forbidden by robots.txt"), "fetch", "robots", "RobotsError"),
    (RequestRefused(RefusedError("refused by fetch policy: address 10.0.0.1 is private")), "policy", "refused",
     "RefusedError"),
    (ValueError("something odd"), "fetch", "download-failed", "FetchError"),
])
def test_errback_turns_a_failure_into_the_error_record_of_what_happened(exc: Exception, stage: str, reason: str,
                                                                        error: str) -> None:
    spider = _spider(feed="https://news.example.com/feed.xml")
    failure = Failure(exc)
    failure.request = Request("https://news.example.com/slow", meta={"scraper_stage": "fetch"},  # type: ignore[attr-defined]
                              cb_kwargs={"site": "news.example.com"})
    (record,) = spider.on_error(failure)
    assert (record.url, record.stage, record.reason, record.error) == ("https://news.example.com/slow", stage, reason,
                                                                       error)
    assert record.site == "news.example.com" and record.source.fetched_at


def test_a_failed_discovery_request_is_a_discover_error() -> None:
    spider = _spider(feed="https://news.example.com/feed.xml")
    failure = Failure(DownloadTimeoutError("slow"))
    failure.request = Request("https://news.example.com/feed.xml", meta={"scraper_stage": "discover"})  # type: ignore[attr-defined]
    (record,) = spider.on_error(failure)
    assert (record.stage, record.reason) == ("discover", "timeout")
