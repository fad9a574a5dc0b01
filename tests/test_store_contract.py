"""The Store protocol, on every backend: TinyDB files in tmp_path and a real PostgreSQL server.

Each test runs once per backend (`store` is parametrised); what only one backend
has (TinyDB's files and journal, PostgreSQL's migrations) is tested in
test_store.py and test_store_postgres.py.
"""
from __future__ import annotations

import json
import math
import threading
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.models import Article, KeyPoint, OutgoingDigest, Push, Subscriber
from bot.store.api import SCHEMA_VERSION
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


class Backend:
    """Opens (and re-opens) one backend's store at one place."""

    def __init__(self, name: str, where):
        self.name, self.where = name, where
        self._fresh = 0

    def fresh(self) -> "Backend":
        """An empty place of the same kind (a new folder; the database emptied)."""
        self._fresh += 1
        if self.name == "tinydb":
            return Backend("tinydb", self.where.parent / f"{self.where.name}-{self._fresh}")
        from tests.support.postgres import reset_database
        return Backend("postgres", reset_database(self.where))

    def open(self, **options):
        if self.name == "tinydb":
            from bot.store.tinydb.store import TinyStore
            return TinyStore(self.where, **options)
        from bot.store.postgres.store import PgStore
        return PgStore(self.where, **options)


@pytest.fixture(params=["tinydb", "postgres"])
def backend(request, tmp_path) -> Backend:
    if request.param == "tinydb":
        return Backend("tinydb", tmp_path / "data")
    return Backend("postgres", request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(backend):
    opened = backend.open()
    yield opened
    opened.close()


def reopen(store, backend: Backend):
    store.close()
    return backend.open()


# -- round trips -------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(articles)
def test_article_documents_round_trip_through_json_exactly(value):
    assert article_from_doc(json.loads(json.dumps(article_to_doc(value)))) == value


@settings(max_examples=150, deadline=None)
@given(subscribers)
def test_subscriber_documents_round_trip_through_json_exactly(value):
    assert subscriber_from_doc(json.loads(json.dumps(subscriber_to_doc(value)))) == value


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(saved_articles=st.lists(articles, max_size=4), saved_subs=st.lists(subscribers, max_size=4))
def test_saved_articles_and_subscribers_read_back_equal_after_reopen(backend, saved_articles, saved_subs):
    place = backend.fresh()
    with_ids = [replace(a, id=f"id{i}") for i, a in enumerate(saved_articles)]
    first = place.open()
    first.save_articles(with_ids)
    first.save_subscribers(saved_subs)
    again = reopen(first, place)
    try:
        assert again.all_articles(include_retired=True) == with_ids
        assert {s.chat_id: s for s in again.all_subscribers(active_only=False)} == {s.chat_id: s for s in saved_subs}
    finally:
        again.close()


# -- opening -------------------------------------------------------------------------


def test_a_fresh_store_records_the_schema_version(store):
    assert store.get_meta("schema_version") == SCHEMA_VERSION


def test_a_store_written_by_a_newer_schema_refuses_to_open_with_advice(store, backend):
    store.set_meta("schema_version", SCHEMA_VERSION + 1)
    store.close()
    with pytest.raises(StoreError, match="newer.*upgrade the bot"):
        backend.open()


def test_a_closed_store_refuses_further_use(store):
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.all_articles()


# -- articles ------------------------------------------------------------------------


def test_saving_an_article_again_replaces_it_by_id(store, backend):
    store.save_articles([article(), article("a2")])
    store.save_articles([article(title="New title")])
    store = reopen(store, backend)
    assert [a.title for a in store.all_articles()] == ["New title", "Lima Group meets"]
    store.close()


def test_retired_articles_are_hidden_but_kept(store, backend):
    store.save_articles([article(), article("a2")])
    store.save_articles([article(is_retired=True)])
    store = reopen(store, backend)
    assert [a.id for a in store.all_articles()] == ["a2"]
    assert store.get_article("a1").is_retired
    assert len(store.all_articles(include_retired=True)) == 2
    store.close()


# -- subscribers and the due query ----------------------------------------------------------


def test_due_subscribers_are_active_ones_due_by_now_earliest_first(store):
    store.save_subscribers([Subscriber(chat_id=1, next_due_at=30.0), Subscriber(chat_id=2, next_due_at=10.0),
                            Subscriber(chat_id=3, next_due_at=20.0, is_active=False),
                            Subscriber(chat_id=4, next_due_at=99.0), Subscriber(chat_id=5, next_due_at=math.inf),
                            Subscriber(chat_id=6, next_due_at=math.nan)])
    assert [s.chat_id for s in store.due_subscribers(50.0)] == [2, 1]
    assert [s.chat_id for s in store.due_subscribers(50.0, limit=1)] == [2]
    assert [s.chat_id for s in store.due_subscribers(math.inf)] == [2, 1, 4]


def test_the_due_query_follows_every_save_and_survives_reopen(store, backend):
    store.save_subscriber(Subscriber(chat_id=1, next_due_at=10.0))
    store.save_subscriber(Subscriber(chat_id=1, next_due_at=500.0))
    store.save_subscriber(Subscriber(chat_id=2, next_due_at=20.0, is_active=False))
    assert store.due_subscribers(100.0) == []
    store.save_subscriber(Subscriber(chat_id=2, next_due_at=20.0))
    store = reopen(store, backend)
    assert [s.chat_id for s in store.due_subscribers(1000.0)] == [2, 1]
    store.close()


def test_the_due_query_agrees_with_a_full_scan_after_large_and_small_batches(store):
    store.save_subscribers([Subscriber(chat_id=i, next_due_at=float(i % 97)) for i in range(1000)])
    store.save_subscribers([Subscriber(chat_id=i, next_due_at=float(i % 13), is_active=i % 3 > 0)
                            for i in range(0, 1000, 7)])
    expected = sorted((s.next_due_at, s.chat_id) for s in store.all_subscribers() if s.next_due_at <= 40.0)
    assert [(s.next_due_at, s.chat_id) for s in store.due_subscribers(40.0, limit=10_000)] == expected


def test_a_migrated_group_keeps_its_subscription_pending_pushes_and_deliveries(store, backend):
    store.save_subscriber(Subscriber(chat_id=-5, chat_type="group", themes=("castillo",), next_due_at=5.0))
    store.enqueue_pushes([push(-5), push(-5, part=1), push(8), push(-5, key="old")])
    store.update_pushes([replace(push(-5, key="old"), status="sent")])
    store.move_subscriber(-5, -1005)
    store = reopen(store, backend)
    assert store.get_subscriber(-5) is None
    moved = store.get_subscriber(-1005)
    assert (moved.themes, moved.chat_type) == (("castillo",), "supergroup")
    assert [s.chat_id for s in store.due_subscribers(10.0)] == [-1005]
    assert sorted(p.id for p in store.pending_pushes(1e9, 10)) == ["-1005:d1:0", "-1005:d1:1", "8:d1:0"]
    assert store.enqueue_pushes([push(-1005, key="old")]) == 0
    store.close()


# -- the outbox ----------------------------------------------------------------------


def test_enqueueing_the_same_digest_twice_never_duplicates_it(store):
    assert store.enqueue_pushes([push(1), push(2), push(1)]) == 2
    assert store.enqueue_pushes([push(1), push(2), push(3)]) == 1
    assert store.push_counts()["pending"] == 3


def test_a_digest_enqueued_whole_is_its_pushes(store, backend):
    digest = OutgoingDigest(5, "d1", ("<b>one</b>", "two"), 7, 100.0, 0.0)
    assert store.enqueue_digests([digest, OutgoingDigest(6, "d1", ("x",), None, 90.0)]) == 3
    assert store.enqueue_digests([digest]) == store.enqueue_pushes(digest.pushes()) == 0
    store.update_pushes([replace(digest.pushes()[0], status="sent")])
    store = reopen(store, backend)
    assert store.pending_pushes(1e9, 10) == [Push("6:d1:0", 6, "x", "d1", 0, None, 90.0), digest.pushes()[1]]
    assert store.enqueue_digests([digest]) == 0
    assert store.push_counts() == {"pending": 2, "sent": 1, "failed": 0, "dropped": 0}
    store.close()


def test_a_sent_push_is_never_enqueued_again(store, backend):
    store.enqueue_pushes([push(1)])
    store.update_pushes([replace(push(1), status="sent")])
    assert store.enqueue_pushes([push(1)]) == 0
    store = reopen(store, backend)
    assert store.enqueue_pushes([push(1)]) == 0
    assert store.push_counts() == {"pending": 0, "sent": 1, "failed": 0, "dropped": 0}
    store.close()


def test_pending_pushes_are_ready_ones_oldest_first(store):
    store.enqueue_pushes([push(1, created_at=300.0), push(2, created_at=100.0),
                          push(3, created_at=200.0, not_before=1000.0)])
    assert [p.chat_id for p in store.pending_pushes(500.0, 10)] == [2, 1]
    assert [p.chat_id for p in store.pending_pushes(2000.0, 2)] == [2, 3]


def test_a_retried_push_keeps_its_text_and_state_after_reopen(store, backend):
    store.enqueue_pushes([push(1), push(2)])
    store.update_pushes([replace(push(1), status="sent"), replace(push(2), attempts=1, not_before=999.0,
                                                                    error="429: retry after 5s")])
    store = reopen(store, backend)
    assert store.pending_pushes(998.0, 5) == []
    assert store.pending_pushes(1000.0, 5) == [replace(push(2), attempts=1, not_before=999.0,
                                                       error="429: retry after 5s")]
    store.close()


def test_push_texts_with_any_character_come_back_exactly(store):
    text = "<b>Perú</b> \x00 \u2028 😀 'quotes' \"double\" \\ back"
    store.enqueue_pushes([push(1, text=text)])
    assert store.pending_pushes(1e9, 1)[0].text == text


def test_dropping_a_chats_pushes_keeps_others_and_counts(store, backend):
    store.enqueue_pushes([push(1), push(1, part=1), push(2)])
    assert store.drop_pushes_for(1, "blocked the bot") == 2
    store = reopen(store, backend)
    assert [p.chat_id for p in store.pending_pushes(1e9, 10)] == [2]
    assert store.push_counts() == {"pending": 1, "sent": 0, "failed": 0, "dropped": 2}
    store.close()


def test_updates_of_pushes_not_in_the_outbox_are_ignored(store):
    store.enqueue_pushes([push(1)])
    store.update_pushes([replace(push(1), status="sent"), replace(push(9), status="sent")])
    store.update_pushes([replace(push(1), status="failed")])
    assert store.push_counts() == {"pending": 0, "sent": 1, "failed": 0, "dropped": 0}


def test_messages_sent_before_the_retention_are_not_counted_as_sent(backend):
    now = [1000.0]
    store = backend.open(clock=lambda: now[0], delivery_retention=14 * 86400.0)
    store.enqueue_pushes([push(1), push(2)])
    store.update_pushes([replace(push(1), status="sent")])
    now[0] = 1000.0 + 20 * 86400
    store.update_pushes([replace(push(2), status="sent")])
    assert store.push_counts()["sent"] == 1
    store.close()


def test_an_unknown_push_status_is_refused(store):
    with pytest.raises(StoreError, match="unknown status"):
        store.enqueue_pushes([push(1, status="queued")])


# -- meta and threads ------------------------------------------------------------------


def test_meta_values_come_back_as_json_after_reopen(store, backend):
    store.set_meta("preview", {"lima_group": [1, 2]})
    assert store.get_meta("missing", "dflt") == "dflt"
    store = reopen(store, backend)
    assert store.get_meta("preview") == {"lima_group": [1, 2]}
    with pytest.raises(StoreError, match="not JSON"):
        store.set_meta("bad", object())
    store.close()


def test_two_threads_writing_at_once_lose_nothing(store, backend):
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
    store = reopen(store, backend)
    assert len(store.all_articles()) == 30 and len(store.all_subscribers()) == 30
    assert store.push_counts()["pending"] == 30
    store.close()
