"""Reloads coalesce: one runs, at most one waits; any other /reload is told one is under way.

The ingest itself runs on one dedicated thread (the start-up ingest too), never on the
event loop's shared thread pool, so however many admins send /reload, the threads and
update slots the readers need stay free: the handler returns at once and the report
follows when the reload is done.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, TypeVar

from telegram.ext import Application

logger = logging.getLogger(__name__)

RELOADS = "reloads"
T = TypeVar("T")


class Reloads:
    """The one running reload, the one waiting, and the ingest thread they share."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self._running = False
        self._waiting: Callable[[], Awaitable[None]] | None = None
        self._task: asyncio.Task | None = None

    async def run_blocking(self, work: Callable[[], T]) -> T:
        """`work()` on the ingest thread (one at a time), awaited without holding any other thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)

    def submit(self, job: Callable[[], Awaitable[None]]) -> bool:
        """Start `job` now, or after the running one; False when one is already waiting (coalesced)."""
        if not self._running:
            self._running = True
            self._task = asyncio.get_running_loop().create_task(self._drain(job), name="reload")   # kept: not collected
            return True
        if self._waiting is not None:
            return False
        self._waiting = job
        return True

    async def _drain(self, job: Callable[[], Awaitable[None]] | None) -> None:
        try:
            while job is not None:
                try:
                    await job()
                except Exception:   # the admin is told by the job; one failure must not stop the next
                    logger.exception("reload failed")
                job, self._waiting = self._waiting, None
        finally:
            self._running = False

    async def wait(self) -> None:
        """Until no reload runs or waits (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def reloads_of(application: Application) -> Reloads:
    return application.bot_data.setdefault(RELOADS, Reloads())
