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
in both at open was sent and is removed from the outbox).
Not thread-safe on its own: `TinyStore` calls it under its lock.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, cast

from bot.models import Push, moved_push_id
from bot.store.codec import STATUSES, check_statuses, push_from_doc, push_to_doc, text_key
from bot.store.tinydb.deliveries import Deliveries
from bot.store.tinydb.digests import ENTRY_CODEC, Entry, Prepared as PreparedDigest, entry_part
from bot.store.tinydb.files import Compaction, KeyedDB, JournaledStorage, decode_all, open_table
from bot.store.tinydb.members import cached_text_key, push_members
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


_STATES, _DIGESTS = "outbox", "digests"   # outbox.json's tables: one record per push; per whole digest


def _states_compaction(compaction: Compaction) -> Compaction:
    return replace(compaction, ratio=compaction.ratio * STATES_RATIO_SCALE)


class Outbox:
    def __init__(self, data_dir: Path, clock: Callable[[], float], retention: float,
                 compaction: Compaction = Compaction()):
        self._clock = clock
        self._retention = retention
        self._states_path = data_dir / "outbox.json"
        db_states = KeyedDB(self._states_path, storage=JournaledStorage, compaction=_states_compaction(compaction),
                            codecs={_DIGESTS: ENTRY_CODEC})
        self._states, self._storage = db_states.keyed_table(_STATES), db_states.journaled
        self._digests = db_states.keyed_table(_DIGESTS)
        db_texts, self._texts_table = open_table(data_dir / "push_texts.json", "push_texts", compaction)
        self._deliveries = Deliveries(data_dir / "deliveries.json", clock, compaction)
        self.dbs = (db_states, db_texts, self._deliveries.db)
        self._texts: dict[str, str] = {key: doc["text"] for key, doc in self._texts_table.docs().items()}
        states = self._states.docs()
        self._pushes: dict[str, Push] = decode_all(self._states_path, states, self._decode, "push")
        self._key_of: dict[str, str] = {push_id: doc["text_key"] for push_id, doc in states.items()}
        self._refs: Counter[str] = Counter(self._key_of.values())   # text key -> pushes that use it
        self._refs.update(key for entry in self._entries.values() for _, key in entry.parts)
        self._entry_parts = sum(len(entry.parts) for entry in self._entries.values())   # pending parts in entries
        self._index = PendingIndex()
        for push in self._pushes.values():
            self._index.put(push)
        self._index.put_new(list(self._entries.values()))
        self._remove_delivered()

    @property
    def _entries(self) -> Mapping[str, Entry]:
        """Entry id -> entry: the table's own records (read-only; written through `_write_states`)."""
        return cast(Mapping[str, Entry], self._digests.docs())

    def _decode(self, doc: dict) -> Push:
        text = self._texts.get(doc.get("text_key", ""))
        if text is None:
            raise ValueError("its text is missing from push_texts.json")
        return push_from_doc(doc, text)

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

    def _find(self, push_id: str) -> tuple[str, int] | None:
        """(entry id, part) when the push is a part of an entry."""
        found = entry_part(push_id) if self._entries else None
        if found is not None:
            entry = self._entries.get(found[0])
            if entry is not None and any(part == found[1] for part, _ in entry.parts):
                return found
        return None

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

    def close(self) -> None:
        for db in self.dbs:
            db.close()

    # -- helpers ---------------------------------------------------------------

    def _write_texts(self, missing: dict[str, str], collect_garbage: bool, keys: Iterable[str],
                     entries: Iterable[Entry | None]) -> None:
        """Store the texts not stored yet (text key -> text); with `collect_garbage`, drop the ones
        nothing uses (the pushes' `keys` and `entries` about to be written use theirs)."""
        missing = {key: text for key, text in missing.items() if key not in self._texts}
        garbage: list[str] = []
        if collect_garbage:
            unused = {key for key in self._texts if not self._refs.get(key)}
            if unused:
                unused.difference_update(keys, missing)
                for entry in entries:
                    if entry is not None and unused:
                        unused.difference_update(key for _, key in entry.parts)
            garbage = list(unused)
        if missing or garbage:
            self._texts_table.apply({key: {"text": text} for key, text in missing.items()}, garbage)
            for key in garbage:
                del self._texts[key]
            self._texts.update(missing)

    def _write_states(self, upserts: list[Push], removals: list[str],
                      entries: Mapping[str, Entry | None] | None = None, collect_garbage: bool = False,
                      prepared: Prepared | None = None, entry_members: Mapping[str, str] | None = None,
                      texts: Mapping[str, str] | None = None) -> None:
        """One write of outbox.json (after the texts it needs): push records upserted and removed,
        entries replaced (None: removed); then the indexes. `texts`: of the entries' new parts."""
        entries = entries or {}
        by_id = {p.id: p for p in upserts}
        if prepared is not None and all(p.id in prepared for p in upserts):
            docs, keys, members = {}, {}, {}
            for push_id in by_id:
                doc, members[push_id] = prepared[push_id]
                docs[push_id], keys[push_id] = doc, doc["text_key"]
        else:
            keys = self._text_keys(upserts)
            docs, members = {p.id: push_to_doc(p, keys[p.id]) for p in upserts}, None
        missing = {key: by_id[push_id].text for push_id, key in keys.items() if key not in self._texts}
        self._write_texts({**missing, **(texts or {})}, collect_garbage, keys.values(), entries.values())
        current = self._entries
        old_entries = {entry_id: current.get(entry_id) for entry_id in entries}
        changes: dict[str, tuple[Mapping[str, Any], Iterable[str]]] = {_STATES: (docs, removals)}
        made: dict[str, Mapping[str, Any]] = {} if members is None else {_STATES: members}
        if entries:
            changes[_DIGESTS] = ({entry_id: e for entry_id, e in entries.items() if e is not None},
                                 [entry_id for entry_id, e in entries.items() if e is None])
            made[_DIGESTS] = dict(entry_members or {})
        self._storage.commit(changes, made)
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
        self._index_entries(old_entries, entries)

    def _index_entries(self, old_entries: Mapping[str, Entry | None], entries: Mapping[str, Entry | None]) -> None:
        """The indexes and counts after entries were replaced (the table itself is already written)."""
        new: list[Entry] = []
        uses: dict[int, list] = {}   # id(parts) -> [parts, entries using them]: a pass's digests share theirs
        for entry_id, entry in entries.items():
            old = old_entries[entry_id]
            if old is not None:
                for _, key in old.parts:
                    self._unref(key)
                self._entry_parts -= len(old.parts)
                if entry is None:
                    self._index.discard(entry_id, old.chat_id)
            if entry is not None:
                use = uses.get(id(entry.parts))
                if use is None:
                    uses[id(entry.parts)] = [entry.parts, 1]
                else:
                    use[1] += 1
                if old is None:
                    new.append(entry)
                else:
                    self._index.put(entry)
        refs = self._refs
        for parts, count in uses.values():
            for _, key in parts:
                refs[key] += count
            self._entry_parts += len(parts) * count
        self._index.put_new(new)

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
                key = known[push.text] = cached_text_key(push.text)
            keys[push.id] = key
        return keys


__all__ = ["Outbox", "STATUSES", "check_statuses"]
