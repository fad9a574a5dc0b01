"""One digest to 10,000 subscribers through the local Bot API stand-in, and the due lookup at 100,000.

    .venv/bin/python benchmarks/broadcast.py [--subscribers 10000] [--rate 300] [--rate-429 0.0]

1. A store with the repo's seeds and N daily subscribers, all due: one due pass
   (`DigestScheduler.run_pass`) builds and enqueues their digests.
2. A child process runs the real `Sender` (real PTB bot, HTTP to the stand-in
   in this process) at `--rate` messages a second (settings built directly:
   `load_settings` caps SEND_RATE at Telegram's 30/s, `Settings` does not).
3. From the stand-in's records: achieved / configured rate, the most messages
   in any one-second window (overall and per chat), losses and duplicates.
4. `store.due_subscribers(now)` among 100,000 subscribers, 1% due (per tick).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.models import Subscriber  # noqa: E402
from bot.delivery.policy import SenderOptions  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.store.tinydb.store import TinyStore  # noqa: E402
from bot.schedule.timing import next_due_at  # noqa: E402
from tests.support.standin import Faults, StandIn, most_in_any_window  # noqa: E402

TOKEN = "123456:broadcast-bench"


def bench_settings(root: Path, rate: float, base_url: str = "") -> Settings:
    return replace(Settings(), telegram_bot_token=TOKEN, telegram_api_base_url=base_url or Settings().telegram_api_base_url,
                   data_dir=root / "data", seeds_dir=root / "seeds", digests_dir=root / "digests", send_rate=rate)


def enqueue_broadcast(root: Path, subscribers: int, rate: float) -> tuple[float, int]:
    """Ingest the seeds, add `subscribers` due subscribers, run one due pass; (seconds, pushes)."""
    from bot.delivery.sender import Sender
    from bot.delivery.due import DigestScheduler

    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "digests", root / "digests")
    settings = bench_settings(root, rate)
    services = open_services(settings)
    store, library = services.store, services.library
    library.ingest_and_rebuild()
    now = time.time() + 60
    themes = tuple(theme.command for theme in library.themes)
    first = Subscriber(chat_id=0, timezone="America/Lima")
    slot = next_due_at(first, now - 86400)
    store.save_subscribers(replace(first, chat_id=chat, themes=themes[: 1 + chat % 3], next_due_at=slot)
                           for chat in range(1, subscribers + 1))
    services.clock = lambda: now
    scheduler = DigestScheduler(services, Sender(None, store, settings))
    started = time.perf_counter()
    report = asyncio.run(scheduler.run_pass())
    seconds = time.perf_counter() - started
    store.close()
    return seconds, report.pushes


def send_in_child(root: Path, base_url: str, rate: float, in_flight: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the sender process, startup included)."""
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, __file__, "--child", str(root), base_url, str(rate), str(in_flight)], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - started, cpu


async def child(root: Path, base_url: str, rate: float, in_flight: int) -> None:
    """The sender process: drain the outbox, then exit."""
    from telegram.ext import ApplicationBuilder

    from bot.delivery.sender import Sender

    settings = bench_settings(root, rate, base_url)
    store = TinyStore(settings.data_dir)
    application = ApplicationBuilder().token(TOKEN).base_url(base_url).updater(None).build()
    async with application:
        sender = Sender(application.bot, store, settings, options=SenderOptions(concurrency=in_flight))
        task = asyncio.create_task(sender.run())
        await sender.wait_idle(timeout=3600)
        sender.stop()
        await task
    print(f"  sender: {sender.stats}", flush=True)
    store.close()


def due_lookup(root: Path, count: int = 100_000) -> tuple[float, float, int]:
    """(median ms, max ms, found) of due_subscribers(now) per tick among `count` subscribers, 1% due."""
    store = TinyStore(root / "due")
    now = time.time()
    store.save_subscribers(Subscriber(chat_id=chat, themes=("oas",), next_due_at=now + (-60 if chat % 100 == 0 else 3600 + chat))
                           for chat in range(1, count + 1))
    timings, found = [], 0
    for _ in range(200):
        started = time.perf_counter()
        found = len(store.due_subscribers(now, limit=1000))
        timings.append((time.perf_counter() - started) * 1000)
    store.close()
    return statistics.median(timings), max(timings), found


def measure(standin: StandIn, subscribers: int, rate: float) -> dict[str, float]:
    calls = standin.of("sendMessage", status=None)
    ok = standin.of("sendMessage")
    counts = standin.count_per_chat()
    per_chat: dict[int, list[float]] = {}
    for call in calls:                  # one pass (max_in_window per chat would rescan every call)
        per_chat.setdefault(call.chat_id, []).append(call.at)
    span = ok[-1].at - ok[0].at if len(ok) > 1 else float("nan")
    return {
        "achieved": (len(ok) - 1) / span, "ratio": (len(ok) - 1) / span / rate,
        "window": standin.max_in_window(1.0, status=None),
        "chat_window": max(most_in_any_window(sorted(times)) for times in per_chat.values()),
        "lost": sum(1 for chat in range(1, subscribers + 1) if chat not in counts),
        "duplicates": sum(n - 1 for n in counts.values()), "calls": len(calls), "span": span,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--lookup", type=int, default=100_000)
    parser.add_argument("--in-flight", type=int, default=8, help="sends in flight (0: as the sender)")
    args = parser.parse_args(argv)
    in_flight = SenderOptions(concurrency=args.in_flight).in_flight(args.rate)
    root = Path(tempfile.mkdtemp(prefix="broadcast-"))
    try:
        pass_seconds, pushes = enqueue_broadcast(root, args.subscribers, args.rate)
        with StandIn(faults=Faults(rate_429=args.rate_429, retry_after=0.2), convert_text=False) as standin:
            standin_cpu = time.process_time()
            wall, sender_cpu = send_in_child(root, standin.base_url, args.rate, args.in_flight)
            standin_cpu = time.process_time() - standin_cpu
            load = os.getloadavg()
            m = measure(standin, args.subscribers, args.rate)
        median_ms, max_ms, found = due_lookup(root, args.lookup)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [
        ("subscribers / messages enqueued", f"{args.subscribers:,} / {pushes:,}", ""),
        ("due pass: build + enqueue all digests", f"{pass_seconds:.2f} s", ""),
        ("configured rate / sends in flight", f"{args.rate:g}/s / {in_flight}", ""),
        ("achieved rate (first to last send)", f"{m['achieved']:.1f}/s = {m['ratio']:.3f} of configured", ">= 0.9"),
        ("most sendMessage in any 1 s window", f"{m['window']}", f"<= {int(args.rate)}"),
        ("most to one chat in any 1 s window", f"{m['chat_window']}", "<= 1"),
        ("lost / duplicates", f"{m['lost']} / {m['duplicates']}", "0 / 0"),
        ("sendMessage calls (incl. 429s) / wall", f"{m['calls']:,} / {wall:.1f} s", ""),
        ("CPU per call: sender / stand-in", f"{1000 * sender_cpu / m['calls']:.2f} / "
                                            f"{1000 * standin_cpu / m['calls']:.2f} ms", ""),
        ("load average after sending (1/5/15 min)", " / ".join(f"{x:.2f}" for x in load), ""),
        (f"due_subscribers among {args.lookup:,} ({found} due)", f"{median_ms:.2f} ms median, {max_ms:.2f} ms max",
         "<= 5 ms"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':<40}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<40}  {target}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        asyncio.run(child(Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])))
        raise SystemExit(0)
    raise SystemExit(main())
