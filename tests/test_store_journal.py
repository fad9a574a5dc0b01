"""The per-table journal under TinyStore: O(changed records) writes, torn tails, compaction, replay.

"A crash now" is a copy of the data directory taken while the store is open: every
acknowledged write has been fsynced, and nothing is compacted on close.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.models import Push, Subscriber
from bot.store.codec import subscriber_to_row
from bot.store.tinydb.store import TinyStore
from bot.store.tinydb import files as files_module
from bot.store.tinydb.files import Compaction, open_table
from bot.store.tinydb.sealed import table_json, write_atomically
from bot.store.tinydb.journal import decode_header, encode_header
from tests.test_store_contract import article


def push(chat_id: int, **changes) -> Push:
    return replace(Push(id=f"{chat_id}:d:0", chat_id=chat_id, text="<b>digest</b>", digest_key="d",
                        created_at=float(chat_id)), **changes)


HEADER = len(encode_header(0))


def unacknowledge_last_write(journal: Path) -> None:
    """The header as it was before the last append was synced (a crash tears only an unacknowledged write)."""
    data = journal.read_bytes()
    journal.write_bytes(encode_header(decode_header(data[:HEADER - 1]) - 1) + data[HEADER:])


def crash_copy(store: TinyStore, dest: Path) -> TinyStore:
    """A store opened from a copy of `store`'s files as they are now, as if the process had been killed.

    The copy is one instant: no write, and no background compaction, moves a file meanwhile."""
    with store._lock, contextlib.ExitStack() as files:
        for db in store._all_dbs():
            files.enter_context(db.storage._file_lock)
        shutil.copytree(store.data_dir, dest)
    return TinyStore(dest)


def state(store: TinyStore) -> tuple:
    return (sorted(store.all_subscribers(active_only=False), key=lambda s: s.chat_id),
            sorted(store.pending_pushes(float("inf"), 10**6), key=lambda p: p.id),
            store.push_counts(), store.get_meta("counter"))


@pytest.fixture
def store(tmp_path):
    opened = TinyStore(tmp_path / "data")
    yield opened
    opened.close()


def test_saving_one_subscriber_appends_one_journal_line_and_leaves_the_table_file_alone(store):
    store.save_subscribers([Subscriber(chat_id=i) for i in range(2000)])
    table = (store.data_dir / "subscribers.json").read_bytes()
    store.save_subscriber(Subscriber(chat_id=7, themes=("castillo",)))
    assert (store.data_dir / "subscribers.json").read_bytes() == table
    lines = (store.data_dir / "subscribers.journal").read_bytes().splitlines()[1:]   # after the header
    assert len(lines) == 1 and len(lines[0]) < 1000
    entry = json.loads(lines[0].split(b" ", 1)[1])
    assert entry["subscribers"]["set"]["7"] == [7, ["castillo"]] and entry["subscribers"]["del"] == []   # a row


def test_a_write_survives_a_crash_through_the_journal_alone(store, tmp_path):
    store.save_subscribers([Subscriber(chat_id=i) for i in range(10)])
    store.save_subscriber(Subscriber(chat_id=3, is_active=False))
    store.move_subscriber(4, 40)
    crashed = crash_copy(store, tmp_path / "crashed")
    assert crashed.get_subscriber(3).is_active is False
    assert crashed.get_subscriber(4) is None and crashed.get_subscriber(40) is not None
    crashed.close()


def test_a_torn_last_journal_line_is_ignored_cut_off_and_later_writes_follow_it(store, tmp_path):
    store.save_subscribers([Subscriber(chat_id=1)])
    store.save_subscriber(Subscriber(chat_id=2))
    store.save_subscriber(Subscriber(chat_id=3))
    crashed_dir = tmp_path / "crashed"
    shutil.copytree(store.data_dir, crashed_dir)
    journal = crashed_dir / "subscribers.journal"
    whole = journal.read_bytes()
    last = whole.rstrip(b"\n").rsplit(b"\n", 1)[1]
    journal.write_bytes(whole[:-len(last) // 2])   # a power cut halfway through the last append,
    unacknowledge_last_write(journal)               # before its header counted it
    crashed = TinyStore(crashed_dir)
    assert [s.chat_id for s in crashed.all_subscribers()] == [1, 2]
    assert journal.read_bytes()[HEADER:] == whole[HEADER:-len(last) - 1]
    crashed.save_subscriber(Subscriber(chat_id=4))
    again = crash_copy(crashed, tmp_path / "again")
    assert [s.chat_id for s in again.all_subscribers()] == [1, 2, 4]
    again.close()
    crashed.close()


def test_a_last_journal_line_with_a_wrong_checksum_is_ignored(store, tmp_path):
    store.save_subscribers([Subscriber(chat_id=1)])
    store.save_subscriber(Subscriber(chat_id=2))
    crashed_dir = tmp_path / "crashed"
    shutil.copytree(store.data_dir, crashed_dir)
    journal = crashed_dir / "subscribers.journal"
    journal.write_bytes(journal.read_bytes().replace(b'"2": [2]', b'"2": [9]'))
    unacknowledge_last_write(journal)
    crashed = TinyStore(crashed_dir)
    assert [s.chat_id for s in crashed.all_subscribers()] == [1]
    crashed.close()


def test_a_damaged_line_before_good_ones_is_reported_never_skipped(store, tmp_path):
    store.save_subscribers([Subscriber(chat_id=1)])
    store.save_subscriber(Subscriber(chat_id=2))
    store.save_subscriber(Subscriber(chat_id=3))
    crashed_dir = tmp_path / "crashed"
    shutil.copytree(store.data_dir, crashed_dir)
    journal = crashed_dir / "subscribers.journal"
    journal.write_bytes(journal.read_bytes().replace(b'"2": [2]', b'"2": [9]', 1))
    with pytest.raises(StoreError, match=r"subscribers.journal is damaged: write 1 is damaged and 1 later writes are not; 2 acknowledged writes are lost"):
        TinyStore(crashed_dir)


def test_compaction_rewrites_the_table_file_and_empties_the_journal(tmp_path):
    store = TinyStore(tmp_path, compaction=Compaction(min_records=5, ratio=0.0))
    store.save_subscribers([Subscriber(chat_id=0)])   # the first write also creates the table file
    before = store.compaction_counts()["subscribers.json"]
    for chat_id in range(1, 6):
        store.save_subscriber(Subscriber(chat_id=chat_id))
    assert store.compaction_counts()["subscribers.json"] == before
    assert len((tmp_path / "subscribers.journal").read_bytes().splitlines()[1:]) == 5   # after the header
    store.save_subscriber(Subscriber(chat_id=6))
    assert store.compaction_counts()["subscribers.json"] == before + 1
    assert (tmp_path / "subscribers.journal").read_bytes() == b""
    on_disk = table_json(tmp_path / "subscribers.json")["subscribers"]
    assert sorted(map(int, on_disk)) == list(range(7))
    store.close()


def test_the_default_policy_compacts_past_a_quarter_of_a_large_table(store):
    store.save_articles([article(f"a{i}") for i in range(8000)])
    before = store.compaction_counts()["articles.json"]
    store.save_articles([article(f"a{i}", title="Lima") for i in range(2000)])
    assert store.compaction_counts()["articles.json"] == before
    store.save_articles([article("a2000", title="Lima")])
    assert store.compaction_counts()["articles.json"] == before + 1
    assert (store.data_dir / "articles.journal").read_bytes() == b""


def test_a_due_pass_that_advances_every_subscriber_rewrites_their_file_at_most_once(store, tmp_path):
    # saved 250 at a time, as the due pass does: past a quarter of the table, each pass rewrote every row 3-4 times
    store.save_subscribers([Subscriber(chat_id=n, next_due_at=1.0) for n in range(4000)])
    before = store.compaction_counts()["subscribers.json"]
    for day in (1, 2, 3):
        advanced = [replace(s, last_digest_at=float(day), next_due_at=day + 1.0) for s in store.all_subscribers()]
        for start in range(0, len(advanced), 250):
            store.save_subscribers(advanced[start:start + 250])
        assert store.compaction_counts()["subscribers.json"] - before == day - 1   # the journal grows to the table's size
    for language in ("es", "pt"):   # the same record twice, and one moved, since the last rewrite
        store.save_subscriber(replace(store.get_subscriber(1), language=language))
    store.move_subscriber(2, 4002)
    assert state(crash_copy(store, tmp_path / "copy")) == state(store)
    expected = {str(s.chat_id): json.loads(json.dumps(subscriber_to_row(s))) for s in store.all_subscribers()}
    store.close()   # rewritten from the members the saves encoded: what encoding each record gives
    assert table_json(store.data_dir / "subscribers.json")["subscribers"] == expected


def test_the_outbox_is_rewritten_past_its_own_size_not_a_quarter_of_it(store, tmp_path):
    # a due pass grows the outbox from nothing: rewriting it past a quarter rewrote every push ~5 times
    first = [push(chat_id) for chat_id in range(4000)]
    store.enqueue_pushes(first[:500])
    before = store.compaction_counts()["outbox.json"]   # (the first write makes the file)
    for start in range(500, 4000, 500):
        store.enqueue_pushes(first[start:start + 500])
    assert store.compaction_counts()["outbox.json"] == before
    store.update_pushes([replace(p, status="sent", attempts=1) for p in first[:2000]])
    assert store.compaction_counts()["outbox.json"] == before + 1   # journal 5,500 > 1 x 2,000 records
    assert state(crash_copy(store, tmp_path / "copy")) == state(store)


def test_closing_compacts_every_journal(store):
    store.save_subscribers([Subscriber(chat_id=1)])
    store.save_subscriber(Subscriber(chat_id=2))
    store.enqueue_pushes([push(1)])
    store.update_pushes([push(1, status="sent")])
    store.close()
    assert all(path.read_bytes() == b"" for path in store.data_dir.glob("*.journal"))
    assert set(table_json(store.data_dir / "subscribers.json")["subscribers"]) == {"1", "2"}


def test_a_crash_after_compaction_but_before_the_journal_was_emptied_replays_to_the_same_state(tmp_path):
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=3, ratio=0.0))
    store.save_subscribers([Subscriber(chat_id=1)])
    for language in ("es", "en", "pt"):
        store.save_subscriber(Subscriber(chat_id=1, language=language))
    store.save_subscriber(Subscriber(chat_id=2))
    journal = (store.data_dir / "subscribers.journal").read_bytes()
    store.save_subscriber(Subscriber(chat_id=1, language="es"))   # the 4th record: compaction
    store.save_subscriber(Subscriber(chat_id=3))
    expected = state(store)
    store.close()
    (store.data_dir / "subscribers.journal").write_bytes(journal)   # older writes, already in the file
    reopened = TinyStore(store.data_dir)
    assert reopened.get_subscriber(1).language == "es"   # but they may not undo newer ones
    assert state(reopened)[0] == expected[0]
    reopened.close()


operations = st.lists(st.tuples(st.sampled_from(["save", "move", "enqueue", "send", "drop", "meta"]),
                                st.integers(0, 30), st.integers(0, 3)), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations, st.integers(1, 8))
def test_reopening_after_a_crash_or_a_close_gives_the_state_before(tmp_path_factory, ops, compact_after):
    root = tmp_path_factory.mktemp("replay")
    store = TinyStore(root / "data", compaction=Compaction(min_records=compact_after, ratio=0.0))
    for op, n, k in ops:
        if op == "save":
            store.save_subscriber(Subscriber(chat_id=n, weekday=k, next_due_at=float(n * k)))
        elif op == "move":
            store.move_subscriber(n, n + 100)
        elif op == "enqueue":
            store.enqueue_pushes([push(n, text=f"digest {k}")])
        elif op == "send":
            store.update_pushes([push(n, status="sent" if k else "failed", attempts=k)])
        elif op == "drop":
            store.drop_pushes_for(n, "blocked")
        else:
            store.set_meta("counter", [n, k])
    expected = state(store)
    crashed = crash_copy(store, root / "crashed")
    assert state(crashed) == expected
    crashed.close()
    store.close()
    reopened = TinyStore(root / "data")
    assert state(reopened) == expected
    reopened.close()


def test_tinydbs_own_table_methods_are_journaled_too(tmp_path):
    db, table = open_table(tmp_path / "things.json", "things")
    table.apply({"a": {"n": 1}, "b": {"n": 2}})
    table.update({"n": 5}, doc_ids=["a"])
    table.remove(doc_ids=["b"])
    assert db.storage.writes == 3
    lines = (tmp_path / "things.journal").read_bytes().splitlines()[1:]   # after the header
    assert [json.loads(line.split(b" ", 1)[1]) for line in lines] == [   # the first write made things.json
        {"things": {"set": {"a": {"n": 5}}, "del": []}}, {"things": {"set": {}, "del": ["b"]}}]
    db.close()
    db, table = open_table(tmp_path / "things.json", "things")
    assert dict(table.docs()) == {"a": {"n": 5}}
    db.close()


@pytest.mark.parametrize("written", [False, True], ids=["before the new file", "before the old journal is dropped"])
def test_a_crash_during_a_background_compaction_replays_the_moved_aside_journal_first(tmp_path, written):
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=10**6))
    store.save_subscribers([Subscriber(chat_id=n) for n in range(5)])
    for language in ("es", "pt"):
        store.save_subscribers([Subscriber(chat_id=n, language=language) for n in range(3)])
    storage = store._subscribers_table.storage
    with store._lock:   # what compact_in_background does under the lock: a snapshot, the journal moved aside
        snapshot, members = storage._snapshot()
        rotated = storage._journal.rotate()
    store.save_subscriber(Subscriber(chat_id=1, language="de"))   # a write while the file is being written
    store.move_subscriber(4, 40)
    if written:
        write_atomically(storage.path, files_module._chunks(snapshot, members, storage._doc), sealed=True)
    assert rotated is not None and rotated.exists()
    expected = state(store)
    crashed = crash_copy(store, tmp_path / "crashed")
    assert state(crashed) == expected
    assert [s.language for s in crashed.all_subscribers()][:3] == ["pt", "de", "pt"]
    crashed.close()
    assert not list((tmp_path / "crashed").glob("*.journal.*"))   # closing folds every journal into the file
    store.close()
    assert state(TinyStore(tmp_path / "data")) == expected


def test_a_rotation_is_made_durable_before_the_fresh_journal_acknowledges_a_write(tmp_path):
    # the directory fsync of a rotation happens outside the store's lock (the compaction's thread), or
    # in the first append after it: never after a write to the fresh journal has returned
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=10**6))
    store.save_subscribers([Subscriber(chat_id=n) for n in range(5)])   # (the first write makes the file)
    store.save_subscriber(Subscriber(chat_id=3))
    journal = store._subscribers_table.storage._journal
    with store._lock:
        assert journal.rotate() is not None
    assert journal.directory_pending
    store.save_subscriber(Subscriber(chat_id=1, language="es"))
    assert not journal.directory_pending
    with store._lock:
        journal.rotate()
    journal.sync_directory()
    assert not journal.directory_pending
    thread = store._subscribers_table.storage
    store.save_subscriber(Subscriber(chat_id=2, language="pt"))
    with store._lock:
        started = thread.compact_in_background()
    assert started is not None
    started.join()
    assert not journal.directory_pending   # the compaction's thread synced it before writing the file
    crashed = crash_copy(store, tmp_path / "crashed")
    assert {s.chat_id: s.language for s in crashed.all_subscribers()} == {0: "en", 1: "es", 2: "pt", 3: "en", 4: "en"}
    crashed.close()
    store.close()


def test_writes_and_reads_go_on_while_a_compaction_writes_its_file(tmp_path):
    store = TinyStore(tmp_path / "data", compaction=Compaction(min_records=10**6))
    store.save_subscribers([Subscriber(chat_id=n) for n in range(100)])
    store.save_subscribers([Subscriber(chat_id=n, language="es") for n in range(50)])
    storage = store._subscribers_table.storage
    with storage._file_lock:   # the file write is held up (a slow disk): the snapshot is taken, the write waits
        compaction = threading.Thread(target=store.compact)
        compaction.start()
        while not list((tmp_path / "data").glob("subscribers.journal.*")):
            compaction.join(0.01)   # until the journal was moved aside (the snapshot is taken)
        writer = threading.Thread(target=lambda: store.save_subscriber(Subscriber(chat_id=7, language="pt")))
        writer.start()
        writer.join(30)
        assert not writer.is_alive() and store.get_subscriber(7).language == "pt"
        assert compaction.is_alive()
    compaction.join()
    store.close()
    reopened = TinyStore(tmp_path / "data")
    assert [reopened.get_subscriber(n).language for n in (7, 8, 60)] == ["pt", "es", "en"]
    reopened.close()


# -- tables kept as models (a RecordCodec) ----------------------------------------------

POINT = files_module.RecordCodec(encode=lambda p: {"x": p[0], "y": p[1]}, decode=lambda d: (d["x"], d["y"]),
                                 kind="point")


def test_a_codec_table_keeps_models_in_memory_and_documents_on_disk_through_journal_and_file(tmp_path):
    db, table = open_table(tmp_path / "points.json", "points", Compaction(min_records=10**6), POINT)
    table.apply({"a": (1, 2), "b": (3, 4)})
    table.apply({"c": (5, 6)}, ["a"])
    assert dict(table.docs()) == {"b": (3, 4), "c": (5, 6)}
    crashed = tmp_path / "crashed"
    shutil.copytree(tmp_path, crashed, ignore=shutil.ignore_patterns("crashed"))   # killed: file + journal
    db.close()
    assert table_json(tmp_path / "points.json") == {"points": {"b": {"x": 3, "y": 4}, "c": {"x": 5, "y": 6}}}
    for folder in (tmp_path, crashed):
        db, table = open_table(folder / "points.json", "points", codec=POINT)
        assert dict(table.docs()) == {"b": (3, 4), "c": (5, 6)}
        db.close()


def test_a_malformed_record_of_a_codec_table_is_named_with_its_file_even_from_the_journal(tmp_path):
    db, table = open_table(tmp_path / "points.json", "points", Compaction(min_records=10**6))
    table.apply({"good": {"x": 1, "y": 2}})
    db.close()
    db, table = open_table(tmp_path / "points.json", "points", Compaction(min_records=10**6))
    table.apply({"bad": {"x": 1}})   # written by hand, without the codec: no "y"
    shutil.copytree(tmp_path, tmp_path / "crashed", ignore=shutil.ignore_patterns("crashed"))
    db.close()
    with pytest.raises(StoreError, match=r"points.json: record 'bad' is not a valid point"):
        open_table(tmp_path / "crashed" / "points.json", "points", codec=POINT)


def test_a_background_compaction_of_a_codec_table_writes_documents_while_writes_go_on(tmp_path):
    db, table = open_table(tmp_path / "points.json", "points", Compaction(min_records=10**6), POINT)
    table.apply({"first": (0, 0)})   # the first write makes the file
    table.apply({str(n): (n, n) for n in range(1000)})
    thread = db.journaled.compact_in_background()
    table.apply({"late": (-1, -1)})
    assert thread is not None
    thread.join()
    assert table_json(tmp_path / "points.json")["points"]["999"] == {"x": 999, "y": 999}
    db.close()
    db, table = open_table(tmp_path / "points.json", "points", codec=POINT)
    assert table.docs()["late"] == (-1, -1) and table.docs()["999"] == (999, 999)
    db.close()
