"""Re-clean saved pages in bulk: shards in, article and error JSONL shards out, resumable, on all cores.

Every input record ends in exactly one output: ``<out>/<shard>.jsonl`` (articles) or
``<out>/<shard>.errors.jsonl``. Both are written under ``.part`` names and renamed when the shard is
complete; a finished shard gets a marker ``<out>/_done/<shard>.json`` with its counts, so a re-run (after a
crash or ``kill -9``) skips finished shards and redoes the others from scratch: each record is output once.
Pages go through the crawl's own job (``scraper.job``): status and content type, cleaning, validation, and
de-duplication across the whole output folder (``<out>/_dedupe.sqlite3``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.article import RawPage
from scraper.dedupe import Deduper, RedisDeduper, StoredDeduper, run_token
from scraper.errors import RejectedError, ScraperError, StorageError
from scraper.inputs import FILES_PER_SHARD, ReadOptions, Shard, check_inputs, iter_shards, plan_shards, read_shard
from scraper.job import Cleaned, CleanJob, load_registry
from scraper.pool import Limits, PagePool
from scraper.progress import Progress
from scraper.records import ArticleRecord, ErrorRecord, article_record, error_record
from scraper.storage import JsonlWriter, OutputSet, write_text_atomic

logger = logging.getLogger(__name__)
DONE_DIR = "_done"
SUMMARY_FILE = "_summary.json"
DEDUPE_FILE = "_dedupe.sqlite3"
DEDUPE_RUN_FILE = "_dedupe.redis"  # the folder's name for its keys on a Redis server (Dask runs)
Record = ArticleRecord | ErrorRecord


def finish_page(job: CleanJob, page: RawPage, result: Cleaned | ScraperError, dedupe: Deduper,
                owner: str = "") -> Record:
    """What a cleaned page becomes, after the worker: validated, de-duplicated, recorded (the crawl's
    DropIncompletePipeline and DedupePipeline make the same calls)."""
    if isinstance(result, ScraperError):
        return error_record(result, page)
    try:
        job.validate(result.article)
        dedupe.admit(result.article, owner, page.url or page.file)
    except RejectedError as exc:
        return error_record(exc, page)
    return article_record(page, result)


def process_page(job: CleanJob, page: RawPage, dedupe: Deduper, owner: str = "") -> Record:
    """Every step of the job for one page, in this process."""
    try:
        job.admit(page)
    except ScraperError as exc:
        return error_record(exc, page)
    return finish_page(job, page, job(page), dedupe, owner)


@dataclass
class Counts:
    """Input records, articles and errors (by reason) of a shard, a run or an output folder."""

    inputs: int = 0
    articles: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, record: Record) -> None:
        self.inputs += 1
        if isinstance(record, ArticleRecord):
            self.articles += 1
        else:
            self.errors[record.reason] += 1

    def merge(self, data: dict[str, Any]) -> None:
        """Add the counts of a shard marker (``to_dict`` output)."""
        errors = Counter({str(k): int(v) for k, v in (data.get("errors_by_reason") or {}).items()})
        if not errors and data.get("errors"):  # a marker without reasons
            errors["unknown"] = int(data["errors"])
        self.articles += int(data.get("articles", 0))
        self.errors.update(errors)
        self.inputs += int(data.get("records", int(data.get("articles", 0)) + sum(errors.values())))

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "articles": self.articles, "errors": sum(self.errors.values()),
                "errors_by_reason": dict(sorted(self.errors.items()))}


@dataclass
class Summary:
    """A re-clean: counts over every finished shard of the output folder, and what this run did.

    ``exit_code``: 0 when every input of the output folder became an article, 1 with some errors, 3 when
    none did (or there was no page at all).
    """

    out: str = ""
    shards: int = 0
    total: Counts = field(default_factory=Counts)
    this_run: Counts = field(default_factory=Counts)
    shards_done: int = 0
    shards_skipped: int = 0
    seconds: float = 0.0
    workers_replaced: int = 0

    @property
    def exit_code(self) -> int:
        if not self.total.articles:
            return 3
        return 1 if self.total.errors else 0

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``_summary.json``)."""
        rate = self.this_run.inputs / self.seconds if self.seconds else 0.0
        run = {"shards_done": self.shards_done, "shards_skipped": self.shards_skipped, **self.this_run.to_dict(),
               "seconds": round(self.seconds, 3), "pages_per_second": round(rate, 1),
               "workers_replaced": self.workers_replaced}
        return {"output": self.out, "shards": self.shards, **self.total.to_dict(), "this_run": run}


class _ShardOutput:
    """The two writers of one shard, finalised (renamed, marked done) when every record is written."""

    def __init__(self, out: Path, shard: Shard) -> None:
        self.shard, self.out = shard, out
        self.files = OutputSet()  # renamed into place together, or (after a write error) neither
        self.articles = self.files.add(JsonlWriter(out / f"{shard.id}.jsonl"))
        self.errors = self.files.add(JsonlWriter(out / f"{shard.id}.errors.jsonl"))
        self.counts = Counts()
        self.submitted = 0
        self.read_done = False

    def write(self, record: Record) -> None:
        (self.articles if isinstance(record, ArticleRecord) else self.errors).write(record.to_dict())
        self.counts.add(record)

    @property
    def complete(self) -> bool:
        return self.read_done and self.counts.inputs == self.submitted

    def finish(self) -> None:
        self.files.commit()
        marker = self.out / DONE_DIR / f"{self.shard.id}.json"
        marker.parent.mkdir(parents=True, exist_ok=True)
        counts = self.counts.to_dict()
        write_text_atomic(marker, json.dumps({"shard": self.shard.id, "inputs": list(self.shard.paths),
                                              "records": counts["inputs"], "articles": counts["articles"],
                                              "errors": counts["errors"],
                                              "errors_by_reason": counts["errors_by_reason"]}))


def done_shards(out: Path) -> set[str]:
    """The ids of the shards finished in ``out``."""
    folder = out / DONE_DIR
    return {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()


def pending_shards(shards: Sequence[Shard], out: Path) -> list[Shard]:
    """The shards without a done marker in ``out``."""
    finished = done_shards(out)
    return [s for s in shards if s.id not in finished]


def _summarise(out: Path, summary: Summary) -> Summary:
    """Fill the whole-folder counts from every shard marker in ``out``, and write ``_summary.json``."""
    summary.out, summary.total, summary.shards = str(out), Counts(), 0
    for marker in sorted((out / DONE_DIR).glob("*.json")):
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("%s: unreadable shard marker, not counted: %s", marker, exc)
            continue
        summary.shards += 1
        summary.total.merge(data)
    write_text_atomic(out / SUMMARY_FILE, json.dumps(summary.to_dict(), indent=2) + "\n")
    return summary


def _start(inputs: Sequence[str], out: str | Path, job: CleanJob) -> Path:
    """Checks made before any work: the inputs hold something, the profiles load, the folder can be made."""
    check_inputs(inputs)
    load_registry(job.profiles)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


class _Run:
    """One local re-clean: reads shards, feeds the pool, writes what comes back, finishes shards."""

    def __init__(self, out: Path, job: CleanJob, read: ReadOptions | None, progress: Progress) -> None:
        self.out, self.job, self.read, self.progress = out, job, read, progress
        self.finished = done_shards(out)
        self.dedupe = StoredDeduper(out / DEDUPE_FILE)
        self.dedupe.forget_unfinished(self.finished)
        self.summary = Summary()
        self.outputs: dict[str, _ShardOutput] = {}

    def emit(self, target: _ShardOutput, record: Record) -> None:
        target.write(record)
        self.summary.this_run.add(record)
        self.progress.record()
        self.finish_if_complete(target)

    def finish_if_complete(self, target: _ShardOutput) -> None:
        if target.complete:
            self.dedupe.commit()  # before the marker: a shard marked done has its keys stored
            target.finish()
            del self.outputs[target.shard.id]
            self.summary.shards_done += 1
            self.progress.shard_done()

    def pages(self, shards: Iterator[Shard]) -> Iterator[tuple[tuple[str, RawPage], RawPage]]:
        """The pages to clean, keyed by shard; records that need no cleaning are written on the way."""
        for shard in shards:
            if shard.id in self.finished:
                self.summary.shards_skipped += 1
                self.progress.skip(shard.size())
                continue
            target = self.outputs[shard.id] = _ShardOutput(self.out, shard)
            for item in read_shard(shard, self.read, self.progress.read):
                target.submitted += 1
                if isinstance(item, ErrorRecord):
                    self.emit(target, item)
                    continue
                try:
                    self.job.admit(item)
                except ScraperError as exc:
                    self.emit(target, error_record(exc, item))
                    continue
                yield (shard.id, item), item
            target.read_done = True
            self.finish_if_complete(target)  # every record was an error, or the shard held none

    def cleaned(self, shard_id: str, page: RawPage, result: Cleaned | ScraperError) -> None:
        self.emit(self.outputs[shard_id], finish_page(self.job, page, result, self.dedupe, shard_id))


def run(
    inputs: Sequence[str],
    out: str | Path,
    *,
    job: CleanJob | None = None,
    jobs: int | None = None,
    read: ReadOptions | None = None,
    limits: Limits | None = None,
    files_per_shard: int = FILES_PER_SHARD,
    progress: Progress | None = None,
) -> Summary:
    """Re-clean every input into ``out`` on ``jobs`` processes (default: all cores); resumable.

    Raises:
        FileNotFoundError: an input matches nothing, or holds nothing to re-clean.
        ProfileError: the job's profiles folder is missing or invalid.
        StorageError: the output cannot be written.
    """
    job = job or CleanJob()
    folder = _start(inputs, out, job)
    progress = progress or Progress(quiet=True)
    progress.count_total(lambda: (s.size() for s in iter_shards(inputs, files_per_shard)))
    state = _Run(folder, job, read, progress)
    pool = PagePool(job, jobs or os.cpu_count() or 1, limits)
    start = time.monotonic()
    complete = False
    try:
        for (shard_id, page), result in pool.imap(state.pages(iter_shards(inputs, files_per_shard))):
            state.cleaned(shard_id, page, result)
        complete = True
    except StorageError as exc:  # the first write error stops the run, as in the crawl
        done = state.summary.this_run
        raise StorageError(f"{exc}; this run wrote {done.inputs} records and finished {state.summary.shards_done} "
                           f"shards before it stopped; {len(state.outputs)} unfinished shards keep their .part names "
                           "(make room and run the same command again to resume)") from exc
    finally:
        for output in state.outputs.values():  # unfinished (interrupted, or a write failed): left as .part
            output.files.abandon()
        state.dedupe.close()
        progress.close(complete)
    state.summary.seconds = time.monotonic() - start
    state.summary.workers_replaced = pool.replaced
    return _summarise(folder, state.summary)


def reclean(
    inputs: Sequence[str], *, job: CleanJob | None = None, jobs: int = 1, read: ReadOptions | None = None,
    limits: Limits | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one record per input page, article or error (``"kind"`` says which): for notebooks.

    Nothing is written to disk; records are the lines ``run`` writes (duplicates are found in memory).

    Raises:
        FileNotFoundError: an input matches nothing, or holds nothing to re-clean.
    """
    job = job or CleanJob()
    check_inputs(inputs)
    load_registry(job.profiles)
    dedupe = Deduper()
    ready: list[Record] = []

    def pages() -> Iterator[tuple[RawPage, RawPage]]:
        for shard in iter_shards(inputs):
            for item in read_shard(shard, read):
                if isinstance(item, ErrorRecord):
                    ready.append(item)
                    continue
                try:
                    job.admit(item)
                except ScraperError as exc:
                    ready.append(error_record(exc, item))
                    continue
                yield item, item

    def drain() -> Iterator[dict[str, Any]]:
        while ready:
            yield _line(ready.pop(0))

    for page, result in PagePool(job, jobs, limits).imap(pages()):
        yield from drain()
        yield _line(finish_page(job, page, result, dedupe))
    yield from drain()


def _line(record: Record) -> dict[str, Any]:
    return {"kind": "article" if isinstance(record, ArticleRecord) else "error", **record.to_dict()}


def shard_task(shard: Shard, out: str, job: CleanJob | None = None, read: ReadOptions | None = None,
               dedupe_on: tuple[str, str] | None = None) -> dict[str, Any]:
    """Re-clean one shard in this process (a Dask task): write its files and marker; return its counts.

    Duplicates are found across every shard of the folder through the Redis server of ``dedupe_on`` (its URL
    and the folder's run token), else within the shard.
    """
    job = job or CleanJob()
    target = _ShardOutput(Path(out), shard)
    dedupe = RedisDeduper(*dedupe_on) if dedupe_on else Deduper()
    try:
        if isinstance(dedupe, RedisDeduper):
            dedupe.forget_shard(shard.id)  # a task run again after its worker was lost starts from scratch
        for item in read_shard(shard, read):
            target.submitted += 1
            target.write(item if isinstance(item, ErrorRecord) else process_page(job, item, dedupe, shard.id))
        target.read_done = True
        target.finish()
    finally:
        dedupe.close()
    return {"size": shard.size(), **target.counts.to_dict()}


def run_dask(address: str, inputs: Sequence[str], out: str | Path, *, job: CleanJob | None = None,
             read: ReadOptions | None = None, files_per_shard: int = FILES_PER_SHARD,
             progress: Progress | None = None, redis_url: str | None = None) -> Summary:
    """Run the pending shards as tasks on a Dask cluster (``dask.distributed`` scheduler at ``address``).

    The output folder must be visible to every worker (a shared filesystem). Per-page time and memory
    limits are those of the workers; the cleaner's own size limits still apply. With ``redis_url`` duplicates
    are found across every shard of the folder (the workers admit each article's keys on that server, under
    the folder's own name, kept in ``<out>/_dedupe.redis``), as the local run does; without it, within each
    shard only.

    Raises:
        FileNotFoundError: an input matches nothing, or holds nothing to re-clean.
        StorageError: the Redis server cannot be reached.
    """
    from distributed import Client, as_completed  # noqa: PLC0415 - Dask is needed only for this mode

    job = job or CleanJob()
    out = _start(inputs, out, job).resolve()
    progress = progress or Progress(quiet=True)
    shards = plan_shards(inputs, files_per_shard)
    todo = pending_shards(shards, out)
    progress.total = sum(s.size() for s in shards)
    progress.skip(sum(s.size() for s in shards if s not in todo))
    summary = Summary(shards_skipped=len(shards) - len(todo))
    dedupe_on = None
    if redis_url:
        dedupe_on = (redis_url, run_token(out, DEDUPE_RUN_FILE))
        keys = RedisDeduper(*dedupe_on)
        try:
            keys.forget_unfinished(done_shards(out))
        finally:
            keys.close()
    start = time.monotonic()
    complete = False
    try:
        with Client(address) as client:
            futures = client.map(shard_task, todo, out=str(out), job=job, read=read, dedupe_on=dedupe_on, pure=False)
            for future in as_completed(futures):
                counts = future.result()
                summary.this_run.merge({**counts, "records": counts["inputs"]})
                summary.shards_done += 1
                progress.read(counts["size"])
                progress.record(counts["inputs"])
                progress.shard_done()
        complete = True
    finally:
        progress.close(complete)
    summary.seconds = time.monotonic() - start
    return _summarise(out, summary)
