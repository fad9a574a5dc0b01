"""Crash-safe, memory-cached JSON files for TinyDB: the storage layer under `TinyStore`.

Each file is read once, when it is opened; reads are served from memory after that.
A write goes to a temporary file in the same directory, is flushed and fsynced,
replaces the old file with `os.replace` and then the directory is fsynced, so a
crash at any moment leaves either the old file or the new one, never a torn one.
Documents are serialized one by one and their JSON is cached by identity, so a
write re-serializes only the documents that were replaced (callers replace
documents, never mutate them in place).
"""
from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from bot.errors import StoreError

logger = logging.getLogger(__name__)

_TEMP_SUFFIX = ".tmp"
Tables = dict[str, dict[str, Any]]


def remove_stale_temp_files(data_dir: Path) -> int:
    """Delete temporary files left by a writer that died mid-write; returns how many."""
    removed = 0
    for path in data_dir.glob(f".*{_TEMP_SUFFIX}"):
        parts = path.name.split(".")   # ["", "articles", "json", "<pid>", "<token>", "tmp"]
        pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else 0
        if pid and _is_alive(pid):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        logger.info("removed %d stale temporary files", removed)
    return removed


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks: Iterable[str]) -> None:
    """Write text to `path` so that a crash leaves the old or the new content, whole."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_directory(path.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}; check free space and permissions") from exc


def read_json_file(path: Path) -> Tables | None:
    """The tables in `path`, None if it does not exist; StoreError naming the file otherwise."""
    advice = "restore it from a backup, or move it away to start that table empty"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read {path}: {exc}; {advice}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path} is not valid JSON ({exc}); {advice}") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreError(f"{path} is not a TinyDB file (expected an object of tables); {advice}")
    for table in data.values():
        if not all(isinstance(doc, dict) for doc in table.values()):
            raise StoreError(f"{path} holds a record that is not an object; {advice}")
    return data


class CachedAtomicStorage(Storage):
    """A TinyDB Storage: one JSON file, read once, written atomically (see the module doc)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._data: Tables | None = read_json_file(self.path)
        self._fragments: dict[str, dict[str, tuple[Any, str]]] = {}   # filled by the first write
        self.writes = 0   # how many times the file was replaced since it was opened

    def read(self) -> Tables | None:
        # A shallow copy: TinyDB replaces the table it updates in the returned dict,
        # and our state must stay the old one if the write then fails.
        return None if self._data is None else dict(self._data)

    def write(self, data: Tables) -> None:
        fragments = {name: self._table_fragments(name, table) for name, table in data.items()}
        write_atomically(self.path, _chunks(fragments))
        self._data = data
        self._fragments = fragments
        self.writes += 1

    def close(self) -> None:
        self._fragments = {}

    def _table_fragments(self, name: str, table: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
        cached = self._fragments.get(name, {})
        out: dict[str, tuple[Any, str]] = {}
        for key, doc in table.items():
            hit = cached.get(key)
            out[key] = hit if hit is not None and hit[0] is doc else (doc, _fragment(key, doc))
        return out


_encode = json.JSONEncoder().encode


def _fragment(key: str, doc: Any) -> str:
    try:
        return f"{_encode(key)}: {_encode(doc)}"
    except (TypeError, ValueError) as exc:
        raise StoreError(f"record {key!r} cannot be stored as JSON: {exc}") from exc


def _chunks(fragments: Mapping[str, Mapping[str, tuple[Any, str]]]) -> Iterable[str]:
    yield "{"
    for index, (name, table) in enumerate(fragments.items()):
        yield f'{", " if index else ""}{json.dumps(name)}: {{'
        yield ",\n".join(fragment for _, fragment in table.values())
        yield "}"
    yield "}\n"


class KeyedTable(Table):
    """A TinyDB table whose document ids are our own string keys, written in batches."""

    document_id_class = str

    def apply(self, upserts: Mapping[str, dict] | None = None, removals: Iterable[str] = ()) -> None:
        """Replace/insert `upserts` and delete `removals` in ONE write."""
        removals = list(removals)

        def updater(table: dict) -> None:
            for key in removals:
                table.pop(key, None)
            table.update(upserts or {})

        self._update_table(updater)

    def docs(self) -> Mapping[str, dict]:
        """Every document by key, as stored: read-only, never mutate."""
        return self._read_table()


class KeyedDB(TinyDB):
    table_class = KeyedTable


def open_table(path: Path, name: str) -> tuple[KeyedDB, KeyedTable]:
    """Open (or prepare) one JSON file holding one table called `name`."""
    db = KeyedDB(path, storage=CachedAtomicStorage)
    return db, db.table(name, cache_size=0)


def decode_all(path: Path, docs: Mapping[str, dict], decode: Callable[[dict], Any], kind: str) -> dict[str, Any]:
    """Decode every stored document, naming the file and record when one is malformed."""
    out: dict[str, Any] = {}
    for key, doc in docs.items():
        try:
            out[key] = decode(doc)
        except (TypeError, ValueError, KeyError) as exc:
            raise StoreError(
                f"{path}: record {key!r} is not a valid {kind} ({exc}); "
                "restore the file from a backup or delete that record"
            ) from exc
    return out
