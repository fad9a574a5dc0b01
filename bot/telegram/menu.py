"""The lists of commands — /help, /topics and the Telegram command menu — built from the
registered handlers and the loaded themes, so a new handler or theme shows up by itself."""
from __future__ import annotations

import html
import logging

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot.digest.i18n import STRINGS, t
from bot.telegram.replies import say

logger = logging.getLogger(__name__)
MAX_MENU = 100


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def registered_commands(application: Application) -> list[tuple[str, bool, str]]:
    """(command, is admin only, docstring line) for every CommandHandler, in registration order."""
    found: dict[str, tuple[str, bool, str]] = {}
    for group in sorted(application.handlers):
        for handler in application.handlers[group]:
            if isinstance(handler, CommandHandler):
                doc = (handler.callback.__doc__ or "").strip().splitlines()
                admin = getattr(handler.callback, "is_admin_only", False)
                for command in sorted(handler.commands):
                    found.setdefault(command, (command, admin, doc[0] if doc else command))
    return list(found.values())


def describe_command(command: str, doc: str, language: str) -> str:
    key = f"tg_cmd_{command}"
    return t(key, language) if key in STRINGS else doc.rstrip(".")


def help_text(application: Application, language: str, is_admin: bool) -> str:
    """Every command (admin ones only for admins), every theme, and inline mode."""
    services = application.bot_data["services"]
    lines = [say("tg_help_commands", language)]
    admin_lines: list[str] = []
    for command, admin, doc in registered_commands(application):
        line = f"/{command} — {_escape(describe_command(command, doc, language))}"
        (admin_lines if admin else lines).append(line)
    themes = services.library.catalog.themes
    if themes:
        lines += ["", say("tg_help_themes", language)]
        lines += [f"/{theme.command} — {_escape(theme.title_in(language))}" for theme in themes]
    if is_admin and admin_lines:
        lines += ["", say("tg_help_admin", language)] + admin_lines
    lines += ["", say("tg_help_inline", language, bot=application.bot.username)]
    return "\n".join(lines)


def theme_list(catalog, language: str) -> str:
    """/topics: each theme's command, title and story count."""
    if not catalog.themes:
        return say("tg_no_themes", language)
    lines = [say("tg_topics_header", language)]
    for theme in catalog.themes:
        count = len(catalog.stories_for(theme.command))
        lines.append(say("tg_topic_line", language, command=theme.command,
                         title=theme.title_in(language), count=count))
    return "\n".join(lines)


def command_menu(application: Application, language: str) -> list[BotCommand]:
    """The setMyCommands list: public commands, then one per theme (Telegram allows 100)."""
    services = application.bot_data["services"]
    commands = [BotCommand(command, describe_command(command, doc, language)[:256])
                for command, admin, doc in registered_commands(application) if not admin]
    for theme in services.library.catalog.themes:
        about = theme.description.get(language) or theme.title_in(language)
        commands.append(BotCommand(theme.command, (about or theme.command)[:256]))
    return commands[:MAX_MENU]


async def set_command_menu(application: Application) -> None:
    """Register the command menu in English (the default) and Spanish; failures are logged."""
    for language, code in (("en", None), ("es", "es")):
        try:
            await application.bot.set_my_commands(command_menu(application, language), language_code=code)
        except TelegramError as error:
            logger.warning("setMyCommands (%s) failed: %s", language, error)


async def set_description(application: Application) -> None:
    """The profile texts (setMyDescription, setMyShortDescription) in English (default) and Spanish."""
    bot = application.bot
    for language, code in (("en", None), ("es", "es")):
        try:
            await bot.set_my_description(t("tg_description", language)[:512], language_code=code)
            await bot.set_my_short_description(t("tg_short_description", language)[:120], language_code=code)
        except TelegramError as error:
            logger.warning("setMyDescription (%s) failed: %s", language, error)
