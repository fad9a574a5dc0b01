"""The sender's in-memory view of the outbox: one FIFO per chat, chats in ready order.

A chat's messages go out in order, one at a time (a retried part 1 is never
overtaken by part 2). Chats wait in a heap keyed by when they are next ready
(their head push's `not_before`, or the per-chat rate limit); a chat with a send
in flight is out of the heap until that send settles.

Pure: no I/O; times are monotonic seconds.
"""
from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import replace

from bot.models import Push, moved_push_id


class ChatQueues:
    def __init__(self) -> None:
        self._queues: dict[int, deque[Push]] = {}
        self._ready_at: dict[int, float] = {}      # monotonic time the head may go (retries)
        self._heap: list[tuple[float, int, int]] = []
        self._entry: dict[int, int] = {}            # chat -> seq of its live heap entry
        self._busy: set[int] = set()
        self._seq = itertools.count()
        self.size = 0

    def __len__(self) -> int:
        return self.size

    @property
    def in_flight(self) -> int:
        return len(self._busy)

    def _schedule(self, chat_id: int, at: float) -> None:
        seq = next(self._seq)
        self._entry[chat_id] = seq
        heapq.heappush(self._heap, (at, seq, chat_id))

    def add(self, push: Push, now: float) -> None:
        """Append a push to its chat's queue."""
        queue = self._queues.get(push.chat_id)
        if queue is None:
            queue = self._queues[push.chat_id] = deque()
        queue.append(push)
        self.size += 1
        if len(queue) == 1 and push.chat_id not in self._busy:
            self._schedule(push.chat_id, max(now, self._ready_at.get(push.chat_id, now)))

    def peek(self) -> tuple[float, int] | None:
        """(ready time, chat id) of the chat that is ready first, or None."""
        while self._heap:
            at, seq, chat_id = self._heap[0]
            if self._entry.get(chat_id) == seq:
                return at, chat_id
            heapq.heappop(self._heap)              # stale entry
        return None

    def defer(self, chat_id: int, until: float) -> None:
        """The first chat is not ready after all (rate limit): look again at `until`."""
        self._schedule(chat_id, until)

    def take(self, chat_id: int) -> Push:
        """Take the head push of a ready chat; the chat is busy until `settle`."""
        self._entry.pop(chat_id, None)
        queue = self._queues[chat_id]
        push = queue.popleft()
        self.size -= 1
        self._busy.add(chat_id)
        return push

    def settle(self, chat_id: int, now: float, retry: Push | None = None, retry_at: float = 0.0) -> None:
        """A send to `chat_id` finished; `retry` goes back to the head of the queue, ready at `retry_at`."""
        self._busy.discard(chat_id)
        queue = self._queues.get(chat_id)
        if retry is not None:
            if queue is None:
                queue = self._queues[chat_id] = deque()
            queue.appendleft(retry)
            self.size += 1
            self._ready_at[chat_id] = retry_at
        else:
            self._ready_at.pop(chat_id, None)
        if queue:
            self._schedule(chat_id, max(now, self._ready_at.get(chat_id, now)))
        else:
            self._queues.pop(chat_id, None)

    def remove_chat(self, chat_id: int) -> list[Push]:
        """Forget every queued push of a chat (blocked, not found); returns them."""
        queue = self._queues.pop(chat_id, deque())
        self._entry.pop(chat_id, None)
        self._ready_at.pop(chat_id, None)
        self.size -= len(queue)
        return list(queue)

    def move_chat(self, old_chat_id: int, new_chat_id: int, now: float) -> list[Push]:
        """Re-address a migrated chat's queued pushes to its new id; returns them re-addressed."""
        moved = [readdress(p, old_chat_id, new_chat_id) for p in self.remove_chat(old_chat_id)]
        for push in moved:
            self.add(push, now)
        return moved


def readdress(push: Push, old_chat_id: int, new_chat_id: int) -> Push:
    return replace(push, id=moved_push_id(push.id, old_chat_id, new_chat_id), chat_id=new_chat_id)

