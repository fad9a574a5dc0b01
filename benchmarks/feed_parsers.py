"""feedparser vs fastfeedparser on the same feeds: speed, entries found, and what each makes of bad input.

    .venv/bin/pip install feedparser   # not a dependency of the bot: only this comparison needs it
    .venv/bin/python benchmarks/feed_parsers.py

The feeds are the test server's builders (RSS 2.0, Atom, JSON Feed) at 20 and 10,000 entries,
plus the bad inputs the live-source tests use. Each timing is the best of three.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import fastfeedparser  # noqa: E402

from tests.support.feedserver import Item, atom, json_feed, rss  # noqa: E402

try:
    import feedparser
except ImportError:      # pragma: no cover - the comparison needs it, the bot does not
    sys.exit("pip install feedparser first (only this comparison needs it)")


def items(count: int) -> list[Item]:
    return [Item(f"Story {n} about the Lima Group", f"http://example.org/a/{n}?utm_source=rss", guid=f"g{n}",
                 published=1_700_000_000 - n * 60, summary=f"<p>Peru's foreign minister said {n} things.</p>")
            for n in range(count)]


BOMB = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
        + b']><rss version="2.0"><channel><title>&i;</title><item><title>x</title>'
          b'<link>http://e.org/1</link></item></channel></rss>')
CASES = {
    "RSS 20": rss(items(20)).encode(), "Atom 20": atom(items(20)).encode(), "JSON Feed 20": json_feed(items(20)).encode(),
    "RSS 10,000": rss(items(10_000)).encode(), "Atom 10,000": atom(items(10_000)).encode(),
    "JSON Feed 10,000": json_feed(items(10_000)).encode(),
    "truncated RSS": rss(items(3)).encode()[:-60], "entity bomb": BOMB,
    "cp1252 labelled UTF-8": rss([Item("Canciller de Perú", "http://e.org/1")]).encode("cp1252"),
    "HTML page": b"<!doctype html><html><head><title>x</title></head><body><p>page</p></body></html>",
}


def run(parse, data: bytes) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            result = parse(data)
            entries = result["entries"]
            first = entries[0].get("title", "")[:18] if entries else ""
            outcome = f"{len(entries)} entries {first!r}"
        except Exception as exc:
            outcome = f"error {type(exc).__name__}"
        best = min(best, time.perf_counter() - started)
    return best, outcome


def main() -> int:
    print(f"{'feed':<24} {'feedparser ' + feedparser.__version__:>44}   {'fastfeedparser':>44}")
    for name, data in CASES.items():
        slow, slow_out = run(feedparser.parse, data)
        fast, fast_out = run(fastfeedparser.parse, data)
        print(f"{name:<24} {slow * 1000:9.1f} ms {slow_out:<31}   {fast * 1000:9.1f} ms {fast_out:<31}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
