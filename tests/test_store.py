"""TinyStore on real files in tmp_path: its files, journal and in-memory due index.

What every backend must do is in test_store_contract.py."""
from __future__ import annotations

import gc
import json
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.heap import paused_gc
from bot.models import Subscriber
from bot.store.tinydb.store import DueIndex, TinyStore
from bot.store.api import SCHEMA_VERSION
from bot.store.codec import subscriber_from_doc, subscriber_to_doc
from bot.store.tinydb.sealed import table_json, write_atomically
from tests.test_store_contract import article, push


@pytest.fixture
def store(tmp_path):
    opened = TinyStore(tmp_path / "data")
    yield opened
    opened.close()


def reopen(store: TinyStore) -> TinyStore:
    store.close()
    return TinyStore(store.data_dir)


# -- serialization -----------------------------------------------------------------


# -- opening -------------------------------------------------------------------------


def test_a_fresh_store_records_the_schema_version_in_meta_json(store):
    assert table_json(store.data_dir / "meta.json")["meta"]["schema_version"]["value"] == SCHEMA_VERSION


def test_a_corrupt_table_file_is_named_and_never_silently_emptied(store):
    store.save_articles([article()])
    store.close()
    (store.data_dir / "articles.json").write_text('{"articles": {"a1": {"id": ')
    with pytest.raises(StoreError, match="articles.json is not valid JSON"):
        TinyStore(store.data_dir)
    assert (store.data_dir / "articles.json").read_text().startswith('{"articles"')


def test_a_record_with_missing_fields_is_named_with_its_file(store):
    store.close()
    (store.data_dir / "subscribers.json").write_text('{"subscribers": {"7": {"themes": []}}}')
    with pytest.raises(StoreError, match=r"subscribers.json: record '7' is not a valid subscriber"):
        TinyStore(store.data_dir)


def test_temporary_files_left_by_a_dead_writer_are_removed_at_open(store):
    store.close()
    leftover = store.data_dir / ".articles.json.999999999.abcd.tmp"
    leftover.write_text("{half")
    TinyStore(store.data_dir).close()
    assert not leftover.exists()


# -- articles ------------------------------------------------------------------------


def test_every_batch_method_writes_each_file_it_touches_once(store):
    before = store.write_counts()
    store.save_articles([article(f"a{i}") for i in range(50)])
    store.save_subscribers([Subscriber(chat_id=i) for i in range(50)])
    store.enqueue_pushes([push(i) for i in range(50)])
    store.update_pushes([replace(push(i), status="sent" if i % 2 else "pending", attempts=1) for i in range(50)])
    after = store.write_counts()
    assert {name: after[name] - before[name] for name in after} == {
        "meta.json": 0, "articles.json": 1, "subscribers.json": 1,
        "outbox.json": 2, "push_texts.json": 1, "deliveries.json": 1}


# -- subscribers and the due index -------------------------------------------------------------


def test_due_subscribers_at_100k_subscribers_are_the_earliest_due(store):
    """How fast: benchmarks/responsiveness.py."""
    index = DueIndex(Subscriber(chat_id=i, next_due_at=float(i)) for i in range(100_000))
    assert index.due(5000.0, 100) == list(range(100))


# a few shared due times (as schedules give), NEVER, NaN and inactive ones; saves, moves and reads interleaved
index_steps = st.lists(st.one_of(
    st.tuples(st.just("save"), st.lists(st.builds(
        Subscriber, chat_id=st.integers(-3, 12), is_active=st.booleans(),
        next_due_at=st.sampled_from([1.0, 2.0, 2, 3.5, -0.0, 0.0, math.inf, math.nan])), max_size=6)),
    st.tuples(st.just("remove"), st.integers(-3, 12)),
    st.tuples(st.just("due"), st.tuples(st.sampled_from([0.0, 1.0, 2.0, 3.0, 10.0, math.inf]), st.integers(-1, 8)))),
    max_size=40)


@settings(max_examples=300, deadline=None)
@given(index_steps)
def test_the_due_index_answers_what_sorting_every_due_subscriber_answers(steps):
    index, held = DueIndex(), {}
    for kind, arg in steps:
        if kind == "save":
            index.update(arg)
            held.update({s.chat_id: s for s in arg})
        elif kind == "remove":
            index.remove(arg)
            held.pop(arg, None)
        else:
            now, limit = arg
            due = sorted((s.next_due_at, s.chat_id) for s in held.values()
                         if s.is_active and s.next_due_at < math.inf and s.next_due_at <= now)
            assert index.due(now, limit) == [chat_id for _, chat_id in due[:max(limit, 0)]]


# -- the outbox ----------------------------------------------------------------------


def test_sent_pushes_move_to_compact_deliveries_and_leave_the_outbox(store):
    store.enqueue_pushes([push(1), push(2)])
    store.update_pushes([replace(push(1), status="sent"), replace(push(2), attempts=1, not_before=999.0)])
    store = reopen(store)
    outbox = table_json(store.data_dir / "outbox.json")["outbox"]
    deliveries = table_json(store.data_dir / "deliveries.json")
    assert list(outbox) == ["2:d1:0"] and outbox["2:d1:0"]["attempts"] == 1
    sent = json.loads(deliveries["last_digests"]["1"]["sent"])   # one JSON text per chat (schema 3)
    assert list(deliveries["last_digests"]) == ["1"] and sent == [["d1", [0], sent[0][2]]]
    assert sum(doc["count"] for doc in deliveries["days"].values()) == 1
    assert store.pending_pushes(1000.0, 5)[0].text == "<b>digest d1</b>"


def test_identical_push_texts_are_stored_once(store):
    store.enqueue_pushes([push(chat_id) for chat_id in range(20)])
    texts = table_json(store.data_dir / "push_texts.json")["push_texts"]
    assert len(texts) == 1


def test_a_push_recorded_as_delivered_but_still_in_the_outbox_is_not_sent_again(store):
    store.enqueue_pushes([push(1)])
    outbox_before = (store.data_dir / "outbox.json").read_text()
    store.update_pushes([replace(push(1), status="sent")])
    store.close()
    (store.data_dir / "outbox.json").write_text(outbox_before)   # as if killed between the two writes
    store = TinyStore(store.data_dir)
    assert store.pending_pushes(1e9, 10) == []
    assert store.push_counts()["sent"] == 1


def test_a_chat_keeps_its_last_few_digests_not_every_push_and_none_is_sent_twice(store):
    for day in range(20):
        store.enqueue_pushes([push(1, f"day{day}", part) for part in range(2)])
        store.update_pushes([push(1, f"day{day}", part, status="sent") for part in range(2)])
    store = reopen(store)
    kept = json.loads(table_json(store.data_dir / "deliveries.json")["last_digests"]["1"]["sent"])
    assert [key for key, _, _ in kept] == ["day16", "day17", "day18", "day19"]
    assert all(parts == [0, 1] for _, parts, _ in kept)
    assert store.enqueue_pushes([push(1, "day19", 1), push(1, "day19", 2)]) == 1   # part 1 was sent
    assert store.push_counts()["sent"] == 40


def test_delivery_records_of_an_older_store_are_folded_into_last_digests_and_day_counts(tmp_path):
    old = {"deliveries": {f"{chat}:{key}:0": {"id": f"{chat}:{key}:0", "chat_id": chat, "digest_key": key,
                                              "sent_at": 86400.0 * day + 50}
                          for chat in (1, 2) for day, key in enumerate(("a", "b", "c", "d", "e", "f"))}}
    write_atomically(tmp_path / "deliveries.json", [json.dumps(old)])
    store = TinyStore(tmp_path, clock=lambda: 86400.0 * 6)
    assert store.enqueue_pushes([push(1, "f"), push(2, "b"), push(2, "g")]) == 2   # "b" is not among the last 4
    store = reopen(store)
    tables = table_json(tmp_path / "deliveries.json")
    assert "deliveries" not in tables or not tables["deliveries"]
    assert [key for key, _, _ in json.loads(tables["last_digests"]["1"]["sent"])] == ["c", "d", "e", "f"]
    assert sorted(doc["count"] for doc in tables["days"].values()) == [2] * 6


def test_batch_updates_of_50_at_10000_pending_pushes_apply_each_outcome(store):
    """How fast: benchmarks/responsiveness.py."""
    text = "<b>Lima Group</b> — noticias " * 100
    store.enqueue_pushes([push(i, text=f"{text}{i % 40}", created_at=float(i)) for i in range(10_000)])
    for _ in range(3):
        batch = store.pending_pushes(1e9, 50)
        store.update_pushes([replace(p, status="sent") if p.chat_id % 2 else replace(p, attempts=1, not_before=2e9)
                             for p in batch])
    counts = store.push_counts()
    assert counts["sent"] == 75 and counts["pending"] == 10_000 - 75


# -- meta and threads ------------------------------------------------------------------



def test_a_reopened_store_shares_repeated_settings_among_subscribers(store):
    """100k subscribers hold a few time zones and theme lists: each is kept once in memory."""
    store.save_subscribers([Subscriber(chat_id=n, themes=("oas", "celac"), timezone="America/" + "Lima")
                            for n in range(3)])
    store = reopen(store)
    first, *others = store.all_subscribers()
    assert all(s.timezone is first.timezone and s.themes is first.themes for s in others)
    assert first.themes == ("oas", "celac") and first.timezone == "America/Lima"
    store.close()


def test_a_record_is_kept_once_in_memory_as_a_model_not_beside_its_document(store):
    store.save_articles([article("a1")])
    store = reopen(store)
    assert store.get_article("a1") is store.all_articles()[0]
    assert table_json(store.data_dir / "articles.json")["articles"]["a1"]["id"] == "a1"
    assert not hasattr(store.get_article("a1"), "__dict__")   # a slotted dataclass
    store.close()


def test_decoding_pauses_the_garbage_collector_and_restores_it_as_it_was():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the inner block does not turn it on under the outer one
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_last_digests_of_a_schema_2_store_are_read_and_written_back_as_one_text_per_chat(tmp_path):
    older_sent = [["a", [0, 1], 50.0], ["b", [0], 90.0]]
    older = {"last_digests": {"1": {"sent": older_sent}},
             "days": {"1970-01-01": {"count": 3}}}
    write_atomically(tmp_path / "deliveries.json", [json.dumps(older) + "\n"], sealed=True)
    TinyStore(tmp_path).close()   # opened and closed: the file is written in today's layout
    assert table_json(tmp_path / "deliveries.json")["last_digests"]["1"] == {"sent": json.dumps(older_sent)}
    store = TinyStore(tmp_path, clock=lambda: 100.0)
    assert store.enqueue_pushes([push(1, "a", 1), push(1, "a", 2), push(1, "b"), push(2, "a")]) == 2
    store.update_pushes([push(1, "a", 2, status="sent")])
    store = reopen(store)
    sent = table_json(tmp_path / "deliveries.json")["last_digests"]["1"]["sent"]
    assert json.loads(sent) == [["a", [0, 1, 2], 100.0], ["b", [0], 90.0]]
    assert store.enqueue_pushes([push(1, "a", 2), push(1, "b", 1)]) == 1   # a:2 was sent; b:1 never was
    store.close()


def test_a_damaged_last_digests_record_is_named_with_its_file(tmp_path):
    write_atomically(tmp_path / "deliveries.json", [json.dumps({"last_digests": {"7": {"sent": "oops"}}}) + "\n"],
                     sealed=True)
    with pytest.raises(StoreError, match=r"deliveries.json: record '7' is not a valid chat's last digests"):
        TinyStore(tmp_path)


def test_a_record_written_before_a_field_existed_takes_that_fields_default_and_unknown_keys_are_ignored():
    assert subscriber_from_doc({"chat_id": 5, "language": "es", "added_later": 1}) == Subscriber(chat_id=5,
                                                                                                language="es")
    full = subscriber_to_doc(Subscriber(chat_id=6, themes=("oas",), timezone="Europe/Madrid"))
    assert subscriber_from_doc({**full, "added_later": 1}) == Subscriber(chat_id=6, themes=("oas",),
                                                                         timezone="Europe/Madrid")
