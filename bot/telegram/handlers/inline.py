"""Inline mode: `@bot lima` in any chat offers up to 50 stories, each a shareable card."""
from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, InlineQueryHandler

from bot.digest import render
from bot.models import Story
from bot.telegram.replies import language_of, pages_of, services_of

MAX_RESULTS = 50      # stories offered for one query, over all pages
PAGE_SIZE = 10        # results per answer; Telegram asks for the next page as the user scrolls
MAX_QUERY = 256


def result_id(story: Story) -> str:
    """Telegram allows 1-64 bytes; long story ids are hashed."""
    raw = story.id.encode()
    return story.id if len(raw) <= 64 else hashlib.sha1(raw).hexdigest()


def story_result(story: Story, language: str) -> InlineQueryResultArticle:
    story = story.in_language(language)
    first_point = story.points[0].text if story.points else ""
    return InlineQueryResultArticle(
        id=result_id(story),
        title=(story.title or story.id)[:200],
        description=(", ".join(story.outlets) + " — " + first_point)[:300],
        input_message_content=InputTextMessageContent(
            render.render_story_card(story, language), parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True)))


def story_results(catalog, words: str, language: str, start: int = 0) -> list[InlineQueryResultArticle]:
    """One page of the (at most 50) stories matching the words (the newest when there are none)."""
    stories = catalog.search(words, limit=MAX_RESULTS) if words else catalog.stories[:MAX_RESULTS]
    return [story_result(story, language) for story in list(stories)[start:start + PAGE_SIZE]]


def page_start(offset: str) -> int:
    """The first result of the page asked for ("" is the first page; junk counts as the first)."""
    digits = offset.isascii() and offset.isdecimal()   # "²" is a digit to str.isdigit, not to int()
    return int(offset) if digits and int(offset) < MAX_RESULTS else 0


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stories matching the typed words (the newest when nothing is typed), a page at a time."""
    query = update.inline_query
    if query is None:
        return
    services = services_of(context)
    catalog = services.library.catalog
    words = query.query.strip()[:MAX_QUERY]
    language = language_of(update, services)
    start = page_start(query.offset)
    results = pages_of(context).get(catalog, ("inline", words, language, start),
                                    lambda: story_results(catalog, words, language, start))
    more = start + PAGE_SIZE < MAX_RESULTS and len(results) == PAGE_SIZE
    await query.answer(results, cache_time=60, is_personal=False,
                       next_offset=str(start + PAGE_SIZE) if more else "")


def inline_handlers() -> list[InlineQueryHandler]:
    return [InlineQueryHandler(inline_query)]
