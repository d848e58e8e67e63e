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
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.article import RawPage
from scraper.errors import ScraperError
from scraper.records import ErrorRecord, Source, unreadable
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


def _read_files(shard: Shard, options: ReadOptions, on_bytes: OnBytes) -> Iterator[RawPage | ErrorRecord]:
    for path in shard.paths:
        url = _file_url(path, options)
        try:
            with _open(path) as handle:
                data = handle.read()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield unreadable(f"cannot read {path}: {exc}", Source(url=url, final_url=url, file=path))
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


def _read_warc(path: str, on_bytes: OnBytes) -> Iterator[RawPage | ErrorRecord]:
    """Every response record of a WARC file (Common Crawl's too), and the failed fetches our crawl recorded;
    request, warcinfo, revisit and other metadata records are not pages and are skipped."""
    position = 0
    try:
        with Path(path).open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                ours = record.rec_type == "metadata" and record.rec_headers.get_header("Content-Type") == \
                    ERROR_RECORD_TYPE
                if not ours and (record.rec_type != "response" or record.http_headers is None):
                    continue
                try:
                    body, failure = record.content_stream().read(), None
                except Exception as exc:  # a corrupt payload is that record's error, not the file's
                    body, failure = b"", f"bad payload: {exc}"
                offset = records.get_record_offset()  # known once the record has been read
                on_bytes(handle.tell() - position)
                position = handle.tell()
                if failure is not None:
                    target = record.rec_headers.get_header("WARC-Target-URI")
                    yield unreadable(failure, Source(url=target, warc_file=path, warc_offset=offset))
                elif ours:
                    yield _warc_error(record, path, offset, body)
                else:
                    yield _warc_page(record, path, offset, body)
    except (OSError, ArchiveLoadFailed, EOFError) as exc:
        yield unreadable(f"cannot read WARC: {exc}", Source(warc_file=path))
    on_bytes(max(0, _size(path) - position))


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
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield unreadable(f"cannot read {path}: {exc}", Source(file=path))
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
