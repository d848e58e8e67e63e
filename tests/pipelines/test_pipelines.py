"""Pipelines built with get_crawler: what each passes on, what it drops and why, what it writes."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from pipelines.archive import RawArchivePipeline
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DedupePipeline
from pipelines.jsonl import JsonlWriterPipeline
from pipelines.logformatter import NewsLogFormatter
from pipelines.validate import DropIncompletePipeline
from scraper import settings as project
from scraper.article import FetchError, RawPage
from spiders.news import NewsSpider
from tests.conftest import page

PAGE = page("<div class='x'><h3>Try Our AI Features</h3><p>Explore what Acme AI can do for you:</p></div>").encode()


def _raw(status: int = 200, body: bytes = PAGE, url: str = "https://news.example.com/2025/06/12/a") -> RawPage:
    return RawPage(url=url, final_url=url, status=status, fetched_at="2025-06-12T10:00:00+00:00", body=body,
                   headers=(("Content-Type", "text/html; charset=utf-8"),), encoding="utf-8")


def _crawler(tmp_path: Path, **settings: object):  # type: ignore[no-untyped-def]
    return get_crawler(NewsSpider, {"SCRAPER_OUTPUT_DIR": str(tmp_path), "SCRAPER_CLEAN_WORKERS": 1, **settings})


def test_clean_pipeline_turns_a_page_into_an_article_record(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    pipeline = CleanPipeline.from_crawler(crawler)
    with asyncio.Runner() as runner:
        try:
            record = runner.run(pipeline.process_item(_raw()))
            assert record["title"] == "Reservoir levels fall to a record low"
            assert "Try Our AI Features" not in record["text"]
            assert record["source"]["status"] == 200
            assert crawler.stats.get_value("scraper/rule_hits/promo.heading") == 1
            with pytest.raises(DropItem, match="fetch: http 500"):
                runner.run(pipeline.process_item(_raw(status=500)))
            with pytest.raises(DropItem, match="clean: not-html"):
                runner.run(pipeline.process_item(_raw(body=b"%PDF-1.5")))
            assert crawler.stats.get_value("scraper/dropped/not-html") == 1
            error = FetchError(url="u", stage="fetch", reason="r", fetched_at="t")
            assert runner.run(pipeline.process_item(error)) is error
        finally:
            runner.run(pipeline.close_spider())


def test_validate_drops_short_untitled_and_off_topic(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path, SCRAPER_MIN_WORDS=5)
    crawler.spider = NewsSpider.from_crawler(crawler, feed="https://x.org/f", query="reservoir")
    pipeline = DropIncompletePipeline.from_crawler(crawler)
    good = {"title": "Reservoir low", "text": "The reservoir is low today again.", "word_count": 6}
    assert pipeline.process_item(good) is good
    for item, reason in [({**good, "title": None}, "no-title"), ({**good, "word_count": 2}, "too-short"),
                         ({**good, "title": "Trains", "text": "Trains run late all week."}, "off-topic")]:
        with pytest.raises(DropItem, match=f"validate: {reason}"):
            pipeline.process_item(item)


def test_validate_drops_pages_that_are_not_articles_unless_kept(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path, SCRAPER_MIN_WORDS=5)
    pipeline = DropIncompletePipeline.from_crawler(crawler)
    good = {"title": "Reservoir low", "text": "The reservoir is low today again.", "word_count": 6,
            "page_type": "article"}
    assert pipeline.process_item(good) is good
    with pytest.raises(DropItem, match="validate: not-article: listing"):
        pipeline.process_item({**good, "page_type": "listing", "title": None})
    assert crawler.stats.get_value("scraper/dropped/not-article") == 1
    keeping = DropIncompletePipeline.from_crawler(
        _crawler(tmp_path, SCRAPER_MIN_WORDS=5, SCRAPER_KEEP_NON_ARTICLES=True))
    listing = {**good, "page_type": "listing"}
    assert keeping.process_item(listing) is listing


def test_dedupe_by_canonical_url_and_content_hash(tmp_path: Path) -> None:
    pipeline = DedupePipeline.from_crawler(_crawler(tmp_path))
    first = {"url": "https://x/a", "canonical_url": "https://x/a", "content_hash": "h1"}
    pipeline.process_item(first)
    with pytest.raises(DropItem, match="dedupe: duplicate of https://x/a"):
        pipeline.process_item({"url": "https://x/a?utm=1", "canonical_url": "https://x/a", "content_hash": "h2"})
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item({"url": "https://y/b", "canonical_url": "https://y/b", "content_hash": "h1"})


def test_archive_sets_warc_provenance_and_can_be_turned_off(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    pipeline = RawArchivePipeline.from_crawler(crawler)
    archived = pipeline.process_item(_raw())
    pipeline.close_spider()
    assert Path(archived.warc_file).exists() and archived.warc_offset > 0
    assert archived.warc_record_id.startswith("<urn:uuid:")
    with pytest.raises(NotConfigured):
        RawArchivePipeline.from_crawler(_crawler(tmp_path, SCRAPER_ARCHIVE_RAW=False))


def test_writer_splits_articles_and_errors_and_renames_on_close(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    writer = JsonlWriterPipeline.from_crawler(crawler)
    writer.process_item({"url": "https://x/a", "title": "A"})
    writer.process_item(FetchError(url="https://x/b", stage="fetch", reason="http 500", fetched_at="t"))
    writer.item_dropped(_raw(url="https://x/c"), None, DropItem("clean: empty: no article text found"))
    folder = tmp_path / "articles"
    assert sorted(p.name.endswith(".part") for p in folder.iterdir()) == [True, True]
    writer.close_spider()
    articles = next(folder.glob("*[0-9a-f].jsonl"))
    errors = next(folder.glob("*.errors.jsonl"))
    assert [json.loads(x)["url"] for x in articles.read_text().splitlines()] == ["https://x/a"]
    records = [json.loads(x) for x in errors.read_text().splitlines()]
    assert [(r["url"], r["stage"], r["reason"]) for r in records] == [
        ("https://x/b", "fetch", "http 500"), ("https://x/c", "clean", "empty: no article text found")]


def test_a_dropped_item_is_logged_as_one_line_without_its_text(tmp_path: Path) -> None:
    assert project.LOG_FORMATTER == "pipelines.logformatter.NewsLogFormatter"
    crawler = _crawler(tmp_path, DEFAULT_DROPITEM_LOG_LEVEL=project.DEFAULT_DROPITEM_LOG_LEVEL)
    spider = NewsSpider.from_crawler(crawler, feed="https://x.org/f")
    formatter = NewsLogFormatter.from_crawler(crawler)
    item = {"url": "https://x.org/a", "text": "the whole story " * 1000}
    result = formatter.dropped(item, DropItem("dedupe: duplicate of https://x.org/b"), None, spider)
    message = result["msg"] % result["args"]
    assert message == "Dropped https://x.org/a: dedupe: duplicate of https://x.org/b"
    assert result["level"] == logging.INFO
