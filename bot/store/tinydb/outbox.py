"""The persistent outbox behind `TinyStore`: three JSON files (each with its journal), small writes.

- outbox.json: the state of every push not yet sent (pending, failed, dropped),
  without its text, so a status update rewrites a small file;
- push_texts.json: push texts by content hash, written only when pushes are
  enqueued (identical digests for many subscribers are stored once);
- deliveries.json: one compact record per sent push (id, chat_id, digest_key,
  sent_at), kept for `retention` seconds so a digest is never delivered twice.

Write order keeps every crash point consistent: texts before the states that
refer to them; a delivery record before its push leaves the outbox (a push found
in both at open was sent and is removed from the outbox).
Not thread-safe on its own: `TinyStore` calls it under its lock.
"""
from __future__ import annotations

import heapq
import logging
from collections import Counter
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterable

from bot.errors import StoreError
from bot.models import Push
from bot.store.codec import delivery_doc, push_from_doc, push_to_doc, text_key
from bot.store.tinydb.files import Compaction, decode_all, open_table

logger = logging.getLogger(__name__)

STATUSES = ("pending", "sent", "failed", "dropped")


class Outbox:
    def __init__(self, data_dir: Path, clock: Callable[[], float], retention: float,
                 compaction: Compaction = Compaction()):
        self._clock = clock
        self._retention = retention
        self._states_path = data_dir / "outbox.json"
        db_states, self._states = open_table(self._states_path, "outbox", compaction)
        db_texts, self._texts_table = open_table(data_dir / "push_texts.json", "push_texts", compaction)
        db_sent, self._deliveries = open_table(data_dir / "deliveries.json", "deliveries", compaction)
        self.dbs = (db_states, db_texts, db_sent)
        self._texts: dict[str, str] = {key: doc["text"] for key, doc in self._texts_table.docs().items()}
        self._delivered: dict[str, dict] = dict(self._deliveries.docs())
        states = self._states.docs()
        self._pushes: dict[str, Push] = decode_all(self._states_path, states, self._decode, "push")
        self._key_of: dict[str, str] = {push_id: doc["text_key"] for push_id, doc in states.items()}
        self._remove_delivered()

    def _decode(self, doc: dict) -> Push:
        text = self._texts.get(doc.get("text_key", ""))
        if text is None:
            raise ValueError("its text is missing from push_texts.json")
        return push_from_doc(doc, text)

    def _remove_delivered(self) -> None:
        both = [push_id for push_id in self._pushes if push_id in self._delivered]
        if both:
            logger.info("outbox: %d pushes were sent before a crash; removing them", len(both))
            self._write_states([], both)

    # -- reads -----------------------------------------------------------------

    def pending(self, now: float, limit: int) -> list[Push]:
        ready = (p for p in self._pushes.values() if p.status == "pending" and p.not_before <= now)
        return heapq.nsmallest(limit, ready, key=attrgetter("created_at"))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(Counter(p.status for p in self._pushes.values()))
        counts["sent"] = len(self._delivered)
        return counts

    # -- writes ----------------------------------------------------------------

    def enqueue(self, pushes: Iterable[Push]) -> int:
        new: dict[str, Push] = {}
        for push in pushes:
            if push.id not in self._pushes and push.id not in self._delivered:
                new.setdefault(push.id, push)
        if not new:
            return 0
        cutoff = self._clock() - self._retention
        expired = [p.id for p in self._pushes.values()
                   if p.status in ("failed", "dropped") and p.created_at < cutoff]
        self._write_states(list(new.values()), expired, collect_garbage=True)
        logger.info("outbox: enqueued %d pushes, pruned %d old ones", len(new), len(expired))
        return len(new)

    def update(self, pushes: Iterable[Push]) -> None:
        batch = {p.id: p for p in pushes if p.id in self._pushes}
        if not batch:
            return
        sent = [p for p in batch.values() if p.status == "sent"]
        if sent:
            self._record_deliveries(sent)
        self._write_states([p for p in batch.values() if p.status != "sent"], [p.id for p in sent])

    def drop_for(self, chat_id: int, reason: str) -> int:
        dropped = [replace(p, status="dropped", error=reason) for p in self._pushes.values()
                   if p.chat_id == chat_id and p.status == "pending"]
        if dropped:
            self._write_states(dropped, [])
        return len(dropped)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point pending pushes and delivery records of a migrated chat at its new id."""
        moved = [p for p in self._pushes.values() if p.chat_id == old_chat_id]
        if moved:
            renamed = [replace(p, id=_rename(p.id, old_chat_id, new_chat_id), chat_id=new_chat_id)
                       for p in moved]
            new_ids = {p.id for p in renamed}
            self._write_states(renamed, [p.id for p in moved if p.id not in new_ids])
        records = [doc for doc in self._delivered.values() if doc["chat_id"] == old_chat_id]
        if records:
            new_docs = {}
            for doc in records:
                new_id = _rename(doc["id"], old_chat_id, new_chat_id)
                new_docs[new_id] = {**doc, "id": new_id, "chat_id": new_chat_id}
            removals = [doc["id"] for doc in records if doc["id"] not in new_docs]
            self._deliveries.apply(new_docs, removals)
            for key in removals:
                del self._delivered[key]
            self._delivered.update(new_docs)

    def close(self) -> None:
        for db in self.dbs:
            db.close()

    # -- helpers ---------------------------------------------------------------

    def _write_texts(self, keys: dict[str, str], pushes: dict[str, Push], collect_garbage: bool = False) -> None:
        """Store the texts of `pushes` (keys: push id -> text key) that are not stored yet."""
        missing = {key: {"text": pushes[push_id].text} for push_id, key in keys.items() if key not in self._texts}
        garbage: list[str] = []
        if collect_garbage:
            used = set(self._key_of.values()) | set(keys.values())
            garbage = [key for key in self._texts if key not in used]
        if missing or garbage:
            self._texts_table.apply(missing, garbage)
            for key in garbage:
                del self._texts[key]
            self._texts.update({key: doc["text"] for key, doc in missing.items()})

    def _write_states(self, upserts: list[Push], removals: list[str], collect_garbage: bool = False) -> None:
        by_id = {p.id: p for p in upserts}
        keys = {p.id: self._reuse_key(p) for p in upserts}
        self._write_texts(keys, by_id, collect_garbage)
        self._states.apply({p.id: push_to_doc(p, keys[p.id]) for p in upserts}, removals)
        for push_id in removals:
            self._pushes.pop(push_id, None)
            self._key_of.pop(push_id, None)
        self._pushes.update(by_id)
        self._key_of.update(keys)

    def _reuse_key(self, push: Push) -> str:
        """The text key, without hashing again when the text is the one already stored."""
        old = self._pushes.get(push.id)
        if old is not None and old.text == push.text:
            return self._key_of[push.id]
        return text_key(push.text)

    def _record_deliveries(self, sent: list[Push]) -> None:
        now = self._clock()
        cutoff = now - self._retention
        expired = []
        for key, doc in self._delivered.items():   # insertion order is (nearly) sent_at order
            if doc["sent_at"] >= cutoff:
                break
            expired.append(key)
        docs = {p.id: delivery_doc(p, now) for p in sent}
        self._deliveries.apply(docs, expired)
        for key in expired:
            del self._delivered[key]
        self._delivered.update(docs)


def _rename(push_id: str, old_chat_id: int, new_chat_id: int) -> str:
    prefix = f"{old_chat_id}:"
    return f"{new_chat_id}:{push_id[len(prefix):]}" if push_id.startswith(prefix) else push_id


def check_statuses(pushes: Iterable[Push]) -> None:
    for push in pushes:
        if push.status not in STATUSES:
            raise StoreError(f"push {push.id!r} has unknown status {push.status!r} (use one of {', '.join(STATUSES)})")
