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


class ApiRefusal(Exception):
    """An error answer (status, description) the transports send back instead of a result."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error_code": self.status, "description": self.description}


_FULL_INFO = {"accent_color_id": 0, "max_reaction_count": 11,
              "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                      "unique_gifts": False, "premium_subscription": False,
                                      "gifts_from_channels": False}}
_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
           "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
           "can_post_stories", "can_edit_stories", "can_delete_stories")


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
        self.descriptions: dict[tuple[str, str], str] = {}       # (method, language) -> text
        self.admins: dict[int, set[int]] = {}                    # group or channel id -> admin user ids
        self.channels: dict[str, int] = {}                       # "@username" -> channel id
        self.can_post: set[int] = set()                          # channels where the bot may post

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
        if name in ("setmydescription", "setmyshortdescription"):
            key = "description" if name == "setmydescription" else "short_description"
            self.descriptions[(key, str(params.get("language_code", "")))] = str(params.get(key, ""))
            return True
        if name == "getchat":
            return self.chat(params.get("chat_id"))
        if name == "getchatmember":
            return self.member(int(params.get("chat_id", 0)), int(params.get("user_id", 0)))
        if name == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def chat(self, chat_id: Any) -> dict[str, Any]:
        """getChat: a known @channel, or any numeric chat; an unknown @name is 400 chat not found."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            if chat_id.lower() not in self.channels:
                raise ApiRefusal(400, "Bad Request: chat not found")
            return {"id": self.channels[chat_id.lower()], "type": "channel", "title": chat_id[1:],
                    "username": chat_id[1:], **_FULL_INFO}
        return {**_chat(int(chat_id)), **_FULL_INFO}

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """getChatMember: administrators as configured in `admins` (the bot posts where `can_post` says)."""
        user = self.bot_user if user_id == self.bot_user["id"] else {"id": user_id, "is_bot": False,
                                                                      "first_name": "Ana"}
        if user_id in self.admins.get(chat_id, set()) or (user_id == self.bot_user["id"] and chat_id in self.can_post):
            rights = {right: right not in ("can_be_edited", "is_anonymous") for right in _RIGHTS}
            return {"status": "administrator", "user": user, **rights,
                    "can_post_messages": chat_id in self.can_post or user_id != self.bot_user["id"]}
        return {"status": "member", "user": user}
