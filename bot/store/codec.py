"""Models <-> plain JSON documents, exactly (decode(encode(x)) == x).

Tuples become lists, KeyPoints become [text, score, why], themes become
[command, score] pairs. Unknown keys (written by a later minor version) are
ignored; a missing required field raises KeyError or TypeError, which the store
reports naming the file and record.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import MISSING, fields
from functools import lru_cache
from itertools import repeat
from operator import attrgetter, call
from typing import Any, Generic, Iterable, TypeVar, cast

from bot.errors import StoreError
from bot.models import Article, KeyPoint, Push, Subscriber

_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))       # tuples: stable key order on disk
_SUBSCRIBER_FIELDS = tuple(f.name for f in fields(Subscriber))
_PUSH_FIELDS = tuple(f.name for f in fields(Push))
STATUSES = ("pending", "sent", "failed", "dropped")   # a push's life; "sent" ones become delivery records


_PUSH_NAMES = frozenset(_PUSH_FIELDS)


def _known(doc: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return doc.copy() if names.issuperset(doc) else {key: value for key, value in doc.items() if key in names}


T = TypeVar("T")
_REQUIRED = object()


class _Builder(Generic[T]):
    """Makes a frozen, slotted dataclass from a document's values, fast: each slot set once, not
    through the generated __init__ (object.__setattr__ per field: 3x slower over 100k records).
    A field missing from the values takes its default (a required one raises KeyError); unknown
    keys are ignored; the strings of `shared` fields are interned (a time zone is held once)."""

    def __init__(self, cls: type[T], shared: tuple[str, ...] = ()):
        assert "__slots__" in vars(cls), f"{cls.__name__} must be a slotted dataclass"
        declared = fields(cast(Any, cls))
        assert all(f.default_factory is MISSING for f in declared), f"{cls.__name__}: plain defaults only"
        self._cls = cls
        self._spec = tuple((f.name, getattr(cls, f.name).__set__, _REQUIRED if f.default is MISSING else f.default,
                            f.name in shared) for f in declared)
        self._names = tuple(f.name for f in declared)
        self._setters = tuple(getattr(cls, f.name).__set__ for f in declared)
        self._name_set = frozenset(self._names)
        self._shared = shared

    def __call__(self, values: dict[str, Any]) -> T:
        """`values` is the caller's own dict (its shared strings are interned in place)."""
        built = object.__new__(self._cls)
        if values.keys() >= self._name_set:   # every field stored (the usual case): one pass, no defaults
            for name in self._shared:
                if type(values[name]) is str:
                    values[name] = sys.intern(values[name])
            for set_slot, value in zip(self._setters, map(values.__getitem__, self._names)):
                set_slot(built, value)
            return built
        for name, set_slot, default, shared in self._spec:
            if name in values:
                value = values[name]
                if shared and type(value) is str:
                    value = sys.intern(value)
            elif default is _REQUIRED:
                raise KeyError(f"missing field {name!r}")
            else:
                value = default
            set_slot(built, value)
        return built


_build_article = _Builder(Article, ("language", "outlet", "published", "source", "author"))   # few distinct values
_build_subscriber = _Builder(Subscriber, ("language", "timezone", "time_of_day", "frequency", "quiet_start",
                                          "quiet_end", "chat_type"))


def _shared_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object per distinct list of theme commands (100k subscribers share a few hundred)."""
    try:
        return _names_once(names)
    except TypeError:   # an unhashable item: kept as it is
        return names


@lru_cache(maxsize=4096)
def _names_once(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_intern(name) for name in names)


def article_to_doc(article: Article) -> dict[str, Any]:
    doc = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    doc["key_points"] = [[p.text, p.score, p.why] for p in article.key_points]
    doc["themes"] = [[command, score] for command, score in article.themes]
    doc["foreign_passages"] = list(article.foreign_passages)
    doc["notes"] = list(article.notes)
    return doc


def article_from_doc(doc: dict[str, Any]) -> Article:
    return _build_article({
        **doc, "key_points": tuple(KeyPoint(*point) for point in doc.get("key_points", ())),
        "themes": tuple((_intern(command), score) for command, score in doc.get("themes", ())),
        "foreign_passages": tuple(doc.get("foreign_passages", ())), "notes": tuple(doc.get("notes", ()))})


def _intern(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def subscriber_to_doc(subscriber: Subscriber) -> dict[str, Any]:
    doc = {name: getattr(subscriber, name) for name in _SUBSCRIBER_FIELDS}
    doc["themes"] = list(subscriber.themes)
    return doc


def subscriber_from_doc(doc: dict[str, Any]) -> Subscriber:
    return _build_subscriber({**doc, "themes": _shared_names(tuple(doc.get("themes", ())))})


# A subscriber as one positional row (TinyDB's subscribers.json since schema 4): the fields in
# this order, the often-set first, trailing default values left out. 100k subscribers: 16 MB of
# JSON instead of 41 MB (17 names per record), decoded in a third of the time. A later version
# adds fields at the end only; values past the known fields are ignored.
SUBSCRIBER_ROW = ("chat_id", "themes", "language", "timezone", "time_of_day", "frequency", "last_digest_at",
                  "next_due_at", "created_at", "is_active", "weekday", "chat_type", "quiet_start", "quiet_end",
                  "thread_id", "paused_at", "paused_reason")
assert sorted(SUBSCRIBER_ROW) == sorted(_SUBSCRIBER_FIELDS), "every Subscriber field has its place in a row"
_ROW_DEFAULTS = tuple(_REQUIRED if f.default is MISSING else f.default
                      for f in sorted(fields(Subscriber), key=lambda f: SUBSCRIBER_ROW.index(f.name)))
_ROW_SETTERS = tuple(getattr(Subscriber, name).__set__ for name in SUBSCRIBER_ROW)
_ROW_TAILS = tuple(list(_ROW_DEFAULTS[size:]) for size in range(len(SUBSCRIBER_ROW) + 1))   # what a short row lacks
_ROW_SHARED = (slice(2, 6), slice(11, 14))   # language .. frequency, chat_type .. quiet_end: interned
_STORED_DEFAULTS = (_REQUIRED, [], *_ROW_DEFAULTS[2:])   # themes are stored as a list


def subscriber_to_row(subscriber: Subscriber) -> list[Any]:
    row = [getattr(subscriber, name) for name in SUBSCRIBER_ROW]
    row[1] = list(subscriber.themes)
    while len(row) > 1 and _is_default(row[-1], _STORED_DEFAULTS[len(row) - 1]):
        row.pop()
    return row


_ROW_VALUES = attrgetter(*SUBSCRIBER_ROW)
_TAIL = SUBSCRIBER_ROW.index("is_active")   # the fields from here on hold their defaults in most rows
_TAIL_DEFAULTS = _STORED_DEFAULTS[_TAIL:]
_TAIL_TYPES = tuple(map(type, _TAIL_DEFAULTS))


def subscriber_row(subscriber: Subscriber) -> tuple[Any, ...]:
    """`subscriber_to_row` as a tuple (its themes a tuple): the same JSON array, made in a third of the
    time (the due pass encodes every subscriber it advances, and a rewrite every row)."""
    values = _ROW_VALUES(subscriber)
    if type(values[1]) is not tuple:
        values = (values[0], tuple(values[1]), *values[2:])
    size = len(values)
    tail = values[_TAIL:]
    if tail == _TAIL_DEFAULTS and tuple(map(type, tail)) == _TAIL_TYPES:   # all defaults: one comparison
        size = _TAIL
    while size > 2 and _is_default(values[size - 1], _STORED_DEFAULTS[size - 1]):
        size -= 1
    if size == 2 and not values[1]:   # no themes (stored as [], the default)
        size = 1
    return values[:size]


def _is_default(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default   # never True for 0 against 0.0 or False


def subscriber_from_row(row: list[Any] | dict[str, Any]) -> Subscriber:
    """A subscriber from its row, or from a named document (a store written before schema 4).

    The hot loop of opening a store (100k rows): each slot set through `map` (C), not a Python loop."""
    if type(row) is not list:
        if type(row) is dict:
            return subscriber_from_doc(row)
        raise TypeError("a subscriber is stored as an array")
    size = len(row)
    if not size:
        raise KeyError("missing field 'chat_id'")
    values = row + _ROW_TAILS[size] if size < len(SUBSCRIBER_ROW) else row[:len(SUBSCRIBER_ROW)]
    for shared in _ROW_SHARED:
        try:
            values[shared] = map(sys.intern, values[shared])
        except TypeError:   # not a string (a hand-edited file): kept as it is
            values[shared] = map(_intern, values[shared])
    values[1] = _shared_names(tuple(values[1]))
    built = object.__new__(Subscriber)
    any(map(call, _ROW_SETTERS, repeat(built), values))
    return built


def text_key(text: str) -> str:
    """The key a push text is stored under (identical texts are stored once)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def push_to_doc(push: Push, key: str) -> dict[str, Any]:
    """The push's state without its text; the text is stored once under `key` (its `text_key`)."""
    doc = {name: getattr(push, name) for name in _PUSH_FIELDS if name != "text"}
    doc["text_key"] = key
    return doc


def push_from_doc(doc: dict[str, Any], text: str) -> Push:
    values = _known(doc, _PUSH_NAMES)
    values["text"] = text
    return Push(**values)


def delivery_doc(push: Push, sent_at: float) -> dict[str, Any]:
    return {"id": push.id, "chat_id": push.chat_id, "digest_key": push.digest_key, "sent_at": sent_at}


def check_statuses(pushes: Iterable[Push]) -> None:
    for push in pushes:
        if push.status not in STATUSES:
            raise StoreError(f"push {push.id!r} has unknown status {push.status!r} (use one of {', '.join(STATUSES)})")
