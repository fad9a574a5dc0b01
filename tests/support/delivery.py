"""Helpers shared by the delivery, schedule and kill -9 tests (no tests here).

Everything is real: a TinyStore in a temp dir, a PTB Application talking HTTP to
the local Bot API stand-in on 127.0.0.1, the `Sender` running as a task.
"""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path

from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.delivery.sender import Sender
from bot.delivery.policy import SenderOptions
from bot.models import Push
from tests.support.standin import StandIn

TOKEN = "123456:delivery-test"


def fast_settings(**fields: object) -> Settings:
    """Settings with a raised overall rate (Settings itself does not cap it; load_settings does)."""
    return replace(Settings(telegram_bot_token=TOKEN), **{"send_rate": 100.0, **fields})


def make_push(chat_id: int, key: str = "2026-03-02T13:00Z/daily", part: int = 0, *,
              created_at: float = 0.0, text: str = "") -> Push:
    return Push(id=f"{chat_id}:{key}:{part}", chat_id=chat_id, text=text or f"<b>digest</b> {chat_id}/{part}",
                digest_key=key, part=part, created_at=created_at)


def plain_application(standin: StandIn):
    """A real PTB Application whose bot talks to the stand-in (no updater, no handlers)."""
    return ApplicationBuilder().token(TOKEN).base_url(standin.base_url).updater(None).build()


@contextlib.asynccontextmanager
async def running_sender(standin: StandIn, store, settings: Settings, pushes: list[Push] = (), **options: object):
    """A Sender draining `store` through the stand-in, stopped (and flushed) on exit.

    `pushes` are enqueued once the sender runs, as the due tick does (a sender that
    starts with pushes pending first waits out one window: see Sender.run).
    """
    application = plain_application(standin)
    async with application:
        sender = Sender(application.bot, store, settings,
                        options=SenderOptions(**options))
        task = asyncio.create_task(sender.run())
        await asyncio.sleep(0)
        if pushes:
            store.enqueue_pushes(pushes)
            sender.wake()
        try:
            yield sender
        finally:
            sender.stop()
            await task


def sendmessage_windows_ok(standin: StandIn, settings: Settings) -> list[str]:
    """Every one-second window (every call, whatever its answer) within the limits; returns violations."""
    problems = []
    overall = standin.max_in_window(1.0, status=None)
    if overall > settings.send_rate:
        problems.append(f"overall {overall} > {settings.send_rate}")
    chats = {c.chat_id for c in standin.of("sendMessage", status=None) if c.chat_id is not None}  # a body cut by kill -9
    for chat_id in chats:
        per_second = standin.max_in_window(1.0, chat_id=chat_id, status=None)
        if per_second > max(1, int(settings.private_chat_rate)):
            problems.append(f"chat {chat_id}: {per_second} in one second")
        if chat_id < 0:
            per_minute = standin.max_in_window(60.0, chat_id=chat_id, status=None)
            if per_minute > settings.group_rate_per_minute:
                problems.append(f"group {chat_id}: {per_minute} in one minute")
    return problems


def delivered_texts(standin: StandIn, chat_id: int) -> list[str]:
    return [call.text for call in standin.messages_to(chat_id)]


def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(exist_ok=True)
    return path
