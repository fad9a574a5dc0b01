"""A whole digest in the TinyDB outbox (bot/store/tinydb/digests.py) reads exactly as its parts
enqueued one by one: the same pending pushes in the same order, the same counts, the same
answers to every later change, before and after a reopen or a compaction, and after a crash
between a send's delivery record and its outbox write."""
from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import OutgoingDigest, Push
from bot.store.tinydb.digests import ENTRY_CODEC, prepare_digests
from bot.store.tinydb.journal import encode_record
from bot.store.tinydb.sealed import read_json_file
from bot.store.tinydb.store import TinyStore

numbers = st.one_of(st.floats(allow_nan=False), st.integers(-2**40, 2**40))
digests = st.builds(
    OutgoingDigest, chat_id=st.one_of(st.integers(-2**50, 2**50), st.booleans()),
    digest_key=st.sampled_from(["2026-11-25T08:00Z/daily", "é\n\"", "now-since-1.500000"]),
    parts=st.lists(st.sampled_from(["<b>one</b>", "two ñ", "", "\u2028 😀"]), max_size=4).map(tuple),
    thread_id=st.one_of(st.none(), st.integers(1, 2**40)), created_at=numbers, not_before=numbers)


@settings(max_examples=300, deadline=None)
@given(st.lists(digests, max_size=10), st.integers(1, 4))
def test_digest_members_are_the_entries_encoded_and_read_back(batch, copies):
    batch = batch + [replace(d, chat_id=n) for d in batch for n in range(copies)]   # what members share
    prepared = prepare_digests(batch)
    assert len(prepared) == sum(1 for d in batch if d.parts)
    for ready, digest in zip(prepared, [d for d in batch if d.parts]):
        entry = ready.entry
        assert ready.member == encode_record(entry.id, entry)
        read = ENTRY_CODEC.decode(json.loads("{" + ready.member + "}")[entry.id])
        assert read == entry and read.pushes(ready.texts) == digest.pushes()


TEXTS = ["<b>Lima Group</b> one", "two ñ", "three 😀", "four", "five", "six"]


def _digest(rng: random.Random) -> OutgoingDigest:
    parts = tuple(rng.choice(TEXTS) for _ in range(rng.randint(1, 4)))
    return OutgoingDigest(rng.choice([1, 2, 3, 10, -100]), rng.choice(["k1", "k2", "2026-11-26T08:00Z/daily"]),
                          parts, rng.choice([None, 7]), rng.choice([100.0, 150.0, 200.0]), rng.choice([0.0, 0.0, 500.0]))


def _changed(push: Push, rng: random.Random) -> Push:
    kind = rng.choice(["sent", "sent", "failed", "retry", "dropped"])
    if kind == "retry":
        return replace(push, attempts=push.attempts + 1, not_before=rng.choice([300.0, 900.0]), error="429")
    return replace(push, status=kind, error="" if kind == "sent" else "gone")


def _same(whole: TinyStore, single: TinyStore) -> None:
    for now, limit in ((120.0, 1000), (400.0, 1000), (1e9, 1000), (1e9, 3)):
        assert whole.pending_pushes(now, limit) == single.pending_pushes(now, limit)
    assert whole.push_counts() == single.push_counts()


@pytest.mark.parametrize("seed", range(10))
def test_an_outbox_of_whole_digests_reads_as_one_of_single_pushes(tmp_path, seed):
    rng, clock = random.Random(seed), [1000.0]
    paths = tmp_path / "whole", tmp_path / "single"
    whole, single = (TinyStore(path, clock=lambda: clock[0]) for path in paths)
    try:
        for _ in range(60):
            op = rng.choice(["enqueue", "enqueue", "enqueue_pushes", "update", "update", "update", "drop", "move",
                             "reopen", "compact"])
            if op == "enqueue":
                batch = [_digest(rng) for _ in range(rng.randint(1, 5))]
                assert whole.enqueue_digests(batch) == single.enqueue_pushes(p for d in batch for p in d.pushes())
            elif op == "enqueue_pushes":
                pushes = [p for _ in range(2) for p in _digest(rng).pushes()]
                assert whole.enqueue_pushes(pushes) == single.enqueue_pushes(pushes)
            elif op == "update":
                listed = whole.pending_pushes(1e9, 1000)
                changes = [_changed(p, rng) for p in rng.sample(listed, min(len(listed), rng.randint(1, 4)))]
                whole.update_pushes(changes)
                single.update_pushes(changes)
            elif op == "drop":
                chat = rng.choice([1, 2, 3])
                assert whole.drop_pushes_for(chat, "blocked") == single.drop_pushes_for(chat, "blocked")
            elif op == "move":
                whole.move_subscriber(-100, -1000100)
                single.move_subscriber(-100, -1000100)
            elif op == "compact":
                whole.compact()
                single.compact()
            else:
                whole.close()
                single.close()
                whole, single = (TinyStore(path, clock=lambda: clock[0]) for path in paths)
            clock[0] += 3600.0
            _same(whole, single)
    finally:
        whole.close()
        single.close()
    whole, single = (TinyStore(path, clock=lambda: clock[0]) for path in paths)
    _same(whole, single)
    whole.close()
    single.close()


def test_a_due_pass_size_outbox_keeps_a_digest_as_one_record(tmp_path):
    store = TinyStore(tmp_path / "data")
    batch = [OutgoingDigest(n, "2026-11-26T08:00Z/daily", (f"<b>{n % 3}</b>", "second", "third"), None, 100.0)
             for n in range(1000)]
    assert store.enqueue_digests(batch) == 3000
    assert store.enqueue_digests(batch) == 0
    store.close()
    tables, _ = read_json_file(tmp_path / "data" / "outbox.json")
    assert tables is not None
    assert (len(tables.get("digests", {})), len(tables.get("outbox", {}))) == (1000, 0)
    store = TinyStore(tmp_path / "data")
    assert store.push_counts()["pending"] == 3000
    assert [p.id for p in store.pending_pushes(1e9, 4)] == ["0:2026-11-26T08:00Z/daily:0", "0:2026-11-26T08:00Z/daily:1",
                                                            "0:2026-11-26T08:00Z/daily:2", "100:2026-11-26T08:00Z/daily:0"]
    store.close()


def test_only_a_parts_own_id_reaches_its_digest(tmp_path):
    store = TinyStore(tmp_path / "data")
    store.enqueue_digests([OutgoingDigest(1, "k", ("a", "b"), None, 100.0)])
    part = store.pending_pushes(1e9, 1)[0]
    store.update_pushes([replace(part, id=push_id, status="sent") for push_id in ("1:k:00", "1:k:0 ", "1:k:*", "1:k")])
    assert store.push_counts() == {"pending": 2, "sent": 0, "failed": 0, "dropped": 0}
    store.update_pushes([replace(part, status="sent")])
    assert [p.id for p in store.pending_pushes(1e9, 5)] == ["1:k:1"]
    store.close()


def test_a_part_sent_just_before_a_crash_is_not_sent_again_and_the_others_are(tmp_path):
    data, saved = tmp_path / "data", tmp_path / "outbox-before-send"
    store = TinyStore(data)
    store.enqueue_digests([OutgoingDigest(1, "k", ("a", "b", "c"), 7, 100.0),
                           OutgoingDigest(2, "k", ("a", "b"), None, 100.0)])
    store.close()
    saved.mkdir()
    for path in data.glob("outbox.*"):
        shutil.copy2(path, saved / path.name)
    store = TinyStore(data)
    part = next(p for p in store.pending_pushes(1e9, 10) if p.id == "1:k:1")
    store.update_pushes([replace(part, status="sent")])
    store.close()
    # the crash: deliveries.json has the send, outbox.json not yet (its write comes second)
    for path in data.glob("outbox.*"):
        path.unlink()
    for path in saved.iterdir():
        shutil.copy2(path, data / path.name)
    store = TinyStore(data)
    assert [p.id for p in store.pending_pushes(1e9, 10)] == ["1:k:0", "1:k:2", "2:k:0", "2:k:1"]
    assert store.pending_pushes(1e9, 10)[1] == Push("1:k:2", 1, "c", "k", 2, 7, 100.0)
    assert store.push_counts() == {"pending": 4, "sent": 1, "failed": 0, "dropped": 0}
    assert store.enqueue_digests([OutgoingDigest(1, "k", ("a", "b", "c"), 7, 100.0)]) == 0
    store.close()
