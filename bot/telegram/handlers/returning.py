"""Chats that come back: a chat paused because Telegram said it was unreachable (the user
blocked the bot, the bot was removed) is resumed by any command from it, and told so.

Runs in a handler group before the commands, so the command itself is answered too.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.telegram import subscriptions as subs
from bot.telegram.groups import may_change_chat
from bot.telegram.replies import reply, say, services_of

logger = logging.getLogger(__name__)
RETURNING_GROUP = -1


async def resume_paused_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command from a paused chat with themes: digests resume, and the chat hears when and why they stopped."""
    chat = update.effective_chat
    services = services_of(context)
    subscriber = services.store.get_subscriber(chat.id) if chat is not None else None
    if chat is None or subscriber is None or subscriber.is_active or not subscriber.themes:
        return
    if not await may_change_chat(update, context):
        return
    pause = subs.pause_of(subscriber, subscriber.language)
    saved = await subs.save(services, subs.resume(subscriber))
    logger.info("chat %s resumed (paused since %s)", chat.id, pause["when"])
    await reply(update, context, say("tg_welcome_back", saved.language, **pause,
                                     **subs.describe(saved, saved.language)))


def returning_handlers() -> list[MessageHandler]:
    return [MessageHandler(filters.COMMAND, resume_paused_chat)]
