"""A recording transport: the real PTB Bot talks to it instead of the network.

Every call is kept as a `Call(method, params, at)`; answers come from
`bot.telegram.console.offline.OfflineBotApi`, so PTB gets plausible Bot API JSON.
`fail(chat_id, status, description)` makes sends to one chat fail the way
Telegram does (403 blocked, 400 chat not found).
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.telegram.console.offline import ApiRefusal, OfflineBotApi


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


class RecordingRequest(BaseRequest):
    """A BaseRequest that records each Bot API call and answers it locally."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[Call] = []
        self.api = OfflineBotApi()
        self.failures: dict[int, tuple[int, str]] = {}
        self.delay = delay

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail(self, chat_id: int, status: int, description: str) -> None:
        self.failures[chat_id] = (status, description)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        self.calls.append(Call(name, params, time.monotonic()))
        if self.delay:
            await asyncio.sleep(self.delay)
        chat_id = params.get("chat_id")
        if chat_id is not None and str(chat_id).lstrip("-").isdigit() and int(chat_id) in self.failures:
            status, description = self.failures[int(chat_id)]
            body = {"ok": False, "error_code": status, "description": description}
            return status, json.dumps(body).encode()
        try:
            return 200, json.dumps({"ok": True, "result": self.api.answer(name, params)}).encode()
        except ApiRefusal as refusal:
            return refusal.status, json.dumps(refusal.body()).encode()

    # what tests read
    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    @property
    def sent(self) -> list[Call]:
        """sendMessage and editMessageText calls, in order."""
        return [c for c in self.calls if c.method in ("sendMessage", "editMessageText")]

    @property
    def last(self) -> Call:
        return self.sent[-1]

    def clear(self) -> None:
        self.calls.clear()
