"""Page-level process pools with per-page limits: a page that runs too long or uses too much memory
becomes an error (``TimeLimitError``, ``MemoryLimitError``, ``WorkerCrashedError``: the result instead of
the job's), its worker is killed and replaced, and the run goes on.

``concurrent.futures`` cannot do this (it cannot kill one task), so the parent hands one page at a time
to each worker over a pipe and watches the clock. ``PagePool`` is driven by an iterator (the bulk
re-clean); ``AsyncPagePool`` is awaited from an asyncio event loop (the crawl), which watches the workers'
sockets itself, so no thread and no blocking call is involved.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import pickle
import resource
import signal
import socket
import stat
import struct
import sys
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TypeVar

from scraper.errors import MemoryLimitError, TimeLimitError, WorkerCrashedError, WorkerError

# The job a worker runs on each payload; its result (any picklable value) goes back to the parent.
Job = Callable[[Any], Any]
_T = TypeVar("_T")
_POLL_SECONDS = 0.2
# Tasks in flight per worker. Keep it 1: with two, a parent sending a large page while the worker sends
# a large result fills both pipe buffers and the two block each other for ever (seen on real pages).
_DEPTH = 1


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-page limits: wall-clock seconds, and address space per worker in bytes (0 = no cap)."""

    seconds: float = 60.0
    memory_bytes: int = 2 << 30


# What stops a run from outside (Ctrl-C, systemd, kill); workers ignore them (see _worker).
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
# Every worker started here and not yet reaped; killed at interpreter exit (see _kill_leftover_workers).
_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _kill_leftover_workers() -> None:
    """Kill the workers a pool left running (the parent stopped without closing it: a forced shutdown).

    Workers ignore SIGTERM (see ``_worker``), so multiprocessing's own exit handler, which sends SIGTERM
    and then waits, would wait for ever; registered after it, this handler runs first.
    """
    for proc in list(_LIVE):
        if proc.is_alive():
            proc.kill()
            proc.join()


def _close_inherited_sockets(keep: int) -> None:
    """Close the sockets a forked worker inherited (the crawler's HTTP connections, other workers' pipes):
    a worker holding a copy would keep them open after the parent closes them."""
    with contextlib.suppress(OSError):
        for fd in [int(entry.name) for entry in Path("/proc/self/fd").iterdir()]:
            with contextlib.suppress(OSError):
                if fd > 2 and fd != keep and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the thread that forked it exits


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux; elsewhere the worker ends on its next
    receive), so that a parent killed with SIGKILL leaves no worker cleaning a page nobody will read."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _worker(conn: Connection, job: Job, memory_bytes: int, parent: int) -> None:
    """Worker loop: receive (key, payload), send (key, result); None, or the parent's end closing, stops it.

    SIGINT and SIGTERM are ignored: a Ctrl-C reaches the whole process group and systemd signals the whole
    service, but the parent decides when its workers stop (after the pages in flight, on a graceful
    shutdown). The handlers inherited from the parent (Scrapy's) would not stop the worker either. A parent
    that dies (``kill -9``) takes its workers with it, silently: no traceback reaches the shared log.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by the parent around the fork
    _die_with_parent(parent)
    _close_inherited_sockets(conn.fileno())
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent closed its end, or died
            return
        if task is None:
            return
        key, payload = task
        try:
            result = job(payload)
        except MemoryError:
            result = MemoryLimitError(f"page needed more than {memory_bytes >> 20} MiB")
        try:
            conn.send((key, result))
        except OSError:  # BrokenPipeError, ConnectionResetError: nobody is waiting for the result any more
            return


def _start_worker(ctx: Any, conn: Connection, job: Job, limits: Limits) -> Any:
    """Start (and register, see ``_LIVE``) a worker process serving ``conn``; the caller closes its copy."""
    proc = ctx.Process(target=_worker, args=(conn, job, limits.memory_bytes, os.getpid()), daemon=True)
    proc.start()
    _LIVE.add(proc)
    return proc


class _Slot:
    """One worker process and the tasks queued on it (the first is running)."""

    def __init__(self, ctx: Any, job: Job, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = _start_worker(ctx, child, job, limits)
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


def _frozen(start: Callable[[], _T]) -> _T:
    """Fork (inside ``start``) with the parent's heap frozen for the garbage collector, so that the child's
    collections do not touch (and copy-on-write) every inherited object; and with SIGINT and SIGTERM
    blocked, so that a Ctrl-C landing during the fork reaches the parent once the fork is done, and the
    child only after it ignores them (see ``_worker``)."""
    gc.collect()
    gc.freeze()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        return start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        gc.unfreeze()


def _timed_out(limits: Limits) -> WorkerError:
    return TimeLimitError(f"page took longer than {limits.seconds:g} s")


def _crashed(exitcode: int | None) -> WorkerError:
    return WorkerCrashedError(f"cleaning worker died (exit code {exitcode})")


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
        return _frozen(lambda: _Slot(self.ctx, self.job, self.limits))

    def imap(self, items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(key, result)`` for every ``(key, payload)``; a page over the limits, or whose worker died,
        has a ``WorkerError`` as its result."""
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

    def _outcome(self, slot: _Slot, ready: list[Any]) -> tuple[Any, bool] | None:
        """The head task's result and whether its worker can be reused, or None if still running."""
        if slot.conn in ready:
            try:
                _, result = slot.conn.recv()
                return result, True
            except (EOFError, OSError):
                return _crashed(slot.proc.exitcode), False
        if time.monotonic() - slot.started > self.limits.seconds:
            return _timed_out(self.limits), False
        if not slot.proc.is_alive():
            return _crashed(slot.proc.exitcode), False
        return None


class _Worker:
    """One worker process and the parent's end of its socket, framed like ``multiprocessing.Connection``
    (4-byte big-endian length, or -1 and an 8-byte length, then a pickle) so the worker loop is shared."""

    def __init__(self, ctx: Any, job: Job, limits: Limits) -> None:
        self.sock, child = socket.socketpair()
        conn = Connection(child.detach())
        self.proc = _start_worker(ctx, conn, job, limits)
        conn.close()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> None:
        self.streams = await asyncio.open_connection(sock=self.sock, limit=1 << 20)

    def send(self, payload: Any) -> None:
        """Queue one payload on the socket (buffered by the event loop, never blocks)."""
        assert self.streams is not None
        data = pickle.dumps((None, payload), protocol=pickle.HIGHEST_PROTOCOL)
        header = struct.pack("!i", len(data)) if len(data) < 0x7FFFFFFF else struct.pack("!iQ", -1, len(data))
        self.streams[1].writelines((header, data))

    async def receive(self) -> Any:
        """The next result.

        Raises:
            EOFError, OSError: the worker died (``asyncio.IncompleteReadError`` is an EOFError).
        """
        assert self.streams is not None
        reader = self.streams[0]
        (size,) = struct.unpack("!i", await reader.readexactly(4))
        if size == -1:
            (size,) = struct.unpack("!Q", await reader.readexactly(8))
        _, result = pickle.loads(await reader.readexactly(size))
        return result

    def stop(self, kill: bool) -> None:
        """Shut the socket down (the worker's loop ends on EOF at once: an asyncio transport only closes on
        the loop's next turn); kill the worker if asked or if it does not exit."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.streams is None:
            self.sock.close()
        else:  # unsent bytes are dropped; the transport closes the socket on the loop's next turn
            self.streams[1].transport.abort()
        if kill:
            self.proc.kill()
        self.proc.join(timeout=1)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


_Task = tuple[Any, "asyncio.Future[Any]"]


class AsyncPagePool:
    """``await pool.run(payload)`` from an asyncio event loop, with the limits and worker replacement of
    ``PagePool``; nothing blocks the loop while pages are cleaned.

    One coroutine per worker feeds it from a shared queue and keeps a second page waiting in the worker's
    socket, so the worker never waits for the busy loop between pages. The time limit counts from the
    moment a page starts (the previous result came back). If a worker is killed or dies, the page it was
    running gets the error result and the page queued behind it goes to the replacement. Workers are forked
    when the pool is made (best before the caller opens network connections) and again only as replacements.
    """

    def __init__(self, job: Job, jobs: int, limits: Limits | None = None) -> None:
        self.job = job
        self.limits = limits or Limits()
        self.ctx = mp.get_context("fork")
        self.replaced = 0
        self._workers = [self._spawn() for _ in range(max(1, jobs))]
        self._queue: asyncio.Queue[_Task] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drivers: list[asyncio.Task[None]] = []

    def _spawn(self) -> _Worker:
        return _frozen(lambda: _Worker(self.ctx, self.job, self.limits))

    async def run(self, payload: Any) -> Any:
        """The job's result for ``payload``; a page over the limits or whose worker died gives a
        ``WorkerError`` (``TimeLimitError``, ``MemoryLimitError`` or ``WorkerCrashedError``) instead."""
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._loop, self._queue = loop, asyncio.Queue()
            self._drivers = [loop.create_task(self._drive(i)) for i in range(len(self._workers))]
        elif loop is not self._loop:
            raise RuntimeError("an AsyncPagePool serves the event loop that first ran it, and no other")
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait((payload, future))
        return await future

    async def _drive(self, index: int) -> None:
        """Feed worker ``index`` for the pool's lifetime, replacing it when it is killed or dies."""
        assert self._queue is not None
        queue, inflight = self._queue, deque[_Task]()
        try:
            await self._feed(index, queue, inflight)
        finally:  # cancelled by close(): callers still waiting on this worker are cancelled too
            for _, future in inflight:
                future.cancel()

    async def _feed(self, index: int, queue: asyncio.Queue[_Task], inflight: deque[_Task]) -> None:
        worker = self._workers[index]
        await worker.open()
        while True:
            if not inflight:
                self._start(worker, inflight, await queue.get())
            while len(inflight) < 2 and not queue.empty():
                self._start(worker, inflight, queue.get_nowait())
            healthy = False
            try:
                async with asyncio.timeout(self.limits.seconds):
                    result = await worker.receive()
                healthy = True
            except TimeoutError:
                result = _timed_out(self.limits)
            except (EOFError, OSError):
                worker.proc.join(timeout=1)
                result = _crashed(worker.proc.exitcode)
            _settle(inflight.popleft()[1], result)
            if healthy:
                continue
            worker.stop(kill=True)
            self.replaced += 1
            worker = self._workers[index] = self._spawn()
            await worker.open()
            for payload, _ in inflight:
                worker.send(payload)

    @staticmethod
    def _start(worker: _Worker, inflight: deque[_Task], task: _Task) -> None:
        if not task[1].done():  # the caller may have been cancelled while the page waited
            worker.send(task[0])
            inflight.append(task)

    async def aclose(self) -> None:
        """``close()`` from the pool's event loop, then one turn of the loop so the sockets are closed."""
        self.close()
        await asyncio.sleep(0)

    def close(self) -> None:
        """Stop the feeders and every worker (those still cleaning are killed); waiting calls are cancelled.
        Once the pool has run, call it (or ``aclose()``) while its event loop still runs."""
        for driver in self._drivers:
            driver.cancel()
        while self._queue is not None and not self._queue.empty():
            self._queue.get_nowait()[1].cancel()
        for worker in self._workers:
            worker.stop(kill=False)
        self._workers = []


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)
