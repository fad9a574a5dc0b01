"""TinyStore on real files in tmp_path: round trips, durability, the outbox, the due index."""
from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.models import Article, KeyPoint, Push, Subscriber
from bot.store.tinydb.store import TinyStore
from bot.store.api import SCHEMA_VERSION
from bot.store.tinydb.files import table_json, write_atomically
from bot.store.codec import article_from_doc, article_to_doc, subscriber_from_doc, subscriber_to_doc

finite = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=40)
articles = st.builds(
    Article, id=texts, path=texts, content_hash=texts, title=texts, body=texts, language=st.sampled_from(["en", "es"]),
    key_points=st.lists(st.builds(KeyPoint, texts, finite, texts), max_size=5).map(tuple),
    themes=st.lists(st.tuples(texts, finite), max_size=4).map(tuple),
    published=texts, outlet=texts, author=texts, url=texts,
    foreign_passages=st.lists(texts, max_size=3).map(tuple), notes=st.lists(texts, max_size=3).map(tuple),
    first_seen=finite, updated_at=finite, is_retired=st.booleans())
subscribers = st.builds(
    Subscriber, chat_id=st.integers(-(10**13), 10**13), themes=st.lists(texts, max_size=4).map(tuple),
    language=texts, timezone=texts, time_of_day=texts, frequency=texts, weekday=st.integers(0, 6),
    quiet_start=texts, quiet_end=texts, chat_type=texts, thread_id=st.none() | st.integers(0, 10**9),
    is_active=st.booleans(), last_digest_at=finite, next_due_at=finite | st.just(math.inf), created_at=finite)


def article(article_id: str = "a1", **changes) -> Article:
    base = Article(id=article_id, path=f"{article_id}.txt", content_hash="h1", title="Lima Group meets",
                   body="The Lima Group met.", language="en",
                   key_points=(KeyPoint("The Lima Group met.", 0.9, "lead"),), themes=(("lima_group", 0.8),))
    return replace(base, **changes)


def push(chat_id: int, key: str = "d1", part: int = 0, **changes) -> Push:
    base = Push(id=f"{chat_id}:{key}:{part}", chat_id=chat_id, text=f"<b>digest {key}</b>", digest_key=key,
                part=part, created_at=100.0 + part)
    return replace(base, **changes)


@pytest.fixture
def store(tmp_path):
    opened = TinyStore(tmp_path / "data")
    yield opened
    opened.close()


def reopen(store: TinyStore) -> TinyStore:
    store.close()
    return TinyStore(store.data_dir)


# -- serialization -----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(articles)
def test_article_documents_round_trip_through_json_exactly(value):
    assert article_from_doc(json.loads(json.dumps(article_to_doc(value)))) == value


@settings(max_examples=150, deadline=None)
@given(subscribers)
def test_subscriber_documents_round_trip_through_json_exactly(value):
    assert subscriber_from_doc(json.loads(json.dumps(subscriber_to_doc(value)))) == value


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(articles, max_size=4), st.lists(subscribers, max_size=4))
def test_saved_articles_and_subscribers_read_back_equal_after_reopen(tmp_path_factory, saved_articles, saved_subs):
    data_dir = tmp_path_factory.mktemp("rt")
    with_ids = [replace(a, id=f"id{i}") for i, a in enumerate(saved_articles)]
    first = TinyStore(data_dir)
    first.save_articles(with_ids)
    first.save_subscribers(saved_subs)
    second = reopen(first)
    assert second.all_articles(include_retired=True) == with_ids
    expected = {s.chat_id: s for s in saved_subs}
    assert {s.chat_id: s for s in second.all_subscribers(active_only=False)} == expected
    second.close()


# -- opening -------------------------------------------------------------------------


def test_a_fresh_store_records_the_schema_version(store):
    assert store.get_meta("schema_version") == SCHEMA_VERSION
    assert table_json(store.data_dir / "meta.json")["meta"]["schema_version"]["value"] == SCHEMA_VERSION


def test_a_store_written_by_a_newer_schema_refuses_to_open_with_advice(store):
    store.set_meta("schema_version", SCHEMA_VERSION + 1)
    store.close()
    with pytest.raises(StoreError, match="newer.*upgrade the bot"):
        TinyStore(store.data_dir)


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


def test_a_closed_store_refuses_further_use(store):
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.all_articles()


# -- articles ------------------------------------------------------------------------


def test_saving_an_article_again_replaces_it_by_id(store):
    store.save_articles([article(), article("a2")])
    store.save_articles([article(title="New title")])
    store = reopen(store)
    assert [a.title for a in store.all_articles()] == ["New title", "Lima Group meets"]


def test_retired_articles_are_hidden_but_kept(store):
    store.save_articles([article(), article("a2")])
    store.retire_articles(["a1", "missing"])
    store = reopen(store)
    assert [a.id for a in store.all_articles()] == ["a2"]
    assert store.get_article("a1").is_retired
    assert len(store.all_articles(include_retired=True)) == 2


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


def test_due_subscribers_are_active_ones_due_by_now_earliest_first(store):
    store.save_subscribers([Subscriber(chat_id=1, next_due_at=30.0), Subscriber(chat_id=2, next_due_at=10.0),
                            Subscriber(chat_id=3, next_due_at=20.0, is_active=False),
                            Subscriber(chat_id=4, next_due_at=99.0), Subscriber(chat_id=5, next_due_at=math.inf)])
    assert [s.chat_id for s in store.due_subscribers(50.0)] == [2, 1]
    assert [s.chat_id for s in store.due_subscribers(50.0, limit=1)] == [2]


def test_the_due_index_follows_every_save_and_survives_reopen(store):
    store.save_subscriber(Subscriber(chat_id=1, next_due_at=10.0))
    store.save_subscriber(Subscriber(chat_id=1, next_due_at=500.0))
    store.save_subscriber(Subscriber(chat_id=2, next_due_at=20.0, is_active=False))
    assert store.due_subscribers(100.0) == []
    store.save_subscriber(Subscriber(chat_id=2, next_due_at=20.0))
    store = reopen(store)
    assert [s.chat_id for s in store.due_subscribers(1000.0)] == [2, 1]


def test_the_due_index_agrees_with_a_full_scan_after_large_and_small_batches(store):
    store.save_subscribers([Subscriber(chat_id=i, next_due_at=float(i % 97)) for i in range(1000)])
    store.save_subscribers([Subscriber(chat_id=i, next_due_at=float(i % 13), is_active=i % 3 > 0)
                            for i in range(0, 1000, 7)])
    expected = sorted((s.next_due_at, s.chat_id) for s in store.all_subscribers() if s.next_due_at <= 40.0)
    assert [(s.next_due_at, s.chat_id) for s in store.due_subscribers(40.0, limit=10_000)] == expected


def test_due_subscribers_at_100k_subscribers_answers_in_well_under_a_millisecond(store):
    from bot.store.tinydb.store import DueIndex
    index = DueIndex(Subscriber(chat_id=i, next_due_at=float(i)) for i in range(100_000))
    started = time.perf_counter()
    for _ in range(100):
        due = index.due(5000.0, 100)
    assert len(due) == 100
    assert (time.perf_counter() - started) / 100 < 0.001


def test_a_migrated_group_keeps_its_subscription_and_pending_pushes(store):
    store.save_subscriber(Subscriber(chat_id=-5, chat_type="group", themes=("castillo",), next_due_at=5.0))
    store.enqueue_pushes([push(-5), push(-5, part=1), push(8)])
    store.move_subscriber(-5, -1005)
    store = reopen(store)
    assert store.get_subscriber(-5) is None
    moved = store.get_subscriber(-1005)
    assert (moved.themes, moved.chat_type) == (("castillo",), "supergroup")
    assert [s.chat_id for s in store.due_subscribers(10.0)] == [-1005]
    assert sorted(p.id for p in store.pending_pushes(1e9, 10)) == ["-1005:d1:0", "-1005:d1:1", "8:d1:0"]


# -- the outbox ----------------------------------------------------------------------


def test_enqueueing_the_same_digest_twice_never_duplicates_it(store):
    assert store.enqueue_pushes([push(1), push(2)]) == 2
    assert store.enqueue_pushes([push(1), push(2), push(3)]) == 1
    assert store.push_counts()["pending"] == 3


def test_a_sent_push_is_never_enqueued_again(store):
    store.enqueue_pushes([push(1)])
    store.update_pushes([replace(push(1), status="sent")])
    assert store.enqueue_pushes([push(1)]) == 0
    store = reopen(store)
    assert store.enqueue_pushes([push(1)]) == 0
    assert store.push_counts() == {"pending": 0, "sent": 1, "failed": 0, "dropped": 0}


def test_pending_pushes_are_ready_ones_oldest_first(store):
    store.enqueue_pushes([push(1, created_at=300.0), push(2, created_at=100.0),
                          push(3, created_at=200.0, not_before=1000.0)])
    assert [p.chat_id for p in store.pending_pushes(500.0, 10)] == [2, 1]
    assert [p.chat_id for p in store.pending_pushes(2000.0, 2)] == [2, 3]


def test_sent_pushes_move_to_compact_deliveries_and_leave_the_outbox(store):
    store.enqueue_pushes([push(1), push(2)])
    store.update_pushes([replace(push(1), status="sent"), replace(push(2), attempts=1, not_before=999.0)])
    store = reopen(store)
    outbox = table_json(store.data_dir / "outbox.json")["outbox"]
    deliveries = table_json(store.data_dir / "deliveries.json")
    assert list(outbox) == ["2:d1:0"] and outbox["2:d1:0"]["attempts"] == 1
    assert deliveries["last_digests"] == {"1": {"sent": [["d1", [0], deliveries["last_digests"]["1"]["sent"][0][2]]]}}
    assert sum(doc["count"] for doc in deliveries["days"].values()) == 1
    assert store.pending_pushes(1000.0, 5)[0].text == "<b>digest d1</b>"


def test_identical_push_texts_are_stored_once(store):
    store.enqueue_pushes([push(chat_id) for chat_id in range(20)])
    texts = table_json(store.data_dir / "push_texts.json")["push_texts"]
    assert len(texts) == 1


def test_dropping_a_chats_pushes_keeps_others_and_counts(store):
    store.enqueue_pushes([push(1), push(1, part=1), push(2)])
    assert store.drop_pushes_for(1, "blocked the bot") == 2
    store = reopen(store)
    assert [p.chat_id for p in store.pending_pushes(1e9, 10)] == [2]
    assert store.push_counts() == {"pending": 1, "sent": 0, "failed": 0, "dropped": 2}


def test_a_push_recorded_as_delivered_but_still_in_the_outbox_is_not_sent_again(store):
    store.enqueue_pushes([push(1)])
    outbox_before = (store.data_dir / "outbox.json").read_text()
    store.update_pushes([replace(push(1), status="sent")])
    store.close()
    (store.data_dir / "outbox.json").write_text(outbox_before)   # as if killed between the two writes
    store = TinyStore(store.data_dir)
    assert store.pending_pushes(1e9, 10) == []
    assert store.push_counts()["sent"] == 1


def test_messages_sent_before_the_retention_are_not_counted_as_sent(tmp_path):
    now = [1000.0]
    store = TinyStore(tmp_path, clock=lambda: now[0], delivery_retention=14 * 86400.0)
    store.enqueue_pushes([push(1), push(2)])
    store.update_pushes([replace(push(1), status="sent")])
    now[0] = 1000.0 + 20 * 86400
    store.update_pushes([replace(push(2), status="sent")])
    assert store.push_counts()["sent"] == 1
    store.close()


def test_a_chat_keeps_its_last_few_digests_not_every_push_and_none_is_sent_twice(store):
    for day in range(20):
        store.enqueue_pushes([push(1, f"day{day}", part) for part in range(2)])
        store.update_pushes([push(1, f"day{day}", part, status="sent") for part in range(2)])
    store = reopen(store)
    kept = table_json(store.data_dir / "deliveries.json")["last_digests"]["1"]["sent"]
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
    assert [key for key, _, _ in tables["last_digests"]["1"]["sent"]] == ["c", "d", "e", "f"]
    assert sorted(doc["count"] for doc in tables["days"].values()) == [2] * 6


def test_an_unknown_push_status_is_refused(store):
    with pytest.raises(StoreError, match="unknown status"):
        store.enqueue_pushes([push(1, status="queued")])


def test_a_batch_update_of_50_at_10000_pending_pushes_is_well_under_100_ms(store):
    text = "<b>Lima Group</b> — noticias " * 100
    store.enqueue_pushes([push(i, text=f"{text}{i % 40}", created_at=float(i)) for i in range(10_000)])
    timings = []
    for _ in range(3):
        batch = store.pending_pushes(1e9, 50)
        started = time.perf_counter()
        store.update_pushes([replace(p, status="sent") if p.chat_id % 2 else replace(p, attempts=1, not_before=2e9)
                             for p in batch])
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1, timings


# -- meta and threads ------------------------------------------------------------------


def test_meta_values_come_back_as_json_after_reopen(store):
    store.set_meta("preview", {"lima_group": [1, 2]})
    assert store.get_meta("missing", "dflt") == "dflt"
    store = reopen(store)
    assert store.get_meta("preview") == {"lima_group": [1, 2]}
    with pytest.raises(StoreError, match="not JSON"):
        store.set_meta("bad", object())


def test_two_threads_writing_at_once_lose_nothing(store):
    def save_articles(prefix):
        for i in range(30):
            store.save_articles([article(f"{prefix}{i}")])

    def save_subscribers(offset):
        for i in range(30):
            store.save_subscriber(Subscriber(chat_id=offset + i, next_due_at=float(i)))

    threads = [threading.Thread(target=save_articles, args=("t",)),
               threading.Thread(target=save_subscribers, args=(1000,)),
               threading.Thread(target=store.enqueue_pushes, args=([push(i) for i in range(30)],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = reopen(store)
    assert len(store.all_articles()) == 30 and len(store.all_subscribers()) == 30
    assert store.push_counts()["pending"] == 30
