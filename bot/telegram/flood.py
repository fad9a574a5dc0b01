"""One flood budget for every outgoing message: replies and pushes share Telegram's limits.

`SharedRateLimiter` is PTB's rate-limiter hook (every Bot API call a handler makes goes
through it). It holds the same `SendLimiter` as the push sender, so a reply waits for a
slot in the same windows (overall rate, one a second per private chat, 20 a minute per
group or channel), and while replies wait the sender holds back: replies go ahead of
pushes. A 429 on any call pauses every send for `retry_after` and the call is made again;
a 5xx or a dropped connection is retried with backoff, so a reply is never turned into
"something went wrong". The sender's own sends pass straight through (it has applied the
same limits and handles its own errors).

`FloodGuard` (a handler group before every other) keeps a chat that floods from building a
backlog: each chat has a small budget of commands that refills over time; beyond it the
chat hears "slow down" once, and further commands are skipped until the budget refills.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any, Callable, Coroutine

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import ApplicationHandlerStop, BaseRateLimiter, ContextTypes, TypeHandler

from bot.config import Settings
from bot.delivery.policy import PUSH_RATE_LIMIT_ARGS, SenderOptions, limits_for, retry_seconds
from bot.schedule.ratelimit import SendLimiter
from bot.telegram.replies import language_of, reply, say, services_of

logger = logging.getLogger(__name__)

MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument",
                             "copyMessage", "forwardMessage"})
MAX_ATTEMPTS = 6
BACKOFF_BASE, BACKOFF_CAP = 0.5, 4.0        # at most about 8 s of backoff in all
NOT_RETRIED = ("Unknown error in HTTP implementation",)   # our side (e.g. a closed client at shutdown)
FLOOD_GROUP = -2


class SharedRateLimiter(BaseRateLimiter[None]):
    """PTB rate limiter over a shared SendLimiter (see the module doc)."""

    def __init__(self, limiter: SendLimiter, *, monotonic: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None):
        self.limiter = limiter
        self._mono = monotonic
        self._rng = rng or random.Random()
        self.retried = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: Any) -> Any:
        if rate_limit_args == PUSH_RATE_LIMIT_ARGS:
            return await callback(*args, **kwargs)
        chat_id = _chat_id(data) if endpoint in MESSAGE_METHODS else None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if chat_id is not None:
                await self._wait_for_slot(chat_id)
            else:
                await self._wait_for_pause()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = retry_seconds(exc)
                self.limiter.pause_until(self._mono() + delay)
                logger.info("%s to %s: 429, again in %gs", endpoint, chat_id, delay)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt == MAX_ATTEMPTS or exc.message.startswith(NOT_RETRIED):
                    raise
                delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) * self._rng.uniform(0.5, 1.0)
                logger.info("%s to %s failed (%s), again in %.1fs", endpoint, chat_id, exc.message, delay)
                await asyncio.sleep(delay)
            self.retried += 1
        raise NetworkError(f"{endpoint}: still rate limited after {MAX_ATTEMPTS} attempts")

    async def _wait_for_pause(self) -> None:
        while (wait := self.limiter.paused_for(self._mono())) > 0:
            await asyncio.sleep(wait)

    async def _wait_for_slot(self, chat_id: int) -> None:
        """Wait until the chat's and the overall windows allow one more message; then count it.

        Only a reply waiting for the overall budget holds the push sender back: one waiting out
        a group's per-minute window must not stall every other chat's digest."""
        while True:
            now = self._mono()
            chat_wait = self.limiter.chat_delay(chat_id, now)
            if chat_wait > 0:
                await asyncio.sleep(chat_wait)
                continue
            overall_wait = self.limiter.overall_delay(now)
            if overall_wait <= 0:
                self.limiter.record(chat_id, now)
                return
            self.limiter.replies_waiting += 1
            try:
                await asyncio.sleep(overall_wait)
            finally:
                self.limiter.replies_waiting -= 1


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit()):
        return int(value)
    return None


class CommandBudget:
    """Per chat: `burst` commands at once, one more every `refill` seconds (a token bucket)."""

    def __init__(self, burst: float, refill: float):
        self.burst, self.refill = burst, refill
        self._buckets: dict[int, tuple[float, float, bool]] = {}   # chat -> (tokens, at, told to slow down)

    def take(self, chat_id: int, now: float) -> str:
        """'ok' (answer it), 'warn' (say slow down, once) or 'skip'."""
        tokens, at, told = self._buckets.get(chat_id, (self.burst, now, False))
        tokens = min(self.burst, tokens + (now - at) / self.refill)
        if tokens >= 1:
            self._buckets[chat_id] = (tokens - 1, now, False)
            return "ok"
        self._buckets[chat_id] = (tokens, now, True)
        if len(self._buckets) > 50_000:
            self._buckets.clear()
        return "skip" if told else "warn"


class FloodGuard:
    """Command budgets that refill at the chat's message rate: a private chat one a second,
    a group one every 60/GROUP_RATE_PER_MINUTE seconds; `burst` at once."""

    def __init__(self, private_per_second: float, group_per_minute: float, burst: int = 4):
        self.private = CommandBudget(burst, 1.0 / private_per_second)
        self.group = CommandBudget(burst, 60.0 / group_per_minute)
        self.skipped = 0

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None or update.inline_query is not None:
            return
        budget = self.private if chat.type == "private" else self.group
        verdict = budget.take(chat.id, time.monotonic())
        if verdict == "ok":
            return
        self.skipped += 1
        if verdict == "warn":
            await _tell_slow_down(update, context)
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop


async def _tell_slow_down(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = say("tg_slow_down", language_of(update, services_of(context)))
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    else:
        await reply(update, context, text)


def flood_handlers(settings: Settings) -> list[TypeHandler]:
    """The guard, in FLOOD_GROUP (before every other handler group)."""
    return [TypeHandler(Update, FloodGuard(settings.private_chat_rate, settings.group_rate_per_minute))]


def shared_rate_limiter(settings: Settings) -> SharedRateLimiter:
    """The rate limiter for the Application's bot; its SendLimiter goes to the push sender too."""
    return SharedRateLimiter(SendLimiter(limits_for(settings, SenderOptions().margin)))
