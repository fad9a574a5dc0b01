"""A reader's page (a theme's newest stories, /latest, /search) as ONE Telegram message. Pure.

Each story shows its headline, date and outlets, its first key point open, and the other
points in one expandable quotation (`<blockquote expandable>`, Bot API 7.0+): a phone
shows a story in one screen and the reader opens the rest with a tap. When the page is
still over Telegram's 4,096 characters, the last stories' hidden points are shortened
first (`/story <id>` under each story shows it whole); only a page whose headlines and
first points alone are too long is split into several messages.
"""
from __future__ import annotations

from bot.digest.render import (Group, Piece, attribution, clean, continuation, digest_groups, join, pack,
                               point_block, story_footer, story_header, tag, text)
from bot.models import Digest, Story, StoryPoint


def hidden_points(points: list[StoryPoint], language: str) -> Piece | None:
    """The points after the first, each with its outlet, in one expandable quotation."""
    lines = []
    for point in points:
        value = clean(point.text)
        if value:
            footer = attribution(point, language)
            lines.append(text(value) + (text("\n") + tag("i", text(footer)) if footer else Piece()))
    if not lines:
        return None
    return tag("blockquote", join(lines, "\n\n"), " expandable")


def compact_blocks(story: Story, language: str, hidden: int) -> list[Piece]:
    """Headline, first point open, up to `hidden` more points folded, the /story line."""
    points = list(story.points)
    first = next((b for b in (point_block(p, language) for p in points[:1]) if b), None)
    folded = hidden_points(points[1:1 + hidden], language) if hidden > 0 else None
    return story_header(story, language) + [b for b in (first, folded) if b] + [story_footer(story)]


def render_page(digest: Digest) -> list[str]:
    """The page in one message when it can be (see the module doc); else split like render_html."""
    stories = [story for section in digest.sections for story in section.stories]
    if not stories or len([s for s in digest.sections if s.stories]) > 1:
        return pack(digest_groups(digest))
    language = digest.language
    title = [tag("b", text(clean(digest.title)))] if clean(digest.title) else []
    hidden = [max(len(story.points) - 1, 0) for story in stories]
    rendered: dict[tuple[int, int], Piece] = {}     # (story, hidden points) -> its block: each rendered once

    def block(index: int, count: int) -> Piece:
        if (index, count) not in rendered:
            rendered[index, count] = join(compact_blocks(stories[index], language, count))
        return rendered[index, count]

    while True:
        blocks = title + [block(index, count) for index, count in enumerate(hidden)]
        message = join(blocks, "\n\n")
        if message.fits() or not any(hidden):
            break
        last = max(i for i, n in enumerate(hidden) if n == max(hidden))   # the most folded points, latest story
        hidden[last] -= 1
    if message.fits():
        return [message.html]
    groups = [Group((title if n == 0 else []) + compact_blocks(s, language, 0), continuation(s, language))
              for n, s in enumerate(stories)]
    return pack(groups)
