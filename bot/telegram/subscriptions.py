"""Subscriber changes behind /subscribe, /unsubscribe and /settings: validate, update, save.

Functions take and return frozen `Subscriber`s; `save` computes next_due_at
with bot.schedule.timing so the scheduler sees the change at its next tick.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.digest.i18n import LANGUAGES, own_name, t
from bot.models import Subscriber
from bot.services import Services
from bot.schedule.timing import reschedule

TIMEZONES = (
    "America/Lima", "America/Bogota", "America/Caracas", "America/Santiago",
    "America/Argentina/Buenos_Aires", "America/Sao_Paulo", "America/Mexico_City",
    "America/La_Paz", "America/Guayaquil", "America/New_York", "Europe/Madrid", "UTC",
)
TIMES = ("06:00", "07:00", "08:00", "09:00", "12:00", "18:00", "20:00", "22:00")
QUIET_HOURS = ("22:00-07:00", "23:00-08:00", "21:00-06:00")
FREQUENCIES = ("daily", "weekly", "instant")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


class SettingError(ValueError):
    """A typed or pressed setting value that cannot be used: `setting` names it (tg_setting_<name>),
    `hint` is the i18n key of what would work."""

    def __init__(self, setting: str, value: str, hint: str):
        super().__init__(f"{setting}={value!r}: {hint}")
        self.setting, self.value, self.hint = setting, value, hint


def parse_time(value: str) -> str:
    match = _HHMM.match(value.strip())
    if not match:
        raise SettingError("time", value, "tg_hint_time")
    return f"{int(match[1]):02d}:{match[2]}"


def parse_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):   # OSError: a name too long for a file
        raise SettingError("tz", value, "tg_hint_tz") from None
    return value


def parse_weekday(value: str) -> int:
    names = [t("tg_weekdays", lang).split(",") for lang in LANGUAGES]
    folded = value.strip().lower()
    for days in names:
        for number, day in enumerate(days):
            if folded and (day.lower() == folded or day.lower()[:3] == folded[:3]):
                return number
    if folded.isdigit() and int(folded) < 7:
        return int(folded)
    raise SettingError("wd", value, "tg_hint_wd")


def parse_quiet(value: str) -> tuple[str, str]:
    if value.strip().lower() in ("off", "none", "no"):
        return "", ""
    start, _, end = value.replace("–", "-").partition("-")
    try:
        return parse_time(start), parse_time(end)
    except SettingError:
        raise SettingError("quiet", value, "tg_hint_quiet") from None


def apply_setting(subscriber: Subscriber, name: str, value: str) -> Subscriber:
    """The subscriber with one setting changed (names: time, tz, freq, wd, lang, quiet)."""
    if name == "time":
        return replace(subscriber, time_of_day=parse_time(value))
    if name == "tz":
        return replace(subscriber, timezone=parse_timezone(value))
    if name == "freq":
        frequency, _, day = value.strip().lower().partition(" ")
        if frequency not in FREQUENCIES:
            raise SettingError("freq", value, "tg_hint_freq")
        changed = replace(subscriber, frequency=frequency)
        return replace(changed, weekday=parse_weekday(day)) if day else changed
    if name == "wd":
        return replace(subscriber, weekday=parse_weekday(value))
    if name == "lang":
        if value.strip().lower() not in LANGUAGES:
            raise SettingError("lang", value, "tg_hint_lang")
        return replace(subscriber, language=value.strip().lower())
    if name == "quiet":
        start, end = parse_quiet(value)
        return replace(subscriber, quiet_start=start, quiet_end=end)
    raise SettingError("setting", name, "tg_hint_setting")


def current(services: Services, chat_id: int, *, chat_type: str, language: str,
            thread_id: int | None) -> Subscriber:
    """The chat's saved subscriber, or a new one with the default settings (not saved)."""
    saved = services.store.get_subscriber(chat_id)
    if saved is not None:
        return saved
    settings, now = services.settings, services.clock()
    return Subscriber(chat_id=chat_id, language=language, timezone=settings.default_timezone,
                      time_of_day=settings.digest_time, chat_type=chat_type, thread_id=thread_id,
                      is_active=False, last_digest_at=now, created_at=now)


def add_theme(subscriber: Subscriber, command: str) -> Subscriber:
    themes = subscriber.themes if command in subscriber.themes else subscriber.themes + (command,)
    return replace(subscriber, themes=themes, is_active=True)


def remove_theme(subscriber: Subscriber, command: str | None) -> Subscriber:
    """Without `command` ("all"), every theme goes and digests stop."""
    themes = tuple(c for c in subscriber.themes if command is not None and c != command)
    return replace(subscriber, themes=themes, is_active=bool(themes))


async def save(services: Services, subscriber: Subscriber) -> Subscriber:
    """Store the subscriber with its next digest time computed from now (off the event loop)."""
    saved = reschedule(subscriber, services.clock())
    await asyncio.to_thread(services.store.save_subscriber, saved)
    return saved


def pause_of(subscriber: Subscriber, language: str) -> dict[str, str]:
    """When and why the chat's digests were paused (fields of tg_paused and tg_welcome_back)."""
    when = (datetime.fromtimestamp(subscriber.paused_at, ZoneInfo(subscriber.timezone)).strftime("%Y-%m-%d %H:%M")
            if subscriber.paused_at else "?")
    reason = (t("tg_reason_unreachable", language) if subscriber.paused_reason
              else t("tg_reason_unknown", language))
    return {"when": when, "reason": reason}


def resume(subscriber: Subscriber) -> Subscriber:
    """A paused chat that spoke again: active, the pause forgotten (save() reschedules it)."""
    return replace(subscriber, is_active=True, paused_at=0.0, paused_reason="")


def describe(subscriber: Subscriber, language: str) -> dict[str, str]:
    """Plain words for the schedule, language and quiet hours (fields of tg_* strings)."""
    if subscriber.frequency == "instant":
        schedule = t("tg_instant", language)
    elif subscriber.frequency == "weekly":
        weekday = t("tg_weekdays", language).split(",")[subscriber.weekday % 7]
        schedule = t("tg_weekly", language, weekday=weekday, time=subscriber.time_of_day,
                     zone=subscriber.timezone)
    else:
        schedule = t("tg_daily", language, time=subscriber.time_of_day, zone=subscriber.timezone)
    quiet = (f"{subscriber.quiet_start}–{subscriber.quiet_end}" if subscriber.quiet_start
             else t("tg_none", language))
    return {"schedule": schedule, "quiet": quiet,
            "lang_name": own_name(subscriber.language)}
