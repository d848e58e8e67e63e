"""AsyncPagePool: the crawl's cleaning pool, awaited from an asyncio loop, with per-page limits."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import MemoryLimitError, TimeLimitError, WorkerCrashedError
from scraper.pool import AsyncPagePool, Limits

ROOT = Path(__file__).resolve().parents[1]


def _job(payload: Any) -> dict[str, Any]:
    """Test job: ("sleep", s) sleeps, "die" kills the worker, "hog" allocates 1 GiB, else echoes."""
    if isinstance(payload, tuple) and payload[0] == "sleep":
        time.sleep(payload[1])
    elif payload == "die":
        os._exit(9)
    elif payload == "hog":
        bytearray(1 << 30)
    return {"article": {"echo": payload}}


def _run(pool: AsyncPagePool, payloads: list[Any], timeout: float = 60) -> list[dict[str, Any]]:
    async def main() -> list[dict[str, Any]]:
        try:
            return await asyncio.wait_for(asyncio.gather(*(pool.run(p) for p in payloads)), timeout)
        finally:
            await pool.aclose()

    return asyncio.run(main())


def test_every_payload_gets_its_own_result() -> None:
    pool = AsyncPagePool(_job, 2, Limits(seconds=10, memory_bytes=0))
    results = _run(pool, list(range(60)))
    assert [r["article"]["echo"] for r in results] == list(range(60))
    assert pool.replaced == 0


def test_time_limit_kills_the_worker_and_the_page_queued_behind_it_still_runs() -> None:
    pool = AsyncPagePool(_job, 1, Limits(seconds=0.5, memory_bytes=0))
    started = time.monotonic()
    results = _run(pool, ["a", ("sleep", 30.0), "b", "c"])
    assert isinstance(results[1], TimeLimitError) and results[1].reason == "time-limit"
    assert [results[i]["article"]["echo"] for i in (0, 2, 3)] == ["a", "b", "c"]
    assert pool.replaced == 1 and time.monotonic() - started < 10


def test_a_crashed_worker_is_an_error_for_its_page_only() -> None:
    pool = AsyncPagePool(_job, 1, Limits(seconds=10, memory_bytes=0))
    results = _run(pool, ["a", "die", "b"])
    assert isinstance(results[1], WorkerCrashedError) and "exit code 9" in str(results[1])
    assert results[0]["article"]["echo"] == "a" and results[2]["article"]["echo"] == "b"


def test_memory_limit_turns_a_greedy_page_into_an_error() -> None:
    pool = AsyncPagePool(_job, 1, Limits(seconds=10, memory_bytes=600 << 20))
    results = _run(pool, ["hog", "fine"])
    assert isinstance(results[0], MemoryLimitError) and results[1]["article"]["echo"] == "fine"


def test_large_pages_and_results_never_block_the_loop() -> None:
    # Pages and results each far larger than a socket buffer, two queued per worker: the loop keeps
    # running (a ticker advances) and everything arrives.
    pool = AsyncPagePool(_job, 2, Limits(seconds=30, memory_bytes=0))

    async def main() -> tuple[int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        tick = asyncio.create_task(ticker())
        try:
            results = await asyncio.wait_for(asyncio.gather(*(pool.run("x" * 3_000_000) for _ in range(20))), 60)
        finally:
            tick.cancel()
            await pool.aclose()
        return sum(len(r["article"]["echo"]) for r in results), ticks

    total, ticks = asyncio.run(main())
    assert total == 20 * 3_000_000 and ticks > 20


def test_a_cancelled_caller_leaves_the_pool_working() -> None:
    pool = AsyncPagePool(_job, 1, Limits(seconds=10, memory_bytes=0))

    async def main() -> dict[str, Any]:
        slow = asyncio.create_task(pool.run(("sleep", 0.3)))
        waiting = asyncio.create_task(pool.run("never"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        slow.cancel()
        try:
            return await asyncio.wait_for(pool.run("after"), 10)
        finally:
            await pool.aclose()

    assert asyncio.run(main())["article"]["echo"] == "after"


def test_a_pool_serves_one_event_loop() -> None:
    pool = AsyncPagePool(_job, 1, Limits(seconds=10, memory_bytes=0))
    with asyncio.Runner() as runner:
        assert runner.run(pool.run("a"))["article"]["echo"] == "a"
        with asyncio.Runner() as other, pytest.raises(RuntimeError, match="event loop"):
            other.run(pool.run("b"))
        runner.run(pool.aclose())


def test_close_stops_every_worker_even_a_busy_one() -> None:
    pool = AsyncPagePool(_job, 2, Limits(seconds=60, memory_bytes=0))
    processes = [w.proc for w in pool._workers]

    async def main() -> None:
        task = asyncio.create_task(pool.run(("sleep", 30.0)))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await pool.aclose()
        assert time.monotonic() - started < 5
        task.cancel()

    asyncio.run(main())
    assert not any(p.is_alive() for p in processes)


def test_workers_do_not_keep_the_parents_sockets_open() -> None:
    # A connection the parent holds when it forks its workers: once the parent closes its end, the peer
    # must see EOF (a worker holding a copy would keep the connection open).
    ours, peer = socket.socketpair()
    pool = AsyncPagePool(_job, 2, Limits(seconds=10, memory_bytes=0))
    try:
        ours.close()
        peer.settimeout(5)
        assert peer.recv(1) == b""
    finally:
        pool.close()
        peer.close()


def test_workers_ignore_sigint_and_sigterm_and_finish_their_page() -> None:
    # Ctrl-C reaches the whole process group and systemd signals the whole service: the page in flight is
    # still cleaned, and the parent stops its workers when it is done.
    pool = AsyncPagePool(_job, 1, Limits(seconds=10, memory_bytes=0))

    async def main() -> dict[str, Any]:
        task = asyncio.create_task(pool.run(("sleep", 0.5)))
        await asyncio.sleep(0.2)
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGINT)
            os.kill(child.pid, signal.SIGTERM)
        try:
            return await asyncio.wait_for(task, 10)
        finally:
            await pool.aclose()

    assert asyncio.run(main())["article"]["echo"] == ("sleep", 0.5)
    assert pool.replaced == 0


_ABANDON = """
import asyncio, signal, sys
sys.path.insert(0, sys.argv[1])
from tests.test_pool import _job
from scraper.errors import MemoryLimitError, TimeLimitError, WorkerCrashedError
from scraper.pool import AsyncPagePool, Limits
signal.signal(signal.SIGTERM, lambda *_: None)  # as Scrapy does: the workers inherit a handler that does nothing
pool = AsyncPagePool(_job, 2, Limits(seconds=60, memory_bytes=0))
print(" ".join(str(w.proc.pid) for w in pool._workers), flush=True)
asyncio.run(pool.run("a"))
# no close(): what a forced shutdown leaves behind
"""


def test_a_parent_that_exits_without_closing_its_pool_does_not_hang_and_leaves_no_worker() -> None:
    proc = subprocess.run([sys.executable, "-c", _ABANDON, str(ROOT)], capture_output=True, text=True, timeout=30,
                          check=True)
    for pid in proc.stdout.split():
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived its parent"


_KILLED = """
import asyncio, sys, time
sys.path.insert(0, sys.argv[1])
from tests.test_pool import _job
from scraper.pool import AsyncPagePool, Limits
pool = AsyncPagePool(_job, 2, Limits(seconds=60, memory_bytes=0))
print(" ".join(str(w.proc.pid) for w in pool._workers), flush=True)

async def main():
    task = asyncio.gather(pool.run(("sleep", 1.5)), pool.run(("sleep", 1.5)))
    await asyncio.sleep(0.3)
    print("cleaning", flush=True)
    await task

asyncio.run(main())
"""


def test_a_parent_killed_mid_page_takes_its_workers_without_a_traceback() -> None:
    # kill -9 of the crawl: the workers are cleaning pages whose results nobody will read; before, each one
    # finished its page and printed a BrokenPipeError traceback into the crawl's log (the shared stderr).
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(ROOT)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    pids = proc.stdout.readline().split()
    assert proc.stdout.readline().strip() == "cleaning"
    proc.kill()
    proc.wait()
    started = time.monotonic()
    stderr = proc.stderr.read()  # EOF only once every worker, which shares the pipe, has gone too
    proc.stdout.close()
    proc.stderr.close()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert time.monotonic() - started < 1.0, "the workers were killed with their parent, not left to finish"
    deadline = time.monotonic() + 5
    while (alive := [pid for pid in pids if _running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive == [], f"workers outlived their killed parent: {alive}"


def _running(pid: str) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "(zombie)" not in status and "(dead)" not in status
