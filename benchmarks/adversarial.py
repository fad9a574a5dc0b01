"""Adversarial seed files at full size: time and peak memory per MB beside a plain article.

    .venv/bin/python benchmarks/adversarial.py [--size 1990000] [SHAPE ...]

Each shape of tests/support/shapes.py (one huge paragraph, 100,000-space headers,
millions of short lines, unclosed and stray tags, ...) is written as one seed file just
under MAX_SEED_BYTES and taken through read -> decode -> clean -> key points -> themes in
a child forked from a warmed-up interpreter; the table shows seconds and the growth of
the child's peak resident memory (getrusage), per MB of file, beside the plain
well-formed article measured in the same run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.sources.seeds import MAX_SEED_BYTES  # noqa: E402
from tests.support.shapes import SHAPES, run_shapes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=MAX_SEED_BYTES - 10_000)
    parser.add_argument("shapes", nargs="*", default=list(SHAPES))
    args = parser.parse_args()
    shapes = ["plain_article"] + [s for s in args.shapes if s != "plain_article"]
    rows = run_shapes(args.size, shapes, timeout=3600)
    plain = rows[0]
    print(f"{'shape':26} {'MB':>5} {'s':>7} {'s/MB':>7} {'x plain':>8} {'peak MB':>8} {'MB/MB':>7}  outcome")
    for row in rows:
        mb = row["bytes"] / 1e6
        ratio = (row["seconds"] / mb) / (plain["seconds"] / (plain["bytes"] / 1e6))
        print(f"{row['shape']:26} {mb:5.2f} {row['seconds']:7.2f} {row['seconds'] / mb:7.2f} {ratio:8.2f} "
              f"{row['peak_mb']:8.1f} {row['peak_mb'] / mb:7.1f}  {row['outcome'][:50]}")
    worst = max(rows, key=lambda row: row["seconds"])
    print(f"\nslowest: {worst['shape']} {worst['seconds']:.2f} s; "
          f"largest peak growth: {max(row['peak_mb'] for row in rows):.1f} MB (plain article: "
          f"{plain['seconds']:.2f} s, {plain['peak_mb']:.1f} MB)")


if __name__ == "__main__":
    main()
