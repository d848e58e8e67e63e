"""Saved pages to re-clean: input paths expanded into shards, and shards read as a stream of pages.

A shard is one WARC or JSONL file, or a group of up to ``FILES_PER_SHARD`` HTML/text files from one
folder. Shard ids are stable (derived from the member paths), so a re-run finds its finished shards.
Reading a shard yields one ``RawPage`` per saved page, or an ``ErrorRecord`` for what cannot be read
(and for the failed fetches our crawl recorded in its WARC files).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed

from scraper.article import RawPage
from scraper.errors import ScraperError, TruncatedError, UnreadableError
from scraper.records import ErrorRecord, Source, error_record, source_of, unreadable
from scraper.storage import DISCOVERED_FIELD, ERROR_RECORD_TYPE, REQUESTED_URI_FIELD, SITE_FIELD

InputKind = Literal["html", "text", "warc", "jsonl"]
FILES_PER_SHARD = 500
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
TEXT_SUFFIXES = (".txt", ".txt.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
KNOWN_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES + WARC_SUFFIXES + JSONL_SUFFIXES
# Paths remembered to skip an input named twice; past this many, repeats are not looked for.
_SEEN_LIMIT = 100_000
# Told how many more bytes of input have been read (for progress).
OnBytes = Callable[[int], None]
logger = logging.getLogger(__name__)
# What reading one saved file can raise besides OSError: a corrupt or cut gzip stream, bad text or JSON.
_FILE_ERRORS = (OSError, EOFError, zlib.error, ValueError)


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work with its own output files."""

    id: str
    kind: InputKind
    paths: tuple[str, ...]

    def size(self) -> int:
        """Bytes of input in the shard (files that vanished count 0)."""
        return sum(_size(path) for path in self.paths)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read inputs: JSONL field names and a base URL for files that carry none."""

    html_field: str = "html"
    url_field: str = "url"
    base_url: str | None = None


def _kind(path: str) -> InputKind | None:
    name = os.path.basename(path).lower()
    kinds: tuple[tuple[InputKind, tuple[str, ...]], ...] = (
        ("warc", WARC_SUFFIXES), ("jsonl", JSONL_SUFFIXES), ("html", HTML_SUFFIXES), ("text", TEXT_SUFFIXES))
    for kind, suffixes in kinds:
        if name.endswith(suffixes):
            return kind
    return None


def _shard_id(stem: str, kind: str, paths: Sequence[str]) -> str:
    digest = hashlib.sha1("\n".join([kind, *paths]).encode("utf-8")).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', stem)[:60]}-{digest}"


def _walk(folder: str) -> Iterator[str]:
    """Files under ``folder``, depth first, each directory's entries in name order (streamed)."""
    with os.scandir(folder) as entries:
        names = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in entries)
    for name, is_dir in names:
        path = os.path.join(folder, name)
        if is_dir:
            yield from _walk(path)
        elif os.path.isfile(path):
            yield path


def _expand(item: str) -> Iterator[str]:
    """Absolute file paths for a file, folder (recursive) or glob pattern.

    Raises:
        FileNotFoundError: the input matches nothing.
    """
    if os.path.isdir(item):
        yield from _walk(os.path.abspath(item))
    elif os.path.exists(item):
        yield os.path.abspath(item)
    else:
        matches = sorted(glob.glob(item, recursive=True))
        if not matches:
            raise FileNotFoundError(f"no such input: {item}")
        for match in matches:
            yield from _expand(match)


def iter_shards(inputs: Sequence[str], files_per_shard: int = FILES_PER_SHARD) -> Iterator[Shard]:
    """Expand files, folders (recursively) and globs into shards, streamed, in a stable order.

    Memory stays bounded by one open group per folder, whatever the number of files: loose
    HTML/text files are grouped per folder as the walk reaches them.

    Raises:
        FileNotFoundError: an input matches nothing.
    """
    seen: set[str] = set()
    groups: dict[tuple[str, InputKind], list[str]] = {}
    counters: dict[tuple[str, InputKind], int] = {}

    def flush(key: tuple[str, InputKind]) -> Shard:
        folder, kind = key
        chunk = groups.pop(key)
        index = counters.get(key, 0)
        counters[key] = index + 1
        stem = f"{os.path.basename(folder)}-{kind}-{index:05d}"
        return Shard(_shard_id(stem, kind, chunk), kind, tuple(chunk))

    for item in inputs:
        for path in _expand(item):
            if path in seen:
                continue
            if len(seen) < _SEEN_LIMIT:
                seen.add(path)
            kind = _kind(path)
            if kind is None:
                continue
            if kind in ("warc", "jsonl"):
                yield Shard(_shard_id(os.path.basename(path), kind, [path]), kind, (path,))
            else:
                key = (os.path.dirname(path), kind)
                groups.setdefault(key, []).append(path)
                if len(groups[key]) >= files_per_shard:
                    yield flush(key)
    for key in list(groups):
        yield flush(key)


def check_inputs(inputs: Sequence[str]) -> None:
    """Fail before any work when an input matches nothing or holds nothing to re-clean.

    Raises:
        FileNotFoundError: naming the input.
    """
    for item in inputs:
        if not any(_kind(path) is not None for path in _expand(item)):
            raise FileNotFoundError(f"{item}: nothing to re-clean there (looked for {', '.join(KNOWN_SUFFIXES)})")


def plan_shards(inputs: Sequence[str], files_per_shard: int = FILES_PER_SHARD) -> list[Shard]:
    """Every shard of the inputs, as a list (see ``iter_shards``)."""
    return list(iter_shards(inputs, files_per_shard))


def _open(path: str) -> BinaryIO:
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return Path(path).open("rb")


def _charset(content_type: str | None) -> str | None:
    if not content_type or "charset=" not in content_type:
        return None
    return content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'") or None


def _file_url(path: str, options: ReadOptions) -> str | None:
    if not options.base_url:
        return None
    return options.base_url.rstrip("/") + "/" + Path(path).name.removesuffix(".gz")


def _file_error(path: str, exc: BaseException) -> ScraperError:
    """The error of a saved file that cannot be read whole: ``truncated`` for a gzip stream cut short."""
    if isinstance(exc, EOFError):
        return TruncatedError(f"{path}: the gzip stream ends before its end ({exc})")
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return UnreadableError(f"{path}: corrupt gzip stream: {exc}")
    return UnreadableError(f"cannot read {path}: {exc}")


def _read_files(shard: Shard, options: ReadOptions, on_bytes: OnBytes) -> Iterator[RawPage | ErrorRecord]:
    for path in shard.paths:
        url = _file_url(path, options)
        try:
            with _open(path) as handle:
                data = handle.read()
        except _FILE_ERRORS as exc:
            yield error_record(_file_error(path, exc), source=Source(url=url, final_url=url, file=path))
            continue
        finally:
            on_bytes(_size(path))
        if shard.kind == "text":
            yield RawPage(url=url, final_url=url, text=data.decode("utf-8", errors="replace"), file=path)
        else:
            yield RawPage(url=url, final_url=url, body=data, file=path)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _warc_date(value: str | None) -> str | None:
    return value.replace("Z", "+00:00") if value else None


def _warc_page(record: Any, path: str, offset: int, body: bytes) -> RawPage:
    """A WARC response record as the page the crawl fetched (our own records carry the requested URL, the
    profile the page was found through and what its feed said)."""
    headers = record.rec_headers
    target = headers.get_header("WARC-Target-URI")
    discovered = headers.get_header(DISCOVERED_FIELD)
    http = record.http_headers
    content_type = http.get_header("Content-Type")
    try:
        status: int | None = int(http.get_statuscode())
    except (TypeError, ValueError):
        status = None
    return RawPage(
        url=headers.get_header(REQUESTED_URI_FIELD) or target, final_url=target, status=status,
        fetched_at=_warc_date(headers.get_header("WARC-Date")), body=body,
        headers=tuple((str(k), str(v)) for k, v in http.headers), encoding=_charset(content_type),
        site=headers.get_header(SITE_FIELD), discovered=json.loads(discovered) if discovered else None,
        warc_file=path, warc_record_id=headers.get_header("WARC-Record-ID"), warc_offset=offset,
    )


def _warc_error(record: Any, path: str, offset: int, body: bytes) -> ErrorRecord:
    """The error record our crawl wrote for a URL that gave no page, located in this WARC file."""
    headers = record.rec_headers
    where = Source(url=headers.get_header("WARC-Target-URI"), warc_file=path,
                   warc_record_id=headers.get_header("WARC-Record-ID"), warc_offset=offset)
    try:
        data = json.loads(body)
        error = ErrorRecord.from_dict(data)
    except (ValueError, ScraperError) as exc:
        return unreadable(f"bad error record: {exc}", where)
    return replace(error, source=replace(error.source, warc_file=path, warc_record_id=where.warc_record_id,
                                         warc_offset=offset))


def _payload(record: Any) -> bytes:
    """The HTTP payload as the server sent it: de-chunked, but still in its ``Content-Encoding`` (the cleaning
    job decodes it, strictly, so that a body cut short is found whether it came from the crawl or a file).

    Raises:
        TruncatedError: the record is shorter than its length, or says it was truncated (``WARC-Truncated``).
    """
    stream = record.raw_stream
    if (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        stream = ChunkedDataReader(record.raw_stream, decomp_type=None)
    body: bytes = stream.read()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise TruncatedError(f"the WARC record ends {missing} bytes before its length: the file is cut")
    truncated = record.rec_headers.get_header("WARC-Truncated")
    if truncated:
        raise TruncatedError(f"the WARC record says its payload was truncated (WARC-Truncated: {truncated})")
    return body


def _gzip_member_cut(path: str, offset: int) -> bool:
    """Whether the gzip member that starts at ``offset`` ends before its end (the file was cut inside it)."""
    inflater = zlib.decompressobj(wbits=31)
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        while not inflater.eof:
            data = inflater.unconsumed_tail or handle.read(1 << 16)
            if not data:
                return True
            try:
                inflater.decompress(data, 1 << 16)
            except zlib.error:
                return False  # not cut: corrupt, or not gzip at all
    return False


def _cut_at(path: str, offset: int) -> bool:
    """Whether the WARC file ends inside the record that starts at ``offset``: a cut gzip member, or a header
    block or payload shorter than it says."""
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        rest = handle.read(1 << 16)
    if rest.startswith(b"\x1f\x8b"):
        return _gzip_member_cut(path, offset)
    header, found, body = rest.partition(b"\r\n\r\n")
    if not found:
        return len(rest) < 1 << 16
    length = re.search(rb"(?im)^content-length:\s*(\d+)", header)
    return length is not None and len(rest) < 1 << 16 and len(body) < int(length.group(1))


def _read_warc(path: str, on_bytes: OnBytes) -> Iterator[RawPage | ErrorRecord]:
    """Every response record of a WARC file (Common Crawl's too), and the failed fetches our crawl recorded;
    request, warcinfo, revisit and other metadata records are not pages and are skipped. A record that cannot
    be read is that record's error; a file that ends inside a record (a header, a payload or a gzip member cut
    short), or that warcio cannot go on reading, ends with one error record for the rest of the file (and a
    record whose gzip member is cut is that error, not a page)."""
    pending: list[tuple[int, RawPage | ErrorRecord]] = []  # the last record read: its member may be cut
    for offset, item in _warc_records(path, on_bytes):
        if isinstance(item, _Rest):
            record = _rest_of_file(path, item.offset, item.error)
            if pending and pending[0][0] == item.offset:  # the record read there is the one cut short
                _, cut = pending.pop()
                if isinstance(cut, ErrorRecord):  # already its error (a payload shorter than its length)
                    record = cut
                else:
                    record = replace(record, url=cut.url, source=replace(source_of(cut), warc_offset=item.offset))
            yield from (i for _, i in pending)
            yield record
            return
        yield from (i for _, i in pending)
        pending[:] = [(offset, item)]
    yield from (i for _, i in pending)


@dataclass(frozen=True, slots=True)
class _Rest:
    """Where a WARC file stopped being readable, and why (None: it ends inside a record)."""

    offset: int
    error: BaseException | None


def _warc_records(path: str, on_bytes: OnBytes) -> Iterator[tuple[int, RawPage | ErrorRecord | _Rest]]:
    """The records of ``_read_warc`` with their offsets, and a ``_Rest`` where the file stops being readable."""
    position = 0
    records: Any = None
    last = 0
    try:
        with Path(path).open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                ours = record.rec_type == "metadata" and record.rec_headers.get_header("Content-Type") == \
                    ERROR_RECORD_TYPE
                if not ours and (record.rec_type != "response" or record.http_headers is None):
                    continue
                try:
                    body, failure = (record.content_stream().read() if ours else _payload(record)), None
                except ScraperError as exc:
                    body, failure = b"", exc
                except Exception as exc:  # warcio and the codecs raise many classes; a bad payload is one record's
                    body, failure = b"", UnreadableError(f"bad payload: {type(exc).__name__}: {exc}")
                offset = last = records.get_record_offset()  # known once the record has been read
                on_bytes(handle.tell() - position)
                position = handle.tell()
                if failure is not None:
                    target = record.rec_headers.get_header("WARC-Target-URI")
                    yield offset, error_record(failure, source=Source(url=target, warc_file=path, warc_offset=offset))
                elif ours:
                    yield offset, _warc_error(record, path, offset, body)
                else:
                    yield offset, _warc_record_page(record, path, offset, body)
        end = getattr(records, "offset", 0) or 0
        member = getattr(records, "member_info", None)
        if end < _size(path):
            yield end, _Rest(end, None)
        elif member and _cut_at(path, member[0]):
            yield member[0], _Rest(member[0], None)
    except (OSError, ArchiveLoadFailed, EOFError) as exc:
        yield last, _Rest(getattr(records, "offset", last) or last, exc)
    except Exception as exc:  # warcio fails on damaged files with any class (AttributeError, ValueError...)
        logger.debug("%s: warcio failed", path, exc_info=True)
        yield last, _Rest(getattr(records, "offset", last) or last, exc)
    finally:
        on_bytes(max(0, _size(path) - position))


def _rest_of_file(path: str, offset: int, exc: BaseException | None) -> ErrorRecord:
    """The error record for what of a WARC file could not be read, from ``offset`` on."""
    where = Source(warc_file=path, warc_offset=offset)
    detail = f": {type(exc).__name__}: {exc}" if exc is not None else ""
    try:
        cut = _cut_at(path, offset)
    except OSError:
        cut = False
    if cut:
        return error_record(TruncatedError(f"the WARC file ends inside the record at offset {offset}{detail}"),
                            source=where)
    return unreadable(f"cannot read the WARC file from offset {offset}{detail}", where)


def _warc_record_page(record: Any, path: str, offset: int, body: bytes) -> RawPage | ErrorRecord:
    try:
        return _warc_page(record, path, offset, body)
    except ValueError as exc:  # a Newsclean-Discovered field that is not JSON
        where = Source(url=record.rec_headers.get_header("WARC-Target-URI"), warc_file=path, warc_offset=offset)
        return unreadable(f"bad record headers: {exc}", where)


def _read_jsonl(path: str, options: ReadOptions, on_bytes: OnBytes) -> Iterator[RawPage | ErrorRecord]:
    position = 0
    try:
        with Path(path).open("rb") as raw, (gzip.open(raw, "rb") if path.endswith(".gz") else raw) as unpacked:
            for number, line in enumerate(io.TextIOWrapper(unpacked, encoding="utf-8", errors="replace"), 1):
                if raw.tell() != position:
                    on_bytes(raw.tell() - position)
                    position = raw.tell()
                if line.strip():
                    yield _jsonl_page(line, path, number, options)
    except _FILE_ERRORS as exc:
        yield error_record(_file_error(path, exc), source=Source(file=path))
    on_bytes(max(0, _size(path) - position))


def _jsonl_page(line: str, path: str, number: int, options: ReadOptions) -> RawPage | ErrorRecord:
    try:
        data = json.loads(line)
    except ValueError as exc:
        return unreadable(f"not JSON: {exc}", Source(file=path, line=number))
    raw_url = data.get(options.url_field) if isinstance(data, dict) else None
    url = raw_url if isinstance(raw_url, str) else None
    html = data.get(options.html_field) if isinstance(data, dict) else None
    if not isinstance(html, str):
        return unreadable(f"no string field {options.html_field!r}", Source(url=url, final_url=url, file=path,
                                                                              line=number))
    return RawPage(url=url, final_url=url, body=html.encode("utf-8"), encoding="utf-8", file=path, line=number)


def read_shard(shard: Shard, options: ReadOptions | None = None,
               on_bytes: OnBytes | None = None) -> Iterator[RawPage | ErrorRecord]:
    """Stream the pages of a shard; what cannot be read comes out as an error record.

    Args:
        shard: the shard.
        options: JSONL field names and the base URL of loose files.
        on_bytes: told how many more bytes of the shard's files have been read, as reading goes on.
    """
    options = options or ReadOptions()
    count = on_bytes or (lambda _: None)
    if shard.kind == "warc":
        yield from _read_warc(shard.paths[0], count)
    elif shard.kind == "jsonl":
        yield from _read_jsonl(shard.paths[0], options, count)
    else:
        yield from _read_files(shard, options, count)
