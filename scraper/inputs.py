"""Saved pages to re-clean: input paths expanded into shards, and shards read as a stream of records.

A shard is one WARC or JSONL file, or a group of up to ``FILES_PER_SHARD`` HTML/text files from one
folder. Shard ids are stable (derived from the member paths), so a re-run finds its finished shards.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

FILES_PER_SHARD = 500
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
TEXT_SUFFIXES = (".txt", ".txt.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Paths remembered to skip an input named twice; past this many, repeats are not looked for.
_SEEN_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work with its own output files: ``kind`` is html, text, warc or jsonl."""

    id: str
    kind: str
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One saved page (or text), located in its input: ``locator`` is a path, ``path@offset`` or ``path:line``."""

    locator: str
    url: str | None
    body: bytes | None = None
    text: str | None = None
    encoding: str | None = None
    fetched_at: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read inputs: JSONL field names and a base URL for files that carry none."""

    html_field: str = "html"
    url_field: str = "url"
    base_url: str | None = None


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    for kind, suffixes in (("warc", WARC_SUFFIXES), ("jsonl", JSONL_SUFFIXES), ("html", HTML_SUFFIXES),
                           ("text", TEXT_SUFFIXES)):
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
    groups: dict[tuple[str, str], list[str]] = {}
    counters: dict[tuple[str, str], int] = {}

    def flush(key: tuple[str, str]) -> Shard:
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
            kind = _kind(Path(path))
            if kind in ("warc", "jsonl"):
                yield Shard(_shard_id(os.path.basename(path), kind, [path]), kind, (path,))
            elif kind in ("html", "text"):
                key = (os.path.dirname(path), kind)
                groups.setdefault(key, []).append(path)
                if len(groups[key]) >= files_per_shard:
                    yield flush(key)
    for key in list(groups):
        yield flush(key)


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
    name = Path(path).name
    for suffix in (".gz",):
        name = name.removesuffix(suffix)
    return options.base_url.rstrip("/") + "/" + name


def _read_files(shard: Shard, options: ReadOptions) -> Iterator[RawRecord]:
    for path in shard.paths:
        try:
            with _open(path) as handle:
                data = handle.read()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield RawRecord(path, None, error=f"cannot read: {exc}")
            continue
        if shard.kind == "text":
            yield RawRecord(path, _file_url(path, options), text=data.decode("utf-8", errors="replace"))
        else:
            yield RawRecord(path, _file_url(path, options), body=data)


def _read_warc(path: str) -> Iterator[RawRecord]:
    """HTML response records of a WARC (Common Crawl's too); other records are skipped, not errors."""
    try:
        with Path(path).open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if not content_type.lower().startswith(_HTML_TYPES):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                try:
                    body, failure = record.content_stream().read(), None
                except Exception as exc:  # a corrupt payload is that record's error, not the file's
                    body, failure = None, f"bad payload: {exc}"
                # warcio knows the offset only once the record has been read
                locator = f"{path}@{records.get_record_offset()}"
                if failure is not None:
                    yield RawRecord(locator, url, error=failure)
                    continue
                fetched = _warc_date(record.rec_headers.get_header("WARC-Date"))
                yield RawRecord(locator, url, body=body, encoding=_charset(content_type), fetched_at=fetched)
    except (OSError, ArchiveLoadFailed, EOFError) as exc:
        yield RawRecord(path, None, error=f"cannot read WARC: {exc}")


def _warc_date(value: str | None) -> str | None:
    return value.replace("Z", "+00:00") if value else None


def _read_jsonl(path: str, options: ReadOptions) -> Iterator[RawRecord]:
    try:
        with _open(path) as raw:
            for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8", errors="replace"), 1):
                if not line.strip():
                    continue
                locator = f"{path}:{number}"
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    yield RawRecord(locator, None, error=f"not JSON: {exc}")
                    continue
                html = data.get(options.html_field) if isinstance(data, dict) else None
                url = data.get(options.url_field) if isinstance(data, dict) else None
                if not isinstance(html, str):
                    yield RawRecord(locator, url if isinstance(url, str) else None,
                                    error=f"no string field {options.html_field!r}")
                    continue
                yield RawRecord(locator, url if isinstance(url, str) else None, body=html.encode("utf-8"),
                                encoding="utf-8")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield RawRecord(path, None, error=f"cannot read: {exc}")


def read_shard(shard: Shard, options: ReadOptions | None = None) -> Iterator[RawRecord]:
    """Stream the records of a shard; unreadable inputs and records come out as records with ``error``."""
    options = options or ReadOptions()
    if shard.kind == "warc":
        yield from _read_warc(shard.paths[0])
    elif shard.kind == "jsonl":
        yield from _read_jsonl(shard.paths[0], options)
    else:
        yield from _read_files(shard, options)
