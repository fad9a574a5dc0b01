"""The outbox's records and indexes (see `bot.store.tinydb.outbox` for what the outbox does with them).

outbox.json holds two tables: `outbox`, one state record per push (without its text), and
`digests`, one record per whole digest still pending as enqueued (`bot.store.tinydb.digests`);
push_texts.json the texts by content hash, with reference counts in memory. `OutboxRecords`
reads them and writes changes: `_write_states` is one write of outbox.json (after the texts it
needs), then the indexes. Not thread-safe on its own: `TinyStore` calls it under its lock.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, cast

from bot.models import Push
from bot.store.codec import push_from_doc, push_to_doc
from bot.store.tinydb.deliveries import Deliveries
from bot.store.tinydb.digests import ENTRY_CODEC, Entry, entry_part
from bot.store.tinydb.files import Compaction, JournaledStorage, KeyedDB, decode_all, open_table
from bot.store.tinydb.members import cached_text_key, push_members
from bot.store.tinydb.pending import PendingIndex


Prepared = Mapping[str, tuple[dict, str]]   # push id -> (its state document, its encoded journal member)


def prepare_pushes(pushes: Iterable[Push]) -> dict[str, tuple[dict, str]]:
    """The state documents and journal members of pushes about to be enqueued: pure, so the store
    makes them before it takes its lock (a due-pass chunk has ~2,500 pushes to encode)."""
    return push_members(pushes)


_STATES, _DIGESTS = "outbox", "digests"   # outbox.json's tables: one record per push; per whole digest


class OutboxRecords:
    def __init__(self, data_dir: Path, clock: Callable[[], float], retention: float,
                 compaction: Compaction = Compaction()):
        self._clock = clock
        self._retention = retention
        self._states_path = data_dir / "outbox.json"
        db_states = KeyedDB(self._states_path, storage=JournaledStorage, compaction=compaction.past_own_size(),
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

    @property
    def _entries(self) -> Mapping[str, Entry]:
        """Entry id -> entry: the table's own records (read-only; written through `_write_states`)."""
        return cast(Mapping[str, Entry], self._digests.docs())

    def _decode(self, doc: dict) -> Push:
        text = self._texts.get(doc.get("text_key", ""))
        if text is None:
            raise ValueError("its text is missing from push_texts.json")
        return push_from_doc(doc, text)

    def _find(self, push_id: str) -> tuple[str, int] | None:
        """(entry id, part) when the push is a part of an entry."""
        found = entry_part(push_id) if self._entries else None
        if found is not None:
            entry = self._entries.get(found[0])
            if entry is not None and any(part == found[1] for part, _ in entry.parts):
                return found
        return None

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
