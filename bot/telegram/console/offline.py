"""A Bot API that answers locally: what the console, the tests' transport and stand-in share.

`OfflineBotApi.answer(method, params)` returns the `result` Telegram would send
for the methods this bot uses (a Message for sendMessage and editMessageText,
True for the rest), so the real PTB `Application` runs with no network.
`html_to_text` turns the bot's Telegram HTML into what a reader sees.
"""
from __future__ import annotations

import itertools
import time
from html.parser import HTMLParser
from typing import Any

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Diplomacy Digest",
    "username": "diplomacy_digest_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

_BLOCKS = {"blockquote", "pre"}


class _TextParser(HTMLParser):
    """Collects text; links become 'text (url)' when the url is not the text itself."""

    def __init__(self, show_links: bool):
        super().__init__(convert_charrefs=True)
        self.show_links = show_links
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag in _BLOCKS and self.parts and not "".join(self.parts).endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.parts[start:])
            if self.show_links and href and href != shown:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(text: str, *, show_links: bool = True) -> str:
    """Telegram HTML -> plain text as a reader sees it (entities decoded, tags dropped)."""
    parser = _TextParser(show_links)
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Reader"}
    return {"id": chat_id, "type": "supergroup", "title": "Group"}


class OfflineBotApi:
    """Plausible Bot API answers, with message ids counting up per instance."""

    def __init__(self, bot_user: dict[str, Any] | None = None, convert_text: bool = True):
        self.bot_user = dict(bot_user or BOT_USER)
        self.convert_text = convert_text   # False: echo the HTML (cheaper, for benchmarks)
        self._message_ids = itertools.count(1000)
        self.commands: dict[str, list[dict[str, Any]]] = {}

    def message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        """The Message Telegram returns for a sent or edited text."""
        chat_id = int(params.get("chat_id", 0))
        result: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": self.bot_user,
            "text": (html_to_text(str(params.get("text", "")), show_links=False) if self.convert_text
                     else str(params.get("text", ""))),
        }
        if params.get("message_thread_id"):
            result["message_thread_id"] = int(params["message_thread_id"])
            result["is_topic_message"] = True
        if params.get("reply_markup"):
            result["reply_markup"] = params["reply_markup"]
        return result

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The `result` field of a successful answer to `method`."""
        name = method.lower()
        if name == "getme":
            return self.bot_user
        if name == "getupdates":
            return []
        if name in ("sendmessage",):
            return self.message(params)
        if name == "editmessagetext":
            if params.get("inline_message_id"):
                return True
            return self.message(params, message_id=int(params.get("message_id", 0)) or None)
        if name == "setmycommands":
            self.commands[str(params.get("language_code", ""))] = list(params.get("commands", []))
            return True
        if name == "getmycommands":
            return self.commands.get(str(params.get("language_code", "")), [])
        if name == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

