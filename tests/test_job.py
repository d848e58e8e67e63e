"""The cleaning job both doors run: what it admits, how it cleans (options, profiles), what it keeps, and the
records it makes."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from scraper import CleanJob, CleanOptions, Window
from scraper.article import Article, RawPage
from scraper.dedupe import Deduper, dedupe_keys
from scraper.errors import (
    DuplicateError,
    EmptyArticleError,
    HttpStatusError,
    NotHTMLError,
    OffTopicError,
    OutsideWindowError,
    TimeLimitError,
    TooShortError,
)
from scraper.job import check_document
from scraper.reclean import process_page
from scraper.records import ArticleRecord, ErrorRecord, Source, article_record, error_record
from tests.conftest import page

URL = "https://news.example.com/2025/06/12/reservoirs"


def _page(body: bytes = page().encode(), status: int | None = 200, content_type: str | None = "text/html") -> RawPage:
    headers = (("Content-Type", content_type),) if content_type else ()
    return RawPage(url=URL, final_url=URL, status=status, fetched_at="2025-06-12T10:00:00+00:00", body=body,
                   headers=headers)


@pytest.mark.parametrize(("status", "content_type", "reason"), [
    (200, "text/html; charset=utf-8", None), (200, None, None), (None, None, None), (200, "text/plain", None),
    (200, "application/xhtml+xml", None), (301, "text/html", "http-301"), (404, "text/html", "http-404"),
    (503, None, "http-503"), (200, "image/png", "not-html"), (200, "application/pdf", "not-html"),
    (200, "application/json", "not-html"),
])
def test_admit_takes_http_200_pages_that_may_hold_html(status: int | None, content_type: str | None,
                                                       reason: str | None) -> None:
    job = CleanJob()
    if reason is None:
        job.admit(_page(status=status, content_type=content_type))
        return
    with pytest.raises((HttpStatusError, NotHTMLError)) as info:
        job.admit(_page(status=status, content_type=content_type))
    assert info.value.reason == reason


@pytest.mark.parametrize(("body", "what"), [
    (b"<rss version='2.0'><channel/></rss>", "an RSS feed"),
    (b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\n<!-- made by X -->\n<?xml-stylesheet href='s.xsl'?>"
     b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "an Atom feed"),
    (b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "an RSS 1.0"),
    (b"<?xml version='1.0'?><sitemapindex/>", "a sitemap index"),
    (b"<opml version='2.0'><body/></opml>", "an OPML outline"),
])
def test_feeds_and_sitemaps_are_not_pages(body: bytes, what: str) -> None:
    with pytest.raises(NotHTMLError, match=what):
        check_document(body)


@pytest.mark.parametrize("body", [
    page().encode(), b"<?xml version='1.0'?><!DOCTYPE html><html><body><p>rss feed</p></body></html>",
    b"<html><body><p>Our <rss> reader</p></body></html>",
])
def test_pages_that_mention_feeds_are_still_pages(body: bytes) -> None:
    check_document(body)


def test_the_job_cleans_with_its_options_and_profiles_and_is_picklable(tmp_path: Path) -> None:
    (tmp_path / "_global.toml").write_text('[[rules]]\nid = "promo.farmers"\nkind = "drop_line"\n'
                                           'phrases = ["farmers in the valley.*"]\nwhy = "test"\n', encoding="utf-8")
    job = pickle.loads(pickle.dumps(CleanJob(options=CleanOptions(min_chars=10), profiles=str(tmp_path))))
    article = job.clean(_page())
    assert [r.rule for r in article.removed] == ["promo.farmers"] and "Farmers in the valley" not in article.text
    assert isinstance(CleanJob()(_page(body=b"%PDF-1.4")), NotHTMLError), "errors come back as values"
    assert isinstance(CleanJob()(_page(body=b"<html><body><p>x</p></body></html>")), EmptyArticleError)
    text = RawPage(url=URL, text="Headline\n" + "A line of text that an extraction left. " * 10)
    assert CleanJob().clean(text).title == "Headline"


def test_validate_is_the_crawls() -> None:
    article = CleanJob().clean(_page())
    job = CleanJob(min_words=article.word_count + 1)
    with pytest.raises(TooShortError, match=f"{article.word_count} words, fewer than"):
        job.validate(article)
    dated = Article(title="T", text="harbour words", word_count=500, published="2025-06-01T10:00:00+00:00")
    with pytest.raises(OutsideWindowError, match="published 2025-06-01"):
        CleanJob(window=Window(since=dt.date(2025, 6, 2))).validate(dated)
    CleanJob(window=Window(until=dt.date(2025, 6, 1))).validate(dated)
    with pytest.raises(OffTopicError, match="mentions none of tram, metro"):
        CleanJob(query=("tram", "metro")).validate(dated)
    CleanJob(query=("harbour",)).validate(dated)


def test_duplicates_by_canonical_url_then_by_text() -> None:
    first = Article(url="https://x/a", canonical_url="https://x/a", content_hash="h1")
    assert dedupe_keys(first) == ("url:https://x/a", "hash:h1")
    assert dedupe_keys(Article(content_hash="")) == ()
    dedupe = Deduper()
    dedupe.admit(first)
    with pytest.raises(DuplicateError, match="the same URL as https://x/a"):
        dedupe.admit(Article(url="https://x/a?utm_source=1", canonical_url="https://x/a", content_hash="h2"))
    with pytest.raises(DuplicateError, match="the same text as https://x/a"):
        dedupe.admit(Article(url="https://y/b", content_hash="h1"))
    dedupe.admit(Article(url="https://y/c", content_hash="h3"))


def test_records_have_one_source_shape_and_round_trip() -> None:
    raw = _page(status=404)
    record = error_record(HttpStatusError(404), raw)
    assert record.to_dict() == {
        "url": URL, "stage": "fetch", "reason": "http-404", "error": "HttpStatusError",
        "message": "the server answered HTTP 404", "site": None,
        "source": {"url": URL, "final_url": URL, "status": 404, "fetched_at": "2025-06-12T10:00:00+00:00",
                   "warc_file": None, "warc_record_id": None, "warc_offset": None, "file": None, "line": None}}
    assert ErrorRecord.from_dict(record.to_dict()) == record
    article = article_record(_page(), CleanJob().run(_page()))
    assert set(article.to_dict()["source"]) == set(record.to_dict()["source"])
    assert list(article.to_dict())[-8:] == ["site", "discovered", "source", "id", "original_url", "original_source",
                                             "fingerprint", "story"]
    assert pickle.loads(pickle.dumps(TimeLimitError("slow"))).reason == "time-limit"
    assert pickle.loads(pickle.dumps(HttpStatusError(502))).reason == "http-502"
    assert Source(warc_file="a.warc.gz", warc_offset=12).locator == "a.warc.gz@12"


def test_process_page_runs_every_step_in_order() -> None:
    dedupe = Deduper()
    assert isinstance(process_page(CleanJob(), _page(), dedupe), ArticleRecord)
    again = process_page(CleanJob(), _page(), dedupe)
    assert isinstance(again, ErrorRecord) and (again.stage, again.reason) == ("dedupe", "duplicate")
    failed = process_page(CleanJob(), _page(status=500), Deduper())
    assert isinstance(failed, ErrorRecord) and failed.reason == "http-500"
