"""A local Bot API stand-in on 127.0.0.1 for out-of-process tests and benchmarks.

Serves `/bot<TOKEN>/<method>` over HTTP/1.1 (keep-alive, long-polled getUpdates)
and records every call with a monotonic timestamp. Tests fill the update queue
(`send_text`, `press_button`, `send_inline_query`) and read what the bot sent.
Faults for the sender: a fraction of sendMessage answered 429 (retry_after) or
500, chats answered 403 blocked or 400 chat not found, groups that migrated.

In-process: `with StandIn() as api: ... api.url`;
as a process: `python -m tests.support.standin --port 8081` (control: POST /_control/<action>).
"""
from __future__ import annotations

import argparse
import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl

from bot.telegram.console.offline import ApiRefusal, OfflineBotApi


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float                 # time.monotonic() when the request arrived
    status: int = 200

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return None if value is None else int(value)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


@dataclass
class Faults:
    """What the stand-in does wrong on sendMessage (fractions are of all sendMessage calls)."""

    rate_429: float = 0.0
    retry_after: int = 1
    rate_500: float = 0.0
    blocked: set[int] = field(default_factory=set)          # 403 bot was blocked by the user
    not_found: set[int] = field(default_factory=set)        # 400 chat not found
    migrated: dict[int, int] = field(default_factory=dict)  # group id -> supergroup id
    seed: int = 0


def _decode_params(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        return json.loads(body)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        try:
            params[key] = json.loads(value) if value[:1] in "[{" or value in ("true", "false") else value
        except ValueError:
            params[key] = value
    return params


class StandIn:
    """The Bot API stand-in: start(), stop(), a queue of updates, a record of calls."""

    def __init__(self, port: int = 0, faults: Faults | None = None, delay: float = 0.0,
                 max_poll: float = 1.0, convert_text: bool = True):
        self.faults = faults or Faults()
        self.delay = delay
        self.max_poll = max_poll     # long polls return within this (a bot stops faster)
        # convert_text=False: answered messages echo the HTML instead of Telegram's plain text
        # (html_to_text is ~1 ms of a 3 KB digest: most of the stand-in's time in a broadcast)
        self.api = OfflineBotApi(convert_text=convert_text)
        self.calls: list[Call] = []
        self.rejected_tokens: set[str] = set()   # answered 401 Unauthorized (PTB: InvalidToken)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = iter(range(1, 1 << 62))
        self._message_ids = iter(range(1, 1 << 62))
        self._cond = threading.Condition()
        self._random = random.Random(self.faults.seed)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """TELEGRAM_API_BASE_URL for the bot."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "StandIn":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # the update queue
    def _push(self, kind: str, payload: dict[str, Any]) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, kind: payload})
            self._cond.notify_all()
        return update_id

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None,
                  language_code: str = "en", thread_id: int | None = None) -> int:
        """Queue a message from a user, as getUpdates will deliver it."""
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Ana",
                "language_code": language_code}
        chat = ({"id": chat_id, "type": "private", "first_name": "Ana"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": "Group",
                      "is_forum": thread_id is not None})
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                   "chat": chat, "from": user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        return self._push("message", message)

    def press_button(self, chat_id: int, data: str, *, message: dict[str, Any] | None = None,
                     user_id: int | None = None, language_code: str = "en") -> int:
        """Queue a callback query, as if the user pressed an inline button with `data`."""
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Ana",
                "language_code": language_code}
        message = message or self.api.message({"chat_id": chat_id, "text": "…"})
        query = {"id": str(next(self._update_ids)), "from": user, "chat_instance": "1",
                 "data": data, "message": message}
        return self._push("callback_query", query)

    def send_inline_query(self, user_id: int, query: str, language_code: str = "en") -> int:
        user = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": language_code}
        return self._push("inline_query", {"id": str(next(self._update_ids)), "from": user,
                                           "query": query, "offset": ""})

    def _take_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(min(0.5, deadline - time.monotonic()))
            return list(self._updates)

    # answering
    def _fault(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        if method != "sendMessage":
            return None
        chat_id, f = int(params.get("chat_id", 0)), self.faults
        if chat_id in f.blocked:
            return 403, {"description": "Forbidden: bot was blocked by the user"}
        if chat_id in f.not_found:
            return 400, {"description": "Bad Request: chat not found"}
        if chat_id in f.migrated:
            return 400, {"description": "Bad Request: group chat was upgraded to a supergroup chat",
                         "parameters": {"migrate_to_chat_id": f.migrated[chat_id]}}
        roll = self._random.random()
        if roll < f.rate_429:
            return 429, {"description": f"Too Many Requests: retry after {f.retry_after}",
                         "parameters": {"retry_after": f.retry_after}}
        if roll < f.rate_429 + f.rate_500:
            return 500, {"description": "Internal Server Error"}
        return None

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call and record it."""
        at = time.monotonic()
        if method == "getUpdates":
            result = self._take_updates(int(params.get("offset", 0) or 0),
                                        min(self.max_poll, float(params.get("timeout", 0) or 0)))
            status, body = 200, {"ok": True, "result": result}
        else:
            with self._cond:
                fault = self._fault(method, params)
            if fault:
                status, body = fault[0], {"ok": False, "error_code": fault[0], **fault[1]}
            else:
                try:
                    status, body = 200, {"ok": True, "result": self.api.answer(method, params)}
                except ApiRefusal as refusal:
                    status, body = refusal.status, refusal.body()
        with self._cond:
            self.calls.append(Call(method, params, at, status))
            self._cond.notify_all()
        return status, body

    # what tests read
    def of(self, method: str, status: int | None = 200) -> list[Call]:
        return [c for c in list(self.calls) if c.method == method
                and (status is None or c.status == status)]

    def messages_to(self, chat_id: int) -> list[Call]:
        """Successful sendMessage calls to one chat."""
        return [c for c in self.of("sendMessage") if c.chat_id == chat_id]

    def count_per_chat(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for call in self.of("sendMessage"):
            counts[call.chat_id] = counts.get(call.chat_id, 0) + 1
        return counts

    def max_in_window(self, window: float = 1.0, chat_id: int | None = None,
                      status: int | None = None) -> int:
        """The most sendMessage calls that arrived within any `window` seconds."""
        return most_in_any_window(sorted(c.at for c in self.of("sendMessage", status)
                                         if chat_id is None or c.chat_id == chat_id), window)

    def wait_for(self, predicate: Callable[["StandIn"], Any], timeout: float = 10.0) -> Any:
        """Block until predicate(self) is truthy; return it, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"stand-in: condition not met in {timeout}s")
                self._cond.wait(min(left, 0.2))


def most_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The most of the (sorted) times that fall within any `window` seconds."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True   # headers and body go out in two writes: no 40 ms delayed-ACK stalls

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = _decode_params(self.rfile.read(length), self.headers.get("Content-Type", ""))
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[0] == "_control":
                return self._reply(200, _control(standin, parts[-1], params))
            if len(parts) != 2 or not parts[0].startswith("bot"):
                return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            if parts[0][3:] in standin.rejected_tokens:
                return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            if standin.delay:
                time.sleep(standin.delay)
            self._reply(*standin.handle(parts[1], params))

        do_GET = do_POST

    return Handler


def _control(standin: StandIn, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """Drive a stand-in that runs as a separate process."""
    if action == "send_text":
        return {"update_id": standin.send_text(int(params["chat_id"]), str(params["text"]))}
    if action == "press_button":
        return {"update_id": standin.press_button(int(params["chat_id"]), str(params["data"]))}
    if action == "calls":
        return {"calls": [c.__dict__ for c in standin.calls]}
    return {"error": f"unknown action {action}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--rate-500", type=float, default=0.0)
    args = parser.parse_args(argv)
    standin = StandIn(args.port, Faults(rate_429=args.rate_429, rate_500=args.rate_500))
    print(f"Bot API stand-in on {standin.base_url}", flush=True)
    try:
        standin._server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
