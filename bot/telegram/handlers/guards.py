"""Updates the bot does not expect: each is answered or deliberately ignored, never an exception.

- an edited message does not run its command again (group -3 stops it);
- a button on an inline message (no message attached: nothing to reply under) is answered
  with a pointer to the bot's chat;
- a button whose data no handler takes (forged, empty, from an old version, control characters)
  is answered "this button has expired — send /start" in the chat's language;
- the bot removed from a chat (my_chat_member: left or kicked) marks the chat inactive,
  as a blocked chat is.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from telegram import ChatMember, Update
from telegram.ext import (ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, ChatMemberHandler,
                          ContextTypes, TypeHandler)

from bot.telegram.replies import language_of, say, services_of

logger = logging.getLogger(__name__)

GUARD_GROUP = -3   # before the flood budget (-2) and the returning-user check (-1)
GONE = (ChatMember.LEFT, ChatMember.BANNED)


async def screen_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: stop edited messages and buttons on inline messages before any handler sees them."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop   # an edit is not a new command
    query = update.callback_query
    if query is not None and query.message is None:
        await query.answer(say("tg_button_inline", language_of(update, services_of(context))))
        raise ApplicationHandlerStop
    if query is not None and not query.data:   # PTB hands a press without data to every pattern handler
        await expired_button(update, context)
        raise ApplicationHandlerStop


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press no other handler took: answer it, so the user's spinner stops."""
    query = update.callback_query
    if query is not None:
        logger.info("unknown button data %r", (query.data or "")[:64])
        await query.answer(say("tg_button_expired", language_of(update, services_of(context))))


async def chat_member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was removed from a chat (or blocked): its subscription stops, like a blocked chat's."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in GONE:
        return
    store = services_of(context).store
    subscriber = store.get_subscriber(change.chat.id)
    if subscriber is not None and subscriber.is_active:
        store.save_subscriber(replace(subscriber, is_active=False))
        logger.info("chat %s removed the bot; subscription paused", change.chat.id)


def guard_handlers() -> list[BaseHandler]:
    """Group GUARD_GROUP (before every other handler)."""
    return [TypeHandler(Update, screen_update)]


def last_resort_handlers() -> list[BaseHandler]:
    """At the end of group 0: what no other handler took."""
    return [CallbackQueryHandler(expired_button),
            ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER)]
