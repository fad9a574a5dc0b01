"""Flood scenarios against the local Bot API stand-in: the real Application (long polling over
HTTP, as `digestbot run`), many users or one flooding chat, and what Telegram would count.

Used by tests/test_flood.py and benchmarks/flood.py (which also runs them with the replies
outside the flood budget, as the bot was before).
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bot.config import Settings
from bot.library.library import Library
from bot.services import Services
from bot.store.tinydb.store import TinyStore
from bot.telegram.app import build_application
from tests.support.standin import StandIn, most_in_any_window

TOKEN = "123456:FLOOD-TEST-TOKEN"
TELEGRAM = Settings()           # Telegram's limits as the defaults configure them (25/s, 1/s, 20/min)
ERROR_TEXT = "Sorry, something went wrong"


@dataclass
class FloodResult:
    senders: int                  # chats that sent commands
    answered: int                 # chats that got at least one real answer (not the error apology)
    apologies: int                # "Sorry, something went wrong" sent
    messages: int                 # sendMessage calls that reached the stand-in
    windows_over: int             # one-second (and, for groups, one-minute) windows over Telegram's limits
    most_per_second: int
    seconds: float

    @property
    def lost(self) -> int:
        return self.senders - self.answered


def windows_over_limits(standin: StandIn) -> tuple[int, int]:
    """(windows over the limits, most messages in any one second), counting every sendMessage call."""
    calls = standin.of("sendMessage", status=None)
    times = sorted(c.at for c in calls)
    over = _count_over(times, 1.0, 30)
    by_chat: dict[int, list[float]] = {}
    for call in calls:
        if call.chat_id is not None:
            by_chat.setdefault(call.chat_id, []).append(call.at)
    for chat_id, chat_times in by_chat.items():
        over += _count_over(sorted(chat_times), 1.0, 1)
        if chat_id < 0:
            over += _count_over(sorted(chat_times), 60.0, 20)
    return over, most_in_any_window(times, 1.0)


def _count_over(times: list[float], window: float, limit: int) -> int:
    """How many messages arrived while more than `limit` were within the last `window` seconds."""
    over, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        if end - start + 1 > limit:
            over += 1
    return over


async def run_scenario(standin: StandIn, data_dir: Path, dirs: tuple[Path, Path], sends: list[tuple[int, int, str]],
                       *, flood_budget: bool = True, settle: float = 3.0, timeout: float = 90.0,
                       pushes: list | None = None, sends_after: float = 0.0) -> FloodResult:
    """Start the bot on a copy of `data_dir`, queue `sends` (chat id, user id, text) at once,
    wait until every chat is answered (or `timeout`), then `settle` seconds more; count."""
    seeds, digests = dirs
    settings = replace(TELEGRAM, telegram_bot_token=TOKEN, telegram_api_base_url=standin.base_url,
                       telegram_api_file_url=standin.base_url.replace("/bot", "/file/bot"),
                       data_dir=data_dir, seeds_dir=seeds, digests_dir=digests)
    store = TinyStore(data_dir)
    if pushes:
        store.enqueue_pushes(pushes)        # a broadcast in progress when the commands come
    services = Services(settings, store, Library(settings, store))
    services.library.refresh_themes_if_changed()
    application = build_application(services, flood_budget=flood_budget)
    chats = {chat for chat, _, _ in sends}
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        started = time.monotonic()
        await asyncio.sleep(sends_after)
        for chat_id, user_id, text in sends:
            standin.send_text(chat_id, text, user_id=user_id)
        while time.monotonic() - started < timeout and _answered(standin, chats) < len(chats):
            await asyncio.sleep(0.1)
        await asyncio.sleep(settle)
        seconds = time.monotonic() - started
        await application.updater.stop()
        await application.stop()
    store.close()
    over, most = windows_over_limits(standin)
    apologies = sum(1 for c in standin.of("sendMessage") if ERROR_TEXT in c.text)
    return FloodResult(len(chats), _answered(standin, chats), apologies, len(standin.of("sendMessage", status=None)),
                       over, most, seconds)


def _answered(standin: StandIn, chats: set[int]) -> int:
    answered = {c.chat_id for c in standin.of("sendMessage") if ERROR_TEXT not in c.text}
    return len(answered & chats)


def many_users(count: int, text: str = "/subscribe oas") -> list[tuple[int, int, str]]:
    return [(1000 + n, 1000 + n, text) for n in range(count)]


def one_user(count: int, text: str = "/help") -> list[tuple[int, int, str]]:
    return [(77, 77, text) for _ in range(count)]


def one_group(count: int, text: str = "/help") -> list[tuple[int, int, str]]:
    return [(-100777, 2000 + n % 7, text) for n in range(count)]
