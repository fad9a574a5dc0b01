"""`DueIndex`: active subscribers ordered by when their next digest is due, for the due pass.

A sorted list (`sortedcontainers.SortedList`) of (next_due_at, chat_id): adding or
moving one subscriber is O(log n), so a due pass that advances 100,000 subscribers
in chunks of a few hundred costs O(n log n) in all (re-sorting the whole index per
chunk made it quadratic: 200 chunks x 100,000 entries).
"""
from __future__ import annotations

import math
from typing import Iterable

from sortedcontainers import SortedList

from bot.models import Subscriber


class DueIndex:
    """Active subscribers sorted by (next_due_at, chat_id), kept exact on every save."""

    def __init__(self, subscribers: Iterable[Subscriber] = ()):
        self._entry_of: dict[int, tuple[float, int]] = {}
        for subscriber in subscribers:
            entry = _entry(subscriber)
            if entry is not None:
                self._entry_of[subscriber.chat_id] = entry
        self._entries = SortedList(self._entry_of.values())   # one sort at open

    def update(self, subscribers: Iterable[Subscriber]) -> None:
        for subscriber in subscribers:
            self.remove(subscriber.chat_id)
            entry = _entry(subscriber)
            if entry is not None:
                self._entry_of[subscriber.chat_id] = entry
                self._entries.add(entry)

    def remove(self, chat_id: int) -> None:
        entry = self._entry_of.pop(chat_id, None)
        if entry is not None:
            self._entries.discard(entry)

    def due(self, now: float, limit: int) -> list[int]:
        end = min(self._entries.bisect_right((now, math.inf)), max(limit, 0))
        return [chat_id for _, chat_id in self._entries.islice(0, end)]


def _entry(subscriber: Subscriber) -> tuple[float, int] | None:
    """Its place in the index; None when it is never due (inactive, NaN or NEVER)."""
    if subscriber.is_active and subscriber.next_due_at < math.inf:
        return (subscriber.next_due_at, subscriber.chat_id)
    return None
