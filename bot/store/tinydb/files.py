"""Crash-safe, memory-cached JSON files for TinyDB: the storage layer under `TinyStore`.

Each table file (`subscribers.json`) is the table's home; beside it, an append-only
journal (`subscribers.journal`, see `bot.store.tinydb.journal`) holds the writes since the
file was last rewritten. Both are read once, at open (the journal replayed over the
file); reads are served from memory after that. An acknowledged write appends the
changed and removed records to the journal as one line and fsyncs it: O(changed
records), not O(table). The table file is rewritten (compaction) when the journal
holds more than max(COMPACT_MIN_RECORDS, COMPACT_RATIO x table) records, when the
file does not exist yet, and on close: a temporary file in the same directory,
flushed and fsynced, replaces the old file with `os.replace`, the directory is
fsynced, and only then is the journal emptied. A crash at any moment leaves the old
file or the new one, never a torn one, and a journal that replays onto either.
A compaction that is due while the store serves (not the first file, not close) does
not hold the store's lock while it writes: under the lock it takes a snapshot (a
shallow copy of each table: callers replace records, never mutate them in place) and
moves the journal aside (see `bot.store.tinydb.journal`); a thread then serializes the
snapshot and replaces the table file, and only then deletes the moved-aside journal.
Writes go on meanwhile into a fresh journal. A crash at any point leaves the old file
or the new one, and journals that replay onto either.

Table files are written and read by `bot.store.tinydb.sealed` (atomic writes, the
checksum line, 0600).

A failed compaction (a full disk) is retried with back-off, not on every write, and
logged once a minute; `disk_trouble` says what is wrong until a write succeeds again.

A table opened with a `RecordCodec` (articles, subscribers, each chat's last digests) keeps
its records in memory as the models the store serves, not as JSON documents beside them:
read record by record from the file (`bot.store.tinydb.tablefile`: no whole-file tree of
documents at the peak), decoded from the journals as they replay (a table of rows: each row once,
after the journals), encoded only when written (the journal line, the compaction's snapshot). A
codec with `reuse_members` (subscribers) keeps the journal members written since the last rewrite,
and the rewrite takes them instead of encoding those records again. The on-disk format is the
same either way.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, cast

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from bot.errors import StoreError
from bot.heap import FOREGROUND, paused_gc
from bot.store.tinydb.journal import Journal, encode_entry, encode_record
from bot.store.tinydb.sealed import Tables, read_json_file, write_atomically
from bot.store.tinydb.tablefile import RecordHook, WholeTable

logger = logging.getLogger(__name__)

RETRY_FIRST, RETRY_MAX = 1.0, 60.0      # seconds before a failed compaction is tried again
PAST_OWN_SIZE = 4.0                     # Compaction.past_own_size: ratio 0.25 x 4, a journal as long as the table


class Backoff:
    """When to try a failing operation again (doubling up to RETRY_MAX) and when to log it (once a minute)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._delay = 0.0
        self._retry_at = 0.0
        self._logged_at = -RETRY_MAX
        self.problem = ""      # what failed last, "" when the last attempt succeeded

    def is_due(self) -> bool:
        return not self.problem or self._clock() >= self._retry_at

    def failed(self, problem: str) -> bool:
        """Record a failure; True when it should be logged now (the first, then once a minute)."""
        now = self._clock()
        self.problem = problem
        self._delay = min(RETRY_MAX, max(RETRY_FIRST, self._delay * 2))
        self._retry_at = now + self._delay
        if now - self._logged_at >= RETRY_MAX:
            self._logged_at = now
            return True
        return False

    def succeeded(self) -> bool:
        """Record a success; True when it ends a failing spell."""
        was_failing, self.problem, self._delay = bool(self.problem), "", 0.0
        return was_failing


@dataclass(frozen=True)
class Compaction:
    """When a table file is rewritten: its journal holds more than max(min_records, ratio x table) records."""

    min_records: int = 1000
    ratio: float = 0.25

    def is_due(self, journal_records: int, table_records: int) -> bool:
        return journal_records > max(self.min_records, self.ratio * table_records)

    def past_own_size(self) -> "Compaction":
        """This policy for a table a due pass grows or rewrites whole (the outbox's states, the
        subscribers): rewritten when its journal holds about as many records as the table, not a
        quarter of it (a pass that touches every record rewrote such a file 3-5 times; a longer
        journal costs at open what the table file would, both read record by record)."""
        return replace(self, ratio=self.ratio * PAST_OWN_SIZE)


@dataclass(frozen=True)
class RecordCodec:
    """How a table's records live in memory: as the objects `decode` makes of the stored
    documents (models), encoded back with `encode` only when written. Such a table is
    written through `KeyedTable.apply` with objects, never with TinyDB's own methods."""

    encode: Callable[[Any], Any]        # -> the stored document: an object, or a positional array
    decode: Callable[[Any], Any]
    kind: str                           # what a record is, for error messages ("article")
    is_outdated: Callable[[Any], bool] = lambda doc: False   # an older layout: the file is rewritten soon
    whole_table: bool = False   # small records (rows): the table file's table parsed in one call (see WholeTable)
    reuse_members: bool = False   # the journal members written since the last rewrite are kept for it (small
    # records that are all rewritten often: a due pass saves every subscriber; see JournaledStorage.commit)


Changes = Mapping[str, tuple[Mapping[str, Any], Iterable[str]]]   # table -> (upserts by key, removed keys)


class JournaledStorage(Storage):
    """A TinyDB Storage: one JSON file and its journal, read once, written durably (see the module doc)."""

    def __init__(self, path: str | Path, compaction: Compaction = Compaction(),
                 codecs: Mapping[str, RecordCodec] | None = None):
        self.path = Path(path)
        self.compaction = compaction
        self._codecs = dict(codecs or {})
        self._reused = {name for name, codec in self._codecs.items() if codec.reuse_members}
        self._members: dict[str, dict[str, str]] = {}   # reused table -> key -> its record's member, as written
        with paused_gc():
            self._load()
        self._background: threading.Thread | None = None
        self._file_lock = threading.Lock()   # one writer of the table file at a time
        self.writes = 0        # acknowledged writes (journal appends) since the file was opened
        self.compactions = 0   # table file rewrites since it was opened

    def _load(self) -> None:
        """The table file (codec tables decoded record by record), then the journals replayed over it.

        A whole-table codec's rows are decoded last, once each: a journal as long as the table (a due
        pass advances every subscriber) would otherwise have most rows decoded twice."""
        self._outdated = False
        rows = {name for name, codec in self._codecs.items() if codec.whole_table}
        self._data, sealed = read_json_file(self.path, {
            name: WholeTable(_as_stored) if name in rows else self._decoder(name) for name in self._codecs})
        self._has_file = sealed and not self._outdated   # a version-1 file (no checksum line), or a
        # record in an older layout: the file is rewritten at the first chance
        self.backoff = Backoff()
        self._write_failed = False
        self._journal = Journal(self.path)
        self._rotated_records = 0   # records in journals moved aside and not yet in the table file
        for older in self._journal.rotated():
            journal = Journal(self.path, older)
            for changes in journal.replay():
                self._apply_in_memory(self._decoded(changes, rows))
            self._rotated_records += journal.records
        for changes in self._journal.replay():
            self._apply_in_memory(self._decoded(changes, rows))
        for name in rows & (self._data or {}).keys():
            decode, table = self._decoder(name), (self._data or {})[name]
            for key, doc in table.items():
                table[key] = decode(key, doc)
        if self._outdated:
            self._has_file = False

    def _decoder(self, table: str) -> RecordHook:
        """(key, stored document) -> the model a codec table keeps; StoreError naming the record."""
        codec = self._codecs[table]

        def decode(key: str, doc: Any) -> Any:
            try:   # (an array where a table keeps objects, or the other way round, is named here too)
                if codec.is_outdated(doc):
                    self._outdated = True
                return codec.decode(doc)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise _invalid(self.path, key, codec.kind, exc) from exc
        return decode

    def _decoded(self, changes: Changes, stored: set[str]) -> Changes:
        """A journal entry with the upserts of codec tables decoded (except the `stored` tables')."""
        decoding = (self._codecs.keys() - stored) & changes.keys()
        if not decoding:
            return changes
        decoders = {name: self._decoder(name) for name in decoding}
        return {name: ({key: decoders[name](key, doc) for key, doc in upserts.items()} if name in decoders
                       else upserts, removals) for name, (upserts, removals) in changes.items()}

    def read(self) -> Tables | None:
        # A shallow copy: TinyDB replaces the table it updates in the returned dict.
        return None if self._data is None else dict(self._data)

    def write(self, data: Tables) -> None:
        """TinyDB's whole-database write (drop_tables, ...): journals what differs from the current state."""
        current = self._data or {}
        self.commit({name: _diff(current.get(name, {}), data.get(name, {})) for name in {**current, **data}})

    def commit(self, changes: Changes, docs: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        """Apply table -> (upserts, removals) as ONE durable write: a journal append, then memory.

        `docs`: table -> key -> the stored document of an upsert, or its JSON member already
        encoded (a str from `encode_record`), made beforehand (outside the store's lock) for a
        codec table; the others are encoded here."""
        tables = self._data or {}
        batch = {}
        for name, (upserts, removals) in changes.items():
            table = tables.get(name, {})
            removals = [key for key in dict.fromkeys(removals) if key in table and key not in upserts]
            if upserts or removals:
                batch[name] = (dict(upserts), removals)
        if not batch:
            return
        made = docs or {}
        members = {name: {key: _member(key, made[name][key]) if key in made.get(name, ()) else
                          encode_record(key, self._doc(name, record)) for key, record in upserts.items()}
                   for name, (upserts, _) in batch.items()}
        try:
            self._journal.append(encode_entry({name: (list(members[name].values()), removals)
                                               for name, (_, removals) in batch.items()}),
                                 sum(len(upserts) + len(removals) for upserts, removals in batch.values()))
        except StoreError as exc:
            self.note_write_failure(str(exc))
            raise
        if self._write_failed:
            self._write_failed = False
            if self.backoff.succeeded():
                logger.warning("writing %s works again", self.path.name)
        self._apply_in_memory(batch)
        for name in self._reused & batch.keys():   # what the next rewrite need not encode again
            kept = self._members.setdefault(name, {})
            kept.update(members[name])
            for key in batch[name][1]:
                kept.pop(key, None)
        self.writes += 1
        if not self.backoff.is_due():
            return
        if not self._has_file:
            self._compact_or_warn()
        elif self.compaction.is_due(self._journal.records + self._rotated_records, self.record_count()):
            self.compact_in_background()

    def _doc(self, table: str, record: Any) -> Any:
        codec = self._codecs.get(table)
        return record if codec is None else codec.encode(record)

    def record_count(self) -> int:
        return sum(len(table) for table in (self._data or {}).values())

    def compact(self) -> None:
        """Rewrite the table file with the whole state now, then empty the journals (caller holds the lock)."""
        self.wait_for_compaction()
        with self._file_lock:
            write_atomically(self.path, _chunks(*self._snapshot(), self._doc), sealed=True)
            self._has_file = True
            self._journal.clear()
            self._journal.drop_rotated()
            self._rotated_records = 0
        self.compactions += 1

    def compact_in_background(self) -> threading.Thread | None:
        """Snapshot the tables and move the journal aside now (the caller holds the store's lock);
        write the table file from the snapshot in a thread. None when one is running or nothing to do."""
        if self._background is not None and self._background.is_alive():
            return None
        if not self._journal.records and self._has_file:
            return None
        (snapshot, members), moving = self._snapshot(), self._journal.records
        try:
            rotated = self._journal.rotate()
        except StoreError as exc:
            self._compaction_failed(exc)
            return None
        self._rotated_records += moving if rotated is not None else 0
        self._background = threading.Thread(target=self._write_snapshot, args=(snapshot, members, rotated),
                                            name=f"compact-{self.path.name}", daemon=True)
        self._background.start()
        return self._background

    def _write_snapshot(self, snapshot: dict[str, dict[str, Any]], members: dict[str, dict[str, str]],
                        rotated: Path | None) -> None:
        try:
            self._journal.sync_directory()   # the rotation's rename, outside the store's lock (see Journal.rotate)
            with self._file_lock:
                write_atomically(self.path, _chunks(snapshot, members, self._doc, pause=FOREGROUND.step_aside),
                                 sealed=True)
                self._has_file = True
                if rotated is not None:
                    self._journal.drop_rotated(rotated)
        except (StoreError, OSError) as exc:   # the moved-aside journal stays: replayed at open, dropped next time
            self._compaction_failed(exc)
            return
        self._rotated_records = 0
        self.compactions += 1
        if self.backoff.succeeded():
            logger.warning("compacting %s works again", self.path.name)

    def wait_for_compaction(self) -> None:
        """Until a background compaction (if any) has written its file."""
        thread = self._background
        if thread is not None:
            thread.join()
            self._background = None

    def _snapshot(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
        """A copy of each table, and the members kept since the last one (handed over: a rewrite that
        fails only means the next one encodes those records again)."""
        members, self._members = self._members, {}
        return {name: dict(table) for name, table in (self._data or {}).items()}, members

    def close(self) -> None:
        self.wait_for_compaction()
        if self._journal.records or self._rotated_records or self._journal.rotated() \
                or (self._data is not None and not self._has_file):
            self._compact_or_warn()
        self._journal.close()

    def _compact_or_warn(self) -> None:
        try:
            self.compact()
        except StoreError as exc:   # every write is safe in the journal; tried again after a back-off
            self._compaction_failed(exc)
            return
        if self.backoff.succeeded():
            logger.warning("compacting %s works again", self.path.name)

    def _compaction_failed(self, exc: Exception) -> None:
        if self.backoff.failed(str(exc)):
            logger.warning("compacting %s failed (%s); its journal keeps every write; "
                           "retrying with back-off, logged once a minute", self.path.name, exc)

    def note_write_failure(self, problem: str) -> None:
        """A journal append failed (the caller got a StoreError): log it once a minute, no traceback."""
        self._write_failed = True
        if self.backoff.failed(problem):
            logger.error("writing %s failed: %s (logged once a minute while it lasts)", self.path.name, problem)

    def _apply_in_memory(self, changes: Changes) -> None:
        if self._data is None:
            self._data = {}
        for name, (upserts, removals) in changes.items():
            table = self._data.setdefault(name, {})
            for key in removals:
                table.pop(key, None)
            table.update(upserts)


def _as_stored(key: str, doc: Any) -> Any:
    return doc


def _member(key: str, made: Any) -> str:
    """The journal member of an upsert from what the caller made beforehand: a document, or the member itself."""
    return made if isinstance(made, str) else encode_record(key, made)


def _chunks(tables: Mapping[str, Mapping[str, Any]], members: Mapping[str, Mapping[str, str]] | None = None,
            doc: Callable[[str, Any], Any] = lambda _, record: record, batch: int = 200,
            pause: Callable[[], None] = lambda: None) -> Iterable[str]:
    """The table file's JSON, serialized a few hundred records at a time (`doc(table, record)`:
    the stored document of a record; `members`: table -> key -> a record's member, already encoded;
    `pause()` before each batch)."""
    yield "{"
    for index, (name, table) in enumerate(tables.items()):
        yield f'{", " if index else ""}{json.dumps(name)}: {{'
        items, known = list(table.items()), (members or {}).get(name, {})
        made: list[str | None] = list(map(known.get, table)) if known else [None] * len(items)
        for start in range(0, len(items), batch):
            pause()
            part = made[start:start + batch]
            if None in part:   # (a due pass left every row's member: nothing to encode)
                part = [member or encode_record(key, doc(name, record))
                        for member, (key, record) in zip(part, items[start:start + batch])]
            yield ("" if start == 0 else ",\n") + ",\n".join(cast(list[str], part))
        yield "}"
    yield "}\n"


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(upserts, removals) that turn `old` into `new`."""
    return ({key: doc for key, doc in new.items() if old.get(key) is not doc and old.get(key) != doc},
            [key for key in old if key not in new])


class KeyedTable(Table):
    """A TinyDB table whose document ids are our own string keys, written in batches."""

    document_id_class = str   # type: ignore[assignment]  # TinyDB types it as int; any hashable works

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        """TinyDB's own methods (update, remove, ...): one write of the records they changed."""
        current = self._read_table()
        table = {key: dict(doc) for key, doc in current.items()}   # TinyDB's update mutates documents in place
        updater(table)
        self.apply(*_diff(current, table))

    def apply(self, upserts: Mapping[str, Any] | None = None, removals: Iterable[str] = (),
              docs: Mapping[str, Any] | None = None) -> None:
        """Replace/insert `upserts` and delete `removals` in ONE durable write of O(changed records)
        (`docs`: the upserts' documents or their encoded journal members, made beforehand)."""
        storage = self._storage
        assert isinstance(storage, JournaledStorage), "a KeyedTable lives in a KeyedDB"
        storage.commit({self.name: (upserts or {}, removals)}, None if docs is None else {self.name: docs})
        self.clear_cache()

    def docs(self) -> Mapping[str, dict]:
        """Every document by key, live (later writes show in it): read-only, never mutate."""
        return cast(Mapping[str, dict], self._read_table())


class KeyedDB(TinyDB):
    table_class = KeyedTable

    def keyed_table(self, name: str) -> KeyedTable:
        """The table `name`, uncached (reads go to the storage's memory, which is always current)."""
        table = self.table(name, cache_size=0)
        assert isinstance(table, KeyedTable)
        return table

    @property
    def journaled(self) -> JournaledStorage:
        """The storage, typed: every KeyedDB is opened on a JournaledStorage (see open_table)."""
        assert isinstance(self.storage, JournaledStorage)
        return self.storage


def open_table(path: Path, name: str, compaction: Compaction = Compaction(),
               codec: RecordCodec | None = None) -> tuple[KeyedDB, KeyedTable]:
    """Open (or prepare) one JSON file, and its journal, holding one table called `name`
    (its records kept decoded in memory when a `codec` is given)."""
    db = KeyedDB(path, storage=JournaledStorage, compaction=compaction,
                 codecs={name: codec} if codec is not None else None)
    return db, db.keyed_table(name)


def decode_all(path: Path, docs: Mapping[str, dict], decode: Callable[[dict], Any], kind: str) -> dict[str, Any]:
    """Decode every stored document, naming the file and record when one is malformed."""
    out: dict[str, Any] = {}
    for key, doc in docs.items():
        try:
            out[key] = decode(doc)
        except (TypeError, ValueError, KeyError) as exc:
            raise _invalid(path, key, kind, exc) from exc
    return out


def _invalid(path: Path, key: str, kind: str, exc: Exception) -> StoreError:
    return StoreError(f"{path}: record {key!r} is not a valid {kind} ({exc}); "
                      "restore the file from a backup or delete that record")
