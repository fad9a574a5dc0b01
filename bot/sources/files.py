"""Reading one file of a folder safely: regular files inside the folder only, never more than a limit.

A FIFO would block the reader forever, a device (`/dev/zero`) never ends, a socket cannot
be read, and a symbolic link may lead out of the folder (to `/etc/passwd`, to a `.env`
holding the token): each is refused with its reason, before anything is read. The file
is opened without blocking and checked again on the open descriptor, so a file swapped
for a FIFO between the two checks is refused too; at most `max_bytes` + 1 bytes are read.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO), not a regular file"),
          (stat.S_ISCHR, "a character device, not a regular file"),
          (stat.S_ISBLK, "a block device, not a regular file"),
          (stat.S_ISSOCK, "a socket, not a regular file"),
          (stat.S_ISDIR, "a folder, not a file"))
_CHUNK = 1 << 16


def special_kind(mode: int) -> str:
    """Why a file of this mode cannot be read as an article ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((reason for test, reason in _KINDS if test(mode)), "not a regular file")


def outside_reason(path: Path, root: Path) -> str:
    """Why `path` (a symbolic link, or below one) may not be read from `root`; "" when it may."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "broken symbolic link (its target does not exist)"
    except (OSError, RuntimeError):
        return "symbolic link that cannot be resolved (a loop?)"
    if not target.is_relative_to(root.resolve()):
        return "symbolic link to a file outside the seeds folder (not followed)"
    return ""


def read_limited(path: Path, root: Path, max_bytes: int) -> bytes | str:
    """The bytes of a regular file inside `root` (at most max_bytes + 1 of them), or why not."""
    if path.is_symlink() or path.resolve() != path.absolute():
        reason = outside_reason(path, root)
        if reason:
            return reason
    try:
        kind = special_kind(os.stat(path).st_mode)
        if kind:
            return kind
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        return "permission denied (the file is not readable)"
    except OSError as error:
        return f"cannot read the file ({error.strerror or error})"
    try:
        kind = special_kind(os.fstat(fd).st_mode)   # the file opened is the file checked
        if kind:
            return kind
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except OSError as error:
        return f"cannot read the file ({error.strerror or error})"
    finally:
        os.close(fd)
