"""The persistent outbox behind `TinyStore`: three JSON files (each with its journal), small writes.

- outbox.json: the state of every push not yet sent (pending, failed, dropped),
  without its text, so a status update rewrites a small file;
- push_texts.json: push texts by content hash, written only when pushes are
  enqueued (identical digests for many subscribers are stored once);
- deliveries.json: each chat's last few digests and counts per day (see
  `bot.store.tinydb.deliveries`), so a digest is never delivered twice.

Reads and writes cost what they touch, never the whole outbox: pending pushes, pushes
per chat and finished ones are indexed (`bot.store.tinydb.pending`), and texts carry
reference counts, so a text no push uses is found without scanning.

Write order keeps every crash point consistent: texts before the states that
refer to them; a delivery record before its push leaves the outbox (a push found
in both at open was sent and is removed from the outbox).
Not thread-safe on its own: `TinyStore` calls it under its lock.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Mapping

from bot.models import Push, moved_push_id
from bot.store.codec import STATUSES, check_statuses, push_from_doc, push_to_doc, text_key
from bot.store.tinydb.deliveries import Deliveries
from bot.store.tinydb.files import Compaction, decode_all, open_table
from bot.store.tinydb.members import push_members
from bot.store.tinydb.pending import PendingIndex

logger = logging.getLogger(__name__)



Prepared = Mapping[str, tuple[dict, str]]   # push id -> (its state document, its encoded journal member)


def prepare_pushes(pushes: Iterable[Push]) -> dict[str, tuple[dict, str]]:
    """The state documents and journal members of pushes about to be enqueued: pure, so the store
    makes them before it takes its lock (a due-pass chunk has ~2,500 pushes to encode)."""
    return push_members(pushes)


# The states table grows from nothing in a due pass (~5 pushes per due subscriber), and a rewrite
# when its journal holds `ratio` x its records rewrites (1 + ratio) / ratio x what the pass adds
# (5x at 0.25, 2x at 1.0): the rewrites' encoding was ~57 % of the enqueues' CPU. A longer journal
# costs at open what the table file would (both are read record by record); sent pushes leave it.
STATES_RATIO_SCALE = 4.0


def _states_compaction(compaction: Compaction) -> Compaction:
    return replace(compaction, ratio=compaction.ratio * STATES_RATIO_SCALE)


class Outbox:
    def __init__(self, data_dir: Path, clock: Callable[[], float], retention: float,
                 compaction: Compaction = Compaction()):
        self._clock = clock
        self._retention = retention
        self._states_path = data_dir / "outbox.json"
        db_states, self._states = open_table(self._states_path, "outbox", _states_compaction(compaction))
        db_texts, self._texts_table = open_table(data_dir / "push_texts.json", "push_texts", compaction)
        self._deliveries = Deliveries(data_dir / "deliveries.json", clock, compaction)
        self.dbs = (db_states, db_texts, self._deliveries.db)
        self._texts: dict[str, str] = {key: doc["text"] for key, doc in self._texts_table.docs().items()}
        states = self._states.docs()
        self._pushes: dict[str, Push] = decode_all(self._states_path, states, self._decode, "push")
        self._key_of: dict[str, str] = {push_id: doc["text_key"] for push_id, doc in states.items()}
        self._refs: Counter[str] = Counter(self._key_of.values())   # text key -> pushes that use it
        self._index = PendingIndex()
        for push in self._pushes.values():
            self._index.put(push)
        self._remove_delivered()

    def _decode(self, doc: dict) -> Push:
        text = self._texts.get(doc.get("text_key", ""))
        if text is None:
            raise ValueError("its text is missing from push_texts.json")
        return push_from_doc(doc, text)

    def _remove_delivered(self) -> None:
        both = [push.id for push in self._pushes.values() if self._deliveries.is_delivered(push)]
        if both:
            logger.info("outbox: %d pushes were sent before a crash; removing them", len(both))
            self._write_states([], both)

    # -- reads -----------------------------------------------------------------

    def pending(self, now: float, limit: int) -> list[Push]:
        return [self._pushes[push_id] for push_id in self._index.ready(now, limit)]

    def counts(self) -> dict[str, int]:
        """Pushes per status; "sent": messages sent in the last `retention` seconds (by UTC day)."""
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(Counter(p.status for p in self._pushes.values()))
        counts["sent"] = self._deliveries.sent_since(self._clock() - self._retention)
        return counts

    # -- writes ----------------------------------------------------------------

    def enqueue(self, pushes: Iterable[Push], prepared: Prepared | None = None) -> int:
        """Add the pushes not in the outbox and not delivered yet; `prepared` (see `prepare_pushes`):
        their state documents and journal members, made by the caller outside the store's lock."""
        new: dict[str, Push] = {}
        for push in pushes:
            if push.id not in self._pushes and not self._deliveries.is_delivered(push):
                new.setdefault(push.id, push)
        if not new:
            return 0
        expired = self._index.finished_before(self._clock() - self._retention)
        self._write_states(list(new.values()), expired, collect_garbage=True, prepared=prepared)
        logger.info("outbox: enqueued %d pushes, pruned %d old ones", len(new), len(expired))
        return len(new)

    def update(self, pushes: Iterable[Push]) -> None:
        batch = {p.id: p for p in pushes if p.id in self._pushes}
        if not batch:
            return
        sent = [p for p in batch.values() if p.status == "sent"]
        if sent:
            self._deliveries.record(sent)
        self._write_states([p for p in batch.values() if p.status != "sent"], [p.id for p in sent])

    def drop_for(self, chat_id: int, reason: str) -> int:
        dropped = [replace(p, status="dropped", error=reason)
                   for p in map(self._pushes.__getitem__, self._index.of_chat(chat_id)) if p.status == "pending"]
        if dropped:
            self._write_states(dropped, [])
        return len(dropped)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point pending pushes and delivery records of a migrated chat at its new id."""
        moved = [self._pushes[push_id] for push_id in self._index.of_chat(old_chat_id)]
        if moved:
            renamed = [replace(p, id=moved_push_id(p.id, old_chat_id, new_chat_id), chat_id=new_chat_id)
                       for p in moved]
            new_ids = {p.id for p in renamed}
            self._write_states(renamed, [p.id for p in moved if p.id not in new_ids])
        self._deliveries.move(old_chat_id, new_chat_id)

    def close(self) -> None:
        for db in self.dbs:
            db.close()

    # -- helpers ---------------------------------------------------------------

    def _write_texts(self, keys: dict[str, str], pushes: dict[str, Push], collect_garbage: bool = False) -> None:
        """Store the texts of `pushes` (keys: push id -> text key) that are not stored yet."""
        missing = {key: {"text": pushes[push_id].text} for push_id, key in keys.items() if key not in self._texts}
        garbage: list[str] = []
        if collect_garbage:
            used = set(keys.values())
            garbage = [key for key in self._texts if not self._refs.get(key) and key not in used]
        if missing or garbage:
            self._texts_table.apply(missing, garbage)
            for key in garbage:
                del self._texts[key]
            self._texts.update({key: doc["text"] for key, doc in missing.items()})

    def _write_states(self, upserts: list[Push], removals: list[str], collect_garbage: bool = False,
                      prepared: Prepared | None = None) -> None:
        by_id = {p.id: p for p in upserts}
        if prepared is not None and all(p.id in prepared for p in upserts):
            docs, keys, members = {}, {}, {}
            for push_id in by_id:
                doc, members[push_id] = prepared[push_id]
                docs[push_id], keys[push_id] = doc, doc["text_key"]
        else:
            keys = self._text_keys(upserts)
            docs, members = {p.id: push_to_doc(p, keys[p.id]) for p in upserts}, None
        self._write_texts(keys, by_id, collect_garbage)
        self._states.apply(docs, removals, docs=members)
        for push_id in removals:
            old = self._pushes.pop(push_id, None)
            if old is not None:
                self._index.discard(push_id, old.chat_id)
                self._unref(self._key_of.pop(push_id))
        new, key_of = [], self._key_of
        for push in by_id.values():
            old_key = key_of.get(push.id)
            if old_key is None:
                new.append(push)   # (every push of an enqueue: indexed in one batch)
            else:
                self._unref(old_key)
                self._index.put(push)
        self._refs.update(map(keys.__getitem__, by_id))
        self._index.put_new(new)
        self._pushes.update(by_id)
        self._key_of.update(keys)

    def _unref(self, key: str) -> None:
        self._refs[key] -= 1
        if self._refs[key] <= 0:
            del self._refs[key]

    def _text_keys(self, pushes: list[Push]) -> dict[str, str]:
        """Push id -> text key; each distinct text hashed once (a chunk's digests share their texts)."""
        known: dict[str, str] = {}
        keys = {}
        for push in pushes:
            old = self._pushes.get(push.id)
            if old is not None and old.text == push.text:
                keys[push.id] = self._key_of[push.id]
                continue
            key = known.get(push.text)
            if key is None:
                key = known[push.text] = text_key(push.text)
            keys[push.id] = key
        return keys


__all__ = ["Outbox", "STATUSES", "check_statuses"]
