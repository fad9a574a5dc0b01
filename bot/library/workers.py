"""Ingest worker processes die with the process that started the ingest: no orphan keeps
working (and holding memory) after the bot or `digestbot ingest` is killed with kill -9.

The pool's workers are children of multiprocessing's forkserver, not of our process, and
the forkserver only exits once every worker has closed its end of the "alive" pipe; so
each worker watches the owner itself: a daemon thread blocks on a pidfd of the owner
(Linux 5.3+; elsewhere it polls the pid) and ends the worker when the owner goes. The
kernel's parent-death signal (prctl PR_SET_PDEATHSIG) covers the forkserver dying too.
A worker whose owner is already gone when it starts exits at once. Once the workers are
gone, the forkserver and the resource tracker see their pipes close and exit as well.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import signal
import sys
import threading
import time

from bot.store.tinydb.sealed import is_process_alive

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def die_with_owner(owner_pid: int) -> None:
    """Pool initializer: end this worker as soon as `owner_pid` (the ingest's process) is gone."""
    _ask_kernel()
    try:
        pidfd = os.pidfd_open(owner_pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        pidfd = -1
    watch = (lambda: _wait_pidfd(pidfd)) if pidfd >= 0 else (lambda: _poll(owner_pid))
    threading.Thread(target=watch, name="owner-watchdog", daemon=True).start()


def _wait_pidfd(pidfd: int) -> None:
    select.select([pidfd], [], [])   # readable once the process has exited
    os._exit(1)


def _poll(owner_pid: int) -> None:
    while is_process_alive(owner_pid):
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _ask_kernel() -> bool:
    """SIGKILL for this process when its parent (the forkserver) dies; Linux only."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
