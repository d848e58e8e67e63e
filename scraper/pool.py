"""A page-level process pool with per-page limits: a page that runs too long or uses too much memory
becomes an error record, its worker is killed and replaced, and the run goes on.

``concurrent.futures`` cannot do this (it cannot kill one task), so the parent hands one page at a time
to each worker over a pipe and watches the clock.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

Job = Callable[[Any], dict[str, Any]]
_POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-page limits: wall-clock seconds, and address space per worker in bytes (0 = no cap)."""

    seconds: float = 60.0
    memory_bytes: int = 2 << 30


def _worker(conn: Connection, job: Job, memory_bytes: int) -> None:
    """Worker loop: receive (key, payload), send (key, result); None stops it."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        key, payload = task
        try:
            result = job(payload)
        except MemoryError:
            result = {"error": "MemoryError", "reason": "memory-limit",
                      "message": f"page needed more than {memory_bytes >> 20} MiB"}
        conn.send((key, result))


class _Slot:
    """One worker process and the task it is on."""

    def __init__(self, ctx: Any, job: Job, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, job, limits.memory_bytes), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[Any, float] | None = None

    def send(self, key: Any, payload: Any) -> None:
        self.task = (key, time.monotonic())
        self.conn.send((key, payload))

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()


def _fill(slots: list[_Slot], source: Iterator[tuple[Any, Any]]) -> bool:
    """Give every idle worker a task; return True once the source is exhausted."""
    for slot in slots:
        if slot.task is None:
            item = next(source, None)
            if item is None:
                return True
            slot.send(*item)
    return False


def _stop(slots: list[_Slot]) -> None:
    """Ask every worker to stop; kill those that do not."""
    for slot in slots:
        if slot.proc.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                slot.conn.send(None)
        slot.proc.join(timeout=1)
        if slot.proc.is_alive():
            slot.kill()


class PagePool:
    """Run ``job`` over payloads in ``jobs`` worker processes, results in completion order.

    Only ``jobs`` payloads are in flight at once, so memory stays bounded whatever the input size.
    """

    def __init__(self, job: Job, jobs: int, limits: Limits | None = None) -> None:
        self.job = job
        self.jobs = max(1, jobs)
        self.limits = limits or Limits()
        self.ctx = mp.get_context("fork")
        self.replaced = 0

    def _failure(self, reason: str, message: str) -> dict[str, Any]:
        return {"error": "LimitExceeded" if reason != "worker-crashed" else "WorkerCrashed",
                "reason": reason, "message": message}

    def imap(self, items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yield ``(key, result)`` for every ``(key, payload)``; failures are results with ``error``."""
        source = iter(items)
        slots = [_Slot(self.ctx, self.job, self.limits) for _ in range(self.jobs)]
        exhausted = False
        try:
            while True:
                exhausted = exhausted or _fill(slots, source)
                busy = [s for s in slots if s.task is not None]
                if not busy:
                    return
                ready = wait([s.conn for s in busy], timeout=_POLL_SECONDS)
                for index, slot in enumerate(slots):
                    if slot.task is None:
                        continue
                    key, started = slot.task
                    outcome = self._outcome(slot, ready, started)
                    if outcome is None:
                        continue
                    result, healthy = outcome
                    slot.task = None
                    if not healthy:
                        slot.kill()
                        slots[index] = _Slot(self.ctx, self.job, self.limits)
                        self.replaced += 1
                    yield key, result
        finally:
            _stop(slots)

    def _outcome(self, slot: _Slot, ready: list[Any], started: float) -> tuple[dict[str, Any], bool] | None:
        """The finished task's result and whether its worker can be reused, or None if still running."""
        if slot.conn in ready:
            try:
                _, result = slot.conn.recv()
                return result, True
            except (EOFError, OSError):
                code = slot.proc.exitcode
                return self._failure("worker-crashed", f"cleaning worker died (exit code {code})"), False
        if time.monotonic() - started > self.limits.seconds:
            return self._failure("time-limit", f"page took longer than {self.limits.seconds:g} s"), False
        if not slot.proc.is_alive():
            return self._failure("worker-crashed", f"cleaning worker died (exit code {slot.proc.exitcode})"), False
        return None
