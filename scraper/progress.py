"""Progress of a bulk re-clean on stderr: a bar on a terminal, an INFO log line every few seconds otherwise.

Progress is counted in bytes of input (files read, WARC and JSONL byte offsets), so that the share done
and the time left are known as soon as the total is: a background thread adds up the inputs' sizes while
the work starts. Pages written, pages per second and shards done are shown beside it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)
_EVERY_SECONDS = 10.0


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """What a run has done so far, shown as it goes and once more at the end.

    Args:
        desc: the name shown (``reclean``).
        quiet: show nothing (warnings and errors are still logged).
        every: seconds between log lines when stderr is not a terminal.
        terminal: draw a bar (default: whether stderr is a terminal).
    """

    def __init__(self, desc: str = "reclean", *, quiet: bool = False, every: float = _EVERY_SECONDS,
                 terminal: bool | None = None) -> None:
        self.desc, self.quiet, self.every = desc, quiet, every
        self.total: int | None = None
        self.done_bytes = self.skipped_bytes = self.pages = self.shards = 0
        self.start = self.last = time.monotonic()
        self._lock = threading.Lock()
        self._bar: Any = None
        if not quiet and (sys.stderr.isatty() if terminal is None else terminal):
            from tqdm import tqdm  # noqa: PLC0415 - only needed on a terminal

            self._bar = tqdm(desc=desc, unit="B", unit_scale=True, unit_divisor=1024, dynamic_ncols=True,
                             file=sys.stderr)

    def count_total(self, sizes: Callable[[], Iterable[int]]) -> threading.Thread:
        """Add up ``sizes()`` in a background thread; the total (and the time left) shows once known."""

        def count() -> None:
            total = sum(sizes())
            with self._lock:
                self.total = total

        thread = threading.Thread(target=count, name="progress-total", daemon=True)
        thread.start()
        return thread

    def read(self, nbytes: int) -> None:
        """``nbytes`` more bytes of input have been read."""
        self.done_bytes += nbytes
        if self._bar is not None:
            self._bar.update(nbytes)

    def skip(self, nbytes: int) -> None:
        """A finished shard of ``nbytes`` was skipped (it counts as done, not in the rate)."""
        self.skipped_bytes += nbytes
        self.read(nbytes)

    def record(self, count: int = 1) -> None:
        """``count`` more records (articles or errors) written."""
        self.pages += count
        self._show()

    def shard_done(self) -> None:
        """One more shard finished."""
        self.shards += 1
        self._show()

    def _rate(self) -> float:
        return self.pages / max(time.monotonic() - self.start, 1e-9)

    def _left(self) -> float | None:
        """Seconds left, from the bytes still to read at the rate seen so far (None when unknown)."""
        worked = self.done_bytes - self.skipped_bytes
        elapsed = time.monotonic() - self.start
        if self.total is None or worked <= 0 or elapsed < 1:
            return None
        return max(0, self.total - self.done_bytes) * elapsed / worked

    def _show(self, final: bool = False) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            with self._lock:
                if self.total is not None and self._bar.total != self.total:
                    self._bar.total = max(self.total, self._bar.n)
            self._bar.set_postfix_str(f"{self.pages} pages, {self._rate():.1f}/s, {self.shards} shards done",
                                      refresh=final)
            return
        now = time.monotonic()
        if final or now - self.last >= self.every:
            self.last = now
            logger.info("%s", self.line(final))

    def line(self, final: bool = False) -> str:
        """The progress as one line of text."""
        text = f"{self.desc}: {self.pages} pages ({self._rate():.1f}/s), {self.shards} shards done"
        with self._lock:
            total = self.total
        if total:
            text += f", {min(100.0, 100 * self.done_bytes / total):.0f} % of {_size(total)}"
        else:
            text += f", {_size(self.done_bytes)} read"
        left = None if final else self._left()
        if left is not None:
            text += f", about {_duration(left)} left"
        return text + (f", finished in {_duration(time.monotonic() - self.start)}" if final else "")

    def close(self, complete: bool = True) -> None:
        """Show the final state (the last counts; every byte read, when ``complete``) and stop."""
        with self._lock:
            if complete and self.total is not None:
                self.done_bytes = max(self.done_bytes, self.total)
        if self._bar is not None:
            self._bar.total = self.done_bytes
            self._bar.n = self.done_bytes
        self._show(final=True)
        if self._bar is not None:
            self._bar.close()
