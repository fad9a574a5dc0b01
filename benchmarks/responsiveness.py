"""How fast the things the tests only check for correctness are, each beside a baseline of the same run.

The tests say *that* a lookup, a due pass or an ingest gives the right answer; speed depends on
the machine and its load, so it is measured here instead, each figure next to a baseline taken in
the same run (the naive way, or the same work at a tenth of the size, or the loop left idle):

- catalog lookups at 10,000 articles         vs a linear scan of the same stories  (target: <= 5 ms)
- grouping 10,000 articles into stories       vs 1,000 articles, x10                 (target: < 30 s)
- key points of a 2,000-sentence article      vs a 200-sentence one                  (target: < 250 ms)
- the due index at 100,000 subscribers        vs a linear scan                       (target: < 1 ms)
- a batch update of 50 at 10,000 pending      vs at 100 pending                      (target: < 100 ms)
- the event loop's longest wait during a due pass of 3,000 subscribers
                                              vs the loop left idle as long          (target: < 250 ms)
- /start answered while the start-up ingest runs vs with no ingest                   (target: < 2 s)

    .venv/bin/python benchmarks/responsiveness.py [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.digest.catalog import Catalog  # noqa: E402
from bot.keypoints.points import extract_key_points  # noqa: E402
from bot.models import Subscriber  # noqa: E402
from bot.schedule.timing import next_due_at  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.store.tinydb.store import DueIndex, TinyStore  # noqa: E402
from bot.stories.group import group_stories  # noqa: E402
from bot.telegram.app import build_application, start_bot, stop_bot  # noqa: E402
from bot.telegram.console import updates  # noqa: E402
from bot.telegram.jobs import SCHEDULER  # noqa: E402
from tests.support.factories import make_theme, synthetic_articles, synthetic_body  # noqa: E402
from tests.support.paths import DIGESTS, SEEDS  # noqa: E402
from tests.support.recording import RecordingRequest  # noqa: E402
from tests.test_store_contract import push  # noqa: E402

Row = tuple[str, float, float, str]   # name, measured, baseline (seconds), target


def best_of(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def catalog_lookups(articles: int) -> Row:
    catalog = Catalog.build(synthetic_articles(articles), [make_theme("oas")])

    def lookups() -> None:
        catalog.search("name12 summit")
        catalog.stories_for("oas")
        catalog.story("s00042")

    def scan() -> None:
        [s for s in catalog.stories if "name12" in s.title.lower() and "summit" in s.title.lower()]
        [s for s in catalog.stories if "oas" in s.themes]
        next((s for s in catalog.stories if any(a.id == "s00042" for a in s.articles)), None)

    return (f"catalog lookups, {articles:,} articles", best_of(20, lookups), best_of(20, scan), "<= 5 ms")


def grouping(articles: int) -> Row:
    whole = best_of(1, lambda: group_stories(synthetic_articles(articles)))
    tenth = best_of(1, lambda: group_stories(synthetic_articles(articles // 10)))
    return (f"group {articles:,} articles (baseline: a tenth, x10)", whole, 10 * tenth, "< 30 s")


def key_points() -> Row:
    long_body, short_body = synthetic_body(2000), synthetic_body(200)
    extract_key_points(long_body, "en", 4)      # warm caches
    return ("key points, 2,000 sentences (baseline: 200)",
            best_of(3, lambda: extract_key_points(long_body, "en", 4)),
            best_of(3, lambda: extract_key_points(short_body, "en", 4)), "< 250 ms")


def due_index(subscribers: int) -> Row:
    people = [Subscriber(chat_id=i, next_due_at=float(i)) for i in range(subscribers)]
    index = DueIndex(people)
    lookup = best_of(100, lambda: index.due(5000.0, 100))
    scan = best_of(5, lambda: sorted((s.next_due_at, s.chat_id) for s in people if s.next_due_at <= 5000.0)[:100])
    return (f"due index, {subscribers:,} subscribers (baseline: scan)", lookup, scan, "< 1 ms")


def outbox_batch(root: Path, pending: int) -> Row:
    def one(size: int, folder: str) -> float:
        store = TinyStore(root / folder)
        text = "<b>Lima Group</b> — noticias " * 100
        store.enqueue_pushes([push(i, text=f"{text}{i % 40}", created_at=float(i)) for i in range(size)])
        timings = []
        for _ in range(3):
            batch = store.pending_pushes(1e9, 50)
            started = time.perf_counter()
            store.update_pushes([replace(p, status="sent") if p.chat_id % 2 else replace(p, attempts=1, not_before=2e9)
                                 for p in batch])
            timings.append(time.perf_counter() - started)
        store.close()
        return min(timings)

    return (f"outbox batch of 50 at {pending:,} pending (baseline: 100)", one(pending, "big"), one(100, "small"),
            "< 100 ms")


def _settings(root: Path) -> Settings:
    seeds, digests = root / "seeds", root / "digests"
    if not seeds.exists():
        shutil.copytree(SEEDS, seeds)
        shutil.copytree(DIGESTS, digests)
    return Settings(telegram_bot_token="0:bench", data_dir=root / "data", seeds_dir=seeds, digests_dir=digests)


async def _loop_waits(work: Callable[[], object]) -> tuple[float, float]:
    """(longest wait of a 10 ms heartbeat while `work` runs, how long it ran)."""
    lags: list[float] = []

    async def heartbeat() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - started - 0.01)

    beat = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    await work()  # type: ignore[misc]
    took = time.perf_counter() - started
    beat.cancel()
    return max(lags, default=math.inf), took


def due_pass(root: Path, subscribers: int) -> Row:
    services = open_services(_settings(root))
    services.library.ingest_and_rebuild()
    slot = next_due_at(Subscriber(chat_id=0, timezone="America/Lima", time_of_day="08:00"), time.time() + 3600)
    services.clock = lambda: slot + 20
    commands = [t.command for t in services.library.themes]
    services.store.save_subscribers([
        Subscriber(chat_id=chat, themes=tuple(commands[: 1 + chat % len(commands)]), timezone="America/Lima",
                   time_of_day="08:00", next_due_at=slot, last_digest_at=float(chat % 97))
        for chat in range(1, subscribers + 1)])

    async def measure() -> tuple[float, float]:
        app = build_application(services, request=RecordingRequest(), updater=False)
        async with app:
            busy, took = await _loop_waits(lambda: app.bot_data[SCHEDULER].run_pass())
            idle, _ = await _loop_waits(lambda: asyncio.sleep(took))
        return busy, idle

    busy, idle = asyncio.run(measure())
    services.close()
    return (f"loop's longest wait, due pass of {subscribers:,} (baseline: idle)", busy, idle, "< 250 ms")


def start_during_ingest(root: Path, extra_seeds: int) -> Row:
    settings = _settings(root)
    body = " ".join(f"Sentence {i} about the Lima Group and Venezuela in the OAS." for i in range(40))
    for n in range(extra_seeds):
        (settings.seeds_dir / f"slow_{n:03d}.txt").write_text(
            f"Title: Lima Group note {n}\nDate: 2021-08-0{1 + n % 9}\n\n{body}\n", encoding="utf-8")

    async def answer(during_ingest: bool) -> float:
        services = open_services(replace(settings, data_dir=root / f"data-{during_ingest}"))
        app = build_application(services, request=RecordingRequest(), updater=False)
        await app.initialize()
        if during_ingest:
            await start_bot(app)          # starts the start-up ingest in the background
        started = time.perf_counter()
        await app.process_update(updates_message(app))
        took = time.perf_counter() - started
        ingest = app.bot_data.get("ingest")
        if ingest is not None:
            await ingest
        await stop_bot(app)
        await app.shutdown()
        return took

    return (f"/start during the start-up ingest of {extra_seeds} seeds (baseline: none)",
            asyncio.run(answer(True)), asyncio.run(answer(False)), "< 2 s")


def updates_message(app: object) -> object:
    from telegram import Update
    return Update.de_json(updates.message(1, "/start"), app.bot)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each size (a smoke run)")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows.append(catalog_lookups(10_000 // scale))
        rows.append(grouping(10_000 // scale))
        rows.append(key_points())
        rows.append(due_index(100_000 // scale))
        rows.append(outbox_batch(root / "outbox", 10_000 // scale))
        rows.append(due_pass(root / "pass", 3000 // scale))
        rows.append(start_during_ingest(root / "start", 150 // scale))
    width = max(len(name) for name, *_ in rows)
    print(f"{'measure':<{width}}  {'measured':>10}  {'baseline':>10}  target")
    for name, measured, baseline, target in rows:
        print(f"{name:<{width}}  {measured * 1000:>8.2f}ms  {baseline * 1000:>8.2f}ms  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
