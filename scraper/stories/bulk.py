"""``scraper stories``: the story index over saved article records in bulk, and ``stories.jsonl``.

Records (the crawl's or a re-clean's JSONL, gzipped or not; error records and other lines are counted and
skipped) are fingerprinted where they carry no fingerprint of the current scheme, on all cores (or a Dask
cluster), and added to the index in one process, which is what keeps the stories the same whatever the
number of workers. ``stories.jsonl`` then holds one line per story: its original, its members with their
relation to the original, its sites, and when it was first and last seen.
"""

from __future__ import annotations

import glob
import gzip
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import as_completed as as_completed_local
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scraper.errors import StorageError
from scraper.storage import JsonlWriter
from scraper.stories.index import StoreProtocol, StoryIndex
from scraper.stories.model import Entry, Newcomer, Story
from scraper.stories.sqlite_store import BULK_BATCH, SQLiteStore

logger = logging.getLogger(__name__)
STORIES_FILE = "stories.jsonl"
INDEX_FILE = "_stories.sqlite3"
CHUNK = 512


@dataclass
class StoriesSummary:
    """What a bulk run read and made."""

    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    indexed: int = 0
    already: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    stories: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "skipped": dict(sorted(self.skipped.items())), "indexed": self.indexed,
                "already_indexed": self.already, "relations": dict(sorted(self.relations.items())),
                "stories": self.stories, "seconds": round(self.seconds, 3)}


def input_files(inputs: Sequence[str]) -> list[Path]:
    """The JSONL files named (folders: every ``*.jsonl`` and ``*.jsonl.gz`` below, error files left out; globs).

    Raises:
        FileNotFoundError: an input does not exist, or nothing to read was found.
    """
    files: list[Path] = []
    for name in inputs:
        if glob.has_magic(name):
            matched = sorted(Path(p) for p in glob.glob(name, recursive=True) if Path(p).is_file())  # noqa: PTH207 - a pattern may be absolute
            if not matched:
                raise FileNotFoundError(f"{name}: matches no file")
            files.extend(matched)
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(p for pattern in ("*.jsonl", "*.jsonl.gz") for p in path.rglob(pattern)
                           if not p.name.endswith((".errors.jsonl", ".errors.jsonl.gz")) and p.name != STORIES_FILE)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    if not files:
        raise FileNotFoundError(f"no JSONL files in {', '.join(inputs)}")
    return files


def _open(path: Path) -> IO[str]:
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def iter_records(files: Iterable[Path], summary: StoriesSummary) -> Iterator[dict[str, Any]]:
    """The article records of the files; other lines are counted in ``summary.skipped`` by why.

    Raises:
        StorageError: a file cannot be read (names it).
    """
    for path in files:
        try:
            with _open(path) as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    summary.records += 1
                    try:
                        record = json.loads(line)
                    except ValueError:
                        summary.skipped["not-json"] += 1
                        continue
                    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                        summary.skipped["not-an-article"] += 1
                        continue
                    yield record
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise StorageError(f"cannot read {path}: {exc}") from exc


def newcomers(records: list[dict[str, Any]]) -> list[Newcomer | None]:
    """The index's view of each record (None for a record it cannot read); runs in worker processes."""
    out: list[Newcomer | None] = []
    for record in records:
        try:
            out.append(Newcomer.from_record(record))
        except (KeyError, TypeError, ValueError):
            out.append(None)
    return out


def _chunks(records: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fingerprinted(chunks: Iterator[list[dict[str, Any]]], jobs: int,
                   dask: str | None) -> Iterator[list[Newcomer | None]]:
    """Each chunk's newcomers, computed on ``jobs`` local processes or on the Dask scheduler at ``dask``, in the
    order they finish; at most two chunks a worker are in flight, so memory stays flat over any input."""
    if dask:
        from distributed import Client, as_completed  # noqa: PLC0415 - Dask is needed only for this mode

        with Client(dask) as client:
            window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
            pending = as_completed()
            for chunk in chunks:
                pending.add(client.submit(newcomers, chunk, pure=False))
                if pending.count() >= window:
                    yield next(pending).result()
            for future in pending:
                yield future.result()
        return
    if jobs <= 1:
        yield from map(newcomers, chunks)
        return
    with ProcessPoolExecutor(jobs) as pool:
        running: set[Future[list[Newcomer | None]]] = set()
        for chunk in chunks:
            running.add(pool.submit(newcomers, chunk))
            if len(running) >= 2 * jobs:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        for future in as_completed_local(running):
            yield future.result()


def build(inputs: Sequence[str], out: str | Path, *, index: str | Path | None = None, jobs: int | None = None,
          dask: str | None = None) -> StoriesSummary:
    """Add every article record of ``inputs`` to the story index and write ``out/stories.jsonl``.

    Args:
        inputs: JSONL files or folders of them.
        out: the output folder.
        index: the SQLite story index to use and extend (default: ``out/_stories.sqlite3``); a crawl's index
            (``SCRAPER_STORIES``) may be given: records it already holds keep their stories.
        jobs: processes fingerprinting records that carry no fingerprint (default: all cores).
        dask: a ``dask.distributed`` scheduler address to fingerprint on instead.

    Raises:
        FileNotFoundError: an input does not exist or holds no JSONL file.
        StorageError: an input cannot be read, or the index or output cannot be written.
    """
    start = time.monotonic()
    files = input_files(inputs)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    summary = StoriesSummary()
    store = SQLiteStore(index or folder / INDEX_FILE, batch=BULK_BATCH)
    try:
        story_index = StoryIndex(store, run="stories")
        chunks = _chunks(iter_records(files, summary))
        for batch in _fingerprinted(chunks, jobs or os.cpu_count() or 1, dask):
            for item in batch:
                if item is None:
                    summary.skipped["unreadable-article"] += 1
                    continue
                placement = story_index.add(item)
                summary.indexed += 1
                summary.relations[placement.relation] += 1
        summary.stories = write_stories(store, folder / STORIES_FILE)
    finally:
        store.close()
    summary.seconds = time.monotonic() - start
    return summary


def write_stories(store: StoreProtocol, path: Path) -> int:
    """Write one line per story of the index to ``path`` (atomically); returns how many."""
    writer = JsonlWriter(path)
    count = 0
    for line in story_lines(store):
        writer.write(line)
        count += 1
    writer.close()
    return count


def story_lines(store: StoreProtocol) -> Iterator[dict[str, Any]]:
    """One ``stories.jsonl`` line per story, members in the order they came."""
    index = StoryIndex(store)
    for story in store.stories():
        members = store.members(story.id)
        if members:
            yield story_line(index, story, members)


def story_line(index: StoryIndex, story: Story, members: list[Entry]) -> dict[str, Any]:
    """A story as a line: its original, members (with each one's relation to the original), sites, times."""
    by_id = {m.id: m for m in members}
    original = next((m for m in members if m.key == story.original), members[0])
    rows = []
    for member in members:
        matched = by_id.get(member.matched or "")
        rows.append({**member.brief(), "title": member.title, "seen": member.seen,
                     "relation": index.relation_to(member, original, matched),
                     "matched": member.matched, "score": round(member.score, 3)})
    seen = [s for m in members for s in (m.seen or m.published,) if s]
    return {"story": story.id, "size": len(members), "original": {**original.brief(), "title": original.title},
            "attributed": story.attributed, "sites": sorted({m.site for m in members if m.site}),
            "first_seen": min(seen) if seen else None, "last_seen": max(seen) if seen else None, "members": rows}
