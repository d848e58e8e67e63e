"""StoryPipeline with get_crawler: each article placed in the story index; copies dropped on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from extensions.errors import PageDropped
from pipelines.story import StoryPipeline
from scraper.article import Article
from scraper.records import ArticleRecord, Source
from spiders.news import NewsSpider
from tests.stories.texts import CUT, ORIGINAL, text


def _record(name: str, paragraphs: list[str]) -> ArticleRecord:
    url = f"https://{name}.example.com/story"
    body = text(paragraphs)
    article = Article(url=url, canonical_url=url, title=name, text=body, word_count=len(body.split()),
                      content_hash=name, published="2025-06-01T08:00:00+00:00" if name == "first" else None)
    return ArticleRecord(article=article, source=Source(url=url, final_url=url, status=200))


def _pipeline(tmp_path: Path, **settings: str) -> StoryPipeline:
    crawler = get_crawler(NewsSpider, {"SCRAPER_OUTPUT_DIR": str(tmp_path), **settings})
    return StoryPipeline.from_crawler(crawler)


def test_each_article_gets_its_story_and_the_index_is_in_the_output_folder(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    first = pipeline.process_item(_record("first", ORIGINAL))
    second = pipeline.process_item(_record("second", CUT))
    pipeline.close_spider()
    assert (tmp_path / "stories.sqlite3").is_file()
    assert first.story["relation"] == "original" and first.to_dict()["story"] == first.story
    assert (second.story["id"], second.story["relation"]) == (first.story["id"], "copy")
    assert second.story["original"]["url"] == "https://first.example.com/story"
    assert pipeline.stats.get_value("scraper/stories/copy") == 1


def test_copies_are_dropped_with_their_error_record_when_asked(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, SCRAPER_STORY_DROP="copy")
    pipeline.process_item(_record("first", ORIGINAL))
    with pytest.raises(PageDropped) as info:
        pipeline.process_item(_record("second", CUT))
    pipeline.close_spider()
    record = info.value.record
    assert (record.stage, record.reason, record.error) == ("dedupe", "copy", "KnownStoryError")
    assert record.url == "https://second.example.com/story" and "first.example.com" in record.message


def test_the_index_can_be_turned_off(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        _pipeline(tmp_path, SCRAPER_STORIES="off")
