"""kill -9 at random moments: the store stays readable and keeps every acknowledged write.

A writer process (tests/support/store_writer.py) writes in a loop and reports
"ACK <n>" after each write returns. Writers are forked from the test process, which
has already imported the store, so each of the many trials starts in milliseconds.
Each round starts one writer per lane, kills each with SIGKILL 5-80 ms after it
is ready, then opens a copy of the lane's data directory and checks every
acknowledged write. A lane keeps its crashed data directory across rounds (the copy
is opened and closed, not the lane), so every writer also opens a crashed state:
journals to replay, compactions cut short.
Every write is a journal append; lanes differ in how often a table file is
compacted (rewritten from its journal): rarely (the default policy), or every few
writes, so kills land in compactions too. (SIGKILL cannot tear a single write(2),
so a torn journal line, which needs a power cut, is tested in tests/test_store_journal.py.)
"""
from __future__ import annotations

import pytest
import multiprocessing
import random
import shutil
import signal
import time
from pathlib import Path

from bot.store.tinydb.store import TinyStore
from tests.support.store_writer import SLICE, SLICES, advance_to_pipe, main_to_pipe, push

ROUNDS = 12
COMPACT_AFTER = (None, 6, 2)   # per lane: the default policy, or compact past this many journal records
CONTEXT = multiprocessing.get_context("fork")   # the child starts with the store already imported


class Writer:
    def __init__(self, data_dir: Path, start: int, compact_after: int | None, target=main_to_pipe):
        self.reader, writer_end = CONTEXT.Pipe(duplex=False)
        args = (str(data_dir), start, writer_end) + ((compact_after,) if target is main_to_pipe else ())
        self.process = CONTEXT.Process(target=target, args=args, daemon=True)
        self.process.start()
        writer_end.close()   # ours; the child's copy closes when it dies, which ends our reads

    def wait_ready(self) -> None:
        assert self.reader.recv_bytes() == b"READY", "the writer failed to open the store"

    def kill_and_collect(self) -> list[int]:
        self.process.kill()
        self.process.join()
        assert self.process.exitcode == -signal.SIGKILL
        acked = []
        while True:
            try:
                line = self.reader.recv_bytes().decode()
            except EOFError:
                return acked
            acked.append(int(line.split()[1]))


def kill_at_random(writers: list[Writer], rng: random.Random) -> list[list[int]]:
    """SIGKILL each writer 5-80 ms from now; the acknowledged write numbers of each."""
    started = time.monotonic()
    for delay, writer in sorted(((rng.uniform(0.005, 0.080), w) for w in writers), key=lambda x: x[0]):
        time.sleep(max(0.0, started + delay - time.monotonic()))
        writer.process.kill()
    return [writer.kill_and_collect() for writer in writers]


def assert_holds(store: TinyStore, acked: set[int]) -> None:
    pending = {p.id for p in store.pending_pushes(float("inf"), 1_000_000)}
    for n in acked:
        kind = n % 4
        if kind == 0:
            assert store.get_subscriber(n) is not None, f"subscriber {n} lost"
        elif kind == 1:
            assert store.get_article(f"a{n}") is not None, f"article {n} lost"
        elif kind == 2:
            assert store.enqueue_pushes([push(n)]) == 0, f"push {n} lost"
        else:
            assert push(n - 1).id not in pending, f"push {n - 1} was sent but is pending again"


def crash_marks(lane: Path) -> tuple[int, int]:
    """(journals holding writes, temp files of a compaction cut short) in a crashed data directory."""
    return (sum(path.stat().st_size > 0 for path in lane.glob("*.journal")), len(list(lane.glob(".*.tmp"))))


@pytest.mark.slow
def test_killed_writers_never_lose_an_acknowledged_write_or_leave_an_unreadable_store(tmp_path):
    rng = random.Random(20261123)
    lanes = [tmp_path / f"lane{i}" for i in range(len(COMPACT_AFTER))]
    acked: list[set[int]] = [set() for _ in lanes]
    next_n = [0] * len(lanes)
    marks = [0, 0]
    for round_number in range(ROUNDS):
        writers = [Writer(lane, next_n[i], COMPACT_AFTER[i]) for i, lane in enumerate(lanes)]
        for writer in writers:
            writer.wait_ready()
        for i, numbers in enumerate(kill_at_random(writers, rng)):
            acked[i].update(numbers)
            next_n[i] = max([next_n[i] - 1, *numbers]) + 2   # never reuse a possibly half-done write's number
            marks = [total + found for total, found in zip(marks, crash_marks(lanes[i]))]
            copy = tmp_path / f"check{i}-{round_number}"
            shutil.copytree(lanes[i], copy)
            store = TinyStore(copy)
            assert_holds(store, acked[i])
            store.close()
            shutil.rmtree(copy)
    total = sum(len(a) for a in acked)
    kills = ROUNDS * len(lanes)
    assert total > kills, "the writers acknowledged almost nothing"
    assert marks[0] > 0, "no kill left writes in a journal"
    print(f"{kills} kills, {total} acknowledged writes; {marks[0]} journals held writes, "
          f"{marks[1]} compactions were cut short (temp file left)")


@pytest.mark.slow
def test_killed_while_advancing_every_subscriber_a_store_keeps_each_acknowledged_slice(tmp_path):
    # the due pass's writes: slices of 250 subscribers; the journal grows as long as the table before a
    # rewrite (written from the members the saves encoded), so kills land in long journals and in rewrites
    rng, lane, acked, start = random.Random(20261126), tmp_path / "lane", [], 0
    for round_number in range(6):
        writer = Writer(lane, start, None, target=advance_to_pipe)
        writer.wait_ready()
        time.sleep(rng.uniform(0.05, 0.4))   # long enough for journals of a table's length and rewrites
        acked += writer.kill_and_collect()
        start = max([start - 1, *acked]) + 2   # never reuse a possibly half-done write's number
        copy = tmp_path / f"check{round_number}"
        shutil.copytree(lane, copy)
        store = TinyStore(copy)
        for first in range(0, SLICES * SLICE, SLICE):
            slice_acked = [n for n in acked if n % SLICES == first // SLICE]
            held = {store.get_subscriber(chat_id).last_digest_at for chat_id in range(first, first + SLICE)}
            assert len(held) == 1, f"slice {first // SLICE} was saved in part: {sorted(held)}"   # one write
            assert held.pop() >= max(slice_acked, default=0.0), f"slice {first // SLICE} lost a write"
        store.close()
        shutil.rmtree(copy)
    assert len(acked) > 5 * (SLICES + 1), "the writer acknowledged too little for rewrites to happen"
