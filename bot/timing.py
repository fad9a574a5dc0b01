"""When a subscriber's next digest is due: pure time arithmetic in the subscriber's zone."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.models import Subscriber

NEVER = float("inf")


def _parse_hhmm(value: str) -> time:
    hh, _, mm = value.partition(":")
    return time(int(hh), int(mm))


def next_due_at(subscriber: Subscriber, after: float) -> float:
    """UTC epoch of the first scheduled digest strictly after `after` (NEVER for instant)."""
    if subscriber.frequency == "instant":
        return NEVER
    zone = ZoneInfo(subscriber.timezone)
    local = datetime.fromtimestamp(after, timezone.utc).astimezone(zone)
    at = _parse_hhmm(subscriber.time_of_day)
    day = local.date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if subscriber.frequency == "weekly" and candidate_day.weekday() != subscriber.weekday:
            continue
        candidate = datetime.combine(candidate_day, at, tzinfo=zone).timestamp()
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a weekday occurs within 8 days")
