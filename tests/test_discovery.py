"""Feeds, sitemaps (news fields, gzip, index), robots Sitemap lines, page links, URL rules, windows, queries."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest

from scraper.crawl.discovery import (
    Entry,
    UrlRules,
    entry_wanted,
    page_links,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
)
from scraper.crawl.plan import build_plan
from scraper.errors import FeedError, PageTooLargeError, TruncatedError
from scraper.job import Window, matches_query, parse_query
from scraper.profiles import default_registry

BASE = "https://news.example.com/"
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel>
<item><title>Port strike spreads</title><link>https://news.example.com/2025/06/12/port-strike</link>
<pubDate>Thu, 12 Jun 2025 08:30:00 +0100</pubDate><category>Business</category></item>
<item><title>No link here</title></item>
<item><title>Relative</title><link>/2025/06/13/relative-story</link></item>
</channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Atom story</title>
<link rel="alternate" href="https://news.example.com/a/1"/><link rel="enclosure" href="https://cdn/x.jpg"/>
<updated>2025-06-12T10:00:00Z</updated></entry></feed>"""
NEWS_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example.com/2025/06/12/gang</loc><news:news>
<news:publication><news:name>Example</news:name><news:language>es</news:language></news:publication>
<news:publication_date>2025-06-12T08:00:00+02:00</news:publication_date>
<news:title>Gang boss escapes</news:title><news:keywords>crime, prisons</news:keywords></news:news></url>
<url><loc>https://news.example.com/2025/06/01/old</loc><lastmod>2025-06-01</lastmod></url>
</urlset>"""


def test_rss_entries_with_dates_categories_and_relative_links() -> None:
    entries = parse_feed(RSS, BASE).entries
    assert [e.url for e in entries] == ["https://news.example.com/2025/06/12/port-strike",
                                        "https://news.example.com/2025/06/13/relative-story"]
    assert entries[0].published == "2025-06-12T08:30:00+01:00"
    assert entries[0].keywords == ("Business",)


def test_atom_uses_the_alternate_link() -> None:
    assert parse_feed(ATOM, BASE).entries == (
        Entry("https://news.example.com/a/1", "Atom story", "2025-06-12T10:00:00+00:00"),)


@pytest.mark.parametrize(("body", "message"), [
    (b"<html>not a feed", "not a feed: the document is <html>"), (b"", "empty document, not a feed"),
    (b"\x00\x01 binary", "the XML parser refused a feed"),
    (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "' % i + b"&l%d;" % (i - 1) * 10 + b'">' for i in range(1, 10))
     + b"]><rss><channel><item><title>&l9;</title><link>/a</link></item></channel></rss>",
     "the XML parser refused a feed: Maximum entity amplification factor exceeded"),
])
def test_a_feed_the_parser_refuses_is_an_error_not_silence(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=re.escape(message)):
        parse_feed(body, BASE)


def test_entries_per_source_are_capped_and_the_cut_reported() -> None:
    items = b"".join(b"<item><title>t%d</title><link>/a/%d</link></item>" % (i, i) for i in range(10))
    feed = b"<rss><channel>" + items + b"</channel></rss>"
    capped = parse_feed(feed, BASE, max_entries=3)
    assert [e.url for e in capped.entries] == [f"https://news.example.com/a/{i}" for i in range(3)] and capped.capped
    assert len(parse_feed(feed, BASE, max_entries=10).entries) == 10 and not parse_feed(feed, BASE, 10).capped
    damaged = parse_feed(feed[:-40], BASE)
    assert len(damaged.entries) == 9 and "Premature end of data" in (damaged.damaged or "")


def test_news_sitemap_keeps_news_fields() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP, BASE)
    first, second = sitemap.entries
    assert first == Entry("https://news.example.com/2025/06/12/gang", "Gang boss escapes",
                          "2025-06-12T08:00:00+02:00", ("crime", "prisons"), "es")
    assert second.published == "2025-06-01" and second.title is None


def test_gzip_sitemap_index() -> None:
    index = gzip.compress(b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                          b"<sitemap><loc>/s1.xml.gz</loc></sitemap></sitemapindex>")
    assert parse_sitemap(index, BASE).sitemaps == ("https://news.example.com/s1.xml.gz",)


def test_a_sitemap_gzip_bomb_or_cut_gzip_is_an_error_not_silence() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (60 << 20) + b"</urlset>")
    with pytest.raises(PageTooLargeError, match="expands beyond the protocol's 50 MB"):
        parse_sitemap(bomb, BASE)
    packed = gzip.compress(NEWS_SITEMAP)
    with pytest.raises(TruncatedError, match="the gzipped sitemap ends before its end"):
        parse_sitemap(packed[: len(packed) // 2], BASE)
    with pytest.raises(FeedError, match="not a sitemap: the document is <rss>"):
        parse_sitemap(RSS, BASE)


def test_robots_sitemap_lines() -> None:
    text = "User-agent: *\nDisallow: /x\nSitemap: https://news.example.com/news.xml\nsitemap:/other.xml\n"
    assert robots_sitemaps(text, BASE) == ["https://news.example.com/news.xml", "https://news.example.com/other.xml"]


def test_page_links_and_feed_autodiscovery() -> None:
    html = (b"<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'></head><body>"
            b"<a href='/2025/06/12/story#top'>a</a><a href='mailto:x@y'>m</a><a href='javascript:void(0)'>j</a>"
            b"<a href='https://other.org/x'>o</a></body></html>")
    found = page_links(html, BASE)
    assert found.feeds == ("https://news.example.com/feed.xml",)
    assert found.links == ("https://news.example.com/2025/06/12/story", "https://other.org/x")


@pytest.mark.parametrize(
    ("url", "article"),
    [("https://news.example.com/2025/06/12/port-strike", True),
     ("https://news.example.com/world/harbour-syndicate-smuggling-ring-targeted", True),
     ("https://news.example.com/world", False), ("https://news.example.com/tag/crime", False),
     ("https://news.example.com/video/2025/06/12/clip-of-the-day", False),
     ("https://other.org/2025/06/12/port-strike", False)],
)
def test_default_article_heuristic(url: str, article: bool) -> None:
    assert UrlRules(hosts=("news.example.com",)).is_article(url) is article


def test_profile_patterns_replace_the_heuristic() -> None:
    rules = UrlRules(allow=(re.compile(r"/story/\d+"),), deny=(re.compile(r"/story/0"),))
    assert rules.is_article("https://x.com/story/12")
    assert not rules.is_article("https://x.com/2025/06/12/dated-but-not-a-story")
    assert not rules.is_article("https://x.com/story/01")


def test_window_and_query_prefilter() -> None:
    window = Window(dt.date(2025, 6, 10), dt.date(2025, 6, 12))
    assert window.admits("2025-06-12T23:00:00+02:00") and not window.admits("2025-06-13")
    assert window.admits(None)  # unknown dates are checked after fetching
    terms = parse_query('Tren de Aragua, "Venezuelan gang"')
    assert terms == ("Tren de Aragua", "Venezuelan gang")
    assert matches_query(terms, "What is Tren de Aragua?")
    assert not matches_query(terms, "Aragua trains")
    assert not entry_wanted(Entry("u", title="Weather today", published="2025-06-11"), window, terms)
    assert entry_wanted(Entry("u", title=None, published="2025-06-11"), window, terms)  # no title: fetch


@pytest.mark.parametrize(
    ("args", "message"),
    [({}, "nothing to crawl"), ({"feed": "ftp://x/feed"}, "not http or https"),
     ({"feed": "https://x/f", "since": "yesterday"}, "expected a date"),
     ({"feed": "https://x/f", "max_articles": "lots"}, "whole number"),
     ({"site": "nowhere.example"}, "no site profile"),
     ({"feed": "https://x/f", "since": "2025-06-02", "until": "2025-06-01"}, "after until")],
)
def test_bad_spider_arguments_are_clear_errors(args: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_plan(default_registry(), **args)


def test_plan_from_sites_and_adhoc_seeds() -> None:
    plan = build_plan(default_registry(), site="bbc.com,dw.com", sitemap="https://x.org/robots.txt",
                      start="https://x.org/", query="gang", max_articles="5")
    kinds = {(s.kind, s.site) for s in plan.seeds}
    assert ("feed", "bbc.com") in kinds and ("feed", "dw.com") in kinds
    assert ("robots", None) in kinds and ("section", None) in kinds
    assert plan.max_articles == 5 and plan.query == ("gang",)
    assert plan.url_rules(None).hosts == ("x.org",)
