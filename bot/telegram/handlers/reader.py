"""Reader commands: /start, /help, /topics, one command per theme, /latest, /story, /search."""
from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.digest import compose as digest
from bot.digest import render
from bot.digest.i18n import t
from bot.digest.page import render_page
from bot.telegram import keyboards
from bot.telegram.handlers.subscribe import subscribe_chat
from bot.telegram.menu import help_text, split_lines, theme_list
from bot.telegram.replies import (
    language_of, pages_of, refresh_themes, reply, reply_parts, say, services_of, usage,
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What this bot does, with a button per theme; /start <theme> subscribes in one tap."""
    services = services_of(context)
    await refresh_themes(services)
    if context.args and services.library.catalog.theme(context.args[0].lower()):
        await subscribe_chat(update, context, context.args[0].lower())
        return
    language = language_of(update, services)
    themes = services.library.catalog.themes
    await reply(update, context, say("tg_welcome", language),
                keyboards.themes_keyboard(themes, language, "show"))


async def help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command and every theme."""
    services = services_of(context)
    await refresh_themes(services)
    user = update.effective_user
    is_admin = user is not None and user.id in services.settings.admin_ids
    await reply_parts(update, context, split_lines(help_text(context.application, language_of(update, services),
                                                            is_admin)))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The themes with their story counts; ⓘ shows a theme's context card."""
    services = services_of(context)
    await refresh_themes(services)
    await send_topics(update, context, 0)


async def send_topics(update: Update, context: ContextTypes.DEFAULT_TYPE, offset: int) -> None:
    """One page of /topics, with a More button when there are more themes."""
    services = services_of(context)
    language = language_of(update, services)
    text, page, next_offset = theme_list(services.library.catalog, language, offset)
    await reply(update, context, text, keyboards.topics_keyboard(page, language, next_offset) if page else None)


async def topics_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """topics:<offset> — the next page of /topics (or the first, from /start's 'all topics')."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await send_topics(update, context, int(query.data.split(":", 1)[1]))


def rendered(page) -> tuple[list[str], int | None]:
    """A digest page as Telegram HTML parts, and where its More button continues."""
    return render_page(page), page.next_offset


async def send_theme(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                     offset: int = 0) -> None:
    """One page of a theme's newest stories, with a More button when there are older ones."""
    services = services_of(context)
    language = language_of(update, services)
    catalog, limit = services.library.catalog, services.settings.stories_per_page
    parts, next_offset = pages_of(context).get(catalog, ("theme", command, offset, language), lambda: rendered(
        digest.theme_digest(catalog, command, language, offset, limit)))
    await reply_parts(update, context, parts, keyboards.more_keyboard(command, next_offset, language))


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE, offset: int = 0) -> None:
    """The newest stories across all themes."""
    services = services_of(context)
    language = language_of(update, services)
    catalog, limit = services.library.catalog, services.settings.stories_per_page
    parts, next_offset = pages_of(context).get(catalog, ("latest", offset, language), lambda: rendered(
        digest.latest_digest(catalog, language, offset, limit)))
    await reply_parts(update, context, parts, keyboards.more_keyboard("latest", next_offset, language))


async def story(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One story in full: /story <id>."""
    if not context.args:
        await usage(update, context, t("tg_usage_story", language_of(update, services_of(context))))
        return
    services = services_of(context)
    language = language_of(update, services)
    found = digest.story_digest(services.library.catalog, context.args[0], language)
    if found is None:
        await reply(update, context, say("tg_no_story", language, id=context.args[0][:100]))
        return
    await reply_parts(update, context, render.render_html(found))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stories matching plain words, accents and case ignored: /search <words>."""
    if not context.args:
        await usage(update, context, t("tg_usage_search", language_of(update, services_of(context))))
        return
    services = services_of(context)
    language = language_of(update, services)
    catalog = services.library.catalog
    words = " ".join(context.args)
    found = pages_of(context).get(catalog, ("search", words, language),
                                  lambda: digest.search_digest(catalog, words, language))
    if not found.stories:
        hint = say("no_results", language, query=words[:100]) + "\n" + say(
            "tg_try_themes", language, themes=" ".join(f"/{t.command}" for t in catalog.themes))
        await reply(update, context, hint)
        return
    parts = pages_of(context).get(catalog, ("search-html", words, language), lambda: render_page(found))
    await reply_parts(update, context, parts)


def reader_handlers() -> list[BaseHandler]:
    return [CommandHandler("start", start), CommandHandler("help", help),
            CommandHandler("topics", topics), CommandHandler("latest", latest),
            CommandHandler("story", story), CommandHandler("search", search),
            CallbackQueryHandler(topics_page, pattern=r"^topics:[0-9]{1,6}$")]
