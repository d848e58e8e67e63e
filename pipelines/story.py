"""StoryPipeline: every article placed in the story index shared by every run, and its ``story`` recorded."""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.exceptions import NotConfigured

from extensions.errors import PageDropped
from extensions.project import config, not_written, run_id, storage_error, storage_failed
from scraper.errors import KnownStoryError, StorageError
from scraper.records import ArticleRecord, error_record
from scraper.stories.index import StoreProtocol, StoryIndex
from scraper.stories.model import Newcomer
from scraper.stories.redis_store import RedisStore
from scraper.stories.sqlite_store import SQLiteStore


class StoryPipeline:
    """ArticleRecord in, the same with ``story`` (story id, relation to the original, the original, the closest
    article matched) out. The index is ``SCRAPER_STORIES`` (SQLite; default ``stories.sqlite3`` next to
    ``SCRAPER_HISTORY`` or in ``SCRAPER_OUTPUT_DIR``; ``off`` for none), or the Redis server of a distributed
    crawl (``SCRAPER_REDIS_URL``). Articles whose relation is in ``SCRAPER_STORY_DROP`` (``duplicate``, ``copy``,
    ``rewrite``) are dropped with an error record (``dedupe``, reason the relation); they are in the index all
    the same. A write error of the index (disk full, read-only) stops the crawl as the writer's do. Stats:
    ``scraper/stories/<relation>``."""

    def __init__(self, store: StoreProtocol, run: str, drop: tuple[str, ...], crawler: Any) -> None:
        self.store, self.drop, self.crawler, self.stats = store, drop, crawler, crawler.stats
        self.index = StoryIndex(store, run)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoryPipeline:
        settings = config(crawler)
        if settings.stories is None:
            raise NotConfigured("SCRAPER_STORIES is off")
        store = RedisStore(settings.redis_url) if settings.redis_url else SQLiteStore(settings.stories)
        return cls(store, run_id(crawler), settings.story_drop, crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleRecord):
            return item
        if (failed := storage_error(self.crawler)) is not None:  # stopping: nothing more goes into the index
            raise not_written(self.crawler, failed)
        try:
            placement = self.index.add(Newcomer.from_record(item.to_dict()))
        except StorageError as exc:
            raise not_written(self.crawler, exc) from None
        self.stats.inc_value(f"scraper/stories/{placement.relation}")
        if placement.relation in self.drop:
            original = placement.original or {}
            error = KnownStoryError(f"a {placement.relation} of {original.get('url')} (story {placement.story})",
                                    reason=placement.relation)
            raise PageDropped(error_record(error, source=item.source, site=item.site))
        return dataclasses.replace(item, story=placement.to_dict())

    def close_spider(self) -> None:
        try:
            self.store.close()
        except StorageError as exc:
            storage_failed(self.crawler, exc)
