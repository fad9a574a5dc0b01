"""The append-only journal beside each table file: `subscribers.json` + `subscribers.journal`.

One line per acknowledged write (a batch): `<crc32 as 8 hex digits> <json>\\n`, where
the JSON is `{"<table>": {"set": {key: doc, ...}, "del": [key, ...]}, ...}`. A batch is
one line, so it is applied whole or not at all. Appends are fsynced before a write
returns. A crash can only tear the last line (it has no newline, or its checksum does
not match): opening ignores it and cuts it off, so the next append starts clean. A bad
line followed by good ones is damage, not a crash, and is reported, never skipped.

A journal written since schema version 2 starts with a fixed-width header line,
`#journal <writes> <crc32>`, rewritten in place after each append is synced: it counts
the acknowledged writes, so a journal cut short (its tail lost, not just torn) is
detected at open and reported with how many writes were lost, never silently
accepted. The header is updated only after the entry is durable, so it never claims
a write that was not acknowledged; a header lost in a power cut only claims fewer.
A journal without a header (schema version 1) is read as before.

Replaying the journal over the table file is idempotent when the file already holds
the journal's effects, which is what makes compaction safe: the table file is
rewritten with the whole state first, and only then is the journal emptied.

A compaction that writes the table file in the background first moves the journal
aside (`rotate`: `subscribers.journal` becomes `subscribers.journal.<n>`, a rename) so
new writes go to a fresh journal meanwhile; opening replays the moved-aside journals,
oldest first, before the current one, and they are deleted once the table file that
holds them is in place (`drop_rotated`).
"""
from __future__ import annotations

import json
import logging
import os
import re
import zlib
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from bot.errors import StoreError

logger = logging.getLogger(__name__)

JOURNAL_SUFFIX = ".journal"
_sync_data = getattr(os, "fdatasync", os.fsync)   # the data and the size; macOS has only fsync
_encode = json.JSONEncoder().encode   # ASCII only, never a newline: one record per line is safe
_HEADER_PREFIX = b"#journal "
_HEADER_SIZE = len(_HEADER_PREFIX) + 12 + 1 + 8 + 1
FILE_MODE = 0o600                     # store files hold chat ids and settings


def encode_header(writes: int) -> bytes:
    """The journal's first line: how many writes it holds, checksummed; always _HEADER_SIZE bytes."""
    count = b"%012d" % writes
    return _HEADER_PREFIX + count + b" %08x\n" % zlib.crc32(count)


def decode_header(line: bytes) -> int | None:
    """The write count of a header line (without its newline); None when damaged."""
    count, _, checksum = line[len(_HEADER_PREFIX):].partition(b" ")
    try:
        return int(count) if len(count) == 12 and int(checksum, 16) == zlib.crc32(count) else None
    except ValueError:
        return None


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]*").fullmatch   # keys JSON writes as they are, in quotes (chat ids)


def encode_record(key: str, doc: Any) -> str:
    """One `"key": doc` JSON member; shared by journal lines and the table file."""
    try:
        if type(key) is str and _PLAIN_KEY(key):   # one encoder call, not two: 1.3 us of a subscriber's ~5
            return f'"{key}": {_encode(doc)}'
        return f"{_encode(key)}: {_encode(doc)}"
    except (TypeError, ValueError) as exc:
        raise StoreError(f"record {key!r} cannot be stored as JSON: {exc}") from exc


def encode_value(value: Any) -> str:
    """`value` as the journal encodes it (ASCII JSON)."""
    return _encode(value)


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
            if not isinstance(upserts, dict) or not all(isinstance(doc, (dict, list)) for doc in upserts.values()):
                return None
            changes[name] = (upserts, [str(key) for key in removals])
        return changes
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class Journal:
    """The journal file of one table file: replay at open, append per write, clear on compaction."""

    def __init__(self, table_path: Path, path: Path | None = None):
        self.path = path or table_path.with_suffix(JOURNAL_SUFFIX)
        self.records = 0   # upserts + removals held, to decide when to compact
        self.writes = 0    # whole entries held (lines after the header)
        self._has_header = False
        self._size = 0     # bytes of whole, checked lines
        self._fd: int | None = None
        self._directory_unsynced = False   # a rotation's rename not yet made durable (see `rotate`)

    def replay(self) -> Iterator[dict[str, tuple[dict[str, dict], list[str]]]]:
        """Every whole entry, in order; cuts off a torn last line (a crash mid-append).

        Raises StoreError, saying what was lost and how to recover, when the journal is
        damaged before its last line or holds fewer writes than its header acknowledged.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        lines = data.split(b"\n")
        claimed = self._read_header(lines)
        body = lines[1:] if self._has_header else lines
        for index, line in enumerate(body[:-1]):
            changes = _decode_line(line)
            if changes is None:
                later = sum(_decode_line(rest) is not None for rest in body[index + 1:-1])
                if later:
                    raise StoreError(self._damage(f"write {index + 1} is damaged and {later} later writes are not",
                                                  max(claimed or 0, len(body) - 1) - index))
                break
            self._size += len(line) + 1
            self.writes += 1
            self.records += sum(len(upserts) + len(removals) for upserts, removals in changes.values())
            yield changes
        if claimed is not None and self.writes < claimed:
            raise StoreError(self._damage(f"it holds {self.writes} whole writes but {claimed} were acknowledged",
                                          claimed - self.writes))
        if self._size < len(data):
            logger.warning("%s: ignoring a torn last write of %d bytes (a crash mid-write)",
                           self.path.name, len(data) - self._size)
            self._truncate(self._size)

    def _read_header(self, lines: list[bytes]) -> int | None:
        """The acknowledged write count of a version-2 journal (None for version 1 or a torn header)."""
        if not lines[0].startswith(b"#"):
            return None
        if len(lines) == 1:   # a header torn by a crash while the journal was being started: nothing in it
            return None
        claimed = decode_header(lines[0])
        if claimed is None:
            raise StoreError(self._damage("its header line is damaged", None))
        self._has_header = True
        self._size = len(lines[0]) + 1
        return claimed

    def _damage(self, what: str, lost: int | None) -> str:
        lost_text = f"{lost} acknowledged writes are lost" if lost else "writes may be lost"
        return (f"{self.path} is damaged: {what}; {lost_text}. This is not a crash mid-write (that only "
                f"tears the last line): the file was cut or changed. Restore the data directory from a "
                f"backup; or, to accept the loss and open the store with the {self.writes} writes before the "
                f"damage, delete the first line (#journal ...) of {self.path.name} and cut it after write "
                f"{self.writes}")

    def append(self, entry: bytes, records: int) -> None:
        """Add one entry and fsync it: once this returns, the write survives a crash."""
        fd = self._open()
        try:
            self.sync_directory()
        except OSError as exc:
            raise StoreError(f"cannot sync the directory of {self.path}: {exc.strerror or exc}") from exc
        start = self._size
        if start == 0:   # a new or emptied journal starts with its header
            entry = encode_header(0) + entry
        try:
            view, offset = memoryview(entry), start
            while view:
                written = os.pwrite(fd, view, offset)
                view, offset = view[written:], offset + written
            _sync_data(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, start)   # never leave half an entry for the next one to follow
            except OSError:
                logger.warning("%s: cannot cut off a failed write", self.path.name)
            self.close()   # the next write opens the file afresh
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}; "
                             "check free space and permissions") from exc
        self._has_header = self._has_header or start == 0
        self._size = start + len(entry)
        self.writes += 1
        self.records += records
        if self._has_header:
            self._write_header(fd)

    def _write_header(self, fd: int) -> None:
        """Count the write just made durable (in place, not synced: a lost update only claims fewer)."""
        try:
            os.pwrite(fd, encode_header(self.writes), 0)
        except OSError:
            logger.warning("%s: cannot update the journal header", self.path.name)

    def clear(self) -> None:
        """Empty the journal (its entries are in the table file now)."""
        if self._size or self.path.exists():
            self._truncate(0)
        self.records = 0
        self.writes = 0
        self._has_header = False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def rotated(self) -> list[Path]:
        """The journals moved aside by `rotate` and not dropped yet, oldest first."""
        found = []
        for path in self.path.parent.glob(f"{self.path.name}.*"):
            suffix = path.name[len(self.path.name) + 1:]
            if suffix.isdigit():
                found.append((int(suffix), path))
        return [path for _, path in sorted(found)]

    def rotate(self) -> Path | None:
        """Move this journal aside (replayed at open before the current one) and start an empty one."""
        if not self._size:
            return None
        self.close()
        older = self.rotated()
        number = int(older[-1].name.rsplit(".", 1)[1]) + 1 if older else 1
        target = self.path.with_name(f"{self.path.name}.{number}")
        try:
            os.rename(self.path, target)
        except OSError as exc:
            raise StoreError(f"cannot move {self.path} aside: {exc.strerror or exc}") from exc
        self._size = self.records = self.writes = 0
        self._has_header = False
        # the fresh journal exists from now on (empty until the next write). The rename and its creation
        # are made durable by one directory fsync: `sync_directory`, which the compaction calls right
        # after the store's lock is released (under IO load a directory fsync took tens of ms), or the
        # first append, whichever comes first: no write to the fresh journal is acknowledged before it.
        self._open(sync_new=False)
        self._directory_unsynced = True
        return target

    @property
    def directory_pending(self) -> bool:
        """A rotation's rename and fresh journal are not yet fsynced in the directory."""
        return self._directory_unsynced

    def sync_directory(self) -> None:
        """Make a rotation's rename and fresh journal durable (a no-op when they are)."""
        if self._directory_unsynced:
            fsync_directory(self.path.parent)
            self._directory_unsynced = False   # (only once the fsync has returned)

    def drop_rotated(self, upto: Path | None = None) -> None:
        """Delete the moved-aside journals (up to and including `upto`): the table file holds them now."""
        for path in self.rotated():
            if upto is not None and int(path.name.rsplit(".", 1)[1]) > int(upto.name.rsplit(".", 1)[1]):
                break
            path.unlink(missing_ok=True)
        fsync_directory(self.path.parent)

    def _open(self, sync_new: bool = True) -> int:
        if self._fd is None:
            created = not self.path.exists()
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
                if created and sync_new:
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
