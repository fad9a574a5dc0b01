"""Bot API Update payloads for what a user does: type a line, press a button, type @bot words.

The console feeds these to `Application.process_update`; the tests use them too, so both
drive the real handlers through real `telegram.Update` objects.
"""
from __future__ import annotations

import time
from typing import Any


def user(user_id: int, language_code: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": language_code}


def chat(chat_id: int, chat_type: str = "private", is_forum: bool = False) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Ana"}
    return {"id": chat_id, "type": chat_type, "title": "Diplomacy readers", "is_forum": is_forum}


def message(update_id: int, text: str, *, chat_id: int = 1, user_id: int = 1,
            language_code: str = "en", chat_type: str = "private",
            thread_id: int | None = None) -> dict[str, Any]:
    """A text message; a leading /command gets its bot_command entity like Telegram adds."""
    body: dict[str, Any] = {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": chat(chat_id, chat_type, is_forum=thread_id is not None),
        "from": user(user_id, language_code),
    }
    if text.startswith("/") and len(text) > 1:
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if thread_id is not None:
        body.update(message_thread_id=thread_id, is_topic_message=True)
    return {"update_id": update_id, "message": body}


def button(update_id: int, data: str, pressed_on: dict[str, Any], *, user_id: int = 1,
           language_code: str = "en") -> dict[str, Any]:
    """A press of an inline button with callback `data` under the bot's message `pressed_on`."""
    return {"update_id": update_id, "callback_query": {
        "id": str(update_id), "from": user(user_id, language_code), "chat_instance": "1",
        "data": data, "message": pressed_on}}


def inline(update_id: int, query: str, *, user_id: int = 1, language_code: str = "en",
           offset: str = "") -> dict[str, Any]:
    """`@bot <query>` typed in any chat (`offset`: the next_offset of the previous answer)."""
    return {"update_id": update_id, "inline_query": {
        "id": str(update_id), "from": user(user_id, language_code), "query": query, "offset": offset}}
