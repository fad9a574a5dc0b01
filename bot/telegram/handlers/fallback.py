"""What no other handler took: a theme command (any digests/*.toml, no code per theme),
an unknown command, or plain text. Lives in a later handler group, so it also steps
aside for commands added after it (added after it)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.telegram.handlers import reader as handlers
from bot.telegram.menu import registered_commands
from bot.telegram.replies import chat_of, language_of, refresh_themes, reply, say, services_of

FALLBACK_GROUP = 10


def command_of(text: str, bot_username: str) -> str | None:
    """'/Lima_Group@bot args' -> 'lima_group'; None when addressed to another bot."""
    word = text.split(maxsplit=1)[0][1:]
    command, _, addressee = word.partition("@")
    if addressee and addressee.lower() != (bot_username or "").lower():
        return None
    return command.lower()


async def theme_or_unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A theme's newest stories, or a short pointer to /help for an unknown command."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = command_of(message.text, context.bot.username)
    if command is None or command in {c for c, _, _ in registered_commands(context.application)}:
        return
    services = services_of(context)
    await refresh_themes(services)
    if services.library.catalog.theme(command) is not None:
        await handlers.send_theme(update, context, command)
        return
    if chat_of(update).type != "private" and "@" not in message.text.split(maxsplit=1)[0]:
        return   # in a group, an unknown command without our @name is meant for another bot
    language = language_of(update, services)
    await reply(update, context, say("tg_unknown_command", language, command=command[:64]))


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat: say how to use the bot."""
    await reply(update, context, say("tg_plain_text", language_of(update, services_of(context))))


def fallback_handlers() -> list[MessageHandler]:
    return [MessageHandler(filters.COMMAND, theme_or_unknown),
            MessageHandler(filters.TEXT & filters.ChatType.PRIVATE & ~filters.VIA_BOT, plain_text)]
