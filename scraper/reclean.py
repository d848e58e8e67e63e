"""Re-clean saved pages in bulk: shards in, article and error JSONL shards out, resumable, on all cores.

Every input record ends in exactly one output: ``<out>/<shard>.jsonl`` (articles) or
``<out>/<shard>.errors.jsonl``. Both are written under ``.part`` names and renamed when the shard is
complete; a finished shard gets a marker ``<out>/_done/<shard>.json``, so a re-run (after a crash or
``kill -9``) skips finished shards and redoes the others from scratch: each record is output once.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.clean import clean_text, clean_to_dict
from scraper.errors import ScraperError
from scraper.pagetype import is_article
from scraper.pool import Limits, PagePool
from scraper.sources import FILES_PER_SHARD, RawRecord, ReadOptions, Shard, iter_shards, plan_shards, read_shard
from scraper.storage import JsonlWriter, write_text_atomic

logger = logging.getLogger(__name__)
DONE_DIR = "_done"
SUMMARY_FILE = "_summary.json"


def process_record(record: RawRecord) -> dict[str, Any]:
    """Clean one record (in a worker); returns ``{"article": {...}}`` or ``{"error": class, "reason": ...}``."""
    if record.text is not None:
        try:
            return {"article": clean_text(record.text, record.url).to_dict()}
        except ScraperError as exc:
            return {"error": type(exc).__name__, "reason": exc.reason, "message": str(exc)}
    kind, data = clean_to_dict(record.body or b"", record.url, record.encoding, record.fetched_at)
    return {"article": data} if kind == "article" else data


def output_record(record: RawRecord, result: dict[str, Any], keep_non_articles: bool = False
                  ) -> tuple[str, dict[str, Any]]:
    """The output line for a record's result: ``("article", ...)`` or ``("error", ...)``, naming the source.

    A page that is not an article (``page_type`` other than ``article``) becomes an error with reason
    ``not-article: <type>`` unless ``keep_non_articles``.
    """
    source = {"input": record.locator, "url": record.url, "fetched_at": record.fetched_at}
    if "article" in result and not keep_non_articles and not is_article(result["article"]):
        kind = result["article"].get("page_type")
        return "error", {"url": record.url, "source": source, "stage": "validate", "error": "NotArticle",
                         "reason": f"not-article: {kind}", "message": f"the page is a {kind} page, not an article"}
    if "article" in result:
        return "article", {**result["article"], "source": source}
    return "error", {"url": record.url, "source": source, "stage": "clean", "error": result.get("error"),
                     "reason": result.get("reason"), "message": result.get("message", "")}


def _read_error(record: RawRecord) -> dict[str, Any]:
    return {"error": "InputError", "reason": "unreadable", "message": record.error}


@dataclass
class Summary:
    """Counts of a run, written to ``_summary.json`` and printed at the end."""

    shards: int = 0
    shards_skipped: int = 0
    inputs: int = 0
    articles: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    workers_replaced: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        rate = self.inputs / self.seconds if self.seconds else 0.0
        return {"shards": self.shards, "shards_skipped": self.shards_skipped, "inputs": self.inputs,
                "articles": self.articles, "errors": sum(self.errors.values()), "errors_by_reason": dict(self.errors),
                "seconds": round(self.seconds, 3), "pages_per_second": round(rate, 1),
                "workers_replaced": self.workers_replaced}


class _ShardOutput:
    """The two writers of one shard, finalised (renamed, marked done) when every record is written."""

    def __init__(self, out: Path, shard: Shard) -> None:
        self.shard, self.out = shard, out
        self.articles = JsonlWriter(out / f"{shard.id}.jsonl")
        self.errors = JsonlWriter(out / f"{shard.id}.errors.jsonl")
        self.submitted = 0
        self.written = 0
        self.read_done = False

    def write(self, kind: str, line: dict[str, Any]) -> None:
        (self.articles if kind == "article" else self.errors).write(line)
        self.written += 1

    @property
    def complete(self) -> bool:
        return self.read_done and self.written == self.submitted

    def finish(self) -> None:
        self.articles.close()
        self.errors.close()
        marker = self.out / DONE_DIR / f"{self.shard.id}.json"
        marker.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(marker, json.dumps({"shard": self.shard.id, "inputs": list(self.shard.paths),
                                              "articles": self.articles.count, "errors": self.errors.count}))


def _is_done(out: Path, shard: Shard) -> bool:
    return (out / DONE_DIR / f"{shard.id}.json").exists()


def pending_shards(shards: Sequence[Shard], out: Path) -> list[Shard]:
    """The shards without a done marker in ``out``."""
    return [s for s in shards if not _is_done(out, s)]


class _Progress:
    """A progress bar on a terminal; a log line every ``every`` seconds otherwise."""

    def __init__(self, every: float = 10.0) -> None:
        self.bar: Any = None
        self.every, self.last, self.start, self.count = every, time.monotonic(), time.monotonic(), 0
        if sys.stderr.isatty():
            from tqdm import tqdm  # noqa: PLC0415 - only needed on a terminal

            self.bar = tqdm(unit="page", desc="reclean", dynamic_ncols=True)

    def update(self, shards_done: int) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(shards_done=shards_done, refresh=False)
        elif time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            rate = self.count / max(self.last - self.start, 1e-9)
            logger.warning("reclean: %d pages, %.1f pages/s, %d shards done", self.count, rate, shards_done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(
    inputs: Sequence[str],
    out: str | Path,
    *,
    jobs: int | None = None,
    read: ReadOptions | None = None,
    limits: Limits | None = None,
    files_per_shard: int = FILES_PER_SHARD,
    on_progress: Callable[[Summary], None] | None = None,
    keep_non_articles: bool = False,
) -> Summary:
    """Re-clean every input into ``out`` on ``jobs`` processes (default: all cores); resumable.

    Pages that are not articles become error records (``not-article: <type>``) unless
    ``keep_non_articles``.

    Raises:
        FileNotFoundError: an input matches nothing.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    outputs: dict[str, _ShardOutput] = {}
    done = 0
    progress = _Progress()
    pool = PagePool(process_record, jobs or os.cpu_count() or 1, limits)
    start = time.monotonic()

    def finish_if_complete(target: _ShardOutput) -> None:
        nonlocal done
        if target.complete:
            target.finish()
            del outputs[target.shard.id]
            done += 1

    def work() -> Iterator[tuple[tuple[str, RawRecord], RawRecord]]:
        nonlocal done
        for shard in iter_shards(inputs, files_per_shard):
            summary.shards += 1
            if _is_done(out, shard):
                summary.shards_skipped += 1
                done += 1
                continue
            target = outputs[shard.id] = _ShardOutput(out, shard)
            for record in read_shard(shard, read):
                summary.inputs += 1
                if record.error is not None:
                    target.submitted += 1
                    _emit(target, record, _read_error(record), summary, keep_non_articles)
                    continue
                target.submitted += 1
                yield (shard.id, record), record
            target.read_done = True
            finish_if_complete(target)

    try:
        for (shard_id, record), result in pool.imap(work()):
            target = outputs[shard_id]
            _emit(target, record, result, summary, keep_non_articles)
            progress.update(done)
            finish_if_complete(target)
            if on_progress:
                on_progress(summary)
    finally:
        progress.close()
    summary.seconds = time.monotonic() - start
    summary.workers_replaced = pool.replaced
    _write_summary(out, summary)
    return summary


def _emit(target: _ShardOutput, record: RawRecord, result: dict[str, Any], summary: Summary,
          keep_non_articles: bool = False) -> None:
    kind, line = output_record(record, result, keep_non_articles)
    target.write(kind, line)
    if kind == "article":
        summary.articles += 1
    else:
        summary.errors[str(line["reason"])] += 1


def _write_summary(out: Path, summary: Summary) -> None:
    write_text_atomic(out / SUMMARY_FILE, json.dumps(summary.to_dict(), indent=2) + "\n")


def reclean(
    inputs: Sequence[str], *, jobs: int = 1, read: ReadOptions | None = None, limits: Limits | None = None,
    keep_non_articles: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield one record per input page, article or error (``"kind"`` says which): for notebooks.

    Nothing is written to disk; records carry ``source`` like the files ``run`` writes. Pages that are
    not articles are errors (``not-article: <type>``) unless ``keep_non_articles``.
    """
    records = ((record.locator, record) for shard in iter_shards(inputs) for record in read_shard(shard, read))
    pending: list[RawRecord] = []

    def jobs_only() -> Iterator[tuple[RawRecord, RawRecord]]:
        for _, record in records:
            if record.error is not None:
                pending.append(record)
                continue
            yield record, record

    pool = PagePool(process_record, jobs, limits)
    for record, result in pool.imap(jobs_only()):
        while pending:
            bad = pending.pop()
            kind, line = output_record(bad, _read_error(bad))
            yield {"kind": kind, **line}
        kind, line = output_record(record, result, keep_non_articles)
        yield {"kind": kind, **line}
    for bad in pending:
        kind, line = output_record(bad, _read_error(bad))
        yield {"kind": kind, **line}


def shard_task(shard: Shard, out: str, read: ReadOptions | None = None, keep_non_articles: bool = False
               ) -> dict[str, Any]:
    """Re-clean one shard in this process (a Dask task): write its files and marker; return its counts."""
    target = _ShardOutput(Path(out), shard)
    summary = Summary()
    for record in read_shard(shard, read):
        summary.inputs += 1
        target.submitted += 1
        result = _read_error(record) if record.error is not None else process_record(record)
        _emit(target, record, result, summary, keep_non_articles)
    target.read_done = True
    target.finish()
    return {"inputs": summary.inputs, "articles": summary.articles, "errors": dict(summary.errors)}


def run_dask(address: str, inputs: Sequence[str], out: str | Path, *, read: ReadOptions | None = None,
             files_per_shard: int = FILES_PER_SHARD, keep_non_articles: bool = False) -> Summary:
    """Run the pending shards as tasks on a Dask cluster (``dask.distributed`` scheduler at ``address``).

    The output folder must be visible to every worker (a shared filesystem). Per-page time and memory
    limits are those of the workers; the cleaner's own size limits still apply.
    """
    from distributed import Client, as_completed  # noqa: PLC0415 - Dask is needed only for this mode

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    shards = plan_shards(inputs, files_per_shard)
    todo = pending_shards(shards, out)
    summary = Summary(shards=len(shards), shards_skipped=len(shards) - len(todo))
    start = time.monotonic()
    with Client(address) as client:
        futures = client.map(shard_task, todo, out=str(out), read=read, keep_non_articles=keep_non_articles,
                             pure=False)
        for future in as_completed(futures):
            counts = future.result()
            summary.inputs += counts["inputs"]
            summary.articles += counts["articles"]
            summary.errors.update(counts["errors"])
    summary.seconds = time.monotonic() - start
    _write_summary(out, summary)
    return summary
