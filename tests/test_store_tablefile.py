"""bot.store.tinydb.tablefile: a table file read record by record is exactly what json.loads reads."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.tinydb.tablefile import TableShapeError, WholeTable, parse_tables

keys = st.text(max_size=8)   # any text: quotes, backslashes, control characters, astral planes
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)
records = st.dictionaries(keys, st.dictionaries(keys, values, max_size=4), max_size=5)
files = st.dictionaries(keys, records, max_size=3)
layouts = st.sampled_from([{}, {"indent": 1}, {"separators": (",", ":")}, {"ensure_ascii": False},
                           {"indent": "\t", "ensure_ascii": False}])


def seen(key: str, doc: dict) -> tuple:
    return ("decoded", key, json.dumps(doc, sort_keys=True))


@settings(max_examples=300, deadline=None)
@given(files, layouts, st.data())
def test_record_by_record_reading_matches_json_loads_in_any_layout(tables, layout, data):
    text = json.dumps(tables, **layout)
    hooked = data.draw(st.sets(st.sampled_from(sorted(tables))) if tables else st.just(set()))
    parsed = parse_tables(text, {name: seen for name in hooked})
    assert parsed == {name: {key: seen(key, doc) for key, doc in table.items()} if name in hooked else table
                      for name, table in json.loads(text).items()}


@pytest.mark.parametrize("text", ['{"t": {"a": {"x": 1},}}', '{"t": {"a": {"x": 1}}', '{"t": {"a" {"x": 1}}}',
                                  '{"t": {a: {}}}', '{"t": {"a": {"x": 1}}} x', '', '{"t": {"a": {"x": 1}} "u": {}}'])
def test_malformed_text_is_a_json_error_like_json_loads(text):
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        parse_tables(text, {"t": seen})


@pytest.mark.parametrize("text", ['{"t": {"a": "x"}}', '{"t": {"a": 5}}', '{"u": [], "t": {}}'])
def test_a_table_that_is_not_an_object_or_a_record_neither_object_nor_array_is_named_as_such(text):
    with pytest.raises(TableShapeError):
        parse_tables(text, {"t": seen})


def test_a_duplicate_key_keeps_the_last_record_as_json_loads_does():
    text = '{"t": {"a": {"n": 1}, "a": {"n": 2}}}'
    assert parse_tables(text, {"t": lambda key, doc: doc}) == json.loads(text)


def test_a_record_may_be_a_positional_array():
    assert parse_tables('{"t": {"a": [1, "x"], "b": {"k": 2}}}', {"t": seen}) == {
        "t": {"a": ("decoded", "a", '[1, "x"]'), "b": ("decoded", "b", '{"k": 2}')}}


@pytest.mark.parametrize("hook", [seen, WholeTable(seen)])
def test_a_table_parsed_whole_hands_each_record_to_its_hook_like_one_read_record_by_record(hook):
    text = '{"t": {"a": [1, "x"], "b": {"k": 2}}, "u": {"c": {}}}'
    assert parse_tables(text, {"t": hook}) == {"t": {"a": ("decoded", "a", '[1, "x"]'),
                                                   "b": ("decoded", "b", '{"k": 2}')}, "u": {"c": {}}}
    with pytest.raises(TableShapeError):
        parse_tables('{"t": {"a": 5}}', {"t": hook})
