"""A real PostgreSQL server for the tests: `pgserver` (binaries in its wheel), one per test session.

PostgreSQL refuses to run as root; pgserver then creates a system user `pgserver`
and runs the server as that user. Each test gets an empty database: the public
schema is dropped and re-created, so the store's migrations run from scratch.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest


def start_server():
    """(server, uri); pytest.skip with the reason when no server can start here."""
    try:
        import pgserver
    except ImportError as exc:   # pragma: no cover - pgserver is a test dependency
        pytest.skip(f"pgserver is not installed ({exc}); `pip install -e '.[test]'`")
    pgdata = Path(tempfile.mkdtemp(prefix="digestbot-pg-"))
    try:
        server = pgserver.get_server(pgdata, cleanup_mode="delete")
    except Exception as exc:   # no binaries for this platform, no useradd as root, ...
        pytest.skip(f"a PostgreSQL server could not start here ({type(exc).__name__}: {exc})")
    return server, server.get_uri()


def reset_database(uri: str) -> str:
    """Empty the database behind `uri` (every table, every migration) and return `uri`."""
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        conn.execute("SELECT pg_advisory_unlock_all()")
    return uri
