"""The store backends side by side: the same operations on TinyDB and on PostgreSQL, one run.

    python benchmarks/store.py              (100k subscribers, 10k pushes; a few minutes)
    python benchmarks/store.py --quick      (10k subscribers, 2k pushes)

PostgreSQL is a local server started with `pgserver` (Unix socket, fsync on), so the
figures hold the round trip of a local socket, not a network. Operations:
- subscriber write: one `save_subscriber` (one acknowledged write), repeated;
- due query: `due_subscribers(now, 500)` with N subscribers stored, 1% of them due;
- outbox: enqueue P pushes (batches of 500), then take 500 / ack them as sent until empty;
- article upsert: one `save_articles([article])` of a 5 kB article, repeated.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.models import Article, KeyPoint, Push, Subscriber  # noqa: E402
from bot.store.postgres.store import PgStore  # noqa: E402
from bot.store.tinydb.store import TinyStore  # noqa: E402

BODY = "The Lima Group met in Lima to discuss Venezuela and the region. " * 80


def timed(fn, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def subscriber_writes(store, repeat: int) -> float:
    counter = iter(range(10**9, 2 * 10**9))
    return timed(lambda: store.save_subscriber(Subscriber(chat_id=next(counter), next_due_at=1e12)), repeat)


def due_query(store, subscribers: int) -> float:
    for start in range(0, subscribers, 10_000):
        store.save_subscribers(Subscriber(chat_id=i, next_due_at=float(i % 100) if i % 100 == 0 else 1e11 + i)
                               for i in range(start, min(start + 10_000, subscribers)))
    found = store.due_subscribers(50.0, 500)
    assert len(found) == min(500, subscribers // 100), len(found)
    return timed(lambda: store.due_subscribers(50.0, 500), 20)


def outbox_cycle(store, pushes: int) -> tuple[float, float]:
    text = "<b>Lima Group</b> digest " * 40
    batch = [Push(id=f"{i}:d:0", chat_id=i, text=text, digest_key="d", created_at=float(i)) for i in range(pushes)]
    started = time.perf_counter()
    for index in range(0, pushes, 500):
        store.enqueue_pushes(batch[index:index + 500])
    enqueue = time.perf_counter() - started
    started = time.perf_counter()
    while True:
        taken = store.pending_pushes(1e12, 500)
        if not taken:
            break
        store.update_pushes([replace(p, status="sent", attempts=1) for p in taken])
    return enqueue, time.perf_counter() - started


def article_upserts(store, repeat: int) -> float:
    counter = iter(range(10**6))

    def save() -> None:
        n = next(counter)
        store.save_articles([Article(id=f"bench{n}", path=f"bench{n}.txt", content_hash=str(n), title=f"A {n}",
                                     body=BODY, language="en", key_points=(KeyPoint(BODY[:120], 0.5),),
                                     themes=(("lima_group", 0.7),))])
    return timed(save, repeat)


def measure(store, subscribers: int, pushes: int, repeat: int) -> dict[str, float]:
    enqueue, take_ack = outbox_cycle(store, pushes)
    return {"subscriber write (ms)": subscriber_writes(store, repeat) * 1000,
            "article upsert (ms)": article_upserts(store, repeat) * 1000,
            f"due query at {subscribers:,} subscribers (ms)": due_query(store, subscribers) * 1000,
            f"enqueue {pushes:,} pushes (s)": enqueue,
            f"take+ack {pushes:,} pushes (s)": take_ack}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    subscribers, pushes, repeat = (10_000, 2_000, 50) if args.quick else (100_000, 10_000, 200)
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-store-") as temp:
        tiny = TinyStore(Path(temp) / "data")
        server = pgserver.get_server(Path(temp) / "pg", cleanup_mode="delete")
        pg = PgStore(server.get_uri())
        try:
            results = {"TinyDB": measure(tiny, subscribers, pushes, repeat),
                       "PostgreSQL": measure(pg, subscribers, pushes, repeat)}
        finally:
            tiny.close()
            pg.close()
            server.cleanup()
    width = max(len(name) for name in results["TinyDB"])
    print(f"{'operation':<{width}}  {'TinyDB':>10}  {'PostgreSQL':>10}")
    for name in results["TinyDB"]:
        print(f"{name:<{width}}  {results['TinyDB'][name]:>10.2f}  {results['PostgreSQL'][name]:>10.2f}")


if __name__ == "__main__":
    main()
