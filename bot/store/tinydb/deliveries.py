"""What was delivered, in `deliveries.json`: what the bot needs, not every push forever.

- `last_digests`: per chat, its last few digests (digest key, the parts sent, when):
  enough that a digest enqueued again (a due pass re-run after a crash, the same
  instant digest) is never delivered twice;
- `days`: how many messages were sent per UTC day, for `/stats`.

A chat's last digests are kept, on disk and in memory, as one JSON text
(`[[digest_key, [parts], sent_at], ...]`), read only when that chat is sent to: at 100k
chats the file opens in a tenth of the time nested lists take and holds 23 MB, not 50-130
(schema 3; a schema-2 list is read as well and written back as text). A store written before
that (one record per sent push, table `deliveries`) is folded into these two tables at open,
in one write. Not thread-safe on its own: the outbox calls it under the store's lock.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Iterable, Mapping, cast

from bot.models import Push
from bot.store.tinydb.files import Compaction, RecordCodec, open_table

logger = logging.getLogger(__name__)

KEEP_DIGESTS = 4            # digests remembered per chat
KEEP_DAYS = 400             # days of counts kept
_LAST, _DAYS, _LEGACY = "last_digests", "days", "deliveries"
Sent = list[Any]            # [digest_key, [parts], sent_at]


def _sent_from_doc(doc: dict[str, Any]) -> str:
    """A chat's last digests as their JSON text (schema 2 stored the list itself)."""
    sent = doc["sent"]
    if isinstance(sent, list):
        return json.dumps(sent)
    if not isinstance(sent, str) or not (sent.startswith("[") and sent.endswith("]")):
        raise ValueError("'sent' is neither a list nor the JSON text of one")
    return sent


def _sent_to_doc(sent: str) -> dict[str, Any]:
    return {"sent": sent}


def _history(text: str | None) -> list[Sent]:
    return json.loads(text) if text else []


SENT_CODEC = RecordCodec(_sent_to_doc, _sent_from_doc, "chat's last digests",   # small records: parsed whole
                         is_outdated=lambda doc: isinstance(doc.get("sent"), list), whole_table=True)


def day_of(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


class Deliveries:
    def __init__(self, path, clock: Callable[[], float], compaction: Compaction = Compaction()):
        self._clock = clock
        self.db, self._table = open_table(path, _LAST, compaction, SENT_CODEC)
        self._storage = self.db.journaled
        self._last: dict[int, str] = {int(key): sent for key, sent in cast(Mapping[str, str], self._table.docs()).items()}
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
        text = self._last.get(push.chat_id)
        if not text or json.dumps(push.digest_key) not in text:   # the usual case, without parsing
            return False
        return any(key == push.digest_key and push.part in parts for key, parts, _ in _history(text))

    def delivered_parts(self, chat_id: int, digest_key: str) -> list[int]:
        """The parts of that digest already sent to that chat (usually none: found without parsing)."""
        text = self._last.get(chat_id)
        if not text or json.dumps(digest_key) not in text:
            return []
        return [part for key, parts, _ in _history(text) if key == digest_key for part in parts]

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
        history = _history(self._last.get(chat_id))
        for index, (key, parts, _) in enumerate(history):
            if key == digest_key:
                history[index] = [key, sorted({*parts, part}), sent_at]
                break
        else:
            history.append([digest_key, [part], sent_at])
        self._last[chat_id] = json.dumps(history[-KEEP_DIGESTS:])

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
