"""The offline console (`digestbot chat`): the real Application and handlers, no token, no network.

A console transport answers the Bot API locally and prints what a Telegram user
would see — messages as plain text, inline buttons numbered. Typed lines become
real Updates: a number presses that button of the newest keyboard, `@bot words` is an
inline query, anything else is a message.
"""
from __future__ import annotations

import asyncio
import json
import math
import shutil
import sys
from dataclasses import replace
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.services import open_services
from bot.store.tinydb.lock import snapshot_copy
from bot.telegram.app import build_application, stop_bot
from bot.telegram.console import updates
from bot.telegram.console.offline import ApiRefusal, OfflineBotApi, html_to_text
from bot.telegram.jobs import SCHEDULER

PROMPT = "› "


class ConsoleRequest(BaseRequest):
    """A BaseRequest that prints sent and edited messages and remembers their buttons."""

    def __init__(self, out: TextIO):
        self.out = out
        self.api = OfflineBotApi()
        self.buttons: list[tuple[str, dict[str, Any]]] = []   # (callback data, message it sits on)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        try:
            result = self.api.answer(name, params)
        except ApiRefusal as refusal:
            return refusal.status, json.dumps(refusal.body()).encode()
        if name in ("sendMessage", "editMessageText"):
            self.show(params, result)
        elif name == "answerInlineQuery":
            self.show_inline(params.get("results", []))
        elif name == "answerCallbackQuery" and params.get("text"):
            self.out.write(f"  ({params['text']})\n")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def show(self, params: dict[str, Any], sent: dict[str, Any]) -> None:
        self.out.write(html_to_text(str(params.get("text", ""))).rstrip() + "\n")
        rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        if rows:
            self.buttons = []   # numbers always refer to the newest keyboard
        for row in rows:
            labels = []
            for button in row:
                self.buttons.append((button.get("callback_data", ""), sent))
                labels.append(f"[{len(self.buttons)}] {button.get('text', '')}")
            self.out.write("  " + "   ".join(labels) + "\n")
        self.out.write("\n")
        self.out.flush()

    def show_inline(self, results: list[dict[str, Any]]) -> None:
        for number, result in enumerate(results, start=1):
            self.out.write(f"  {number}. {result.get('title', '')}\n")
        self.out.write(f"  (inline results: {len(results)})\n\n")

    def update_for(self, line: str, update_id: int, language: str) -> dict[str, Any]:
        """The Update a Telegram user would cause by typing `line` (or pressing its number)."""
        if line.isdigit() and 0 < int(line) <= len(self.buttons):
            data, pressed_on = self.buttons[int(line) - 1]
            return updates.button(update_id, data, pressed_on, language_code=language)
        if line.startswith("@"):
            return updates.inline(update_id, line.partition(" ")[2], language_code=language)
        return updates.message(update_id, line, language_code=language)


async def chat_loop(application, console: ConsoleRequest, lines: TextIO, language: str) -> None:
    """Read lines until EOF (or /quit) and run each through the Application."""
    echo = not lines.isatty()
    for update_id in range(1, 1 << 31):
        console.out.write(PROMPT)
        console.out.flush()
        line = await asyncio.to_thread(lines.readline)
        if not line or line.strip() in ("/quit", "/exit"):
            console.out.write("\n")
            return
        line = line.strip()
        if echo:
            console.out.write(line + "\n")
        if line == "/digest":
            await show_digest(application, console)
        elif line:
            payload = console.update_for(line, update_id, language)
            await application.process_update(Update.de_json(payload, application.bot))


async def show_digest(application, console: ConsoleRequest, chat_id: int = 1) -> None:
    """/digest (console only): a due pass as if every subscriber were due, and what this chat gets."""
    store = application.bot_data["services"].store
    report = await application.bot_data[SCHEDULER].run_pass(everyone=True)
    pushes = [p for p in store.pending_pushes(math.inf, 10_000) if p.chat_id == chat_id]
    for push in pushes:
        console.show({"text": push.text}, {})
    store.update_pushes([replace(p, status="sent", attempts=p.attempts + 1) for p in pushes])
    if not pushes:
        console.out.write(f"(due pass: {report.digests} digests; nothing new for this chat — "
                          "/subscribe to a theme first)\n\n")


def run_console(settings: Settings, lines: TextIO | None = None, out: TextIO | None = None) -> int:
    """`digestbot chat`: on a temporary copy of the store, ingest the seeds, then chat on this terminal.

    The console never writes the live DATA_DIR: its pretend user would become a real
    subscriber of the live bot. Its store is a snapshot, removed on the way out.
    """
    own_store = snapshot_copy(settings.data_dir, prefix="digestbot-console-")
    try:
        # no Telegram here: no flood limits to keep (the console is one reader typing)
        offline = replace(settings, data_dir=own_store, send_rate=10_000.0,
                          private_chat_rate=10_000.0, group_rate_per_minute=1_000_000)
        return asyncio.run(_console(offline,
                                    lines or sys.stdin, out or sys.stdout))
    finally:
        shutil.rmtree(own_store, ignore_errors=True)


async def _console(settings: Settings, lines: TextIO, out: TextIO) -> int:
    services = open_services(settings)
    console = ConsoleRequest(out)
    application = build_application(services, request=console, updater=False)
    async with application:
        out.write("Reading seeds…\n")
        report = await asyncio.to_thread(services.library.ingest_and_rebuild)
        services.library.refresh_themes_if_changed()
        out.write(f"{len(report.added) + len(report.updated) + len(report.unchanged)} articles, "
                  f"{len(services.library.catalog.themes)} themes. Type /start, /help, a theme "
                  "command, or a button's number; /quit to leave.\n\n")
        out.write("(this console has its own copy of the store; /digest shows what a subscriber would get)\n\n")
        await chat_loop(application, console, lines, settings.default_language)
        await stop_bot(application)
    return 0
