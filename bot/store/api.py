"""The store interface: everything the bot keeps, behind one small Protocol.

`bot.store.tinydb.store.TinyStore` implements it on TinyDB; a larger deployment can put a
database server behind the same methods without touching the core.
Every write method is durable when it returns (an acknowledged write).
"""
from __future__ import annotations

from typing import Iterable, Protocol

from bot.models import Article, OutgoingDigest, Push, Subscriber

SCHEMA_VERSION = 5   # 5: the outbox keeps a whole pending digest as one record (older stores read as they are)
# 4: a subscriber stored as one positional row (3, 2 and 1 still read; folded in at the first write)
# 3: a chat's last digests stored as one JSON text
# 2: table files end with a checksum line, journals count their writes


ARTICLES_VERSION_KEY = "articles_version"   # meta key a shared store bumps on every article write


class Store(Protocol):
    # articles
    def all_articles(self, include_retired: bool = False) -> list[Article]: ...
    def get_article(self, article_id: str) -> Article | None: ...
    def save_articles(self, articles: Iterable[Article]) -> None: ...      # upsert by id, one write

    # subscribers
    def get_subscriber(self, chat_id: int) -> Subscriber | None: ...
    def save_subscriber(self, subscriber: Subscriber) -> None: ...
    def save_subscribers(self, subscribers: Iterable[Subscriber]) -> None: ...  # one write
    def all_subscribers(self, active_only: bool = True) -> list[Subscriber]: ...
    def move_subscriber(self, old_chat_id: int, new_chat_id: int) -> None: ...  # group -> supergroup
    def due_subscribers(self, now: float, limit: int = 1000) -> list[Subscriber]: ...
    # active subscribers with next_due_at <= now, earliest first, from an in-memory
    # index kept in step with every save (sub-millisecond at 100k subscribers)

    # outbox (persistent, batched)
    def enqueue_pushes(self, pushes: Iterable[Push]) -> int: ...   # skips ids already present; returns added
    def enqueue_digests(self, digests: Iterable[OutgoingDigest]) -> int: ...
    # = enqueue_pushes of every digest's pushes (OutgoingDigest.pushes), which a store may keep whole
    def pending_pushes(self, now: float, limit: int) -> list[Push]: ...  # status pending, not_before <= now, oldest first
    def update_pushes(self, pushes: Iterable[Push]) -> None: ...   # one write for a batch of status changes
    def drop_pushes_for(self, chat_id: int, reason: str) -> int: ...
    def push_counts(self) -> dict[str, int]: ...                    # status -> count

    # small key/value metadata (schema version, saved previews, counters)
    def get_meta(self, key: str, default: object = None) -> object: ...
    def set_meta(self, key: str, value: object) -> None: ...

    def disk_trouble(self) -> str: ...   # why writes keep failing (a full disk), "" when they work

    def close(self) -> None: ...


class Lead(Protocol):
    """The lead of one duty among processes sharing a store (an advisory lock held while leading)."""
    def try_lead(self) -> bool: ...     # keep or take the lead; False while another process holds it
    def resign(self) -> None: ...


class SharedStore(Store, Protocol):
    """A store several processes write (`is_shared`): it also elects who leads a duty."""
    is_shared: bool
    def election(self, duty: str, token: str, application_name: str) -> Lead: ...
