"""Leader election with a PostgreSQL advisory lock: one active scheduler and one sender per bot token.

`Election.try_lead()` holds `pg_try_advisory_lock(key)` on a connection of its own
while it leads. When the leading process dies, PostgreSQL ends its session and frees
the lock; the next `try_lead()` of a waiting process (every second or so) takes it.
The key is derived from the duty and the bot's numeric id (the token's public half),
so two bots can share one database.
"""
from __future__ import annotations

import hashlib
import logging

import psycopg

logger = logging.getLogger(__name__)


def lock_key(duty: str, token: str) -> int:
    """A signed 64-bit advisory-lock key for `duty` of the bot whose token is `token`."""
    bot_id = token.partition(":")[0]
    digest = hashlib.sha256(f"digestbot:{duty}:{bot_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Election:
    """Who does `duty` for this bot token, among the processes sharing the database."""

    def __init__(self, url: str, duty: str, token: str, application_name: str = "digestbot"):
        self.url, self.duty = url, duty
        self.key = lock_key(duty, token)
        self._application_name = application_name
        self._conn: psycopg.Connection | None = None

    @property
    def is_leader(self) -> bool:
        return self._conn is not None

    def try_lead(self) -> bool:
        """True while this process leads (checks its session is alive); takes the lead when free. Blocking."""
        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:
                logger.error("lost the %s lead: the database session ended", self.duty)
                self._drop()
                return False
        try:
            conn = psycopg.connect(self.url, autocommit=True, application_name=self._application_name,
                                   connect_timeout=5)
        except psycopg.Error as exc:
            logger.warning("cannot reach the database to elect the %s: %s", self.duty, type(exc).__name__)
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if row and row[0]:
            self._conn = conn
            logger.info("elected as the %s", self.duty)
            return True
        conn.close()
        return False

    def resign(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            except psycopg.Error:
                pass
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                pass
