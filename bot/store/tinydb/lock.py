"""One writer per DATA_DIR: an exclusive `flock` on DATA_DIR/.writer.lock, held while a store is open.

Two processes writing one TinyDB store each rewrite the journals from their own
memory and lose each other's acknowledged writes. The lock is taken when a store
opens for writing and released when it closes (or when the process dies: the
kernel drops a flock with its last descriptor, so kill -9 leaves no stale lock).
The file holds the holder's pid and command, for the one-line refusal.

Readers that must not wait for the writer (`articles`, `show`, `preview`,
`export`, the console) open a snapshot: a copy of the files in a temporary
directory (`snapshot_copy`), never the live files.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bot.errors import StoreError

logger = logging.getLogger(__name__)

LOCK_NAME = ".writer.lock"


class StoreLocked(StoreError):
    """Another process writes this DATA_DIR."""


class WriterLock:
    """The exclusive writer lock of one data directory (see the module doc)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now, or raise StoreLocked naming the process that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise StoreLocked(
                f"{self.path.parent} is in use by {holder} — only one process may write a store: "
                "send /reload to the running bot instead of `digestbot ingest`, or stop it first") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {_command_line()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            os.close(fd)

    @property
    def is_held(self) -> bool:
        return self._fd is not None


def is_locked(data_dir: Path) -> bool:
    """True when another writer holds `data_dir` right now."""
    path = Path(data_dir) / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def snapshot_copy(data_dir: Path, prefix: str = "digestbot-snapshot-") -> Path:
    """A temporary copy of the store's files (tables and journals), never the live directory."""
    target = Path(tempfile.mkdtemp(prefix=prefix))
    source = Path(data_dir)
    if source.is_dir():
        for path in source.iterdir():
            if path.is_file() and path.name != LOCK_NAME and not path.name.startswith("."):
                shutil.copy2(path, target / path.name)
    logger.info("store snapshot of %s in %s", source, target)
    return target


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    pid, _, command = text.partition(" ")
    return f"process {pid} ({command})" if pid.isdigit() else "another process"


def _command_line() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([name, *sys.argv[1:3]])[:200]
