"""What every handler needs: the services, the reader's language, escaped UI text, replies."""
from __future__ import annotations

import asyncio
import functools
import html
from typing import Any, Callable, Coroutine, Sequence

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.digest.i18n import pick_language, t
from bot.services import Services

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


def chat_of(update: Update) -> Chat:
    """The chat the update came from (every update our handlers accept has one)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return chat


async def pressed(update: Update) -> tuple[CallbackQuery, str]:
    """Answer a button press (the spinner stops) and return the query and its data."""
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} is not a button press")
    await query.answer()
    return query, query.data or ""


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


def pages_of(context: ContextTypes.DEFAULT_TYPE):
    """The application's cache of rendered pages (see bot.telegram.pages)."""
    return context.application.bot_data["pages"]


async def refresh_themes(services: Services) -> None:
    """Pick up added or changed theme files; the catalog rebuild runs off the event loop."""
    if services.library.themes_changed():
        await asyncio.to_thread(services.library.refresh_themes_if_changed)


def say(key: str, language: str, /, **fields: object) -> str:
    """The UI string `key` (a Telegram HTML template) with every field escaped."""
    return t(key, language, **{name: html.escape(str(value), quote=False) for name, value in fields.items()})


def language_of(update: Update, services: Services) -> str:
    """The chat's chosen language, else the user's Telegram language, else the default."""
    chat = update.effective_chat
    if chat is not None:
        subscriber = services.store.get_subscriber(chat.id)
        if subscriber is not None:
            return subscriber.language
    user = update.effective_user
    return pick_language(user.language_code if user else None, services.settings.default_language)


def thread_of(update: Update) -> int | None:
    """The forum topic the update came from (replies go back to it)."""
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send `text` (Telegram HTML) to the chat and topic the update came from."""
    return await context.bot.send_message(
        chat_of(update).id, text, message_thread_id=thread_of(update), reply_markup=markup)


async def reply_parts(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: Sequence[str],
                      markup: InlineKeyboardMarkup | None = None) -> None:
    """Send rendered parts in order; the keyboard goes under the last one."""
    for number, part in enumerate(parts, start=1):
        await reply(update, context, part, markup if number == len(parts) else None)


async def usage(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> Message:
    """The short, friendly answer to a user mistake: 'Usage: /subscribe <theme>'."""
    language = language_of(update, services_of(context))
    return await reply(update, context, say("tg_usage", language, usage=text))


def admin_only(callback: Handler) -> Handler:
    """Run `callback` only for settings.admin_ids; anyone else is told 'not allowed', nothing more."""
    @functools.wraps(callback)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        services = services_of(context)
        user = update.effective_user
        if user is None or user.id not in services.settings.admin_ids:
            return await reply(update, context, say("tg_not_allowed", language_of(update, services)))
        return await callback(update, context)

    guarded.is_admin_only = True  # type: ignore[attr-defined]
    return guarded
