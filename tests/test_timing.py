"""Schedules in the subscriber's zone: daily, weekly, quiet hours, DST, zone changes, grace."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from bot.models import Subscriber
from bot.schedule.timing import (
    NEVER,
    digest_key,
    next_due_at,
    plan_due,
    quiet_until,
    previous_due_at,
    reschedule,
)

HOUR = 3600.0


def at(zone: str, *fields: int, fold: int = 0) -> float:
    return datetime(*fields, tzinfo=ZoneInfo(zone), fold=fold).timestamp()


def local(zone: str, epoch: float) -> str:
    return datetime.fromtimestamp(epoch, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def sub(**fields) -> Subscriber:
    return Subscriber(chat_id=1, themes=("lima_group",), **fields)


def test_daily_digest_is_due_at_the_local_time_of_day_in_the_subscribers_zone():
    lima = sub(timezone="America/Lima", time_of_day="08:00")
    due = next_due_at(lima, at("America/Lima", 2026, 3, 2, 7, 0))
    assert local("America/Lima", due) == "2026-03-02 08:00 -05"


def test_next_due_is_strictly_after_so_the_same_slot_never_repeats():
    lima = sub(timezone="America/Lima", time_of_day="08:00")
    slot = at("America/Lima", 2026, 3, 2, 8, 0)
    assert next_due_at(lima, slot) == slot + 24 * HOUR


def test_weekly_digest_comes_on_the_chosen_weekday():
    weekly = sub(frequency="weekly", weekday=4, time_of_day="18:30", timezone="Europe/Madrid")
    due = next_due_at(weekly, at("Europe/Madrid", 2026, 3, 2, 9, 0))  # a Monday
    assert local("Europe/Madrid", due) == "2026-03-06 18:30 CET"   # Friday


def test_instant_subscribers_are_never_due_on_a_schedule():
    assert next_due_at(sub(frequency="instant"), 0.0) == NEVER
    assert previous_due_at(sub(frequency="instant"), 1e9) is None


def test_digest_due_in_quiet_hours_waits_until_they_end():
    night = sub(timezone="Europe/Madrid", time_of_day="06:00", quiet_start="22:00", quiet_end="07:30")
    due = next_due_at(night, at("Europe/Madrid", 2026, 3, 2, 12, 0))
    assert local("Europe/Madrid", due) == "2026-03-03 07:30 CET"
    late = at("Europe/Madrid", 2026, 3, 2, 23, 0)
    assert quiet_until(night, late) > late
    noon = at("Europe/Madrid", 2026, 3, 2, 12, 0)
    assert quiet_until(night, noon) == noon


def test_quiet_hours_within_one_day_delay_only_the_slots_inside_them():
    lunch = sub(timezone="America/Lima", time_of_day="13:15", quiet_start="13:00", quiet_end="14:00")
    due = next_due_at(lunch, at("America/Lima", 2026, 3, 2, 9, 0))
    assert local("America/Lima", due) == "2026-03-02 14:00 -05"
    again = next_due_at(lunch, due)
    assert local("America/Lima", again) == "2026-03-03 14:00 -05"


def test_new_york_spring_forward_sends_the_nonexistent_time_once_an_hour_later():
    ny = sub(timezone="America/New_York", time_of_day="02:30")
    due = next_due_at(ny, at("America/New_York", 2026, 3, 7, 12, 0))
    assert local("America/New_York", due) == "2026-03-08 03:30 EDT"
    following = next_due_at(ny, due)
    assert local("America/New_York", following) == "2026-03-09 02:30 EDT"


def test_new_york_fall_back_sends_the_repeated_time_only_once():
    ny = sub(timezone="America/New_York", time_of_day="01:30")
    first = next_due_at(ny, at("America/New_York", 2026, 10, 31, 12, 0))
    assert local("America/New_York", first) == "2026-11-01 01:30 EDT"
    second = next_due_at(ny, first)
    assert local("America/New_York", second) == "2026-11-02 01:30 EST"
    assert second - first == 25 * HOUR


def test_santiago_midnight_dst_change_keeps_one_digest_a_day():
    # Chile springs forward at 24:00 on the first Saturday of September 2026: 00:30 does not exist.
    cl = sub(timezone="America/Santiago", time_of_day="00:30")
    due = next_due_at(cl, at("America/Santiago", 2026, 9, 5, 12, 0))
    assert local("America/Santiago", due) == "2026-09-06 01:30 -03"
    assert local("America/Santiago", next_due_at(cl, due)) == "2026-09-07 00:30 -03"


def test_madrid_digest_keeps_local_time_across_the_summer_time_change():
    es = sub(timezone="Europe/Madrid", time_of_day="08:00")
    before = next_due_at(es, at("Europe/Madrid", 2026, 3, 28, 9, 0))
    after = next_due_at(es, before)
    assert local("Europe/Madrid", before) == "2026-03-29 08:00 CEST"
    assert after - before == 24 * HOUR
    assert local("Europe/Madrid", at("Europe/Madrid", 2026, 3, 28, 8, 0)) == "2026-03-28 08:00 CET"


def test_changing_zone_reschedules_to_the_new_local_time():
    lima = sub(timezone="America/Lima", time_of_day="08:00")
    now = at("America/Lima", 2026, 3, 2, 9, 0)
    lima = reschedule(lima, now)
    madrid = reschedule(replace(lima, timezone="Europe/Madrid"), now)
    assert local("America/Lima", lima.next_due_at) == "2026-03-03 08:00 -05"
    assert local("Europe/Madrid", madrid.next_due_at) == "2026-03-03 08:00 CET"


def test_missed_digest_within_grace_is_sent_once_for_the_latest_slot():
    lima = sub(timezone="America/Lima", time_of_day="08:00", last_digest_at=at("America/Lima", 2026, 3, 1, 8, 0))
    lima = replace(lima, next_due_at=at("America/Lima", 2026, 3, 2, 8, 0))
    plan = plan_due(lima, at("America/Lima", 2026, 3, 2, 11, 0), grace_seconds=6 * HOUR)
    assert plan.is_sendable
    assert plan.slot == at("America/Lima", 2026, 3, 2, 8, 0)
    assert plan.next_due == at("America/Lima", 2026, 3, 3, 8, 0)
    served = replace(lima, last_digest_at=at("America/Lima", 2026, 3, 2, 11, 0))
    assert not plan_due(served, at("America/Lima", 2026, 3, 2, 11, 5), 6 * HOUR).is_sendable


def test_missed_digest_beyond_grace_is_skipped_and_the_next_comes_on_time():
    lima = sub(timezone="America/Lima", time_of_day="08:00", next_due_at=at("America/Lima", 2026, 3, 2, 8, 0))
    plan = plan_due(lima, at("America/Lima", 2026, 3, 2, 15, 0), grace_seconds=6 * HOUR)
    assert not plan.is_sendable
    assert plan.next_due == at("America/Lima", 2026, 3, 3, 8, 0)


def test_digest_key_names_the_slot_so_a_rerun_reuses_it():
    lima = sub(timezone="America/Lima", time_of_day="08:00")
    assert digest_key(lima, at("America/Lima", 2026, 3, 2, 8, 0)) == "2026-03-02T13:00Z/daily"


ZONES = ["America/Lima", "America/Santiago", "America/New_York", "Europe/Madrid", "America/Caracas"]


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hh=st.integers(0, 23),
    mm=st.sampled_from([0, 15, 30, 59]),
    frequency=st.sampled_from(["daily", "weekly"]),
    weekday=st.integers(0, 6),
    quiet=st.sampled_from([("", ""), ("22:00", "07:00"), ("12:00", "13:30")]),
    after=st.floats(1.7e9, 1.9e9),
)
def test_consecutive_slots_are_increasing_and_about_a_day_or_week_apart(zone, hh, mm, frequency, weekday, quiet, after):
    s = sub(timezone=zone, time_of_day=f"{hh:02d}:{mm:02d}", frequency=frequency, weekday=weekday,
            quiet_start=quiet[0], quiet_end=quiet[1])
    first = next_due_at(s, after)
    second = next_due_at(s, first)
    period = 24 * HOUR if frequency == "daily" else 7 * 24 * HOUR
    assert after < first < second
    assert abs((second - first) - period) <= 2 * HOUR
    assert quiet_until(s, first) == first
    assert previous_due_at(s, first) == first
    assert previous_due_at(s, second - 1) == first
