"""Pipelines built with get_crawler: what each passes on, what it drops (with which error record), what it
writes."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from extensions.errors import PageDropped
from extensions.logformatter import NewsLogFormatter
from pipelines.archive import RawArchivePipeline
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DedupePipeline
from pipelines.jsonl import JsonlWriterPipeline
from pipelines.validate import DropIncompletePipeline
from scraper import settings as project
from scraper.article import Article, RawPage
from scraper.errors import HttpStatusError, NetworkError
from scraper.records import ArticleRecord, ErrorRecord, Source, error_record
from spiders.news import NewsSpider
from tests.conftest import page

PAGE = page("<div class='x'><h3>Try Our AI Features</h3><p>Explore what Acme AI can do for you:</p></div>").encode()


def _raw(status: int = 200, body: bytes = PAGE, url: str = "https://news.example.com/2025/06/12/a",
         content_type: str = "text/html; charset=utf-8") -> RawPage:
    return RawPage(url=url, final_url=url, status=status, fetched_at="2025-06-12T10:00:00+00:00", body=body,
                   headers=(("Content-Type", content_type),), encoding="utf-8", site="news.example.com")


def _crawler(tmp_path: Path, **settings: object):  # type: ignore[no-untyped-def]
    return get_crawler(NewsSpider, {"SCRAPER_OUTPUT_DIR": str(tmp_path), "SCRAPER_CLEAN_WORKERS": 1, **settings})


def _record(title: str | None = "Reservoir low", words: int = 60, url: str = "https://x/a",
            content_hash: str = "h1", canonical: str | None = None) -> ArticleRecord:
    article = Article(url=url, canonical_url=canonical or url, title=title, text="word " * words, word_count=words,
                      content_hash=content_hash)
    return ArticleRecord(article=article, site="x", source=Source(url=url, final_url=url, status=200))


def _dropped(call) -> ErrorRecord:  # type: ignore[no-untyped-def]
    with pytest.raises(PageDropped) as info:
        call()
    return info.value.record


def test_clean_pipeline_turns_a_page_into_an_article_record(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    pipeline = CleanPipeline.from_crawler(crawler)
    with asyncio.Runner() as runner:
        try:
            record = runner.run(pipeline.process_item(_raw()))
            assert isinstance(record, ArticleRecord)
            assert record.article.title == "Reservoir levels fall to a record low"
            assert "Try Our AI Features" not in record.article.text
            assert (record.source.status, record.site) == (200, "news.example.com")
            assert crawler.stats.get_value("scraper/rule_hits/promo.heading") == 1
            error = _dropped(lambda: runner.run(pipeline.process_item(_raw(status=500))))
            assert (error.stage, error.reason, error.error) == ("fetch", "http-500", "HttpStatusError")
            error = _dropped(lambda: runner.run(pipeline.process_item(_raw(body=b"%PDF-1.5"))))
            assert (error.stage, error.reason) == ("clean", "not-html")
            error = _dropped(lambda: runner.run(pipeline.process_item(_raw(content_type="application/pdf"))))
            assert error.reason == "not-html" and "Content-Type application/pdf" in error.message
            failed = error_record(NetworkError("refused", reason="connection-refused"), source=Source(url="u"))
            assert _dropped(lambda: runner.run(pipeline.process_item(failed))) is failed
        finally:
            runner.run(pipeline.close_spider())


def test_the_crawls_cleaner_uses_the_profiles_folder_and_the_options_file(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "_global.toml").write_text("", encoding="utf-8")
    (profiles / "news.example.com.toml").write_text(
        '[[rules]]\nid = "promo.reservoir-pitch"\nkind = "drop_line"\nphrases = ["engineers said.*"]\n'
        'why = "a test rule only this folder has"\n', encoding="utf-8")
    options = tmp_path / "options.toml"
    options.write_text("include_tables = false\n", encoding="utf-8")
    crawler = _crawler(tmp_path, SCRAPER_PROFILES_DIR=str(profiles), SCRAPER_CLEAN_CONFIG=str(options))
    pipeline = CleanPipeline.from_crawler(crawler)
    assert pipeline.job.profiles == str(profiles) and pipeline.job.options.include_tables is False
    with asyncio.Runner() as runner:
        try:
            record = runner.run(pipeline.process_item(_raw()))
        finally:
            runner.run(pipeline.close_spider())
    assert record.article.profile == "news.example.com"
    assert [r.rule for r in record.article.removed] == ["promo.reservoir-pitch"]
    assert "Engineers said" not in record.article.text


def test_validate_drops_short_untitled_and_off_topic(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path, SCRAPER_MIN_WORDS=5)
    crawler.spider = NewsSpider.from_crawler(crawler, feed="https://x.org/f", query="word")
    pipeline = DropIncompletePipeline.from_crawler(crawler)
    good = _record()
    assert pipeline.process_item(good) is good
    for item, reason in [(_record(title=None), "no-title"), (_record(words=2), "too-short"),
                         (_record(title="Trains", words=0), "too-short")]:
        error = _dropped(lambda item=item: pipeline.process_item(item))
        assert (error.stage, error.reason, error.url, error.site) == ("validate", reason, "https://x/a", "x")
    off = ArticleRecord(article=Article(title="Trains", text="Trains run late all week.", word_count=5))
    assert _dropped(lambda: pipeline.process_item(off)).reason == "off-topic"


def test_validate_drops_pages_that_are_not_articles_unless_kept(tmp_path: Path) -> None:
    pipeline = DropIncompletePipeline.from_crawler(_crawler(tmp_path))
    good = _record()
    assert pipeline.process_item(good) is good
    listing = ArticleRecord(article=replace(good.article, page_type="listing"), site="x", source=good.source)
    error = _dropped(lambda: pipeline.process_item(listing))
    assert (error.stage, error.reason, error.error) == ("validate", "not-article-listing", "NotArticleError")
    keeping = DropIncompletePipeline.from_crawler(_crawler(tmp_path, SCRAPER_KEEP_NON_ARTICLES=True))
    assert keeping.process_item(listing) is listing


def test_dedupe_by_canonical_url_and_content_hash(tmp_path: Path) -> None:
    pipeline = DedupePipeline.from_crawler(_crawler(tmp_path))
    pipeline.process_item(_record())
    error = _dropped(lambda: pipeline.process_item(_record(url="https://x/a?utm=1", canonical="https://x/a",
                                                           content_hash="h2")))
    assert (error.stage, error.reason, error.message) == ("dedupe", "duplicate", "the same URL as https://x/a")
    error = _dropped(lambda: pipeline.process_item(_record(url="https://y/b")))
    assert error.message == "the same text as https://x/a"


def test_archive_sets_warc_provenance_archives_failed_fetches_and_can_be_turned_off(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    pipeline = RawArchivePipeline.from_crawler(crawler)
    archived = pipeline.process_item(_raw())
    failed = pipeline.process_item(error_record(NetworkError("boom", reason="dns"),
                                                source=Source(url="https://gone.example/x",
                                                              fetched_at="2025-06-12T10:00:01+00:00")))
    pipeline.close_spider()
    assert Path(archived.warc_file).exists() and archived.warc_offset > 0
    assert archived.warc_record_id.startswith("<urn:uuid:")
    assert failed.source.warc_file == archived.warc_file and failed.source.warc_offset > archived.warc_offset
    with pytest.raises(NotConfigured):
        RawArchivePipeline.from_crawler(_crawler(tmp_path, SCRAPER_ARCHIVE_RAW=False))


def test_writer_splits_articles_and_errors_and_renames_on_close(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    writer = JsonlWriterPipeline.from_crawler(crawler)
    line = writer.process_item(_record())
    assert isinstance(line, dict) and line["title"] == "Reservoir low", "feed exports get the line written"
    fetch_error = error_record(HttpStatusError(500), _raw(url="https://x/b", status=500))
    writer.item_dropped(_raw(url="https://x/b"), None, PageDropped(fetch_error))
    writer.item_dropped(_raw(url="https://x/c"), None, DropItem("someone else's pipeline: no thanks"))
    folder = tmp_path / "articles"
    assert sorted(p.name.endswith(".part") for p in folder.iterdir()) == [True, True]
    writer.close_spider()
    articles = next(folder.glob("*[0-9a-f].jsonl"))
    errors = next(folder.glob("*.errors.jsonl"))
    assert [json.loads(x)["url"] for x in articles.read_text().splitlines()] == ["https://x/a"]
    records = [json.loads(x) for x in errors.read_text().splitlines()]
    assert [(r["url"], r["stage"], r["reason"], r["error"]) for r in records] == [
        ("https://x/b", "fetch", "http-500", "HttpStatusError"),
        ("https://x/c", "validate", "dropped", "RejectedError")]
    assert records[0]["source"]["status"] == 500 and records[0]["site"] == "news.example.com"
    assert set(records[0]) == {"url", "stage", "reason", "error", "message", "site", "source"}
    assert crawler.stats.get_value("scraper/errors") == 2
    assert crawler.stats.get_value("scraper/errors/http-500") == 1


def test_a_dropped_or_scraped_item_is_logged_as_one_line_without_its_text(tmp_path: Path) -> None:
    assert project.LOG_FORMATTER == "extensions.logformatter.NewsLogFormatter"
    crawler = _crawler(tmp_path, DEFAULT_DROPITEM_LOG_LEVEL=project.DEFAULT_DROPITEM_LOG_LEVEL)
    spider = NewsSpider.from_crawler(crawler, feed="https://x.org/f")
    formatter = NewsLogFormatter.from_crawler(crawler)
    record = error_record(HttpStatusError(404), _raw(url="https://x.org/a", body=b"the whole page " * 1000))
    result = formatter.dropped(_raw(url="https://x.org/a"), PageDropped(record), None, spider)
    message = result["msg"] % result["args"]
    assert message == "Dropped https://x.org/a: fetch: http-404: the server answered HTTP 404"
    assert result["level"] == logging.INFO
    line = _record().to_dict()
    scraped = formatter.scraped(line, None, spider)
    assert scraped["msg"] % scraped["args"] == "Article https://x/a: Reservoir low"
