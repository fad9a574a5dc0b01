"""What was delivered, in `deliveries.json`: what the bot needs, not every push forever.

- `last_digests`: per chat, its last few digests (digest key, the parts sent, when):
  enough that a digest enqueued again (a due pass re-run after a crash, the same
  instant digest) is never delivered twice;
- `days`: how many messages were sent per UTC day, for `/stats`.

A store written before (one record per sent push, table `deliveries`) is folded into
these two tables at open, in one write. Not thread-safe on its own: the outbox calls
it under the store's lock.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import Any, Callable, Iterable, Mapping, cast

from bot.models import Push
from bot.store.tinydb.files import Compaction, RecordCodec, open_table

logger = logging.getLogger(__name__)

KEEP_DIGESTS = 4            # digests remembered per chat
KEEP_DAYS = 400             # days of counts kept
_LAST, _DAYS, _LEGACY = "last_digests", "days", "deliveries"
Sent = tuple[str, tuple[int, ...], float]   # (digest_key, parts, sent_at); stored as [key, [parts], sent_at]


def _sent_from_doc(doc: dict[str, Any]) -> tuple[Sent, ...]:
    """A chat's last digests as tuples, each digest key held once in memory (100k chats share a few)."""
    return tuple((sys.intern(key), tuple(parts), sent_at) for key, parts, sent_at in doc["sent"])


def _sent_to_doc(sent: tuple[Sent, ...]) -> dict[str, Any]:
    return {"sent": [[key, list(parts), sent_at] for key, parts, sent_at in sent]}


SENT_CODEC = RecordCodec(_sent_to_doc, _sent_from_doc, "chat's last digests")


def day_of(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


class Deliveries:
    def __init__(self, path, clock: Callable[[], float], compaction: Compaction = Compaction()):
        self._clock = clock
        self.db, self._table = open_table(path, _LAST, compaction, SENT_CODEC)
        self._storage = self.db.journaled
        self._last: dict[int, tuple[Sent, ...]] = {
            int(key): sent for key, sent in cast(Mapping[str, tuple[Sent, ...]], self._table.docs()).items()}
        self._days: dict[str, int] = {key: doc["count"] for key, doc in self.db.keyed_table(_DAYS).docs().items()}
        legacy = self.db.keyed_table(_LEGACY).docs()
        if legacy:
            self._fold_legacy(dict(legacy))

    def _fold_legacy(self, records: dict[str, dict]) -> None:
        """One record per sent push (before) -> each chat's last digests and counts per day."""
        changed: set[int] = set()
        days: dict[str, int] = {}
        for doc in sorted(records.values(), key=lambda d: d["sent_at"]):
            part = doc["id"].rsplit(":", 1)[-1]
            self._note(doc["chat_id"], doc["digest_key"], int(part) if part.isdigit() else 0, doc["sent_at"])
            changed.add(doc["chat_id"])
            days[day_of(doc["sent_at"])] = days.get(day_of(doc["sent_at"]), 0) + 1
        for day, count in days.items():
            self._days[day] = self._days.get(day, 0) + count
        self._commit(changed, set(days), legacy=list(records))
        logger.info("deliveries: %d push records folded into %d chats' last digests", len(records), len(changed))

    # -- reads -----------------------------------------------------------------

    def is_delivered(self, push: Push) -> bool:
        return any(key == push.digest_key and push.part in parts
                   for key, parts, _ in self._last.get(push.chat_id, ()))

    def sent_since(self, since: float) -> int:
        first = day_of(since)
        return sum(count for day, count in self._days.items() if day >= first)

    # -- writes ----------------------------------------------------------------

    def record(self, sent: Iterable[Push]) -> None:
        """The pushes were sent now: one write."""
        now = self._clock()
        chats: set[int] = set()
        count = 0
        for push in sent:
            self._note(push.chat_id, push.digest_key, push.part, now)
            chats.add(push.chat_id)
            count += 1
        if not count:
            return
        today = day_of(now)
        self._days[today] = self._days.get(today, 0) + count
        self._commit(chats, {today})

    def move(self, old_chat_id: int, new_chat_id: int) -> None:
        sent = self._last.pop(old_chat_id, None)
        if sent is None:
            return
        self._last[new_chat_id] = sent
        self._storage.commit({_LAST: ({str(new_chat_id): sent}, [str(old_chat_id)])})

    def close(self) -> None:
        self.db.close()

    def _note(self, chat_id: int, digest_key: str, part: int, sent_at: float) -> None:
        history = list(self._last.get(chat_id, ()))
        for index, (key, parts, _) in enumerate(history):
            if key == digest_key:
                history[index] = (key, tuple(sorted({*parts, part})), sent_at)
                break
        else:
            history.append((sys.intern(digest_key), (part,), sent_at))
        self._last[chat_id] = tuple(history[-KEEP_DIGESTS:])

    def _commit(self, chats: Iterable[int], days: Iterable[str], legacy: list[str] | None = None) -> None:
        expired = sorted(self._days)[:-KEEP_DAYS]
        for day in expired:
            del self._days[day]
        changes: dict[str, tuple[dict, list[str]]] = {
            _LAST: ({str(chat): self._last[chat] for chat in chats}, []),
            _DAYS: ({day: {"count": self._days[day]} for day in days}, expired)}
        if legacy:
            changes[_LEGACY] = ({}, legacy)
        self._storage.commit(changes)
