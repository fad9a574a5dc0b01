"""The domain types: frozen dataclasses, no I/O, no formatting.

Times are UTC epoch seconds (float); publication dates are ISO strings
("2021-08-06") or "" when the text has none; languages are "en" or "es".
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable


@dataclass(frozen=True)
class SeedFile:
    """One file read from seeds/: decoded text plus what reading noticed."""

    path: str            # path relative to the seeds directory, "/"-separated
    text: str            # decoded text
    content_hash: str    # sha256 hex of the raw bytes
    notes: tuple[str, ...] = ()   # e.g. "decoded as cp1252", "repaired mojibake"


@dataclass(frozen=True)
class Rejection:
    """A file that could not become an article, and why (one short sentence)."""

    path: str
    reason: str


@dataclass(frozen=True)
class CleanText:
    """The output of cleaning: the article body and its metadata."""

    title: str
    body: str                     # clean paragraphs joined by "\n\n"
    language: str                 # "en" or "es"
    published: str = ""           # ISO date or ""
    outlet: str = ""
    author: str = ""
    url: str = ""
    foreign_passages: tuple[str, ...] = ()  # passages in another language, kept out of body
    removed: tuple[str, ...] = ()           # boilerplate lines that were dropped
    notes: tuple[str, ...] = ()             # what the maintainer should know (a header date not used)


MIN_POINTS = 3            # an article's (and a story's) key points: at least this many when the text has them
MAX_POINTS = 5            # and never more


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """A verbatim sentence of the article chosen as a key point."""

    text: str
    score: float = 0.0
    why: str = ""        # what the score came from (for `digestbot show --why`)


@dataclass(frozen=True, slots=True)
class Article:
    """An ingested article as stored."""

    id: str                       # stable, from the file path (stem of the relative path)
    path: str                     # path relative to the seeds directory
    content_hash: str
    title: str
    body: str
    language: str
    key_points: tuple[KeyPoint, ...]
    themes: tuple[tuple[str, float], ...] = ()   # (command, score), best first
    published: str = ""
    outlet: str = ""
    author: str = ""
    url: str = ""
    foreign_passages: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    first_seen: float = 0.0       # when this article first entered the store
    updated_at: float = 0.0       # when its file last changed
    is_retired: bool = False      # its file was deleted (or, fetched, it aged out): hidden, kept
    source: str = ""              # the live source (sources.toml) that brought it; "" for a seed file

    @property
    def theme_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.themes)


@dataclass(frozen=True)
class Theme:
    """A themed digest, loaded from digests/<command>.toml."""

    command: str                          # Telegram command, 1-32 of a-z0-9_
    title: dict[str, str]                 # language -> title
    description: dict[str, str]           # language -> one line
    terms: tuple[str, ...]                # match terms, any language
    exclude: tuple[str, ...] = ()         # phrases that cancel a match ("Lima, Peru" for the city)
    context: dict[str, str] = field(default_factory=dict)   # language -> context card
    source: str = ""                      # file it came from

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.command


@dataclass(frozen=True, slots=True)
class StoryPoint:
    """A key point of a story; `sources` counts the articles that carry it."""

    text: str
    outlet: str
    url: str = ""
    sources: int = 1


@dataclass(frozen=True)
class StoryVersion:
    """A story's headline and points told from its articles in one language."""

    language: str
    title: str
    points: tuple[StoryPoint, ...]


@dataclass(frozen=True)
class Story:
    """One event, reported by one or more articles (outlets)."""

    id: str                               # stable: the id of its earliest article
    title: str
    published: str                        # its news date: the earliest date its articles give, ISO or ""
    articles: tuple[Article, ...]         # newest first
    points: tuple[StoryPoint, ...]
    themes: tuple[str, ...]
    language: str
    first_seen: float                     # earliest first_seen of its articles
    versions: tuple[StoryVersion, ...] = ()   # one per language its articles are in

    def in_language(self, language: str) -> Story:
        """The story as a reader of `language` sees it: headline and points from its articles in
        that language when it has one, else unchanged."""
        version = next((v for v in self.versions if v.language == language), None)
        if version is None or version.language == self.language:
            return self
        return replace(self, title=version.title, points=version.points, language=version.language)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The named outlets of its articles, in order, each once."""
        return tuple(dict.fromkeys(article.outlet for article in self.articles if article.outlet))


@dataclass(frozen=True)
class DigestSection:
    theme: Theme | None                   # None for /latest, /search and single stories
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Digest:
    """What a reader or subscriber is shown: stories grouped under headings."""

    title: str
    sections: tuple[DigestSection, ...]
    language: str = "en"
    next_offset: int | None = None        # where a "More" button continues, None when no more

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(story for section in self.sections for story in section.stories)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A chat that subscribed, with its settings and schedule state."""

    chat_id: int
    themes: tuple[str, ...] = ()
    language: str = "en"
    timezone: str = "America/Lima"
    time_of_day: str = "08:00"           # HH:MM local
    frequency: str = "daily"             # daily | weekly | instant
    weekday: int = 0                     # 0 = Monday, for weekly
    quiet_start: str = ""                # HH:MM local, "" = no quiet hours
    quiet_end: str = ""
    chat_type: str = "private"           # private | group | supergroup | channel
    thread_id: int | None = None         # forum topic to post into
    is_active: bool = True
    last_digest_at: float = 0.0          # stories first seen after this are new for them
    next_due_at: float = 0.0             # UTC epoch of the next scheduled digest
    created_at: float = 0.0
    paused_at: float = 0.0               # when delivery stopped because the chat was unreachable (0: never)
    paused_reason: str = ""              # what Telegram said then


@dataclass(frozen=True)
class Push:
    """One message waiting in the outbox."""

    id: str                              # unique: push_id(chat_id, digest_key, part)
    chat_id: int
    text: str                            # Telegram HTML
    digest_key: str                      # identifies the digest, e.g. "2026-11-23T08:00/daily"
    part: int = 0
    thread_id: int | None = None
    created_at: float = 0.0
    attempts: int = 0
    not_before: float = 0.0              # retry/backoff time
    status: str = "pending"              # pending | sent | failed | dropped
    error: str = ""


def pending_push(id: str, chat_id: int, text: str, digest_key: str, part: int,
                 thread_id: int | None, created_at: float, not_before: float) -> Push:
    """`Push(...)` of a new pending push at under half the cost (a due pass makes ~5 per subscriber,
    and a frozen dataclass's __init__ sets each field through object.__setattr__): the same
    fields in the same order, equal to the one `Push` makes (tests/test_due_scale.py)."""
    push = object.__new__(Push)
    push.__dict__.update(id=id, chat_id=chat_id, text=text, digest_key=digest_key, part=part, thread_id=thread_id,
                         created_at=created_at, attempts=0, not_before=not_before, status="pending", error="")
    return push


def push_id(chat_id: int, digest_key: str, part: int) -> str:
    """The outbox id of one part of one digest for one chat (re-enqueueing it is harmless)."""
    return f"{chat_id}:{digest_key}:{part}"


@dataclass(frozen=True, slots=True)
class OutgoingDigest:
    """One digest for one chat as the outbox takes it whole: part n becomes the pending push
    `push_id(chat_id, digest_key, n)` with the text `parts[n]` (a due pass enqueues ~100,000 of
    these; a store may keep them as one record, not one per message part)."""

    chat_id: int
    digest_key: str
    parts: tuple[str, ...]
    thread_id: int | None = None
    created_at: float = 0.0
    not_before: float = 0.0

    def pushes(self) -> list[Push]:
        return [pending_push(push_id(self.chat_id, self.digest_key, number), self.chat_id, text, self.digest_key,
                             number, self.thread_id, self.created_at, self.not_before)
                for number, text in enumerate(self.parts)]


def moved_push_id(push_id: str, old_chat_id: int, new_chat_id: int) -> str:
    """A push id re-addressed to a migrated chat (ids of other chats are returned unchanged)."""
    prefix = f"{old_chat_id}:"
    return f"{new_chat_id}:{push_id[len(prefix):]}" if push_id.startswith(prefix) else push_id


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did, per file."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()   # (path, note) e.g. repaired mojibake
    seconds: float = 0.0

    @property
    def new_ids(self) -> tuple[str, ...]:
        return self.added + self.updated


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Articles, newest publication first, then the most recently seen, then by id (descending, so
    the order is total and the same on every run). Stories have their own: bot.stories.story.news_order."""
    return sorted(articles, key=lambda article: (article.published, article.first_seen, article.id), reverse=True)
