"""The outbox's indexes, so no call scans every push: what to send next, per chat, finished ones.

`PendingIndex` keeps pending pushes whose `not_before` has passed in sending order
(oldest `created_at` first) and the others in a heap by `not_before`; a read moves
the ones whose time has come. Costs are O(log n) per change and O(limit + moved)
per read, where scanning the outbox was O(n) per call (100k pending pushes: ~20 ms
under the store's lock, for every batch the sender takes). The ready pushes are a
`SortedList`: inserting into a plain sorted list moved its tail in memory, O(n) per push
(a due pass's chunk of 1,800 pushes held the lock 1.2 s at 365k pending).
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Sequence

from sortedcontainers import SortedList

from bot.models import Push
from bot.store.tinydb.digests import Entry

Indexed = Push | Entry   # what is indexed by id: a push, or a whole digest's pending parts (one entry)


class PendingIndex:
    def __init__(self) -> None:
        self._ready = SortedList()                                # (created_at, id), sorted
        self._waiting: list[tuple[float, float, str]] = []        # heap of (not_before, created_at, id)
        self._where: dict[str, tuple[float, float, bool]] = {}    # id -> (created_at, not_before, is_ready)
        self._by_chat: dict[int, set[str]] = defaultdict(set)     # every push in the outbox, by chat
        self._finished: dict[str, float] = {}                     # failed or dropped: id -> created_at

    def put(self, push: Indexed) -> None:
        """Index `push` (replacing what was indexed under its id)."""
        if push.id in self._where or push.id in self._finished or push.id in self._by_chat.get(push.chat_id, ()):
            self.discard(push.id, push.chat_id)   # (a new push, most of a due pass's, has nothing to discard)
        self._by_chat[push.chat_id].add(push.id)
        if push.status != "pending":
            self._finished[push.id] = push.created_at
            return
        is_ready = push.not_before <= push.created_at
        self._where[push.id] = (push.created_at, push.not_before, is_ready)
        if is_ready:
            self._ready.add((push.created_at, push.id))
        else:
            heapq.heappush(self._waiting, (push.not_before, push.created_at, push.id))

    def put_new(self, pushes: Sequence[Indexed]) -> None:
        """Index pushes not indexed yet (an enqueue's): `put` without its checks, the ready ones
        added to the sorted list in one sorted batch."""
        by_chat, where, ready = self._by_chat, self._where, []
        for push in pushes:
            push_id, created_at, not_before = push.id, push.created_at, push.not_before
            by_chat[push.chat_id].add(push_id)
            if push.status != "pending":
                self._finished[push_id] = created_at
            elif not_before <= created_at:
                where[push_id] = (created_at, not_before, True)
                ready.append((created_at, push_id))
            else:
                where[push_id] = (created_at, not_before, False)
                heapq.heappush(self._waiting, (not_before, created_at, push_id))
        self._ready.update(ready)

    def discard(self, push_id: str, chat_id: int) -> None:
        ids = self._by_chat.get(chat_id)
        if ids is not None:
            ids.discard(push_id)
            if not ids:
                del self._by_chat[chat_id]
        self._finished.pop(push_id, None)
        where = self._where.pop(push_id, None)
        if where is not None and where[2]:
            self._ready.remove((where[0], push_id))
        # a waiting entry is left in the heap and skipped when it comes up (its id is no longer there)

    def ready(self, now: float, limit: int) -> list[str]:
        """Ids of up to `limit` pending pushes with not_before <= now, oldest created first."""
        while self._waiting and self._waiting[0][0] <= now:
            not_before, created_at, push_id = heapq.heappop(self._waiting)
            if self._where.get(push_id) == (created_at, not_before, False):
                self._where[push_id] = (created_at, not_before, True)
                self._ready.add((created_at, push_id))
        out: list[str] = []
        for _, push_id in self._ready:
            if len(out) >= limit:
                break
            if self._where[push_id][1] <= now:   # (not_before <= created_at, but a clock may read earlier)
                out.append(push_id)
        return out

    def has_chat(self, chat_id: int) -> bool:
        return chat_id in self._by_chat

    def of_chat(self, chat_id: int) -> list[str]:
        return list(self._by_chat.get(chat_id, ()))

    def finished_before(self, cutoff: float) -> list[str]:
        """Failed and dropped pushes created before `cutoff`."""
        return [push_id for push_id, created_at in self._finished.items() if created_at < cutoff]
