"""Writes to a TinyStore in a loop, reporting "ACK <n>" after each acknowledged write.

tests/test_store_crash.py runs `main` in a forked child process (so a trial starts
in milliseconds) and kills it with SIGKILL at random moments. By hand:
python tests/support/store_writer.py DATA_DIR START_N [COMPACT_AFTER]
Write n is, by n % 4: 0 a subscriber, 1 an article, 2 a push enqueued, 3 push n-1 sent.
Each write is a journal append; with COMPACT_AFTER, a table file is also rewritten
(compacted) whenever its journal holds more than that many records, so kills land
mid-append and mid-compaction alike. Without COMPACT_AFTER the store is opened the way
`digestbot run` opens it (`defer_people`: subscribers and the outbox read at their first write),
so kills also land before and during that deferred read.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable

from bot.models import Article, KeyPoint, Push, Subscriber
from bot.store.tinydb.store import TinyStore
from bot.store.tinydb.files import Compaction

FILLER = "The Lima Group met in Lima to discuss Venezuela. " * 20


def article(n: int) -> Article:
    return Article(id=f"a{n}", path=f"a{n}.txt", content_hash=str(n), title=f"Article {n}", body=FILLER,
                   language="en", key_points=(KeyPoint(FILLER[:50], 0.5),), themes=(("lima_group", 0.5),))


def push(n: int) -> Push:
    return Push(id=f"{n}:d:0", chat_id=n, text=f"<b>digest</b> {FILLER[:200]}", digest_key="d", created_at=float(n))


def write(store: TinyStore, n: int) -> None:
    kind = n % 4
    if kind == 0:
        store.save_subscriber(Subscriber(chat_id=n, next_due_at=float(n)))
    elif kind == 1:
        store.save_articles([article(n)])
    elif kind == 2:
        store.enqueue_pushes([push(n)])
    else:
        store.update_pushes([replace(push(n - 1), status="sent")])


def print_line(line: str) -> None:
    print(line, flush=True)


def main(data_dir: str, start: int, emit: Callable[[str], None] = print_line,
         compact_after: int | None = None) -> None:
    compaction = Compaction() if compact_after is None else Compaction(min_records=compact_after, ratio=0.0)
    store = TinyStore(Path(data_dir), compaction=compaction, defer_people=compact_after is None)   # as `digestbot run`
    if not store.all_articles():   # big enough files that a kill often lands mid-write
        store.save_articles([article(-i) for i in range(1, 400)])
    emit("READY")
    n = start
    while True:
        write(store, n)
        emit(f"ACK {n}")
        n += 1


SLICES, SLICE = 8, 250   # the advancing writer's subscribers: 2,000, saved 250 at a time as the due pass does


def advance(data_dir: str, start: int, emit: Callable[[str], None] = print_line) -> None:
    """Write n advances slice n % SLICES of the subscribers to last_digest_at = n (default policy:
    the journal grows to the table's size, then the file is rewritten from the members the saves encoded)."""
    store = TinyStore(Path(data_dir), defer_people=True)
    if not store.all_subscribers():
        store.save_subscribers(Subscriber(chat_id=n, next_due_at=1.0) for n in range(SLICES * SLICE))
    emit("READY")
    n = start
    while True:
        first = n % SLICES * SLICE
        store.save_subscribers(replace(store.get_subscriber(chat_id), last_digest_at=float(n), next_due_at=n + 1.0)
                               for chat_id in range(first, first + SLICE))
        emit(f"ACK {n}")
        n += 1


def advance_to_pipe(data_dir: str, start: int, connection: Connection) -> None:
    advance(data_dir, start, lambda line: connection.send_bytes(line.encode()))


def main_to_pipe(data_dir: str, start: int, connection: Connection, compact_after: int | None = None) -> None:
    main(data_dir, start, lambda line: connection.send_bytes(line.encode()), compact_after)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), compact_after=int(sys.argv[3]) if len(sys.argv) > 3 else None)
