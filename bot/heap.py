"""Interpreter settings that keep commands fast while a worker thread computes.

The event loop answers commands while threads build digests (the due pass), group
articles (a catalog rebuild) or write a table file (compaction). Three things of the
interpreter's, not of our code, made commands wait there (benchmarks/scale.py):

- the GIL: a CPU-bound thread keeps it for the switch interval (5 ms by default)
  each time the loop asks for it, and a command asks many times; `tune_for_latency`
  sets 1 ms;
- the cyclic garbage collector: a full collection walks every tracked object (every
  article, subscriber and record held in memory) with the GIL held: 0.33 s at 20,000
  subscribers and 1,000 articles, growing with all the bot holds. `freeze_survivors` moves what is alive now
  (the loaded store, the catalog just built, the subscribers a due pass just
  advanced) into the permanent generation, which collections skip. Frozen objects are
  still freed by reference counting when no longer used; only a reference cycle among
  them that dies later is kept until the process restarts (our records and catalogs
  hold no cycles, and young cyclic garbage is collected just before each freeze);
- the GIL once more: the loop releases it at every `select`, several times per command, and
  each time a computing thread takes it for a switch interval (1 ms, and one per such thread),
  so commands still waited 40-50 ms at p99 during a due pass at 20,000 subscribers. The loop
  `new_event_loop` makes (the one `digestbot run` serves on) tells `FOREGROUND` when it runs
  callbacks and when it blocks in `select` again; worker threads call `step_aside()` between
  small pieces of work (a subscriber of the due pass, a slice of its store writes, 200 records
  of a table file being rewritten), which waits while the loop runs. A loop that runs on (a
  flood of commands, or blocked in a call) holds a worker back `max_wait` at most, then lets it
  go on for `grant`: background work slows down under load, it never stops. Never called with
  the store's lock held (the loop may be waiting for it). One `Foreground` per process, as
  there is one GIL.

Decoding a table file makes millions of objects at once, and each full collection on the way
walks all made so far: `paused_gc` keeps the collector off meanwhile (a 100k-record table
decodes 2-6x faster).
"""
from __future__ import annotations

import asyncio
import gc
import selectors
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

SWITCH_INTERVAL = 0.001   # seconds a thread keeps the GIL when another asks for it (Python's default 0.005)


def tune_for_latency() -> None:
    """Hand the GIL over sooner (see the module doc); process-wide, idempotent."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def freeze_survivors() -> None:
    """Exclude every object alive now from future garbage collections (see the module doc).

    The young generations are collected first (cheap: only what was made since the last
    collection), so cyclic garbage of the moment is freed, not frozen."""
    gc.collect(1)
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off inside the block, restored after it (nested or not)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Foreground:
    """Whether the process's event loop is running callbacks (commands) or waiting; worker threads
    step aside while it runs (see the module doc). One per process, like the GIL it shares out."""

    def __init__(self, max_wait: float = 0.02, grant: float = 0.05):
        self.max_wait, self.grant = max_wait, grant
        self._waiting = threading.Event()   # set: the loop waits in select (or no gated loop runs)
        self._waiting.set()
        self._loop_thread: int | None = None
        self._local = threading.local()

    def running(self) -> None:
        """The loop's select returned: callbacks run now (called on the loop's thread)."""
        self._loop_thread = threading.get_ident()
        self._waiting.clear()

    def waiting(self) -> None:
        """The loop blocks in select, or stopped: worker threads go on."""
        self._waiting.set()

    @property
    def is_running(self) -> bool:
        return not self._waiting.is_set()

    def step_aside(self) -> None:
        """In a worker thread, between two pieces of work: wait while the loop runs (at most
        `max_wait`; then go on for `grant` before stepping aside again). A no-op on the loop's thread."""
        if self._waiting.is_set() or threading.get_ident() == self._loop_thread:
            return
        if time.monotonic() < getattr(self._local, "free_until", 0.0):
            return
        if not self._waiting.wait(self.max_wait):
            self._local.free_until = time.monotonic() + self.grant


FOREGROUND = Foreground()


class ForegroundSelector(selectors.DefaultSelector):
    """The event loop's selector, telling `foreground` when the loop blocks and when it runs again."""

    def __init__(self, foreground: Foreground):
        super().__init__()
        self._foreground = foreground

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        blocks = timeout is None or timeout > 0   # a zero timeout: callbacks are ready, the loop runs on
        if blocks:
            self._foreground.waiting()
        try:
            return super().select(timeout)
        finally:
            if blocks:
                self._foreground.running()

    def close(self) -> None:
        self._foreground.waiting()
        super().close()


def new_event_loop(foreground: Foreground = FOREGROUND) -> asyncio.AbstractEventLoop:
    """An event loop that tells `foreground` when it runs (worker threads step aside meanwhile)."""
    return asyncio.SelectorEventLoop(ForegroundSelector(foreground))
