"""Table files on disk: written whole and atomically, sealed with a checksum line, read back checked.

Since schema version 2 a table file ends with a checksum line,
`#table crc32=<8 hex> bytes=<length of the JSON before it>`, so a damaged file (a bit
flip, a cut, a stray edit) is always detected and named, never read as data. A file
without that line (version 1) is read as before and rewritten with it at open.
Files are created 0600: they hold chat ids and settings. A write goes to a temporary file
in the same directory (`.<name>.<pid>.<token>.tmp`), flushed and fsynced, then replaces the
old file; `remove_stale_temp_files` deletes what a writer that died mid-write left.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import zlib
from pathlib import Path
from typing import Any, Iterable, Mapping

from bot.errors import StoreError
from bot.store.tinydb.journal import FILE_MODE, fsync_directory
from bot.store.tinydb.tablefile import RecordHook, TableShapeError, WholeTable, parse_tables

logger = logging.getLogger(__name__)

_TEMP_SUFFIX = ".tmp"
Tables = dict[str, dict[str, Any]]
_TRAILER = re.compile(rb"(?<=\n)#table crc32=([0-9a-f]{8}) bytes=([0-9]{1,15})\n\Z")
_TRAILER_SEARCH = 64                    # the checksum line is shorter than this
_ADVICE = "restore it from a backup, or move it away to start that table empty"


def remove_stale_temp_files(data_dir: Path) -> int:
    """Delete temporary files left by a writer that died mid-write; returns how many."""
    removed = 0
    for path in data_dir.glob(f".*{_TEMP_SUFFIX}"):
        parts = path.name.split(".")   # ["", "articles", "json", "<pid>", "<token>", "tmp"]
        pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else 0
        if pid and is_process_alive(pid):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        logger.info("removed %d stale temporary files", removed)
    return removed


def is_process_alive(pid: int) -> bool:
    """A process with this id exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_atomically(path: Path, chunks: Iterable[str], *, sealed: bool = False) -> None:
    """Write text to `path` so that a crash leaves the old or the new content, whole.

    `sealed`: end the file with a checksum line over everything before it (ASCII text only).
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with open(fd, "wb") as handle:
            checksum, length = 0, 0
            for chunk in chunks:
                data = chunk.encode("utf-8")
                handle.write(data)
                checksum, length = zlib.crc32(data, checksum), length + len(data)
            if sealed:
                handle.write(b"#table crc32=%08x bytes=%d\n" % (checksum, length))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_directory(path.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}; check free space and permissions") from exc


def unseal(path: Path, data: bytes) -> tuple[memoryview, bool]:
    """The JSON of a table file (a view of `data`, not a copy: files run to 100 MB) and whether it
    carried a checksum line; StoreError when it does not match."""
    match = _TRAILER.search(data, max(0, len(data) - _TRAILER_SEARCH))
    if match is None:
        return memoryview(data), False
    body = memoryview(data)[:match.start()]
    if len(body) != int(match.group(2)) or zlib.crc32(body) != int(match.group(1), 16):
        raise StoreError(f"{path} is damaged (its checksum does not match its content: a disk error, "
                         f"a cut or an edit); {_ADVICE}")
    return body, True


def read_json_file(path: Path, hooks: Mapping[str, RecordHook | WholeTable] | None = None) -> tuple[Tables | None, bool]:
    """(the tables in `path` or None if it does not exist, whether it was sealed); StoreError naming the file.

    `hooks`: table -> (key, document) -> what the table keeps, called as each record is read
    (see `bot.store.tinydb.tablefile`)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, False
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc}; {_ADVICE}") from exc
    body, sealed = unseal(path, raw)
    try:
        text = str(body, "utf-8")
        del body, raw   # only the text from here on (the bytes, up to 100 MB, are freed)
        data = parse_tables(text, hooks) if hooks else json.loads(text)
    except UnicodeDecodeError as exc:
        raise StoreError(f"cannot read {path}: {exc}; {_ADVICE}") from exc
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path} is not valid JSON ({exc}); {_ADVICE}") from None
    except TableShapeError as exc:
        raise StoreError(f"{path} is not a TinyDB file ({exc}); {_ADVICE}") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreError(f"{path} is not a TinyDB file (expected an object of tables); {_ADVICE}")
    for name, table in data.items():   # (a hooked table's records were checked as they were read)
        if not (hooks and name in hooks) and not all(isinstance(doc, (dict, list)) for doc in table.values()):
            raise StoreError(f"{path} holds a record that is neither an object nor an array; {_ADVICE}")
    return data, sealed


def table_json(path: Path) -> Tables:
    """The checked tables of one table file ({} when it does not exist): for tools and tests."""
    return read_json_file(path)[0] or {}
