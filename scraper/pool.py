"""A page-level process pool with per-page limits: a page that runs too long or uses too much memory
becomes an error record, its worker is killed and replaced, and the run goes on.

``concurrent.futures`` cannot do this (it cannot kill one task), so the parent hands one page at a time
to each worker over a pipe and watches the clock.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

Job = Callable[[Any], dict[str, Any]]
_POLL_SECONDS = 0.2
# Tasks in flight per worker. Keep it 1: with two, a parent sending a large page while the worker sends
# a large result fills both pipe buffers and the two block each other for ever (seen on real pages).
_DEPTH = 1


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
    """One worker process and the tasks queued on it (the first is running)."""

    def __init__(self, ctx: Any, job: Job, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, job, limits.memory_bytes), daemon=True)
        self.proc.start()
        child.close()
        self.queue: deque[tuple[Any, Any]] = deque()
        self.started = 0.0

    def send(self, key: Any, payload: Any) -> None:
        if not self.queue:
            self.started = time.monotonic()
        self.queue.append((key, payload))
        # A worker that just died cannot take it; the crash is noticed on the next poll, where the
        # running task fails and the queued ones (this one too) go to another worker.
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send((key, payload))

    def done(self) -> Any:
        """Pop the finished head task; the next queued one starts now. Returns its key."""
        key, _ = self.queue.popleft()
        self.started = time.monotonic()
        return key

    def kill(self) -> list[tuple[Any, Any]]:
        """Kill the worker; return the tasks queued behind the running one, to run elsewhere."""
        self.proc.kill()
        self.proc.join()
        self.conn.close()
        return list(self.queue)[1:]


def _fill(slots: list[_Slot], retry: deque[tuple[Any, Any]], source: Iterator[tuple[Any, Any]]) -> bool:
    """Keep ``_DEPTH`` tasks queued on every worker; return True once the source is exhausted."""
    exhausted = False
    for slot in slots:
        while len(slot.queue) < _DEPTH:
            item = retry.popleft() if retry else next(source, None)
            if item is None:
                exhausted = True
                break
            slot.send(*item)
    return exhausted


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

    At most ``_DEPTH`` payloads per worker are in flight, so memory stays bounded whatever the input size.
    """

    def __init__(self, job: Job, jobs: int, limits: Limits | None = None) -> None:
        self.job = job
        self.jobs = max(1, jobs)
        self.limits = limits or Limits()
        self.ctx = mp.get_context("fork")
        self.replaced = 0

    def _spawn(self) -> _Slot:
        """Fork a worker with the parent's heap frozen for the garbage collector, so that the child's
        collections do not touch (and copy-on-write) every inherited object."""
        gc.collect()
        gc.freeze()
        try:
            return _Slot(self.ctx, self.job, self.limits)
        finally:
            gc.unfreeze()

    def _failure(self, reason: str, message: str) -> dict[str, Any]:
        return {"error": "LimitExceeded" if reason != "worker-crashed" else "WorkerCrashed",
                "reason": reason, "message": message}

    def imap(self, items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yield ``(key, result)`` for every ``(key, payload)``; failures are results with ``error``."""
        source = iter(items)
        retry: deque[tuple[Any, Any]] = deque()
        slots = [self._spawn() for _ in range(self.jobs)]
        exhausted = False
        try:
            while True:
                if not exhausted or retry:
                    exhausted = _fill(slots, retry, source) or exhausted
                busy = [s for s in slots if s.queue]
                if not busy:
                    return
                ready = wait([s.conn for s in busy], timeout=_POLL_SECONDS)
                for index, slot in enumerate(slots):
                    if not slot.queue:
                        continue
                    outcome = self._outcome(slot, ready)
                    if outcome is None:
                        continue
                    result, healthy = outcome
                    key = slot.queue[0][0]
                    if healthy:
                        slot.done()
                    else:
                        retry.extend(slot.kill())
                        slots[index] = self._spawn()
                        self.replaced += 1
                    yield key, result
        finally:
            _stop(slots)

    def _outcome(self, slot: _Slot, ready: list[Any]) -> tuple[dict[str, Any], bool] | None:
        """The head task's result and whether its worker can be reused, or None if still running."""
        if slot.conn in ready:
            try:
                _, result = slot.conn.recv()
                return result, True
            except (EOFError, OSError):
                code = slot.proc.exitcode
                return self._failure("worker-crashed", f"cleaning worker died (exit code {code})"), False
        if time.monotonic() - slot.started > self.limits.seconds:
            return self._failure("time-limit", f"page took longer than {self.limits.seconds:g} s"), False
        if not slot.proc.is_alive():
            return self._failure("worker-crashed", f"cleaning worker died (exit code {slot.proc.exitcode})"), False
        return None
