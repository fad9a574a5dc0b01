"""The persistent outbox behind `TinyStore`: three JSON files (each with its journal), small writes.

- outbox.json: the state of every push not yet sent (pending, failed, dropped),
  without its text, so a status update rewrites a small file: table `outbox`, one record
  per push, and table `digests`, one record per whole digest whose parts are all pending
  as enqueued (`bot.store.tinydb.digests`: what a due pass writes);
- push_texts.json: push texts by content hash, written only when pushes are
  enqueued (identical digests for many subscribers are stored once);
- deliveries.json: each chat's last few digests and counts per day (see
  `bot.store.tinydb.deliveries`), so a digest is never delivered twice.

Reads and writes cost what they touch, never the whole outbox: pending pushes, pushes
per chat and finished ones are indexed (`bot.store.tinydb.pending`), and texts carry
reference counts, so a text no push uses is found without scanning.

Write order keeps every crash point consistent: texts before the states that
refer to them; a delivery record before its push leaves the outbox (a push found
in both at open was sent and is removed from the outbox). The records, their indexes and
the one write of outbox.json are `bot.store.tinydb.outbox_records`; this module is what the
outbox does with them. Not thread-safe on its own: `TinyStore` calls it under its lock.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from bot.models import Push, moved_push_id
from bot.store.codec import STATUSES, check_statuses
from bot.store.tinydb.digests import Entry, Prepared as PreparedDigest
from bot.store.tinydb.files import Compaction
from bot.store.tinydb.outbox_records import OutboxRecords, Prepared, prepare_pushes

logger = logging.getLogger(__name__)


class Outbox(OutboxRecords):
    def __init__(self, data_dir: Path, clock: Callable[[], float], retention: float,
                 compaction: Compaction = Compaction()):
        super().__init__(data_dir, clock, retention, compaction)
        self._remove_delivered()

    def _remove_delivered(self) -> None:
        both = [push.id for push in self._pushes.values() if self._deliveries.is_delivered(push)]
        rest: list[Push] = []
        dissolved: dict[str, Entry | None] = {}
        for entry in self._entries.values():
            delivered = self._deliveries.delivered_parts(entry.chat_id, entry.digest_key)
            if delivered and any(part in delivered for part, _ in entry.parts):
                dissolved[entry.id] = None
                for push in entry.pushes(self._texts):
                    if push.part in delivered:
                        both.append(push.id)
                    else:
                        rest.append(push)
        if both or dissolved:
            logger.info("outbox: %d pushes were sent before a crash; removing them", len(both))
            self._write_states(rest, both, dissolved)

    # -- reads -----------------------------------------------------------------

    def pending(self, now: float, limit: int) -> list[Push]:
        out: list[Push] = []
        for push_id in self._index.ready(now, limit):
            push = self._pushes.get(push_id)
            if push is not None:
                out.append(push)
            else:
                out.extend(self._entries[push_id].pushes(self._texts))
            if len(out) >= limit:
                break
        return out[:limit]

    def counts(self) -> dict[str, int]:
        """Pushes per status; "sent": messages sent in the last `retention` seconds (by UTC day)."""
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(Counter(p.status for p in self._pushes.values()))
        counts["pending"] += self._entry_parts
        counts["sent"] = self._deliveries.sent_since(self._clock() - self._retention)
        return counts

    # -- writes ----------------------------------------------------------------

    def enqueue(self, pushes: Iterable[Push], prepared: Prepared | None = None) -> int:
        """Add the pushes not in the outbox and not delivered yet; `prepared` (see `prepare_pushes`):
        their state documents and journal members, made by the caller outside the store's lock."""
        new = self._new_pushes(pushes)
        if not new:
            return 0
        expired = self._index.finished_before(self._clock() - self._retention)
        self._write_states(list(new.values()), expired, collect_garbage=True, prepared=prepared)
        logger.info("outbox: enqueued %d pushes, pruned %d old ones", len(new), len(expired))
        return len(new)

    def _new_pushes(self, pushes: Iterable[Push]) -> dict[str, Push]:
        new: dict[str, Push] = {}
        for push in pushes:
            if push.id not in self._pushes and self._find(push.id) is None \
                    and not self._deliveries.is_delivered(push):
                new.setdefault(push.id, push)
        return new

    def enqueue_digests(self, prepared: Iterable[PreparedDigest]) -> int:
        """Add the parts of these digests that are not in the outbox and not delivered yet (what
        `enqueue` does with their pushes): a digest none of whose parts is there yet as one entry,
        the missing parts of any other (a pass run again after a crash; one digest twice in the
        call: the first text of each part) as pushes; one write."""
        entries: dict[str, Entry | None] = {}
        members: dict[str, str] = {}
        texts: dict[str, str] = {}
        others: list[Push] = []
        prepared = list(prepared)
        ids = [ready.entry.id for ready in prepared]
        twice = {entry_id for entry_id, count in Counter(ids).items() if count > 1} if len(set(ids)) < len(ids) else set()
        for ready, entry_id in zip(prepared, ids):
            entry = ready.entry
            if entry_id in twice or self._deliveries.delivered_parts(entry.chat_id, entry.digest_key) or (
                    self._index.has_chat(entry.chat_id) and self._has_any_part(entry)):
                others.extend(entry.pushes(ready.texts))
                continue
            entries[entry_id] = entry
            members[entry_id] = ready.member
            texts.update(ready.texts)
        new = self._new_pushes(others) if others else {}
        if not entries and not new:
            return 0
        added = sum(len(entry.parts) for entry in entries.values() if entry is not None) + len(new)
        expired = self._index.finished_before(self._clock() - self._retention)
        self._write_states(list(new.values()), expired, entries, collect_garbage=True, entry_members=members,
                           texts=texts)
        logger.info("outbox: enqueued %d pushes (%d digests whole), pruned %d old ones", added, len(entries),
                    len(expired))
        return added

    def _has_any_part(self, entry: Entry) -> bool:
        """Whether a part of `entry`'s digest is in the outbox already (as an entry, or a push)."""
        return entry.id in self._entries or any(entry.push_id(part) in self._pushes for part, _ in entry.parts)

    def update(self, pushes: Iterable[Push]) -> None:
        batch: dict[str, Push] = {}
        dissolved: dict[str, Entry | None] = {}   # entries a part of which changes: all their parts become pushes
        for push in pushes:
            if push.id not in self._pushes:
                found = self._find(push.id)
                if found is None:
                    continue
                dissolved[found[0]] = None
            batch[push.id] = push
        if not batch:
            return
        sent = [p for p in batch.values() if p.status == "sent"]
        if sent:
            self._deliveries.record(sent)
        rest = [p for entry_id in dissolved for p in self._entries[entry_id].pushes(self._texts) if p.id not in batch]
        self._write_states([p for p in batch.values() if p.status != "sent"] + rest, [p.id for p in sent], dissolved)

    def drop_for(self, chat_id: int, reason: str) -> int:
        dropped: list[Push] = []
        dissolved: dict[str, Entry | None] = {}
        for push_id in self._index.of_chat(chat_id):
            entry = self._entries.get(push_id)
            pushes = [self._pushes[push_id]] if entry is None else entry.pushes(self._texts)
            dropped.extend(replace(p, status="dropped", error=reason) for p in pushes if p.status == "pending")
            if entry is not None:
                dissolved[push_id] = None
        if dropped:
            self._write_states(dropped, [], dissolved)
        return len(dropped)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point pending pushes and delivery records of a migrated chat at its new id."""
        ids = self._index.of_chat(old_chat_id)
        moved = [self._pushes[push_id] for push_id in ids if push_id in self._pushes]
        dissolved: dict[str, Entry | None] = {}
        for entry in filter(None, map(self._entries.get, ids)):
            moved.extend(entry.pushes(self._texts))
            dissolved[entry.id] = None
        if moved:
            renamed = [replace(p, id=moved_push_id(p.id, old_chat_id, new_chat_id), chat_id=new_chat_id)
                       for p in moved]
            new_ids = {p.id for p in renamed}
            self._write_states(renamed, [p.id for p in moved if p.id not in new_ids], dissolved)
        self._deliveries.move(old_chat_id, new_chat_id)


__all__ = ["Outbox", "STATUSES", "check_statuses", "prepare_pushes"]
