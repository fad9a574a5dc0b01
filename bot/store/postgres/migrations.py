"""Versioned schema migrations for `PgStore`, applied in order at open.

Each migration runs once, in one transaction, recorded in `schema_migrations`.
Two processes starting at once serialise on an advisory lock; a database
migrated by a newer bot (a version this one does not know) is refused.
Documents are JSON text (Python's json, so Infinity and NUL survive exactly);
the columns beside them are what the queries filter and sort on.
"""
from __future__ import annotations

import logging

from bot.errors import StoreError

logger = logging.getLogger(__name__)

MIGRATION_LOCK = 0x6469_6765_7374   # pg_advisory_xact_lock key while migrating ("digest")

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "articles, subscribers, outbox, deliveries, meta", """
        CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE articles (
            id text PRIMARY KEY, seq bigserial, is_retired boolean NOT NULL, doc text NOT NULL);
        CREATE INDEX articles_seq ON articles (seq);
        CREATE TABLE subscribers (
            chat_id bigint PRIMARY KEY, seq bigserial, is_active boolean NOT NULL,
            next_due_at double precision NOT NULL, doc text NOT NULL);
        CREATE INDEX subscribers_due ON subscribers (next_due_at, chat_id) WHERE is_active;
        CREATE TABLE push_texts (key text PRIMARY KEY, text text NOT NULL);
        CREATE TABLE pushes (
            id text PRIMARY KEY, seq bigserial, chat_id bigint NOT NULL, status text NOT NULL,
            not_before double precision NOT NULL, created_at double precision NOT NULL,
            text_key text NOT NULL REFERENCES push_texts (key), doc text NOT NULL);
        CREATE INDEX pushes_pending ON pushes (created_at, seq) WHERE status = 'pending';
        CREATE INDEX pushes_chat ON pushes (chat_id);
        CREATE INDEX pushes_text ON pushes (text_key);
        CREATE TABLE deliveries (
            id text PRIMARY KEY, chat_id bigint NOT NULL, digest_key text NOT NULL,
            sent_at double precision NOT NULL);
        CREATE INDEX deliveries_sent_at ON deliveries (sent_at);
        CREATE INDEX deliveries_chat ON deliveries (chat_id);
    """),
)
LATEST = MIGRATIONS[-1][0]


def apply_migrations(conn) -> list[int]:
    """Bring the schema to LATEST in one transaction; returns the versions applied now."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz DEFAULT now())")
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        newer = sorted(v for v in applied if v > LATEST)
        if newer:
            raise StoreError(
                f"the database holds schema version {newer[-1]}, newer than this bot understands ({LATEST}); "
                "upgrade the bot, or point DATABASE_URL at another database")
        done = []
        for version, name, sql in MIGRATIONS:
            if version in applied:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
            done.append(version)
            logger.info("database migrated to schema version %d (%s)", version, name)
        return done


def schema_version(conn) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])
