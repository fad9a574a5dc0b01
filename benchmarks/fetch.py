"""Live sources: 50 feeds x 20 entries from the local feed server, a first and a second (all-304) pass.

    .venv/bin/python benchmarks/fetch.py [--feeds 50] [--entries 20] [--per-host 2] [--in-flight 8] [--stall 0.02]

Feeds are spread over two host names of the same local server (127.0.0.1 and localhost);
every response waits `--stall` seconds, like a real server's latency. Measured in one run:

1. first pass (`run_fetch`): every feed and every entry's page fetched, extracted,
   summarized, matched and stored — split into the HTTP half and the pipeline half;
   baseline: the same 1,050 URLs fetched one after another by a plain httpx client.
2. second pass, forced (every feed polled again): conditional GETs answered 304, nothing
   added; baseline: the same feeds fetched unconditionally (bytes and time).
3. the most requests in flight to one host at any moment, seen by the server, against
   FETCH_PER_HOST (must never be above it), and overall against FETCH_IN_FLIGHT.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.library.fetch import poll_sources, store_fetched  # noqa: E402
from bot.library.theme_files import load_themes  # noqa: E402
from bot.sources.config import Source  # noqa: E402
from bot.store.tinydb.store import TinyStore  # noqa: E402
from tests.support.feedserver import FeedServer, Item, article_page, rss  # noqa: E402

HOSTS = ("127.0.0.1", "localhost")


def build_feeds(server: FeedServer, feeds: int, entries: int, stall: float) -> list[Source]:
    now = time.time()
    sources = []
    for f in range(feeds):
        host = HOSTS[f % len(HOSTS)]
        items = []
        for e in range(entries):
            number = f * entries + e
            server.route(f"/a/{number}", article_page(number), stall=stall)
            items.append(Item(f"Story {number}", server.url(f"/a/{number}", host), published=now - e * 600))
        server.route(f"/feed/{f}.xml", rss(items, title=f"Feed {f}"), content_type="application/rss+xml",
                     etag=f'"feed-{f}-v1"', stall=stall)
        sources.append(Source(f"feed-{f}", server.url(f"/feed/{f}.xml", host)))
    return sources


async def plain_fetch(urls: list[str], conditional: dict[str, str] | None = None) -> tuple[float, int]:
    """Baseline: one URL after another with a plain httpx client; (seconds, bytes)."""
    started, size = time.perf_counter(), 0
    async with httpx.AsyncClient() as client:
        for url in urls:
            response = await client.get(url)
            size += len(response.content)
    return time.perf_counter() - started, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--stall", type=float, default=0.02, help="server latency per response, seconds")
    args = parser.parse_args()
    themes, _problems = load_themes(REPO / "digests")
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        sources = build_feeds(server, args.feeds, args.entries, args.stall)
        settings = Settings(data_dir=Path(tmp), fetch_per_host=args.per_host, fetch_in_flight=args.in_flight,
                            fetch_max_entries=args.entries)
        store = TinyStore(Path(tmp))
        try:
            started = time.perf_counter()
            gathered = poll_sources(store, sources, settings, force=True)
            http_seconds = time.perf_counter() - started
            report = store_fetched(store, gathered, themes, settings)
            first = time.perf_counter() - started
            first_requests = len(server.requests)
            first_peaks = dict(server.max_in_flight_by_host)
            peak_overall = server.max_in_flight

            started = time.perf_counter()
            gathered = poll_sources(store, sources, settings, force=True)
            again = store_fetched(store, gathered, themes, settings)
            second = time.perf_counter() - started
            second_requests = server.requests[first_requests:]
            not_modified = sum(1 for g in gathered if g.status == "not modified")
        finally:
            store.close()
        urls = [s.url for s in sources] + [server.url(f"/a/{n}") for n in range(args.feeds * args.entries)]
        baseline_first, _ = asyncio.run(plain_fetch(urls))
        baseline_second, feed_bytes = asyncio.run(plain_fetch([s.url for s in sources]))

    peak_host = max(first_peaks.values())
    print(f"{args.feeds} feeds x {args.entries} entries, {len(HOSTS)} hosts, server latency {args.stall * 1000:.0f} ms, "
          f"FETCH_PER_HOST={args.per_host}, FETCH_IN_FLIGHT={args.in_flight}, {os.cpu_count()} CPUs")
    print(f"first pass:  {first:6.2f} s  ({http_seconds:.2f} s HTTP for {first_requests} requests, "
          f"{first - http_seconds:.2f} s pipeline) — {len(report.added)} added, "
          f"{sum(len(s.rejected) for s in report.sources)} rejected, {len(report.failed)} failed")
    print(f"   baseline: {baseline_first:6.2f} s  the same {len(urls)} URLs one after another, plain httpx, no pipeline")
    print(f"second pass: {second:6.2f} s  {len(second_requests)} requests, {not_modified} answered 304 "
          f"(0 bytes of body), {len(again.added)} added, {len(again.updated)} updated")
    print(f"   baseline: {baseline_second:6.2f} s  the same feeds unconditionally: {feed_bytes:,} bytes of body")
    print(f"most in flight to one host: {peak_host} (limit {args.per_host}) {dict(first_peaks)}; "
          f"overall {peak_overall} (limit {args.in_flight})")
    ok = peak_host <= args.per_host and peak_overall <= args.in_flight and len(report.added) == len(urls) - args.feeds
    ok = ok and not again.added and not_modified == args.feeds
    print("OK" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
