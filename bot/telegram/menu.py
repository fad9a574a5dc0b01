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


HELP_THEMES = 40        # themes listed in /help; the rest are in /topics' pages
TOPICS_PER_PAGE = 20    # themes per /topics message (2 buttons each)
TITLE_CHARS = 80


PART_CHARS, PART_LINES = 3800, 90   # under 4,096 characters and 100 entities (a /command is one)


def split_lines(text: str) -> list[str]:
    """`text` in messages of whole lines, each under Telegram's limits (lines are short here)."""
    parts: list[list[str]] = [[]]
    size = 0
    for line in text.split("\n"):
        if parts[-1] and (size + len(line) + 1 > PART_CHARS or len(parts[-1]) >= PART_LINES):
            parts.append([])
            size = 0
        parts[-1].append(line[:PART_CHARS])
        size += len(line) + 1
    return ["\n".join(part).strip("\n") for part in parts if "".join(part).strip()]


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
        lines += [f"/{theme.command} — {_escape(theme.title_in(language)[:TITLE_CHARS])}"
                  for theme in themes[:HELP_THEMES]]
        if len(themes) > HELP_THEMES:
            lines.append(say("tg_help_more_themes", language, count=len(themes) - HELP_THEMES))
    if is_admin and admin_lines:
        lines += ["", say("tg_help_admin", language)] + admin_lines
    lines += ["", say("tg_help_inline", language, bot=application.bot.username)]
    return "\n".join(lines)


def theme_list(catalog, language: str, offset: int = 0) -> tuple[str, list, int | None]:
    """/topics, one page: (text, the page's themes, where the next page starts or None).

    TOPICS_PER_PAGE themes a page, titles cut at TITLE_CHARS: a page stays far under
    Telegram's 4,096 characters and 100 entities and its keyboard under 100 buttons,
    whatever the number of themes.
    """
    if not catalog.themes:
        return say("tg_no_themes", language), [], None
    page = list(catalog.themes[offset:offset + TOPICS_PER_PAGE])
    lines = [say("tg_topics_header", language)]
    for theme in page:
        count = len(catalog.stories_for(theme.command))
        lines.append(say("tg_topic_line", language, command=theme.command,
                         title=theme.title_in(language)[:TITLE_CHARS], count=count))
    following = offset + TOPICS_PER_PAGE
    if following < len(catalog.themes):
        lines.append(say("tg_topics_page", language, first=offset + 1, last=following, total=len(catalog.themes)))
    return "\n".join(lines), page, following if following < len(catalog.themes) else None


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
