"""Strict sliding-window rate limits for pushes: never more than N in ANY window.

An average-rate (leaky bucket) limiter lets a burst through after an idle spell
and, after a pause, everything that queued up; Telegram counts messages per
window, so these windows count the actual send times. Each window is a little
longer than the limit's period (`margin` overall, `chat_margin` per chat), so
jitter between our send time and Telegram's arrival time cannot squeeze one
extra message into a window. The per-chat margin is larger: it costs nothing
(one chat rarely gets more than a few messages) and covers a slow network.

Sends are also paced evenly, one every window/limit seconds, never in a burst:
a burst that the window allows would leave the process in a clump, the last of
it late enough to land in the next window at Telegram's end.

Pure: no I/O; time is passed in (monotonic seconds).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


CATCH_UP = 4    # a send this many beats late may be followed by the ones it delayed, back to back


class SlidingWindow:
    """At most `limit` events in any half-open window of `period` seconds."""

    __slots__ = ("limit", "period", "_times")

    def __init__(self, limit: int, period: float):
        if limit < 1 or period <= 0:
            raise ValueError("a window needs limit >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        times = self._times
        while times and times[0] <= now - self.period:
            times.popleft()

    def delay(self, now: float) -> float:
        """Seconds until one more event is allowed (0 when it is allowed now)."""
        self._expire(now)
        if len(self._times) < self.limit:
            return 0.0
        return self._times[-self.limit] + self.period - now

    def record(self, now: float) -> None:
        self._times.append(now)

    def is_idle(self, now: float) -> bool:
        self._expire(now)
        return not self._times


def window_for(per_second: float, margin: float) -> SlidingWindow:
    """A window for a rate in messages a second: N per second, or 1 per 1/rate seconds when below 1."""
    if per_second >= 1:
        return SlidingWindow(int(math.floor(per_second)), 1.0 + margin)
    return SlidingWindow(1, 1.0 / per_second + margin)


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits as configured (see Settings.send_rate and friends)."""

    overall_per_second: float = 25.0
    chat_per_second: float = 1.0          # every chat, private or not
    group_per_minute: int = 20            # groups and channels (negative chat ids)
    margin: float = 0.08                  # seconds added to the overall window
    chat_margin: float = 0.25             # seconds added to every per-chat and per-group window


class SendLimiter:
    """The overall window, plus one window per chat (and a per-minute one per group)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._overall = window_for(limits.overall_per_second, limits.margin)
        self._chats: dict[int, SlidingWindow] = {}
        self._groups: dict[int, SlidingWindow] = {}
        self._paused_until = 0.0
        self._spacing = self._overall.period / self._overall.limit
        self._next_slot = 0.0
        self._records = 0
        self.replies_waiting = 0    # replies waiting for a slot: the push sender holds back meanwhile

    @property
    def full_window(self) -> float:
        """Seconds after which no past send counts in any per-second window (overall or per chat)."""
        return max(self._overall.period, 1.0 / min(self.limits.chat_per_second, 1.0) + self.limits.chat_margin)

    def pause_until(self, until: float) -> None:
        """Hold every send until `until` (a global 429)."""
        self._paused_until = max(self._paused_until, until)

    def paused_for(self, now: float) -> float:
        """Seconds left of a 429 pause (0 when not paused)."""
        return max(self._paused_until - now, 0.0)

    def overall_delay(self, now: float) -> float:
        return max(self._overall.delay(now), self._paused_until - now, self._next_slot - now, 0.0)

    def chat_delay(self, chat_id: int, now: float) -> float:
        delay = 0.0
        window = self._chats.get(chat_id)
        if window is not None:
            delay = window.delay(now)
        group = self._groups.get(chat_id)
        if group is not None:
            delay = max(delay, group.delay(now))
        return delay

    def record(self, chat_id: int, now: float) -> None:
        """Count one send to `chat_id` at `now` in every window it belongs to."""
        self._overall.record(now)
        on_time = now - self._next_slot < CATCH_UP * self._spacing   # a little late: keep the beat
        self._next_slot = (self._next_slot if on_time else now) + self._spacing
        window = self._chats.get(chat_id)
        if window is None:
            window = self._chats[chat_id] = window_for(self.limits.chat_per_second, self.limits.chat_margin)
        window.record(now)
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = SlidingWindow(
                    self.limits.group_per_minute, 60.0 + 4 * self.limits.chat_margin)
            group.record(now)
        self._records += 1
        if self._records % 2048 == 0:
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        for table in (self._chats, self._groups):
            for chat_id in [c for c, w in table.items() if w.is_idle(now)]:
                del table[chat_id]
