"""Digests → Telegram HTML messages (escaped, split within Telegram's limits) and plain text.

Pure: no Telegram, no I/O. Every string from an article, a theme file or a user
is escaped here and nowhere else. HTML is built from `Piece`s that carry their
own size (HTML characters, UTF-16 units of the visible text, entity count), so
splitting never re-parses and never cuts inside a tag or an escape.
"""
from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from bot.digest.i18n import format_date, t
from bot.digest.ids import short_story_id
from bot.models import Digest, Story, StoryPoint, Theme

logger = logging.getLogger(__name__)

MAX_CHARS = 4096          # Telegram's limit on message text (we also keep the raw HTML under it)
MAX_ENTITIES = 100
BLOCK_CHARS = MAX_CHARS - 600   # one block must fit beside a continuation header
MAX_OUTLETS = 8
CLIP = {"title": 300, "heading": 120, "outlet": 80, "id": 200, "continued": 80}
ELLIPSIS = "…"
_HOST = re.compile(r"^[\w.-]+(:\d{1,5})?$")


@dataclass(frozen=True)
class Piece:
    """A fragment of Telegram HTML and what it costs."""

    html: str = ""
    units: int = 0       # UTF-16 code units of the text Telegram shows
    entities: int = 0

    def __add__(self, other: Piece) -> Piece:
        return Piece(self.html + other.html, self.units + other.units, self.entities + other.entities)

    def fits(self, chars: int = MAX_CHARS, entities: int = MAX_ENTITIES) -> bool:
        return len(self.html) <= chars and self.units <= chars and self.entities <= entities


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_UNDISPLAYABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")   # Cc but \n \t, and Cs


def clean(value: str) -> str:
    """One line of displayable text: control characters and lone surrogates dropped, spaces collapsed."""
    return " ".join(_UNDISPLAYABLE.sub("", value).split())


def clip(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, at a space when one is near, with an ellipsis."""
    if len(value) <= limit:
        return value
    cut = value[: max(limit - 1, 0)]
    space = cut.rfind(" ", max(len(cut) - 30, 0))
    return (cut[:space] if space > 0 else cut).rstrip() + ELLIPSIS


def text(value: str) -> Piece:
    return Piece(html.escape(value, quote=False), utf16_len(value), 0)


def tag(name: str, inner: Piece, attributes: str = "") -> Piece:
    return Piece(f"<{name}{attributes}>{inner.html}</{name}>", inner.units, inner.entities + 1)


def safe_url(url: str) -> str:
    """The URL when it is a plain http(s) link Telegram will accept, else ''."""
    url = url.strip()
    if not url or len(url) > 2048 or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(parts.netloc):
        return ""
    return url


def link(url: str, inner: Piece) -> Piece:
    href = safe_url(url)
    return tag("a", inner, f' href="{html.escape(href, quote=True)}"') if href else inner


def join(pieces: list[Piece], separator: str = "\n") -> Piece:
    result = Piece()
    for n, piece in enumerate(pieces):
        result = result + (text(separator) if n else Piece()) + piece
    return result


def truncate_to_fit(build: Callable[..., Piece], value: str, chars: int = BLOCK_CHARS) -> Piece:
    """build(value) when it fits in `chars`, else build() of the longest clipped value that does."""
    piece = build(value)
    if piece.fits(chars):
        return piece
    low, high = 0, len(value)
    while low < high:
        middle = (low + high + 1) // 2
        if build(clip(value, middle)).fits(chars):
            low = middle
        else:
            high = middle - 1
    return build(clip(value, low) if low else ELLIPSIS)


# --- story blocks -------------------------------------------------------------

def outlet_name(outlet: str, language: str) -> str:
    """The outlet as shown: its name, or "" when unknown (nothing is printed then, never an internal id)."""
    return clean(outlet)


def outlet_links(story: Story, language: str) -> Piece:
    seen: dict[str, str] = {}
    for article in story.articles:
        name = outlet_name(article.outlet, language)
        if name and (name not in seen or not seen[name]):
            seen[name] = safe_url(article.url)
    names = list(seen)
    pieces = [link(seen[name], text(clip(name, CLIP["outlet"]))) for name in names[:MAX_OUTLETS]]
    more = [text(f"+{len(names) - MAX_OUTLETS}")] if len(names) > MAX_OUTLETS else []
    return join(pieces + more, ", ")


def story_header(story: Story, language: str) -> list[Piece]:
    title = clip(clean(story.title) or clean(story.id), CLIP["title"])
    meta = [text(format_date(story.published, language))] if story.published else []
    outlets = outlet_links(story, language)
    if outlets.html:
        meta.append(outlets)
    return [tag("b", text(title))] + ([join(meta, " · ")] if meta else [])


def attribution(point: StoryPoint, language: str) -> str:
    outlet = clip(outlet_name(point.outlet, language), CLIP["outlet"])
    count = t("sources_count", language, count=point.sources) if point.sources > 1 else ""
    return " ".join(part for part in ("—", outlet, count) if part != "") if (outlet or count) else ""


def point_block(point: StoryPoint, language: str) -> Piece | None:
    """The key point as a quote with its outlet and "(N sources)"; None for an empty point."""
    value = clean(point.text)
    if not value:
        return None
    footer = attribution(point, language)
    tail = text("\n") + tag("i", text(footer)) if footer else Piece()
    return truncate_to_fit(lambda v: tag("blockquote", text(v) + tail), value)


def story_footer(story: Story) -> Piece:
    return tag("code", text("/story " + short_story_id(story.id)))


def story_blocks(story: Story, language: str) -> list[Piece]:
    points = [block for block in (point_block(p, language) for p in story.points) if block]
    return story_header(story, language) + points + [story_footer(story)]


def continuation(story: Story, language: str) -> Piece:
    title = clip(clean(story.title) or clean(story.id), CLIP["continued"])
    return tag("b", text(title)) + text(" " + t("continued", language))


# --- packing into messages ----------------------------------------------------

@dataclass(frozen=True)
class Group:
    """Blocks that should stay in one message when they can; `resume` heads a continuation."""

    blocks: list[Piece]
    resume: Piece = Piece()


def pack(groups: list[Group]) -> list[str]:
    """Messages holding the groups in order: whole groups when they fit, else split between blocks."""
    messages: list[str] = []
    current = Piece()

    def add(piece: Piece, separator: str) -> bool:
        nonlocal current
        candidate = current + (text(separator) if current.html else Piece()) + piece
        if not candidate.fits():
            return False
        current = candidate
        return True

    def flush() -> None:
        nonlocal current
        if current.html:
            messages.append(current.html)
        current = Piece()

    for group in groups:
        whole = join(group.blocks)
        if add(whole, "\n\n"):
            continue
        flush()
        if add(whole, ""):
            continue
        for n, block in enumerate(group.blocks):
            if add(block, "\n"):
                continue
            flush()
            if n and group.resume.html:
                add(group.resume, "")
            if not add(block, "\n"):
                logger.error("render: a block of %d chars does not fit a message; dropped", len(block.html))
    flush()
    return messages


StoryBlocks = dict[tuple[str, str], tuple[list[Piece], Piece]]   # (story id, language) -> blocks, continuation


def digest_groups(digest: Digest, blocks: StoryBlocks | None = None) -> list[Group]:
    """The digest's groups; `blocks`: a story's rendered blocks kept across digests built from one
    catalog (a due pass renders hundreds of digests that share their stories)."""
    language = digest.language
    pending = [tag("b", text(clip(clean(digest.title), CLIP["title"])))] if clean(digest.title) else []
    show_headings = len([s for s in digest.sections if s.stories]) > 1
    groups: list[Group] = []
    for section in digest.sections:
        if not section.stories:
            continue
        if show_headings and section.theme is not None:
            heading = clip(clean(section.theme.title_in(language)), CLIP["heading"])
            pending.append(tag("u", tag("b", text(heading))))
        for story in section.stories:
            found = None if blocks is None else blocks.get((story.id, language))
            if found is None:
                found = (story_blocks(story, language), continuation(story, language))
                if blocks is not None:
                    blocks[(story.id, language)] = found
            groups.append(Group(pending + found[0], found[1]))
            pending = []
    if not groups:
        groups.append(Group(pending + [text(t("no_stories", language))]))
    return groups


def render_html(digest: Digest, blocks: StoryBlocks | None = None) -> list[str]:
    """Telegram HTML messages, each ≤ 4096 characters and ≤ 100 entities, split on story boundaries
    (`blocks`: see `digest_groups`)."""
    return pack(digest_groups(digest, blocks))


def fit_one(blocks: list[Piece]) -> str:
    """The blocks that fit in one message, in order (later blocks are left out)."""
    message = Piece()
    for block in blocks:
        candidate = message + (text("\n") if message.html else Piece()) + block
        if candidate.fits():
            message = candidate
    return message.html


def render_story_card(story: Story, language: str) -> str:
    """One message for an inline result: title, date and outlets, key points, a source link."""
    blocks = story_header(story, language)
    blocks += [b for b in (point_block(p, language) for p in story.points) if b]
    source = next((a for a in story.articles if safe_url(a.url)), None)
    if source is not None:
        name = clip(clean(source.outlet) or t("source", language), CLIP["outlet"])
        blocks.append(text(t("read_at", language) + " ") + link(source.url, text(name)))
    return fit_one(blocks)


def render_context_card(theme: Theme, language: str) -> str:
    """One message about a theme: its title, description, context card, and its command."""
    def pick(values: dict[str, str]) -> str:
        return values.get(language) or values.get("en") or ""

    blocks = [tag("b", text(clip(clean(theme.title_in(language)), CLIP["heading"])))]
    if clean(pick(theme.description)):
        blocks.append(tag("i", text(clip(clean(pick(theme.description)), CLIP["title"]))))
    for paragraph in re.split(r"\n\s*\n", pick(theme.context)):
        if clean(paragraph):
            blocks.append(truncate_to_fit(text, clean(paragraph), MAX_CHARS - 800))
    blocks.append(text("/" + clip(clean(theme.command), CLIP["id"])))
    return fit_one(blocks)


# --- plain text ---------------------------------------------------------------

def story_text(story: Story, language: str) -> list[str]:
    lines = [clean(story.title) or clean(story.id)]
    meta = [format_date(story.published, language)] if story.published else []
    outlets = [outlet_name(a.outlet, language) for a in story.articles]
    meta.append(", ".join(dict.fromkeys(o for o in outlets if o)))
    lines.append(" · ".join(part for part in meta if part))
    for point in story.points:
        if clean(point.text):
            footer = attribution(point, language)
            lines.append(f"  • {clean(point.text)}" + (f" {footer}" if footer else ""))
    lines.append(f"  /story {clean(story.id)}")
    return [line for line in lines if line]


def render_text(digest: Digest) -> str:
    """The digest as plain text (for `digestbot preview` and the console), in the digest's order."""
    language = digest.language
    lines = [clean(digest.title)] if clean(digest.title) else []
    show_headings = len([s for s in digest.sections if s.stories]) > 1
    for section in digest.sections:
        if not section.stories:
            continue
        if show_headings and section.theme is not None:
            lines += ["", f"== {clean(section.theme.title_in(language))} =="]
        for story in section.stories:
            lines += [""] + story_text(story, language)
    if not digest.stories:
        lines.append(t("no_stories", language))
    return "\n".join(lines).strip() + "\n"
