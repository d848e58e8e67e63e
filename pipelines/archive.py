"""RawArchivePipeline: every fetched response (errors included) into WARC, before cleaning."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from scraper.article import RawPage
from scraper.storage import WarcArchive, new_run_id


def run_id(crawler: Any) -> str:
    """The id of this crawl run, shared by every output file (``SCRAPER_RUN_ID`` or generated once)."""
    if not getattr(crawler, "scraper_run_id", None):
        crawler.scraper_run_id = crawler.settings.get("SCRAPER_RUN_ID") or new_run_id()
    return str(crawler.scraper_run_id)


class RawArchivePipeline:
    """RawPage in, the same RawPage out with ``warc_file``/``warc_record_id``/``warc_offset`` set.

    Settings: ``SCRAPER_ARCHIVE_RAW`` (on by default), ``SCRAPER_OUTPUT_DIR`` (files go to
    ``<dir>/raw/<spider>-<run id>/part-NNNNN.warc.gz``).
    """

    def __init__(self, folder: Path) -> None:
        self.archive = WarcArchive(folder)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RawArchivePipeline:
        if not crawler.settings.getbool("SCRAPER_ARCHIVE_RAW", True):
            raise NotConfigured("SCRAPER_ARCHIVE_RAW is off")
        out = crawler.settings.get("SCRAPER_OUTPUT_DIR")
        if not out:
            raise NotConfigured("SCRAPER_OUTPUT_DIR is not set")
        return cls(Path(out) / "raw" / f"{crawler.spidercls.name}-{run_id(crawler)}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        name, record_id, offset = self.archive.write(item)
        return dataclasses.replace(item, warc_file=str(self.archive.directory / name), warc_record_id=record_id,
                                   warc_offset=offset)

    def close_spider(self) -> None:
        self.archive.close()
