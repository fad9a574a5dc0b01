"""The outbox half of `PgStore`: functions on a connection inside the caller's transaction.

Tables: `pushes` (every push not yet sent, its text stored once in `push_texts` by
content hash) and `deliveries` (one compact record per sent push, kept for the
retention so a digest is never delivered twice). A push id is the primary key, and
an id found in `deliveries` is never enqueued again. Sent pushes move to
`deliveries` in the same transaction that removes them from `pushes`.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Iterable

import psycopg

from bot.models import Push, moved_push_id
from bot.store.codec import STATUSES, check_statuses, push_from_doc, push_to_doc, text_key

__all__ = ["check_statuses", "counts", "drop_for", "enqueue", "move_chat", "take_pending", "update"]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=True)


def _write_texts(conn: psycopg.Connection, pushes: Iterable[Push]) -> dict[str, str]:
    """Store each distinct text once; returns push id -> text key."""
    keys = {p.id: text_key(p.text) for p in pushes}
    texts = {keys[p.id]: p.text for p in pushes}
    if texts:
        conn.execute("INSERT INTO push_texts (key, text) SELECT * FROM unnest(%s::text[], %s::text[]) "
                     "ON CONFLICT (key) DO NOTHING", (list(texts), [_dumps(t) for t in texts.values()]))
    return keys


def _columns(pushes: list[Push], keys: dict[str, str]) -> tuple:
    return ([p.id for p in pushes], [p.chat_id for p in pushes], [p.status for p in pushes],
            [float(p.not_before) for p in pushes], [float(p.created_at) for p in pushes],
            [keys[p.id] for p in pushes], [_dumps(push_to_doc(p, keys[p.id])) for p in pushes])


_UNNEST = ("unnest(%s::text[], %s::bigint[], %s::text[], %s::float8[], %s::float8[], %s::text[], %s::text[]) "
           "AS u(id, chat_id, status, not_before, created_at, text_key, doc)")


def enqueue(conn: psycopg.Connection, pushes: list[Push], prune_before: float) -> int:
    """Add pushes whose id is neither queued nor delivered; prune old failed/dropped ones; returns added."""
    new: dict[str, Push] = {}
    for push in pushes:
        new.setdefault(push.id, push)
    if not new:
        return 0
    batch = list(new.values())
    keys = _write_texts(conn, batch)
    cursor = conn.execute(
        "INSERT INTO pushes (id, chat_id, status, not_before, created_at, text_key, doc) "
        f"SELECT u.* FROM {_UNNEST} WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = u.id) "
        "ON CONFLICT (id) DO NOTHING", _columns(batch, keys))
    added = cursor.rowcount
    pruned = conn.execute("DELETE FROM pushes WHERE status IN ('failed', 'dropped') AND created_at < %s",
                          (prune_before,)).rowcount
    if pruned:
        _collect_texts(conn)
    return added


def _collect_texts(conn: psycopg.Connection) -> None:
    conn.execute("DELETE FROM push_texts t WHERE NOT EXISTS (SELECT 1 FROM pushes p WHERE p.text_key = t.key)")


def take_pending(conn: psycopg.Connection, now: float, limit: int) -> list[Push]:
    """Pending pushes ready by `now`, oldest first; rows another transaction holds are skipped."""
    rows = conn.execute(
        "SELECT p.doc, t.text FROM pushes p JOIN push_texts t ON t.key = p.text_key "
        "WHERE p.status = 'pending' AND p.not_before <= %s ORDER BY p.created_at, p.seq LIMIT %s "
        "FOR UPDATE OF p SKIP LOCKED", (now, max(limit, 0))).fetchall()
    return [push_from_doc(json.loads(doc), json.loads(text)) for doc, text in rows]


def update(conn: psycopg.Connection, pushes: list[Push], now: float, retention: float) -> None:
    """Write a batch of outcomes: sent ones become delivery records, the rest are updated in place."""
    batch = {p.id: p for p in pushes}
    known = {row[0] for row in conn.execute("SELECT id FROM pushes WHERE id = ANY(%s) FOR UPDATE",
                                            (list(batch),))}
    batch = {key: p for key, p in batch.items() if key in known}
    sent = [p for p in batch.values() if p.status == "sent"]
    rest = [p for p in batch.values() if p.status != "sent"]
    if sent:
        conn.execute("INSERT INTO deliveries (id, chat_id, digest_key, sent_at) "
                     "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::float8[]) "
                     "ON CONFLICT (id) DO NOTHING",
                     ([p.id for p in sent], [p.chat_id for p in sent], [p.digest_key for p in sent],
                      [now] * len(sent)))
        conn.execute("DELETE FROM pushes WHERE id = ANY(%s)", ([p.id for p in sent],))
        conn.execute("DELETE FROM deliveries WHERE sent_at < %s", (now - retention,))
    if rest:
        _upsert(conn, rest)


def _upsert(conn: psycopg.Connection, pushes: list[Push]) -> None:
    keys = _write_texts(conn, pushes)
    conn.execute(
        "INSERT INTO pushes (id, chat_id, status, not_before, created_at, text_key, doc) "
        f"SELECT u.* FROM {_UNNEST} ON CONFLICT (id) DO UPDATE SET chat_id = EXCLUDED.chat_id, "
        "status = EXCLUDED.status, not_before = EXCLUDED.not_before, created_at = EXCLUDED.created_at, "
        "text_key = EXCLUDED.text_key, doc = EXCLUDED.doc", _columns(pushes, keys))


def _pushes_of(conn: psycopg.Connection, where: str, params: tuple) -> list[Push]:
    rows = conn.execute(f"SELECT p.doc, t.text FROM pushes p JOIN push_texts t ON t.key = p.text_key "
                        f"WHERE {where} ORDER BY p.seq FOR UPDATE OF p", params).fetchall()
    return [push_from_doc(json.loads(doc), json.loads(text)) for doc, text in rows]


def drop_for(conn: psycopg.Connection, chat_id: int, reason: str) -> int:
    pending = _pushes_of(conn, "p.chat_id = %s AND p.status = 'pending'", (chat_id,))
    if pending:
        _upsert(conn, [replace(p, status="dropped", error=reason) for p in pending])
    return len(pending)


def move_chat(conn: psycopg.Connection, old_chat_id: int, new_chat_id: int) -> None:
    """Point the pushes and delivery records of a migrated chat at its new id."""
    moved = _pushes_of(conn, "p.chat_id = %s", (old_chat_id,))
    if moved:
        renamed = [replace(p, id=moved_push_id(p.id, old_chat_id, new_chat_id), chat_id=new_chat_id) for p in moved]
        conn.execute("DELETE FROM pushes WHERE id = ANY(%s)", ([p.id for p in moved],))
        _upsert(conn, renamed)
    records = conn.execute("DELETE FROM deliveries WHERE chat_id = %s RETURNING id, digest_key, sent_at",
                           (old_chat_id,)).fetchall()
    if records:
        conn.execute("INSERT INTO deliveries (id, chat_id, digest_key, sent_at) "
                     "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::float8[]) "
                     "ON CONFLICT (id) DO NOTHING",
                     ([moved_push_id(r[0], old_chat_id, new_chat_id) for r in records], [new_chat_id] * len(records),
                      [r[1] for r in records], [r[2] for r in records]))


def counts(conn: psycopg.Connection) -> dict[str, int]:
    result = dict.fromkeys(STATUSES, 0)
    result.update(Counter({status: n for status, n in
                           conn.execute("SELECT status, count(*) FROM pushes GROUP BY status")}))
    row = conn.execute("SELECT count(*) FROM deliveries").fetchone()
    result["sent"] = int(row[0]) if row else 0
    return result
