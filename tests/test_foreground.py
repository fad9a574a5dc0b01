"""Commands first: worker threads step aside while the event loop runs (bot.heap), the GIL is
handed over every millisecond, and a compaction holds the store's lock for one file at a time.

Real event loops, real threads, real TinyDB files; no timings asserted, only orders of events
(a thread still waiting, a thread done).
"""
from __future__ import annotations

import asyncio
import sys
import threading
import time
from dataclasses import replace

import pytest

from bot.heap import FOREGROUND, SWITCH_INTERVAL, Foreground, new_event_loop
from bot.models import Push, Subscriber
from bot.store.tinydb.files import Compaction
from bot.store.tinydb.store import TinyStore
from tests.conftest import start_harness, stop_harness, telegram_settings


def stepped_aside(foreground: Foreground) -> threading.Thread:
    """A worker thread at a point where it steps aside; alive until step_aside returns."""
    worker = threading.Thread(target=foreground.step_aside)
    worker.start()
    return worker


def test_a_worker_waits_while_the_loop_runs_a_callback_and_goes_on_when_the_loop_waits():
    foreground = Foreground(max_wait=60.0)
    loop = new_event_loop(foreground)
    seen: dict[str, bool] = {}

    def busy_callback() -> None:   # the loop runs (a command): the worker must not get past step_aside
        worker = seen["worker"] = stepped_aside(foreground)
        worker.join(0.2)
        seen["waited while the loop ran"] = worker.is_alive()

    async def main() -> None:
        await asyncio.sleep(0.01)   # the loop blocks in select once: from now on it tells when it runs
        loop.call_soon(busy_callback)
        await asyncio.sleep(0.3)    # the loop waits in select: the worker goes on meanwhile
        seen["went on while the loop waited"] = not seen["worker"].is_alive()

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    assert seen["waited while the loop ran"] and seen["went on while the loop waited"]
    assert not foreground.is_running   # a closed loop holds no worker back


def test_a_loop_that_runs_on_holds_a_worker_back_max_wait_then_lets_it_go_on_for_grant():
    foreground = Foreground(max_wait=0.05, grant=60.0)
    foreground.running()   # this thread is "the loop", and never returns to select
    steps: list[float] = []

    def worker() -> None:
        for _ in range(100):
            started = time.monotonic()
            foreground.step_aside()
            steps.append(time.monotonic() - started)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert steps[0] >= 0.05 and sum(steps[1:]) < 0.05   # held back once, then granted its time
    foreground.step_aside()   # on the loop's own thread: never waits for itself
    foreground.waiting()


def test_without_an_event_loop_that_tells_workers_never_wait():
    foreground = Foreground(max_wait=60.0)
    worker = stepped_aside(foreground)
    worker.join(5)
    assert not worker.is_alive()

    async def main() -> None:   # asyncio's own loop: nothing tells the foreground it runs
        stepped_aside(foreground).join(5)

    asyncio.run(main())
    assert not foreground.is_running


async def test_the_application_hands_the_gil_over_every_millisecond(ingested_dirs):
    sys.setswitchinterval(0.005)   # Python's default
    harness = await start_harness(telegram_settings(ingested_dirs))
    try:
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    finally:
        await stop_harness(harness)


def test_a_background_compaction_writes_its_file_while_the_loop_waits_not_while_it_runs(tmp_path, monkeypatch):
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=10**6))
    store.save_subscribers([Subscriber(chat_id=n) for n in range(1000)])
    store.save_subscribers([Subscriber(chat_id=n, language="es") for n in range(1000)])
    table_file = tmp_path / "data" / "subscribers.json"
    before = table_file.read_bytes()
    monkeypatch.setattr(FOREGROUND, "max_wait", 60.0)
    FOREGROUND.running()   # as if a command ran on the loop (this thread)
    try:
        with store._lock:
            thread = store._subscribers_table.storage.compact_in_background()
        assert thread is not None
        thread.join(0.3)
        assert thread.is_alive() and table_file.read_bytes() == before
    finally:
        FOREGROUND.waiting()
    thread.join(30)
    assert not thread.is_alive() and b'"es"' in table_file.read_bytes()
    store.close()


async def test_a_due_pass_chunk_waits_while_the_loop_runs(ingested_dirs, monkeypatch):
    """The due pass's worker steps aside between subscribers (bot.delivery.due.process_chunk)."""
    from bot.delivery.due import PassReport

    harness = await start_harness(telegram_settings(ingested_dirs))
    scheduler = harness.app.bot_data["schedule.digests"]
    subscribers = [Subscriber(chat_id=n, next_due_at=0.0) for n in range(1, 4)]
    harness.services.store.save_subscribers(subscribers)
    monkeypatch.setattr(FOREGROUND, "max_wait", 60.0)
    report = PassReport()
    FOREGROUND.running()   # as if a command ran on the loop (this thread)
    try:
        worker = threading.Thread(target=scheduler.process_chunk, args=(subscribers, time.time(), False, report))
        worker.start()
        worker.join(0.3)
        assert worker.is_alive() and report.due == 0
    finally:
        FOREGROUND.waiting()
    worker.join(30)
    assert report.due == 3 and not report.failed
    await stop_harness(harness)
    assert harness.errors == []


class RecordingLock:
    """The store's re-entrant lock, noting at each outermost release how many journals are moved aside."""

    def __init__(self, data_dir):
        self._lock, self._depth, self._data_dir = threading.RLock(), 0, data_dir
        self.moved_aside: list[int] = []

    def __enter__(self):
        self._lock.acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if not self._depth:
            self.moved_aside.append(len(list(self._data_dir.glob("*.journal.*"))))
        self._lock.release()


def test_a_compaction_of_every_file_holds_the_store_lock_for_one_file_at_a_time(tmp_path):
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=10**6))
    store.save_subscribers([Subscriber(chat_id=n) for n in range(50)])
    store.save_subscribers([Subscriber(chat_id=n, language="es") for n in range(50)])
    pushes = [Push(id=f"{n}:d:0", chat_id=n, text="x", digest_key="d", created_at=1.0) for n in range(50)]
    store.enqueue_pushes(pushes)
    store.update_pushes(replace(p, status="sent") for p in pushes)
    store.set_meta("k", 1)
    storages = [db.storage for db in store._all_dbs()]
    store._lock = lock = RecordingLock(tmp_path / "data")
    for storage in storages:   # every file write held up (a slow disk): the moved-aside journals stay
        storage._file_lock.acquire()
    compaction = threading.Thread(target=store.compact)
    compaction.start()
    deadline = time.monotonic() + 2
    try:   # the lock taken for the list of files, then for the first file (or all of them at once)
        while len(lock.moved_aside) < 2 and time.monotonic() < deadline:
            compaction.join(0.01)
    finally:
        for storage in storages:
            storage._file_lock.release()
    compaction.join(30)
    assert max(lock.moved_aside) == 1   # one journal moved aside under each hold of the lock
    assert sum(storage.compactions for storage in storages) >= 3   # of the several files compacted
    store.close()

