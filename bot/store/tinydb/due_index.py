"""`DueIndex`: active subscribers ordered by when their next digest is due, for the due pass.

Subscribers share a few due times (the slot of a schedule in a time zone: a due pass moves
100,000 of them from today's 08:00 to tomorrow's), so the index keeps a bucket of chat ids per
due time and the distinct times in a sorted list (`sortedcontainers.SortedList`). Moving a
subscriber is a set removal and a set insertion (~1 us; moving an entry of one sorted list of
(next_due_at, chat_id) was ~6 us: 0.6 s of a pass that advances 100,000). A bucket's ids are
sorted when `due` first reads it, and the ids that have left it since are skipped, so a pass
that takes a due bucket a chunk at a time sorts it once: O(n log n) in all (re-sorting the
whole index per chunk made it quadratic). At worst, every subscriber due at a time of its own,
a bucket each: slower to build and larger than one sorted list, never wrong.
"""
from __future__ import annotations

import math
from itertools import islice
from typing import Iterable

from sortedcontainers import SortedList

from bot.models import Subscriber


class _Bucket:
    """The chat ids due at one time; `order` their sorted list once read (ids that left are skipped)."""

    __slots__ = ("ids", "order", "start")

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.order: list[int] | None = None   # sorted ids, made by `first`; None once an id joins
        self.start = 0                        # order[:start] have all left

    def first(self, count: int) -> list[int]:
        """The `count` smallest ids (fewer when the bucket holds fewer)."""
        order, ids = self.order, self.ids
        if order is None:
            order = self.order = sorted(ids)
            self.start = 0
        start = self.start
        while order[start] not in ids:   # (a bucket is never empty, and holds no id missing from order)
            start += 1
        if start > len(order) // 2:
            del order[:start]
            start = 0
        self.start = start
        found = []
        for chat_id in islice(order, start, None):
            if chat_id in ids:
                found.append(chat_id)
                if len(found) == count:
                    break
        return found


class DueIndex:
    """Active subscribers by (next_due_at, chat_id), kept exact on every save."""

    def __init__(self, subscribers: Iterable[Subscriber] = ()):
        self._due_at: dict[int, float] = {}
        self._buckets: dict[float, _Bucket] = {}
        for subscriber in subscribers:
            self._add(subscriber.chat_id, _due_at(subscriber))
        self._times = SortedList(self._buckets)   # one sort at open

    def update(self, subscribers: Iterable[Subscriber]) -> None:
        due_at = self._due_at
        for subscriber in subscribers:
            chat_id, at = subscriber.chat_id, _due_at(subscriber)
            if chat_id in due_at:
                if due_at[chat_id] == at:
                    continue
                self.remove(chat_id)
            if at is not None:
                if at not in self._buckets:
                    self._times.add(at)
                self._add(chat_id, at)

    def _add(self, chat_id: int, at: float | None) -> None:
        if at is None:
            return
        self._due_at[chat_id] = at
        bucket = self._buckets.get(at)
        if bucket is None:
            bucket = self._buckets[at] = _Bucket()
        bucket.ids.add(chat_id)
        bucket.order = None

    def remove(self, chat_id: int) -> None:
        at = self._due_at.pop(chat_id, None)
        if at is None:
            return
        bucket = self._buckets[at]
        bucket.ids.discard(chat_id)
        if not bucket.ids:
            del self._buckets[at]
            self._times.remove(at)

    def due(self, now: float, limit: int) -> list[int]:
        found: list[int] = []
        if limit <= 0:
            return found
        for at in self._times.irange(maximum=now):
            found += self._buckets[at].first(limit - len(found))
            if len(found) >= limit:
                break
        return found


def _due_at(subscriber: Subscriber) -> float | None:
    """When it is next due; None when it is never due (inactive, NaN or NEVER)."""
    if subscriber.is_active and subscriber.next_due_at < math.inf:
        return subscriber.next_due_at
    return None
