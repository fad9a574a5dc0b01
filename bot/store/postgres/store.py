"""`PgStore`: the bot's state in PostgreSQL (psycopg 3, a connection pool).

For deployments that outgrow one process: any number of processes share one
database. Every method is one transaction on a pooled connection, durable when it
returns (an acknowledged write). The schema is versioned (`migrations`), applied
at open. Rows keep the codec's JSON document beside the columns queries use:
`subscribers.next_due_at` (indexed: the due query is an index range scan),
`pushes.status`/`created_at` (pending pushes taken oldest first `FOR UPDATE SKIP
LOCKED`, so two takers never get the same rows). Writes of articles bump the
`articles_version` meta key in the same transaction: other processes compare it
to rebuild their catalog (`bot.library`). The outbox half is `bot.store.postgres.outbox`.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.errors import StoreError
from bot.models import Article, OutgoingDigest, Push, Subscriber
from bot.store.api import ARTICLES_VERSION_KEY, SCHEMA_VERSION
from bot.store.codec import article_from_doc, article_to_doc, subscriber_from_doc, subscriber_to_doc
from bot.store.postgres import outbox
from bot.store.postgres.election import Election
from bot.store.postgres.migrations import apply_migrations

logger = logging.getLogger(__name__)

DELIVERY_RETENTION = 14 * 86400.0
ARTICLES_VERSION = ARTICLES_VERSION_KEY   # meta key bumped by every article write


def dumps(value: object) -> str:
    """JSON text that PostgreSQL `text` can hold (NUL escaped) and that reads back exactly."""
    return json.dumps(value, ensure_ascii=True)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


class PgStore:
    """Implements `bot.store.api.Store` on PostgreSQL (see the module doc)."""

    is_shared = True   # other processes write the same database

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time,
                 delivery_retention: float = DELIVERY_RETENTION, pool_size: int = 8,
                 application_name: str = "digestbot", connect_timeout: float = 15.0):
        self.url = url
        self._clock, self._retention = clock, delivery_retention
        self._closed = False
        self._trouble = ""   # why writes keep failing (the server is out of disk or memory)
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=max(pool_size, 1), open=False,
                                        kwargs={"application_name": application_name}, name="digestbot")
            self._pool.open(wait=True, timeout=connect_timeout)
        except (PoolTimeout, psycopg.Error) as exc:
            raise StoreError(f"cannot connect to the database at {safe_url(url)}: {exc}; "
                             "check DATABASE_URL and that PostgreSQL is running") from None
        try:
            with self._pool.connection() as conn:
                apply_migrations(conn)
            self._check_schema()
        except BaseException:
            self._pool.close()
            raise
        logger.info("store opened: PostgreSQL at %s", safe_url(url))

    def election(self, duty: str, token: str, application_name: str) -> Election:
        """Who leads `duty` for this bot token among the processes on this database (see Election)."""
        return Election(self.url, duty, token, application_name)

    def _check_schema(self) -> None:
        stored = self.get_meta("schema_version")
        if stored is None or (isinstance(stored, int) and stored < SCHEMA_VERSION):
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif not isinstance(stored, int) or stored > SCHEMA_VERSION:
            raise StoreError(
                f"the database holds data of schema version {stored}, newer than this bot understands "
                f"({SCHEMA_VERSION}); upgrade the bot, or point DATABASE_URL at another database")

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A pooled connection in one transaction (committed on success); errors become StoreError."""
        if self._closed:
            raise StoreError("the store is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except StoreError:
            raise
        except (PoolTimeout, psycopg.Error) as exc:
            sqlstate = getattr(exc, "sqlstate", None) or ""
            if sqlstate.startswith("53"):   # insufficient resources: disk full, out of memory
                self._trouble = f"the database server is out of resources: {exc}"
            raise StoreError(f"database error: {exc}; check that PostgreSQL is running") from exc
        self._trouble = ""

    def disk_trouble(self) -> str:
        """Why writes keep failing on the server (out of disk), "" when they work."""
        return self._trouble

    # -- articles --------------------------------------------------------------

    def all_articles(self, include_retired: bool = False) -> list[Article]:
        where = "" if include_retired else "WHERE NOT is_retired"
        with self.transaction() as conn:
            rows = conn.execute(f"SELECT doc FROM articles {where} ORDER BY seq").fetchall()
        return [article_from_doc(json.loads(doc)) for (doc,) in rows]

    def get_article(self, article_id: str) -> Article | None:
        with self.transaction() as conn:
            row = conn.execute("SELECT doc FROM articles WHERE id = %s", (article_id,)).fetchone()
        return None if row is None else article_from_doc(json.loads(row[0]))

    def save_articles(self, articles: Iterable[Article]) -> None:
        batch = {a.id: a for a in articles}
        if not batch:
            return
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO articles (id, is_retired, doc) SELECT * FROM unnest(%s::text[], %s::boolean[], %s::text[]) "
                "ON CONFLICT (id) DO UPDATE SET is_retired = EXCLUDED.is_retired, doc = EXCLUDED.doc",
                (list(batch), [a.is_retired for a in batch.values()],
                 [dumps(article_to_doc(a)) for a in batch.values()]))
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, '1') ON CONFLICT (key) "
                         "DO UPDATE SET value = (meta.value::bigint + 1)::text", (ARTICLES_VERSION,))
        logger.info("saved %d articles", len(batch))

    # -- subscribers -----------------------------------------------------------

    def get_subscriber(self, chat_id: int) -> Subscriber | None:
        with self.transaction() as conn:
            row = conn.execute("SELECT doc FROM subscribers WHERE chat_id = %s", (chat_id,)).fetchone()
        return None if row is None else subscriber_from_doc(json.loads(row[0]))

    def save_subscriber(self, subscriber: Subscriber) -> None:
        self.save_subscribers([subscriber])

    def save_subscribers(self, subscribers: Iterable[Subscriber]) -> None:
        batch = {s.chat_id: s for s in subscribers}
        if batch:
            with self.transaction() as conn:
                upsert_subscribers(conn, batch.values())

    def all_subscribers(self, active_only: bool = True) -> list[Subscriber]:
        where = "WHERE is_active" if active_only else ""
        with self.transaction() as conn:
            rows = conn.execute(f"SELECT doc FROM subscribers {where} ORDER BY seq").fetchall()
        return [subscriber_from_doc(json.loads(doc)) for (doc,) in rows]

    def move_subscriber(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription, pending pushes and deliveries follow."""
        if old_chat_id == new_chat_id:
            return
        with self.transaction() as conn:
            outbox.move_chat(conn, old_chat_id, new_chat_id)
            row = conn.execute("DELETE FROM subscribers WHERE chat_id = %s RETURNING doc", (old_chat_id,)).fetchone()
            if row is None:
                return
            old = subscriber_from_doc(json.loads(row[0]))
            chat_type = "supergroup" if old.chat_type == "group" else old.chat_type
            upsert_subscribers(conn, [replace(old, chat_id=new_chat_id, chat_type=chat_type)])
        logger.info("moved subscriber %s to %s", old_chat_id, new_chat_id)

    def due_subscribers(self, now: float, limit: int = 1000) -> list[Subscriber]:
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT doc FROM subscribers WHERE is_active AND next_due_at <= %s "
                "AND next_due_at < 'Infinity'::float8 ORDER BY next_due_at, chat_id LIMIT %s",
                (now, max(limit, 0))).fetchall()
        return [subscriber_from_doc(json.loads(doc)) for (doc,) in rows]

    # -- outbox ----------------------------------------------------------------

    def enqueue_pushes(self, pushes: Iterable[Push]) -> int:
        pushes = list(pushes)
        outbox.check_statuses(pushes)
        with self.transaction() as conn:
            return outbox.enqueue(conn, pushes, self._clock() - self._retention)

    def enqueue_digests(self, digests: Iterable[OutgoingDigest]) -> int:
        return self.enqueue_pushes([push for digest in digests for push in digest.pushes()])

    def pending_pushes(self, now: float, limit: int) -> list[Push]:
        with self.transaction() as conn:
            return outbox.take_pending(conn, now, limit)

    def update_pushes(self, pushes: Iterable[Push]) -> None:
        pushes = list(pushes)
        outbox.check_statuses(pushes)
        with self.transaction() as conn:
            outbox.update(conn, pushes, self._clock(), self._retention)

    def drop_pushes_for(self, chat_id: int, reason: str) -> int:
        with self.transaction() as conn:
            return outbox.drop_for(conn, chat_id, reason)

    def push_counts(self) -> dict[str, int]:
        with self.transaction() as conn:
            return outbox.counts(conn)

    # -- meta ------------------------------------------------------------------

    def get_meta(self, key: str, default: object = None) -> object:
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: object) -> None:
        try:
            text = dumps(value)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"meta value for {key!r} is not JSON-serializable: {exc}") from exc
        with self.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, text))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()


def upsert_subscribers(conn: psycopg.Connection, subscribers: Iterable[Subscriber]) -> None:
    subscribers = list(subscribers)
    conn.execute(
        "INSERT INTO subscribers (chat_id, is_active, next_due_at, doc) "
        "SELECT * FROM unnest(%s::bigint[], %s::boolean[], %s::float8[], %s::text[]) "
        "ON CONFLICT (chat_id) DO UPDATE SET is_active = EXCLUDED.is_active, "
        "next_due_at = EXCLUDED.next_due_at, doc = EXCLUDED.doc",
        ([s.chat_id for s in subscribers], [s.is_active for s in subscribers],
         [float(s.next_due_at) for s in subscribers], [dumps(subscriber_to_doc(s)) for s in subscribers]))
