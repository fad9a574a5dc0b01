"""Interpreter settings that keep commands fast while a worker thread computes.

The event loop answers commands while threads build digests (the due pass), group
articles (a catalog rebuild) or write a table file (compaction). Two things of the
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
  hold no cycles, and young cyclic garbage is collected just before each freeze).

Decoding a table file makes millions of objects at once, and each full collection on the way
walks all made so far: `paused_gc` keeps the collector off meanwhile (a 100k-record table
decodes 2-6x faster).
"""
from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator

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
