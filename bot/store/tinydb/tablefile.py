"""A table file's JSON read one record at a time, each record handed to its table's decoder
as soon as it is parsed: the documents of a 100k-record table never all exist at once
beside the models made of them (`json.loads` of the whole file, then decoding, held both:
150 MB more at the peak of opening a 20k-article, 100k-subscriber store).

The text is the same JSON `json.loads` reads (`{"table": {"key": {...}, ...}, ...}`, any
spacing); tables without a decoder are read whole. Malformed text raises
`json.JSONDecodeError`; a table or record that is not an object raises `TableShapeError`.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, Mapping

logger = logging.getLogger(__name__)

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
RecordHook = Callable[[str, Any], Any]    # (key, document: an object or an array) -> what the table keeps


class TableShapeError(ValueError):
    """Valid JSON, but not an object of tables of objects."""


class WholeTable:
    """A hook for a table of small records (positional rows): the table is parsed in one call,
    then each record handed to `hook`. A record-by-record scan costs a few Python calls per record
    (0.15 s over 100k subscribers); what this holds at once (the table's rows) is small."""

    def __init__(self, hook: RecordHook):
        self.hook = hook


def parse_tables(text: str, hooks: Mapping[str, RecordHook | WholeTable]) -> dict[str, dict[str, Any]]:
    """The tables of one file; the records of a table in `hooks` become what its hook returns."""
    tables: dict[str, dict[str, Any]] = {}
    pos = _expect(text, _skip(text, 0), "{")
    if text.startswith("}", _skip(text, pos)):
        return _end(text, _skip(text, pos) + 1, tables)
    while True:
        name, pos = _key(text, pos)
        hook = hooks.get(name)
        if hook is None or isinstance(hook, WholeTable):
            table, pos = _DECODER.raw_decode(text, pos)
            if not isinstance(table, dict):
                raise TableShapeError("expected an object of tables")
            if isinstance(hook, WholeTable):
                table = _each(table, hook.hook)
        else:
            table, pos = _records(text, pos, hook)
        tables[name] = table
        pos = _skip(text, pos)
        if not text.startswith(",", pos):
            return _end(text, _expect(text, pos, "}"), tables)
        pos += 1


_MEMBER = re.compile(r'[ \t\n\r]*"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*')   # "key": (one match)
_AFTER = re.compile(r"[ \t\n\r]*([,}])")


def _records(text: str, pos: int, hook: RecordHook) -> tuple[dict[str, Any], int]:
    """One table's records, each parsed and handed to `hook` (the hot loop: a few calls per record)."""
    records: dict[str, Any] = {}
    pos = _expect(text, pos, "{")
    if text.startswith("}", _skip(text, pos)):
        return records, _skip(text, pos) + 1
    member, after, scan = _MEMBER.match, _AFTER.match, _DECODER.raw_decode
    while True:
        found = member(text, pos)
        if found is None:
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
        key = found.group(1)
        if "\\" in key:
            key = json.loads(f'"{key}"')
        doc, pos = scan(text, found.end())
        if type(doc) is not dict and type(doc) is not list:   # an object, or a positional row
            raise TableShapeError("a record is neither an object nor an array")
        records[key] = hook(key, doc)
        ended = after(text, pos)
        if ended is None:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        pos = ended.end()
        if ended.group(1) == "}":
            return records, pos


def _each(table: dict[str, Any], hook: RecordHook) -> dict[str, Any]:
    for key, doc in table.items():
        if type(doc) is not dict and type(doc) is not list:
            raise TableShapeError("a record is neither an object nor an array")
        table[key] = hook(key, doc)
    return table


def _key(text: str, pos: int) -> tuple[str, int]:
    """A member's key and the position of its value."""
    pos = _skip(text, pos)
    if not text.startswith('"', pos):
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    key, pos = _DECODER.raw_decode(text, pos)
    return key, _skip(text, _expect(text, _skip(text, pos), ":"))


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _expect(text: str, pos: int, char: str) -> int:
    if not text.startswith(char, pos):
        raise json.JSONDecodeError(f"Expecting {char!r}", text, pos)
    return pos + 1


def _end(text: str, pos: int, tables: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if _skip(text, pos) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, pos))
    return tables
