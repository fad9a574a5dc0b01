"""The sender: drains the persistent outbox at Telegram's flood limits.

Every push is in the store (`enqueue_pushes`) before it is sent. The sender
keeps a window of them in memory (`ChatQueues`), starts a send whenever the
strict windows of `SendLimiter` allow one (several in flight, to reach the rate
despite latency), and writes outcomes back in batches (`update_pushes` every
`flush_interval` seconds or `flush_every` sends): one store write per message
cannot keep pace at 25 a second with 10,000 subscribers.

What each answer means is in `bot.delivery.policy` and docs/delivery.md. A kill -9
can repeat only what was in flight or sent but not yet written back: at most
`max_unsaved + in flight` messages (see docs/delivery.md).
"""
from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import warnings
from dataclasses import replace
from typing import Callable

from telegram.error import BadRequest, ChatMigrated, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.metrics import Metrics
from bot.models import Push
from bot.schedule.queues import ChatQueues, readdress
from bot.delivery.batch import Outcomes, write_outcomes
from bot.delivery.policy import (
    PUSH_RATE_LIMIT_ARGS,
    SenderOptions,
    SenderStats,
    backoff_delay,
    is_chat_gone,
    limits_for,
    retry_seconds,
    send_message_kwargs,
)
from bot.schedule.ratelimit import SendLimiter

logger = logging.getLogger(__name__)

class Sender:
    """Drains the store's outbox; `run()` until told to stop (see module doc)."""

    def __init__(self, bot, store, settings: Settings, *, clock: Callable[[], float] = time.time,
                 options: SenderOptions | None = None, monotonic: Callable[[], float] = time.monotonic,
                 metrics: Metrics | None = None,
                 rng: random.Random | None = None, limiter: SendLimiter | None = None):
        self._bot, self._store, self._settings = bot, store, settings
        self._clock, self._mono = clock, monotonic
        self.options = options or SenderOptions()
        # shared with the replies' rate limiter when given: one flood budget for every message
        self.limiter = limiter or SendLimiter(limits_for(settings, self.options.margin))
        self.queues = ChatQueues()
        # through PTB's rate limiter (shared with replies) unmarked sends would be limited twice
        self._rate_limit_args = ({"rate_limit_args": PUSH_RATE_LIMIT_ARGS}
                                 if getattr(bot, "rate_limiter", None) is not None else {})
        self.stats = SenderStats()
        self.metrics = metrics or Metrics(clock)
        self.concurrency = self.options.in_flight(settings.send_rate)
        self._rng = rng or random.Random()
        self._known: set[str] = set()           # ids queued, in flight, or not yet written back
        self._pending = Outcomes()
        self._unsaved = 0                       # sent, not yet durable (including a flush in progress)
        self._flushing = False
        self._tasks: set[asyncio.Task] = set()
        self._wake = asyncio.Event()            # (re)made in run(), in the loop that waits on them
        self._flush_now = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._refill_requested = True
        self._last_refill = -math.inf
        self._last_refill_full = False
        self._stop = False
        self._closing = False
        self._held: set[int] = set()            # chats gone or moving: not re-read until written back
        self.is_running = False

    # -- control ---------------------------------------------------------------

    def wake(self) -> None:
        """New pushes are in the store: look now (call from the event loop)."""
        self._refill_requested = True
        self._wake.set()

    def wake_threadsafe(self) -> None:
        """`wake` from another thread (an ingest worker)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wake)

    def stop(self) -> None:
        self._stop = True
        self._wake.set()

    def is_idle(self) -> bool:
        """Nothing queued, in flight, unwritten, or pending in the store."""
        return (not len(self.queues) and not self.queues.in_flight and not self._pending
                and not self._flushing and not self._store.pending_pushes(math.inf, 1))

    async def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = self._mono() + timeout
        while not self.is_idle():
            if self._mono() > deadline:
                raise TimeoutError(f"sender not idle after {timeout}s: {self.stats}")
            self.wake()
            await asyncio.sleep(0.02)

    # -- the loop --------------------------------------------------------------

    async def run(self, should_run: Callable[[], bool] = lambda: True) -> None:
        """Send until `should_run()` is false or `stop()`; then finish in-flight sends and flush."""
        self._loop = asyncio.get_running_loop()
        # pushes use do_api_request(return_type=None): send_message's request path and exceptions,
        # without building a Message from every answer; PTB warns that send_message exists
        warnings.filterwarnings("ignore", r"Please use 'Bot\.sendMessage'", PTBUserWarning)
        self._wake, self._flush_now = asyncio.Event(), asyncio.Event()
        self._closing, self.is_running = False, True
        if await asyncio.to_thread(self._store.pending_pushes, math.inf, 1):
            # maybe a crash mid-broadcast: the last process's last second must not add up with our first
            self.limiter.pause_until(self._mono() + self.limiter.full_window)
        flusher = asyncio.create_task(self._flush_loop(), name="outbox-flush")
        logger.info("sender started: %.0f/s overall, %d in flight, flush every %d sends or %.2fs",
                    self.limiter.limits.overall_per_second, self.concurrency,
                    self.options.flush_every, self.options.flush_interval)
        try:
            while should_run() and not self._stop:
                self.metrics.beat("sender")
                await self._refill_if_needed()
                await self._sleep(self._dispatch())
        finally:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            self._closing = True
            self._flush_now.set()
            await asyncio.gather(flusher, return_exceptions=True)
            await self._flush()
            self.is_running = False
            logger.info("sender stopped: %s", self.stats)

    async def _sleep(self, seconds: float) -> None:
        if not self._wake.is_set() and seconds > 0:
            timer = asyncio.get_running_loop().call_later(min(seconds, 0.25), self._wake.set)   # cheaper than wait_for
            try:
                await self._wake.wait()
            finally:
                timer.cancel()
        self._wake.clear()

    def _dispatch(self) -> float:
        """Start every send the limits allow now; return seconds until the next may be possible."""
        options = self.options
        while True:
            if self.queues.in_flight >= self.concurrency or self._unsaved >= options.max_unsaved:
                return options.poll_interval            # a completion or a flush wakes us
            head = self.queues.peek()
            if head is None:
                return options.poll_interval
            ready_at, chat_id = head
            if self.limiter.replies_waiting:
                return 0.02                                      # replies go first
            now = self._mono()
            if ready_at > now:
                return ready_at - now
            wait = self.limiter.overall_delay(now)
            if wait > 0:
                return wait
            wait = self.limiter.chat_delay(chat_id, now)
            if wait > 0:
                self.queues.defer(chat_id, now + wait)
                continue
            push = self.queues.take(chat_id)
            self.limiter.record(chat_id, now)
            task = asyncio.create_task(self._send(push), name=f"push:{push.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refill_if_needed(self) -> None:
        now = self._mono()
        low = len(self.queues) < max(100, 2 * self.limiter.limits.overall_per_second)
        due = self._refill_requested or self._last_refill_full or now - self._last_refill >= self.options.poll_interval
        if not (low and due):
            return
        self._refill_requested, self._last_refill = False, now
        limit = len(self._known) + self.options.refill_batch
        pushes = await asyncio.to_thread(self._store.pending_pushes, self._clock(), limit)
        fresh = [p for p in pushes if p.id not in self._known and p.chat_id not in self._held]
        self._last_refill_full = len(fresh) >= self.options.refill_batch
        now = self._mono()
        for push in fresh:
            self._known.add(push.id)
            self.queues.add(push, now)

    # -- one send --------------------------------------------------------------

    async def _send(self, push: Push) -> None:
        try:
            await self._bot.do_api_request("sendMessage", api_kwargs=send_message_kwargs(push), return_type=None,
                                           **self._rate_limit_args)
        except Exception as exc:   # every outcome is decided (and logged) in _settle_error
            self._settle_error(push, exc)
        else:
            self._settle(push, replace(push, status="sent", attempts=push.attempts + 1, error=""))
            self.stats.sent += 1
            self.metrics.sent.inc()
            self._unsaved += 1
        finally:
            self._wake.set()

    def _settle(self, push: Push, outcome: Push, retry_in: float | None = None) -> None:
        """Record an outcome for the next flush and free the chat (re-queueing a retry)."""
        self._pending.pushes[outcome.id] = outcome
        now = self._mono()
        if retry_in is None:
            self.queues.settle(push.chat_id, now)
        else:
            self.queues.settle(push.chat_id, now, retry=outcome, retry_at=now + retry_in)
        if len(self._pending.pushes) >= self.options.flush_every:
            self._flush_now.set()

    def _settle_error(self, push: Push, exc: Exception) -> None:
        attempts = push.attempts + 1
        if isinstance(exc, RetryAfter):
            delay = retry_seconds(exc)
            self.limiter.pause_until(self._mono() + delay)
            self.stats.rate_limited += 1
            self.metrics.rate_limited.inc()
            self._retry(push, attempts, delay, f"429: retry after {delay:g}s")
        elif isinstance(exc, ChatMigrated):
            self._migrate(push, int(exc.new_chat_id))
        elif is_chat_gone(exc):
            self._drop_chat(push, exc.message)
        elif isinstance(exc, BadRequest):
            logger.error("push %s rejected by Telegram: %s", push.id, exc.message)
            self._fail(push, attempts, f"rejected: {exc.message}")
        else:
            if not isinstance(exc, TelegramError):
                logger.error("push %s: unexpected error while sending", push.id, exc_info=exc)
            delay = backoff_delay(attempts, self.options.backoff_base, self.options.backoff_cap, self._rng)
            self._retry(push, attempts, delay, f"{type(exc).__name__}: {exc}")

    def _retry(self, push: Push, attempts: int, delay: float, error: str) -> None:
        started = push.created_at if push.created_at > 0 else self._clock()
        if self._clock() + delay - started > self._settings.send_give_up_seconds:
            self._fail(push, attempts, f"gave up after {attempts} attempts; last error: {error}")
            return
        self.stats.retried += 1
        self.metrics.retried.labels(error.split(":", 1)[0]).inc()
        retry = replace(push, attempts=attempts, not_before=self._clock() + delay, error=error)
        self._settle(push, retry, retry_in=delay)

    def _fail(self, push: Push, attempts: int, error: str) -> None:
        self.stats.failed += 1
        self.metrics.failed.labels("gave_up" if error.startswith("gave up") else error.split(":", 1)[0]).inc()
        logger.warning("push %s failed: %s", push.id, error)
        self._settle(push, replace(push, status="failed", attempts=attempts, error=error))

    def _drop_chat(self, push: Push, reason: str) -> None:
        """The chat blocked or removed the bot: deactivate it and drop what it was owed."""
        reason = f"chat unavailable: {reason}"
        self._settle(push, replace(push, status="dropped", attempts=push.attempts + 1, error=reason))
        queued = self.queues.remove_chat(push.chat_id)
        for other in queued:
            self._pending.pushes[other.id] = replace(other, status="dropped", error=reason)
        self._pending.gone[push.chat_id] = reason
        self._held.add(push.chat_id)
        self.stats.dropped += 1 + len(queued)
        self.metrics.failed.labels("chat_gone").inc(1 + len(queued))
        logger.info("chat %s unavailable (%s): deactivated, %d pushes dropped", push.chat_id, reason, 1 + len(queued))
        self._flush_now.set()

    def _migrate(self, push: Push, new_chat_id: int) -> None:
        """A group became a supergroup: follow it and resend there."""
        old = push.chat_id
        now = self._mono()
        self.queues.settle(old, now)
        queued = [push, *self.queues.remove_chat(old)]
        for item in queued:
            moved = readdress(item, old, new_chat_id)
            self._known.discard(item.id)
            self._known.add(moved.id)
            self.queues.add(moved, now)
        for key in [k for k, p in self._pending.pushes.items() if p.chat_id == old]:
            moved = readdress(self._pending.pushes.pop(key), old, new_chat_id)
            self._pending.pushes[moved.id] = moved
        self._pending.moves.append((old, new_chat_id))
        self._held.add(old)
        self.stats.migrated += 1
        logger.info("chat %s migrated to %s: %d pushes follow", old, new_chat_id, len(queued))
        self._flush_now.set()

    # -- writing outcomes back ---------------------------------------------------

    async def _flush_loop(self) -> None:
        while not self._closing:
            try:
                await asyncio.wait_for(self._flush_now.wait(), timeout=self.options.flush_interval)
            except TimeoutError:
                pass
            self._flush_now.clear()
            await self._flush()

    async def _flush(self) -> None:
        if not self._pending or self._flushing:
            return
        batch, self._pending = self._pending, Outcomes()
        sent = batch.sent_count()
        self._flushing = True
        try:
            await asyncio.to_thread(write_outcomes, self._store, batch)
        except Exception:
            logger.error("outbox: writing %d outcomes failed; will retry", len(batch.pushes), exc_info=True)
            self._pending = batch.merged_with(self._pending)
            return
        finally:
            self._flushing = False
        self.stats.flushes += 1
        self._unsaved -= sent
        self._held.difference_update(batch.gone)
        self._held.difference_update(old for old, _ in batch.moves)
        for push in batch.pushes.values():
            if push.status != "pending":
                self._known.discard(push.id)
        self._wake.set()
