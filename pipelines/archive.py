"""RawArchivePipeline: every fetched response (errors included), and every URL that gave none, into WARC."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from extensions.project import EXIT_CANNOT_START, config, fail, finish_outputs, not_written, outputs, run_id
from scraper.article import RawPage
from scraper.errors import StorageError
from scraper.records import ErrorRecord
from scraper.storage import WarcArchive


class RawArchivePipeline:
    """RawPage in, the same RawPage out with ``warc_file``/``warc_record_id``/``warc_offset`` set; an
    ErrorRecord (a URL that gave no page) in, archived as a ``metadata`` record, out with its ``source``
    pointing there. So the archive alone gives a re-clean the crawl's articles and errors.

    The first write error (disk full, read-only, quota) stops the crawl: that item and every later one are dropped
    unwritten (``NotWritten``, counted), and the run's files keep their ``.part`` names. Settings:
    ``SCRAPER_ARCHIVE_RAW`` (on by default), ``SCRAPER_OUTPUT_DIR`` (files go to
    ``<dir>/raw/<spider>-<run id>/part-NNNNN.warc.gz``).
    """

    def __init__(self, folder: Path, crawler: Any) -> None:
        self.crawler = crawler
        self.archive = outputs(crawler).add(WarcArchive(folder))

    @classmethod
    def from_crawler(cls, crawler: Any) -> RawArchivePipeline:
        settings = config(crawler)
        if not settings.archive_raw:
            raise NotConfigured("SCRAPER_ARCHIVE_RAW is off")
        folder = Path(settings.output_dir) / "raw" / f"{crawler.spidercls.name}-{run_id(crawler)}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create the WARC folder {folder}: {exc.strerror or exc}", EXIT_CANNOT_START)
        return cls(folder, crawler)

    def process_item(self, item: Any) -> Any:
        try:
            return self._archive(item)
        except StorageError as exc:
            raise not_written(self.crawler, exc) from None

    def _archive(self, item: Any) -> Any:
        if isinstance(item, RawPage):
            name, record_id, offset = self.archive.write(item)
            return dataclasses.replace(item, warc_file=str(self.archive.directory / name), warc_record_id=record_id,
                                       warc_offset=offset)
        if isinstance(item, ErrorRecord):
            name, record_id, offset = self.archive.write_error(item)
            where = dataclasses.replace(item.source, warc_file=str(self.archive.directory / name),
                                        warc_record_id=record_id, warc_offset=offset)
            return dataclasses.replace(item, source=where)
        return item

    def close_spider(self) -> None:
        finish_outputs(self.crawler)  # the WARC and JSONL files together (whichever pipeline closes first)
