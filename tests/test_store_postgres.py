"""What only the PostgreSQL store has: migrations, shared use by several processes, clear errors."""
from __future__ import annotations

import threading

import psycopg
import pytest

from bot.errors import StoreError
from bot.store.postgres.migrations import LATEST
from bot.store.postgres.outbox import take_pending
from bot.store.postgres.store import ARTICLES_VERSION, PgStore, safe_url
from tests.test_store_contract import article, push


def test_migrations_run_once_and_are_recorded(postgres_url):
    PgStore(postgres_url).close()
    PgStore(postgres_url).close()
    with psycopg.connect(postgres_url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, LATEST + 1))


def test_two_processes_opening_a_fresh_database_at_once_both_succeed(postgres_url):
    errors: list[BaseException] = []

    def open_and_close():
        try:
            PgStore(postgres_url).close()
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_database_migrated_by_a_newer_bot_is_refused(postgres_url):
    PgStore(postgres_url).close()
    with psycopg.connect(postgres_url) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, 'from the future')", (LATEST + 1,))
    with pytest.raises(StoreError, match=f"schema version {LATEST + 1}, newer.*upgrade the bot"):
        PgStore(postgres_url)


@pytest.mark.slow
def test_an_unreachable_database_is_named_without_its_password():
    url = "postgresql://digest:s3cret@127.0.0.1:1/digest?connect_timeout=1"
    with pytest.raises(StoreError) as caught:
        PgStore(url, connect_timeout=2.0)
    assert "s3cret" not in str(caught.value) and "127.0.0.1:1" in str(caught.value)
    assert safe_url(url) == "postgresql://digest:***@127.0.0.1:1/digest?connect_timeout=1"


def test_two_takers_at_once_never_get_the_same_pending_push(postgres_url):
    first, second = PgStore(postgres_url), PgStore(postgres_url)
    first.enqueue_pushes([push(i) for i in range(10)])
    with first.transaction() as conn:   # a taker holding its rows in an open transaction
        held = take_pending(conn, 1e9, 4)
        others = second.pending_pushes(1e9, 10)
    assert len(held) == 4 and len(others) == 6
    assert not {p.id for p in held} & {p.id for p in others}
    first.close()
    second.close()


def test_every_article_write_moves_the_version_other_processes_compare(postgres_url):
    writer, reader = PgStore(postgres_url), PgStore(postgres_url)
    before = reader.get_meta(ARTICLES_VERSION)
    writer.save_articles([article()])
    middle = reader.get_meta(ARTICLES_VERSION)
    writer.save_articles([article(is_retired=True)])
    assert len({before, middle, reader.get_meta(ARTICLES_VERSION)}) == 3
    assert reader.get_article("a1").is_retired
    writer.close()
    reader.close()
