"""Output files: JSONL written item by item under a temporary name, and the raw WARC archive.

No reader ever sees a half-written file: both writers write to ``<name>.part`` and rename to the
final name only when closed cleanly. A crashed run leaves ``.part`` files, never truncated results.

The WARC archive is the complete record of a crawl's fetches: a ``response`` record per page fetched
(with the requested URL, the profile and what the feed said in ``Newsclean-*`` fields), and a ``metadata``
record (``ERROR_RECORD_TYPE``, the error record as JSON) per URL that gave no page, so that re-cleaning
the archive gives the crawl's articles and errors again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import uuid
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.article import RawPage
from scraper.errors import StorageError
from scraper.records import ErrorRecord

PART = ".part"
_Member = TypeVar("_Member", "JsonlWriter", "WarcArchive")
_GZIP_LEVEL = 1
# Headers describing the transfer, not the body we store: de-chunked, but in its Content-Encoding (as received,
# as WARC readers expect; the cleaning job decodes it, so a body cut short is found in a re-clean too).
_TRANSFER_HEADERS = frozenset({"transfer-encoding", "content-length"})
# WARC fields our crawl adds to a response record (WARC 1.1 allows named extension fields).
REQUESTED_URI_FIELD = "Newsclean-Requested-URI"  # the URL requested, when redirects led to WARC-Target-URI
SITE_FIELD = "Newsclean-Site"                    # the profile the page was found through
DISCOVERED_FIELD = "Newsclean-Discovered"        # what the feed or sitemap said (JSON, ASCII)
# The content type of the metadata record holding the error record of a URL that gave no page.
ERROR_RECORD_TYPE = "application/vnd.newsclean.error+json"


def _warc_date(fetched_at: str | None) -> str:
    """A WARC-Date (UTC, ``Z``) from an ISO 8601 time; now when unknown."""
    when = dt.datetime.fromisoformat(fetched_at) if fetched_at else dt.datetime.now(dt.UTC).replace(microsecond=0)
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC time plus a short random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


class JsonlWriter:
    """Append JSON records, one per line, flushed as written; renamed into place on ``close()``.

    The first write that fails (disk full, read-only, quota) breaks the writer: the file is cut back to its last
    whole line, every later write raises the same ``StorageError``, and ``close()`` leaves the ``.part`` name.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.part = self.path.with_name(self.path.name + PART)
        self.count = 0
        self.failed: StorageError | None = None
        self._whole = 0  # bytes of whole lines written
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Unbuffered: each line is one write, and no buffer is left to spill a partial line after a failure.
            self._handle: IO[bytes] | None = self.part.open("wb", buffering=0)
        except OSError as exc:
            raise StorageError(f"cannot open {self.part}: {exc}") from exc

    def write(self, record: dict[str, Any]) -> None:
        """Write one record and flush it, so a crash loses at most the record being written.

        Raises:
            StorageError: the record cannot be written (or an earlier one could not: the writer is broken).
        """
        if self.failed is not None:
            raise self.failed
        if self._handle is None:
            raise StorageError(f"{self.path} is closed")
        try:
            line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise StorageError(f"cannot write to {self.part}: {exc}") from exc
        try:
            _write_all(self._handle, line)
        except OSError as exc:
            self._break(StorageError(f"cannot write to {self.part}: {exc}"))
        self._whole += len(line)
        self.count += 1

    def _break(self, error: StorageError) -> NoReturn:
        self.failed = error
        _cut_back(self._handle, self._whole)
        raise error

    def sync(self) -> None:
        """Flush and fsync the file (the first step of ``close``).

        Raises:
            StorageError: it cannot be synced, or the writer broke earlier.
        """
        if self.failed is not None:
            raise self.failed
        if self._handle is not None:
            try:
                os.fsync(self._handle.fileno())
            except OSError as exc:
                self._break(StorageError(f"cannot finalise {self.path}: {exc}"))

    def publish(self) -> Path:
        """Close the synced file and rename it to its final name (the second step of ``close``)."""
        if self._handle is not None:
            try:
                self._handle.close()
                self.part.replace(self.path)
            except OSError as exc:
                self.failed = StorageError(f"cannot finalise {self.path}: {exc}")
                raise self.failed from exc
            self._handle = None
        return self.path

    def close(self) -> Path:
        """Sync and rename the file to its final name; returns that name.

        Raises:
            StorageError: the file could not be completed; it keeps its ``.part`` name.
        """
        try:
            self.sync()
        except StorageError:
            self.abandon()
            raise
        return self.publish()

    def abandon(self) -> Path:
        """Close the file without renaming it: it keeps its ``.part`` name (a run that could not finish)."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        return self.part


def _write_all(handle: IO[bytes], data: bytes) -> None:
    """Write every byte to an unbuffered file (a raw write may take only part of them)."""
    view = memoryview(data)
    while view:
        written = handle.write(view)
        if not written:
            raise OSError(f"the file took none of {len(view)} bytes")
        view = view[written:]


def _cut_back(handle: IO[bytes] | None, size: int) -> None:
    """Best effort: drop the partial record a failed write left after ``size`` bytes, so that a ``.part`` file
    holds whole records only (the file keeps its ``.part`` name either way)."""
    if handle is not None:
        with contextlib.suppress(OSError, ValueError):
            os.ftruncate(handle.fileno(), size)


class OutputSet:
    """The files of one run that are finished together (``commit``): all synced, then all renamed into place;
    if any write or sync failed, none is renamed, and every file keeps its ``.part`` name."""

    def __init__(self) -> None:
        self.members: list[JsonlWriter | WarcArchive] = []
        self.committed = False

    def add(self, member: _Member) -> _Member:
        """Register a writer; returns it."""
        self.members.append(member)
        return member

    @property
    def failed(self) -> StorageError | None:
        """The first write error of any member, or None."""
        return next((m.failed for m in self.members if m.failed is not None), None)

    def commit(self) -> None:
        """Sync every member, then rename every one into place (once; later calls do nothing).

        Raises:
            StorageError: a member failed, earlier or now; every member not yet renamed keeps its ``.part`` name.
        """
        if self.committed:
            if self.failed is not None:
                raise self.failed
            return
        self.committed = True
        try:
            if self.failed is not None:
                raise self.failed
            for member in self.members:
                member.sync()
        except StorageError:
            for member in self.members:
                member.abandon()
            raise
        for member in self.members:
            member.publish()

    def abandon(self) -> None:
        """Close every member without renaming it (a run that stopped before it finished); a later ``commit``
        renames nothing."""
        self.committed = True
        for member in self.members:
            member.abandon()


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a small text file under ``<name>.part`` and rename it into place.

    Raises:
        StorageError: the file cannot be written.
    """
    path = Path(path)
    part = path.with_name(path.name + PART)
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(path)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc}") from exc


def iter_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file.

    Raises:
        StorageError: the file cannot be read or a line is not a JSON object (names the line).
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise StorageError(f"{path}:{number}: not JSON: {exc}") from exc
                if not isinstance(record, dict):
                    raise StorageError(f"{path}:{number}: not a JSON object")
                yield record
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc


class WarcArchive:
    """Response records in gzipped WARC files under ``directory``, rotated at ``max_bytes``.

    Each record keeps the status line, headers (less the transfer encoding) and the body as received,
    plus ``WARC-Date`` from the fetch time, so re-cleaning sees what the crawl saw.
    """

    def __init__(self, directory: str | Path, *, max_bytes: int = 1 << 30, software: str = "newsclean") -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.software = software
        self._index = 0
        self._handle: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self.files: list[Path] = []
        self.failed: StorageError | None = None
        self._whole = 0  # bytes of whole records (gzip members) in the current file

    def _final(self) -> Path:
        return self.directory / f"part-{self._index:05d}.warc.gz"

    def _open(self) -> WARCWriter:
        if self.failed is not None:
            raise self.failed
        if self._writer is not None and self._handle is not None and self._handle.tell() < self.max_bytes:
            return self._writer
        try:
            if self._writer is not None:
                self._finish()
                self._index += 1
            self.directory.mkdir(parents=True, exist_ok=True)
            # Unbuffered: one write per record (a gzip member), and no buffer left to spill after a failure.
            self._handle = self._final().with_name(self._final().name + PART).open("wb", buffering=0)
            self._whole = 0
        except OSError as exc:
            self.failed = StorageError(f"cannot open WARC file in {self.directory}: {exc}")
            raise self.failed from exc
        # Records are serialised uncompressed and gzipped here, one gzip member per record as the WARC
        # spec asks, with ISA-L (python-isal) at its level 1: a third of zlib level 1's CPU for the same
        # size, and a twelfth of warcio's zlib level 9 for ~5 % larger files; any gzip reader reads them.
        self._writer = WARCWriter(io.BytesIO(), gzip=False)
        fields = {"software": self.software, "format": "WARC/1.1"}
        self._write(self._writer.create_warcinfo_record(self._final().name, fields))
        return self._writer

    def _write_record(self, record: Any) -> int:
        """Serialise one record as its own gzip member; return the member's offset in the file."""
        assert self._writer is not None and self._handle is not None
        buffer = io.BytesIO()
        self._writer.out = buffer
        self._writer.write_record(record)
        compressor = isal_zlib.compressobj(_GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
        offset = self._whole
        _write_all(self._handle, compressor.compress(buffer.getvalue()) + compressor.flush())
        return offset

    def write(self, page: RawPage) -> tuple[str, str, int]:
        """Archive one response; returns (file name, WARC-Record-ID, byte offset of the record)."""
        writer = self._open()
        headers = [(k, v) for k, v in page.headers if k.lower() not in _TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(page.body))))
        status = page.status or 200
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        fields = {"WARC-Date": _warc_date(page.fetched_at)}
        if page.url and page.url != page.final_url:
            fields[REQUESTED_URI_FIELD] = page.url
        if page.site:
            fields[SITE_FIELD] = page.site
        if page.discovered:
            fields[DISCOVERED_FIELD] = json.dumps(page.discovered, ensure_ascii=True, separators=(",", ":"))
        record = writer.create_warc_record(
            page.final_url or page.url or "", "response", payload=io.BytesIO(page.body), length=len(page.body),
            http_headers=http, warc_headers_dict=fields,
        )
        return self._write(record)

    def write_error(self, error: ErrorRecord) -> tuple[str, str, int]:
        """Archive the error record of a URL that gave no page, as a ``metadata`` record; returns (file name,
        WARC-Record-ID, byte offset of the record)."""
        writer = self._open()
        payload = json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")
        record = writer.create_warc_record(
            error.url or "", "metadata", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type=ERROR_RECORD_TYPE,
            warc_headers_dict={"WARC-Date": _warc_date(error.source.fetched_at)},
        )
        return self._write(record)

    def _write(self, record: Any) -> tuple[str, str, int]:
        """Write one record; the first failure breaks the archive (the file is cut back to its last whole
        record, and keeps its ``.part`` name), and every later write raises the same error."""
        if self.failed is not None:
            raise self.failed
        try:
            offset = self._write_record(record)
        except OSError as exc:
            self.failed = StorageError(f"cannot write WARC record to {self._final().name}{PART}: {exc}")
            _cut_back(self._handle, self._whole)
            raise self.failed from exc
        assert self._handle is not None
        self._whole = self._handle.tell()
        return self._final().name, str(record.rec_headers.get_header("WARC-Record-ID")), offset

    def _finish(self) -> None:
        """Sync, close and rename the current file (a full file, before the next one opens)."""
        self._sync_current()
        self._publish_current()

    def _sync_current(self) -> None:
        if self._handle is not None:
            os.fsync(self._handle.fileno())

    def _publish_current(self) -> None:
        if self._handle is None:
            return
        self._handle.close()
        final = self._final()
        final.with_name(final.name + PART).replace(final)
        self.files.append(final)
        self._handle = self._writer = None

    def sync(self) -> None:
        """Flush and fsync the current file (the first step of ``close``).

        Raises:
            StorageError: it cannot be synced, or the archive broke earlier.
        """
        if self.failed is not None:
            raise self.failed
        try:
            self._sync_current()
        except OSError as exc:
            self.failed = StorageError(f"cannot finalise WARC file {self._final().name}{PART}: {exc}")
            raise self.failed from exc

    def publish(self) -> list[Path]:
        """Rename the synced current file into place (the second step of ``close``); returns every finished file."""
        try:
            self._publish_current()
        except OSError as exc:
            self.failed = StorageError(f"cannot finalise WARC file {self._final().name}{PART}: {exc}")
            raise self.failed from exc
        return self.files

    def close(self) -> list[Path]:
        """Finish and rename the current file; returns every finished file.

        Raises:
            StorageError: the current file could not be completed; it keeps its ``.part`` name.
        """
        try:
            self.sync()
        except StorageError:
            self.abandon()
            raise
        return self.publish()

    def abandon(self) -> Path | None:
        """Close the current file without renaming it: it keeps its ``.part`` name (earlier, full files are final)."""
        if self._handle is None:
            return None
        with contextlib.suppress(OSError):
            self._handle.close()
        self._handle = self._writer = None
        return self._final().with_name(self._final().name + PART)
