"""Pick and order the stories a reader or subscriber is shown. Pure: catalog in, Digest out.

`catalog` is a `bot.digest.catalog.Catalog` (or anything with its read methods:
`theme`, `themes`, `stories`, `stories_for`, `story`, `search`, `new_since`).
"""
from __future__ import annotations

import logging

from bot.errors import UnknownItem
from bot.digest.catalog import Catalog
from bot.digest.i18n import t
from bot.models import Digest, DigestSection, Story, Subscriber, Theme
from bot.stories.story import news_order

logger = logging.getLogger(__name__)

MAX_SUBSCRIBER_STORIES = 30
MAX_QUERY_IN_TITLE = 60


def for_reader(stories: tuple[Story, ...] | list[Story], language: str) -> tuple[Story, ...]:
    """Each story told in the reader's language when one of its articles is in it."""
    return tuple(story.in_language(language) for story in stories)


def page(stories: tuple[Story, ...] | list[Story], offset: int, limit: int) -> tuple[tuple[Story, ...], int | None]:
    """The stories of one page and the offset of the next page (None when this is the last)."""
    offset, limit = max(offset, 0), max(limit, 1)
    chunk = tuple(stories[offset:offset + limit])
    return chunk, (offset + limit if len(stories) > offset + limit else None)


def theme_digest(catalog: Catalog, command: str, language: str, offset: int = 0, limit: int = 5) -> Digest:
    """The newest stories of one theme, a page at a time; raises UnknownItem for an unknown command."""
    theme = catalog.theme(command)
    if theme is None:
        raise UnknownItem(f"no theme /{command}")
    stories, next_offset = page(catalog.stories_for(command), offset, limit)
    sections = (DigestSection(theme, for_reader(stories, language)),) if stories else ()
    return Digest(theme.title_in(language), sections, language, next_offset)


def latest_digest(catalog: Catalog, language: str, offset: int = 0, limit: int = 5) -> Digest:
    """The newest stories across all themes, a page at a time."""
    stories, next_offset = page(catalog.stories, offset, limit)
    sections = (DigestSection(None, for_reader(stories, language)),) if stories else ()
    return Digest(t("latest_title", language), sections, language, next_offset)


def search_digest(catalog: Catalog, query: str, language: str, limit: int = 10) -> Digest:
    """The stories that best match `query` (the catalog's order)."""
    stories = tuple(catalog.search(query, limit=max(limit, 1)))[:max(limit, 1)] if query.strip() else ()
    shown = " ".join(query.split())
    if len(shown) > MAX_QUERY_IN_TITLE:
        shown = shown[:MAX_QUERY_IN_TITLE - 1] + "…"
    sections = (DigestSection(None, for_reader(stories, language)),) if stories else ()
    return Digest(t("search_title", language, query=shown), sections, language)


def story_digest(catalog: Catalog, story_id: str, language: str) -> Digest | None:
    """One story, whole; None when there is no story with that id."""
    story = catalog.story(story_id)
    if story is None:
        return None
    return Digest("", (DigestSection(None, (story.in_language(language),)),), language)


def in_news_order(stories: list[Story]) -> list[Story]:
    """True news order: the newest news date first (an undated story counts as news of the day it
    was first seen), then the most recently seen, then by id (stable, deterministic)."""
    return sorted(stories, key=news_order, reverse=True)


def new_stories(catalog: Catalog, subscriber: Subscriber, now: float) -> list[Story]:
    """Stories of the subscriber's themes first seen after their last digest and not after `now`, once each."""
    if not subscriber.themes:
        return []
    unique: dict[str, Story] = {}
    for story in catalog.new_since(list(subscriber.themes), subscriber.last_digest_at):
        if subscriber.last_digest_at < story.first_seen <= now:
            unique.setdefault(story.id, story)
    return in_news_order(list(unique.values()))


def group_by_theme(stories: list[Story], catalog: Catalog, commands: tuple[str, ...]) -> tuple[DigestSection, ...]:
    """Each story under the first of `commands` it belongs to, sections in `commands` order."""
    placed: dict[str, list[Story]] = {command: [] for command in commands}
    leftovers: list[Story] = []
    for story in stories:
        home = next((command for command in commands if command in story.themes), None)
        (placed[home] if home else leftovers).append(story)
    sections = [
        DigestSection(_theme_or_stub(catalog, command), tuple(chunk))
        for command, chunk in placed.items() if chunk
    ]
    if leftovers:
        logger.warning("digest: %d new stories match none of their story themes", len(leftovers))
        sections.append(DigestSection(None, tuple(leftovers)))
    return tuple(sections)


def _theme_or_stub(catalog: Catalog, command: str) -> Theme:
    theme = catalog.theme(command)
    return theme if theme is not None else Theme(command, {"en": command}, {}, ())


def subscriber_digest(catalog: Catalog, subscriber: Subscriber, now: float,
                      max_stories: int = MAX_SUBSCRIBER_STORIES) -> Digest | None:
    """What is new in the subscriber's themes since their last digest, each story once; None when nothing is."""
    stories = new_stories(catalog, subscriber, now)
    if not stories:
        return None
    language = subscriber.language
    shown = stories[:max_stories]
    if len(stories) > len(shown):
        title = t("new_in_your_themes_capped", language, shown=len(shown), total=len(stories))
    else:
        title = t("new_in_your_themes", language)
    commands = tuple(dict.fromkeys(subscriber.themes))
    return Digest(title, group_by_theme(list(for_reader(shown, language)), catalog, commands), language)
