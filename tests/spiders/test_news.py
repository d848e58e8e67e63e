"""NewsSpider callbacks called directly with responses built in memory."""

from __future__ import annotations

import scrapy
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from scraper.article import FetchError, RawPage
from spiders.news import NewsSpider

FEED = b"""<rss version="2.0"><channel>
<item><title>Harbour gang boss escapes</title><link>https://news.example.com/2025/06/12/gang</link>
<pubDate>Thu, 12 Jun 2025 08:30:00 GMT</pubDate></item>
<item><title>Weather</title><link>https://news.example.com/2025/05/01/weather</link>
<pubDate>Thu, 01 May 2025 08:30:00 GMT</pubDate></item>
<item><title>Local file</title><link>file:///etc/passwd</link></item>
</channel></rss>"""


def _spider(**args: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, {"SCRAPER_OUTPUT_DIR": ""})
    return NewsSpider.from_crawler(crawler, **args)


def test_arguments_are_validated_when_the_spider_is_built() -> None:
    try:
        _spider(since="2025-06-01")
    except ValueError as exc:
        assert "nothing to crawl" in str(exc)
    else:
        raise AssertionError("a spider without seeds must not start")


def test_feed_callback_filters_by_window_and_refuses_bad_schemes() -> None:
    spider = _spider(feed="https://news.example.com/feed.xml", since="2025-06-01")
    out = list(spider.parse_feed(XmlResponse("https://news.example.com/feed.xml", body=FEED), site=None, depth=0))
    requests = [o for o in out if isinstance(o, scrapy.Request)]
    errors = [o for o in out if isinstance(o, FetchError)]
    assert [r.url for r in requests] == ["https://news.example.com/2025/06/12/gang"]
    assert requests[0].meta["scraper_discovered"]["title"] == "Harbour gang boss escapes"
    assert [(e.url, e.stage) for e in errors] == [("file:///etc/passwd", "policy")]


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


def test_errback_turns_a_failure_into_an_error_record() -> None:
    spider = _spider(feed="https://news.example.com/feed.xml")
    failure = Failure(TimeoutError("took too long"))
    failure.request = Request("https://news.example.com/slow", meta={"scraper_stage": "fetch"})  # type: ignore[attr-defined]
    (error,) = spider.on_error(failure)
    assert error.url == "https://news.example.com/slow"
    assert error.stage == "fetch" and "TimeoutError" in error.reason
