"""Flood scenarios through the local Bot API stand-in, with and without the shared flood budget.

    .venv/bin/python benchmarks/flood.py [--users 60] [--burst 30] [--faulty 100]

The real Application polls the stand-in over HTTP (as `digestbot run` does); each scenario
runs twice in this one run: "before" with the replies outside the flood budget (as the bot
was: replies sent as fast as handlers make them, errors turned into an apology) and "after"
(replies share the push sender's windows, a flooding chat is told once to slow down, 429
and 5xx answers are retried). Counted by the stand-in, window by window against Telegram's
limits (30 a second overall, 1 a second per chat, 20 a minute per group):

    windows over   messages that arrived while a window was already full
    lost           chats that sent a command and got no real answer (nothing, or only "Sorry…")
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.cli.main import main as digestbot  # noqa: E402
from tests.support.flood import many_users, one_group, one_user, run_scenario  # noqa: E402
from tests.support.standin import Faults, StandIn  # noqa: E402


def prepared(root: Path) -> tuple[Path, Path, Path]:
    seeds, digests, data = root / "seeds", root / "digests", root / "data"
    shutil.copytree(REPO / "seeds", seeds)
    shutil.copytree(REPO / "digests", digests)
    with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
        assert digestbot(["--data-dir", str(data), "--seeds", str(seeds), "--digests", str(digests), "ingest"]) == 0
    return data, seeds, digests


def run(root: Path, name: str, sends, faults: Faults | None, flood_budget: bool):
    data, seeds, digests = prepared(root / f"{name}-{flood_budget}")
    with StandIn(faults=faults) as standin:
        return asyncio.run(run_scenario(standin, data, (seeds, digests), sends, flood_budget=flood_budget,
                                        settle=3.0, timeout=120.0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--faulty", type=int, default=100)
    args = parser.parse_args()
    scenarios = [
        (f"{args.users} users /subscribe at once", many_users(args.users), None),
        (f"one user, {args.burst} commands at once", one_user(args.burst), None),
        (f"a group, {args.burst} commands at once", one_group(args.burst), None),
        (f"{args.faulty} users /help, 20% 429 + 15% 500", many_users(args.faulty, "/help"),
         Faults(rate_429=0.2, retry_after=1, rate_500=0.15, seed=7)),
    ]
    print("| scenario | budget | windows over | most in 1 s | chats | answered | lost | apologies | messages | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="flood-bench-") as tmp:
        for name, sends, faults in scenarios:
            for budget in (False, True):
                r = run(Path(tmp), name.split()[0] + str(len(sends)), sends, faults, budget)
                print(f"| {name} | {'after' if budget else 'before'} | {r.windows_over} | {r.most_per_second} | "
                      f"{r.senders} | {r.answered} | {r.lost} | {r.apologies} | {r.messages} | {r.seconds:.1f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
