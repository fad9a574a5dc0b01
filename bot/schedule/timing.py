"""When a subscriber's digest is due: pure time arithmetic in the subscriber's zone.

A subscriber's *slots* are the instants their digest is scheduled: `time_of_day`
local time every day (daily) or on `weekday` (weekly), moved to the end of their
quiet hours when it falls inside them. All results are UTC epoch seconds.

Daylight-saving time follows `zoneinfo`: a local time that does not exist on the
day the clocks spring forward (02:30 in New York, 00:30 in Santiago) is taken
with the offset before the change, so the digest comes that much later by the
wall clock (03:30, 01:30); a local time that occurs twice when the clocks fall
back is the first occurrence, and the next slot is the next day — never twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.models import Subscriber

NEVER = float("inf")


@dataclass(frozen=True)
class DuePlan:
    """What one tick does for a due subscriber."""

    slot: float          # the scheduled slot this digest stands for (its identity)
    is_sendable: bool    # within the grace window and not already served
    next_due: float      # the subscriber's next slot after this one


def parse_hhmm(value: str) -> time:
    hh, _, mm = value.partition(":")
    return time(int(hh), int(mm))


def _has_quiet_hours(subscriber: Subscriber) -> bool:
    return bool(subscriber.quiet_start and subscriber.quiet_end) and (
        subscriber.quiet_start != subscriber.quiet_end
    )


def _local(when: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(when, timezone.utc).astimezone(zone)


def _at(day: date, clock: time, zone: ZoneInfo) -> float:
    return datetime.combine(day, clock, tzinfo=zone).timestamp()


def quiet_until(subscriber: Subscriber, when: float) -> float:
    """End of the quiet hours that contain `when`, or `when` itself when not quiet."""
    if not _has_quiet_hours(subscriber):
        return when
    zone = ZoneInfo(subscriber.timezone)
    local = _local(when, zone)
    start, end = parse_hhmm(subscriber.quiet_start), parse_hhmm(subscriber.quiet_end)
    now = local.time().replace(tzinfo=None)
    if start < end:                      # e.g. 13:00-15:00, same day
        if start <= now < end:
            return max(when, _at(local.date(), end, zone))
        return when
    if now >= start:                     # e.g. 22:00-07:00, before midnight
        return max(when, _at(local.date() + timedelta(days=1), end, zone))
    if now < end:                        # after midnight
        return max(when, _at(local.date(), end, zone))
    return when


def _slot_on(subscriber: Subscriber, day: date, zone: ZoneInfo) -> float | None:
    if subscriber.frequency == "weekly" and day.weekday() != subscriber.weekday:
        return None
    return quiet_until(subscriber, _at(day, parse_hhmm(subscriber.time_of_day), zone))


def _slots(subscriber: Subscriber, around: float, days: range) -> list[float]:
    zone = ZoneInfo(subscriber.timezone)
    today = _local(around, zone).date()
    found = (_slot_on(subscriber, today + timedelta(days=d), zone) for d in days)
    return sorted(slot for slot in found if slot is not None)


def next_due_at(subscriber: Subscriber, after: float) -> float:
    """UTC epoch of the first scheduled digest strictly after `after` (NEVER for instant)."""
    if subscriber.frequency == "instant":
        return NEVER
    for slot in _slots(subscriber, after, range(-1, 9)):
        if slot > after:
            return slot
    raise AssertionError("unreachable: a weekday occurs within 8 days")


def previous_due_at(subscriber: Subscriber, at: float) -> float | None:
    """The latest scheduled digest at or before `at` (None for instant)."""
    if subscriber.frequency == "instant":
        return None
    earlier = [slot for slot in _slots(subscriber, at, range(-8, 2)) if slot <= at]
    return earlier[-1] if earlier else None


def plan_due(subscriber: Subscriber, now: float, grace_seconds: float) -> DuePlan:
    """Decide the digest of a subscriber whose next_due_at has passed.

    The slot is the latest one at or before `now` under the subscriber's current
    settings: after downtime the missed digest is sent once if that slot is within
    the grace window, and skipped otherwise; either way the next one is on time.
    A slot already served (last digest at or after it) is never sent again.
    """
    slot = previous_due_at(subscriber, now)
    if slot is None:
        return DuePlan(slot=now, is_sendable=False, next_due=NEVER)
    is_sendable = now - slot <= grace_seconds and slot > subscriber.last_digest_at
    return DuePlan(slot=slot, is_sendable=is_sendable, next_due=next_due_at(subscriber, slot))


def reschedule(subscriber: Subscriber, now: float) -> Subscriber:
    """The subscriber with next_due_at recomputed (call on any settings change: zone, time, frequency)."""
    return replace(subscriber, next_due_at=next_due_at(subscriber, now))


def digest_key(subscriber: Subscriber, slot: float) -> str:
    """Identity of a scheduled digest, e.g. "2026-11-23T13:00Z/daily" (a re-run of a slot reuses it)."""
    stamp = datetime.fromtimestamp(slot, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    return f"{stamp}/{subscriber.frequency}"
