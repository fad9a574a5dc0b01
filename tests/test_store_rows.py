"""Subscribers stored as positional rows (schema 4), and stores written before it folded in.

Real TinyDB files in tmp_path; the named documents of schema 3 are written the way that
version wrote them (`subscriber_to_doc`, one JSON object per record)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.models import Subscriber
from bot.store.api import SCHEMA_VERSION
from bot.store.codec import SUBSCRIBER_ROW, subscriber_from_row, subscriber_row, subscriber_to_doc, subscriber_to_row
from bot.store.tinydb.journal import Journal, encode_entry
from bot.store.tinydb.journal import encode_record
from bot.store.tinydb.sealed import table_json, write_atomically
from bot.store.tinydb.store import TinyStore
from tests.test_store_contract import subscribers

PAUSED = Subscriber(chat_id=-100, themes=("oas", "venezuela"), language="es", timezone="Europe/Madrid",
                    time_of_day="07:30", frequency="weekly", weekday=4, quiet_start="22:00", quiet_end="07:00",
                    chat_type="supergroup", thread_id=12, is_active=False, last_digest_at=10.5, next_due_at=11.0,
                    created_at=1.0, paused_at=9.0, paused_reason="Forbidden: bot was blocked")


@settings(max_examples=150, deadline=None)
@given(subscribers)
def test_subscriber_rows_round_trip_through_json_exactly(value):
    assert subscriber_from_row(json.loads(json.dumps(subscriber_to_row(value)))) == value


# any value in any field, the defaults (a row's tail is left out) and their look-alikes often (0 for 0.0,
# False for 0, 1 for True: kept); themes any iterable
look_alikes = st.sampled_from([0, 0.0, -0.0, False, True, 1, "", None, "private", "daily", "en", float("nan"),
                               float("inf")])
texts = st.text(max_size=6)
odd_values = look_alikes | st.integers() | st.floats() | texts | st.lists(texts, max_size=2)
odd_themes = st.sampled_from([(), []]) | st.lists(texts, max_size=3) | st.lists(texts, max_size=3).map(tuple) | texts
odd_subscribers = st.fixed_dictionaries({
    name: st.just(getattr(Subscriber(chat_id=0), name)) | (odd_themes if name == "themes" else odd_values)
    for name in SUBSCRIBER_ROW}).map(lambda values: Subscriber(**values))


@settings(max_examples=800, deadline=None)
@given(subscribers | odd_subscribers)
def test_the_fast_row_encodes_byte_for_byte_as_the_row(value):
    assert encode_record("7", subscriber_row(value)) == encode_record("7", subscriber_to_row(value))


record_keys = st.text(max_size=8) | st.integers().map(str) | st.text("Az09_.:-\"\\ é\n", max_size=8)


@settings(max_examples=400, deadline=None)
@given(record_keys, odd_values)
def test_a_record_encodes_as_its_key_and_document_each_encoded(key, doc):
    assert encode_record(key, doc) == f"{json.dumps(key)}: {json.dumps(doc)}"


def test_a_row_leaves_out_trailing_defaults_but_never_a_value_that_only_equals_one():
    assert subscriber_to_row(Subscriber(chat_id=5)) == [5]
    assert subscriber_to_row(Subscriber(chat_id=5, themes=("oas",), paused_reason="gone"))[-1] == "gone"
    assert len(subscriber_to_row(PAUSED)) == len(SUBSCRIBER_ROW)
    kept = subscriber_to_row(Subscriber(chat_id=5, next_due_at=float("inf")))
    assert kept[SUBSCRIBER_ROW.index("next_due_at")] == float("inf") and len(kept) == 8


def test_a_short_row_takes_the_defaults_and_values_past_the_known_fields_are_ignored():
    assert subscriber_from_row([5, ["oas"]]) == Subscriber(chat_id=5, themes=("oas",))
    assert subscriber_from_row(subscriber_to_row(PAUSED) + ["added later"]) == PAUSED


def test_rows_share_their_repeated_strings():
    one, two = (subscriber_from_row(json.loads(json.dumps(subscriber_to_row(PAUSED)))) for _ in range(2))
    assert one.timezone is two.timezone and one.themes is two.themes and one.chat_type is two.chat_type


@pytest.mark.parametrize("row, problem", [
    ([], "record '7' is not a valid subscriber .*missing field"), ([7, 3], "record '7' is not a valid subscriber"),
    ("7", "is not a TinyDB file .*neither an object nor an array")])
def test_a_malformed_row_is_named_with_its_file(tmp_path, row, problem):
    write_atomically(tmp_path / "subscribers.json", [json.dumps({"subscribers": {"7": row}}) + "\n"], sealed=True)
    with pytest.raises(StoreError, match=rf"subscribers.json:? {problem}"):
        TinyStore(tmp_path)


def test_the_subscribers_file_holds_rows(tmp_path):
    store = TinyStore(tmp_path)
    store.save_subscribers([PAUSED, Subscriber(chat_id=8)])
    store.close()
    assert table_json(tmp_path / "subscribers.json")["subscribers"] == {
        "-100": json.loads(json.dumps(subscriber_to_row(PAUSED))), "8": [8]}


def _schema_3_store(path, in_file, in_journal):
    """A data directory as schema 3 left it: named documents in the file and in the journal."""
    path.mkdir()
    write_atomically(path / "meta.json", [json.dumps({"meta": {"schema_version": {"value": 3}}}) + "\n"], sealed=True)
    write_atomically(path / "subscribers.json", [json.dumps(
        {"subscribers": {str(s.chat_id): subscriber_to_doc(s) for s in in_file}}) + "\n"], sealed=True)
    journal = Journal(path / "subscribers.json")
    journal.append(encode_entry({"subscribers": (
        [encode_record(str(s.chat_id), subscriber_to_doc(s)) for s in in_journal], [])}), len(in_journal))
    journal.close()


def test_a_schema_3_store_opens_with_its_subscribers_and_is_folded_into_rows(tmp_path):
    data = tmp_path / "data"
    _schema_3_store(data, [PAUSED, Subscriber(chat_id=1, themes=("oas",))], [Subscriber(chat_id=2)])
    store = TinyStore(data)
    assert {s.chat_id: s for s in store.all_subscribers(active_only=False)} == {
        -100: PAUSED, 1: Subscriber(chat_id=1, themes=("oas",)), 2: Subscriber(chat_id=2)}
    assert store.get_meta("schema_version") == SCHEMA_VERSION == 5
    store.save_subscribers([Subscriber(chat_id=3)])   # the first write rewrites the older file as rows
    rows = table_json(data / "subscribers.json")["subscribers"]
    assert rows["1"] == [1, ["oas"]] and rows["2"] == [2] and rows["3"] == [3]
    store.close()
    reopened = TinyStore(data)
    assert len(reopened.all_subscribers(active_only=False)) == 4
    reopened.close()


def test_a_schema_3_store_left_unwritten_is_folded_in_when_closed(tmp_path):
    data = tmp_path / "data"
    _schema_3_store(data, [PAUSED], [])
    TinyStore(data).close()
    assert table_json(data / "subscribers.json")["subscribers"] == {
        "-100": json.loads(json.dumps(subscriber_to_row(PAUSED)))}


@pytest.mark.parametrize("name, table, record", [("deliveries.json", "last_digests", ["sent"]),
                                                  ("articles.json", "articles", ["a1"])])
def test_an_array_where_a_table_keeps_objects_is_named_with_its_file(tmp_path, name, table, record):
    write_atomically(tmp_path / name, [json.dumps({table: {"7": record}}) + "\n"], sealed=True)
    with pytest.raises(StoreError, match=rf"{name}: record '7' is not a valid"):
        TinyStore(tmp_path)
