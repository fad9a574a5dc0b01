"""Who may change a chat's digest: anyone in a private chat; in groups and channels, their admins.

Telegram says who is an admin (`getChatMember`); the answer is cached for a minute,
so a burst of presses in a busy group costs one call. A group's anonymous admins
post as the group itself (`sender_chat`), and count as admins.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
MAX_ENTRIES = 10_000
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP, Chat.CHANNEL)


@dataclass(frozen=True)
class Membership:
    is_admin: bool
    can_post: bool


class AdminCache:
    """getChatMember answers, kept `ttl` seconds (monotonic clock)."""

    def __init__(self, ttl: float = CACHE_SECONDS):
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, Membership]] = {}

    async def membership(self, bot, chat_id: int, user_id: int) -> Membership:
        now = time.monotonic()
        cached = self._entries.get((chat_id, user_id))
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            logger.info("getChatMember %s/%s failed: %s", chat_id, user_id, error)
            return Membership(False, False)
        found = Membership(member.status in ADMIN_STATUSES, member.status == ChatMemberStatus.OWNER
                           or bool(getattr(member, "can_post_messages", False)))
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(chat_id, user_id)] = (now, found)
        return found


def admin_cache(context: ContextTypes.DEFAULT_TYPE) -> AdminCache:
    return context.application.bot_data.setdefault("admins", AdminCache())


async def may_change_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True in private chats; in groups only for the chat's admins (anonymous admins included)."""
    chat = update.effective_chat
    if chat is None or chat.type not in GROUP_TYPES:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    user = update.effective_user
    if user is None:
        return False
    return (await admin_cache(context).membership(context.bot, chat.id, user.id)).is_admin


async def channel_rights(context: ContextTypes.DEFAULT_TYPE, channel_id: int, user_id: int) -> tuple[bool, bool]:
    """(the user is an admin of the channel, the bot may post there)."""
    cache = admin_cache(context)
    user = await cache.membership(context.bot, channel_id, user_id)
    bot = await cache.membership(context.bot, channel_id, context.bot.id)
    return user.is_admin, bot.is_admin and bot.can_post
