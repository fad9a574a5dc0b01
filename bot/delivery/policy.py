"""The sender's policy: options, how long to wait, and what a Telegram error means.

Telegram's answers, as PTB raises them: RetryAfter (429, flood control: wait
`retry_after`), ChatMigrated (a group became a supergroup: resend to the new id),
Forbidden (403: blocked or kicked), BadRequest (400: "chat not found" means the
chat is gone; anything else will fail again), NetworkError and TimedOut (5xx,
connection trouble: retry with backoff). BadRequest and TimedOut are
NetworkErrors in PTB, so the order of the checks matters.
"""
from __future__ import annotations

import math
import random
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeGuard

from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings
from bot.models import Push
from bot.schedule.ratelimit import Limits

PUSH_RATE_LIMIT_ARGS = {"push": True}   # marks the sender's own sends for the shared rate limiter (already limited)
GONE_MARKERS = ("chat not found", "user is deactivated", "bot was kicked", "bot was blocked")


@dataclass(frozen=True)
class SenderOptions:
    concurrency: int = 0           # sends in flight; 0: scale with the rate (see in_flight)
    expected_latency: float = 0.25 # round trip to Telegram assumed when scaling: rate x this in flight
    flush_every: int = 25          # write outcomes back after this many sends ...
    flush_interval: float = 0.3    # ... or this many seconds
    max_unsaved: int = 50          # sent, not yet written back (a batch being written + one filling): sends wait beyond
    refill_batch: int = 500        # pushes read from the store at a time
    poll_interval: float = 1.0     # look for pushes enqueued by someone who did not wake us
    backoff_base: float = 1.0      # first retry after 0.5-1 x this, doubling per attempt
    backoff_cap: float = 300.0
    margin: float = 0.08           # seconds added to the overall window: tolerated send-to-arrival jitter

    def in_flight(self, rate: float) -> int:
        """Sends in flight at `rate`/s: enough to hold the rate at `expected_latency` (8 at 30/s, 75 at 300/s)."""
        return self.concurrency or max(8, math.ceil(rate * self.expected_latency))

    def duplicate_bound(self, rate: float) -> int:
        """The most messages a kill -9 can make the next run send again (sender at `rate`/s)."""
        return self.max_unsaved + self.in_flight(rate)


def limits_for(settings: Settings, margin: float) -> Limits:
    return Limits(overall_per_second=settings.send_rate, chat_per_second=settings.private_chat_rate,
                  group_per_minute=settings.group_rate_per_minute, margin=margin)


def send_message_kwargs(push: Push) -> dict[str, object]:
    """sendMessage parameters for a push (HTML, no link preview, its topic if any), as the Bot API names them."""
    kwargs: dict[str, object] = {"chat_id": push.chat_id, "text": push.text, "parse_mode": "HTML",
                                 "link_preview_options": {"is_disabled": True}}
    if push.thread_id is not None:
        kwargs["message_thread_id"] = push.thread_id
    return kwargs


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def backoff_delay(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: 0.5-1 x base x 2^(attempts-1), at most cap."""
    return min(cap, base * 2 ** max(attempts - 1, 0)) * rng.uniform(0.5, 1.0)


def is_chat_gone(exc: Exception) -> TypeGuard[Forbidden | BadRequest]:
    """Forbidden (blocked, kicked) or a 400 saying the chat is not there."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and any(m in exc.message.lower() for m in GONE_MARKERS)


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    dropped: int = 0
    migrated: int = 0
    flushes: int = 0
