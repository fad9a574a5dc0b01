"""The append-only journal beside each table file: `subscribers.json` + `subscribers.journal`.

One line per acknowledged write (a batch): `<crc32 as 8 hex digits> <json>\\n`, where
the JSON is `{"<table>": {"set": {key: doc, ...}, "del": [key, ...]}, ...}`. A batch is
one line, so it is applied whole or not at all. Appends are fsynced before a write
returns. A crash can only tear the last line (it has no newline, or its checksum does
not match): opening ignores it and cuts it off, so the next append starts clean. A bad
line followed by good ones is damage, not a crash, and is reported, never skipped.

Replaying the journal over the table file is idempotent when the file already holds
the journal's effects, which is what makes compaction safe: the table file is
rewritten with the whole state first, and only then is the journal emptied.
"""
from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from bot.errors import StoreError

logger = logging.getLogger(__name__)

JOURNAL_SUFFIX = ".journal"
_sync_data = getattr(os, "fdatasync", os.fsync)   # the data and the size; macOS has only fsync
_encode = json.JSONEncoder().encode   # ASCII only, never a newline: one record per line is safe


def encode_record(key: str, doc: Any) -> str:
    """One `"key": doc` JSON member; shared by journal lines and the table file."""
    try:
        return f"{_encode(key)}: {_encode(doc)}"
    except (TypeError, ValueError) as exc:
        raise StoreError(f"record {key!r} cannot be stored as JSON: {exc}") from exc


def encode_entry(changes: Mapping[str, tuple[Sequence[str], Sequence[str]]]) -> bytes:
    """A journal line from table -> (encoded upsert members, removed keys)."""
    tables = [f'{_encode(name)}: {{"set": {{{", ".join(members)}}}, "del": {_encode(list(removals))}}}'
              for name, (members, removals) in changes.items()]
    payload = ("{" + ", ".join(tables) + "}").encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def _decode_line(line: bytes) -> dict[str, tuple[dict[str, dict], list[str]]] | None:
    """The changes one line holds; None when the line is damaged (torn or corrupt)."""
    checksum, _, payload = line.partition(b" ")
    try:
        if len(checksum) != 8 or int(checksum, 16) != zlib.crc32(payload):
            return None
        entry = json.loads(payload)
        changes = {}
        for name, change in entry.items():
            upserts, removals = change["set"], change["del"]
            if not isinstance(upserts, dict) or not all(isinstance(doc, dict) for doc in upserts.values()):
                return None
            changes[name] = (upserts, [str(key) for key in removals])
        return changes
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class Journal:
    """The journal file of one table file: replay at open, append per write, clear on compaction."""

    def __init__(self, table_path: Path):
        self.path = table_path.with_suffix(JOURNAL_SUFFIX)
        self.records = 0   # upserts + removals held, to decide when to compact
        self._size = 0     # bytes of whole, checked lines
        self._fd: int | None = None

    def replay(self) -> Iterator[dict[str, tuple[dict[str, dict], list[str]]]]:
        """Every whole entry, in order; cuts off a torn last line (a crash mid-append)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        lines = data.split(b"\n")
        for index, line in enumerate(lines[:-1]):
            changes = _decode_line(line)
            if changes is None:
                if any(_decode_line(rest) is not None for rest in lines[index + 1:-1]):
                    raise StoreError(f"{self.path}: line {index + 1} is damaged and later lines are not; "
                                     "restore the data directory from a backup")
                break
            self._size += len(line) + 1
            self.records += sum(len(upserts) + len(removals) for upserts, removals in changes.values())
            yield changes
        if self._size < len(data):
            logger.warning("%s: ignoring a torn last write of %d bytes (a crash mid-write)",
                           self.path.name, len(data) - self._size)
            self._truncate(self._size)

    def append(self, entry: bytes, records: int) -> None:
        """Add one entry and fsync it: once this returns, the write survives a crash."""
        fd = self._open()
        try:
            view = memoryview(entry)
            while view:
                view = view[os.write(fd, view):]
            _sync_data(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, self._size)   # never leave half an entry for the next one to follow
            except OSError:
                logger.warning("%s: cannot cut off a failed write", self.path.name, exc_info=True)
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}; "
                             "check free space and permissions") from exc
        self._size += len(entry)
        self.records += records

    def clear(self) -> None:
        """Empty the journal (its entries are in the table file now)."""
        if self._size or self.path.exists():
            self._truncate(0)
        self.records = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            created = not self.path.exists()
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                if created:
                    fsync_directory(self.path.parent)   # the new file's name must survive a crash too
            except OSError as exc:
                raise StoreError(f"cannot open {self.path}: {exc.strerror or exc}") from exc
        return self._fd

    def _truncate(self, size: int) -> None:
        try:
            with open(self.path, "r+b") as handle:
                handle.truncate(size)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StoreError(f"cannot truncate {self.path}: {exc.strerror or exc}") from exc
        self._size = size


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
