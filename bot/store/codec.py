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
