"""What the bot counts, for /metrics (prometheus-client): one `Metrics` per process, passed in.

A low-rank package (it imports nothing of ours), so the delivery, the library and
the Telegram adapter can all record into it. Each `Metrics` has its own registry:
tests and benchmarks make as many as they like. Heartbeats (the last scheduler
tick, the sender's loop) are kept here too: /readyz reads them.
"""
from __future__ import annotations

import time
from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The counters, gauges and histograms of one process."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.registry = CollectorRegistry()
        r = self.registry
        self.sent = Counter("digestbot_messages_sent", "Pushes Telegram accepted", registry=r)
        self.retried = Counter("digestbot_messages_retried", "Pushes to be tried again, by reason", ["reason"],
                               registry=r)
        self.failed = Counter("digestbot_messages_failed", "Pushes given up or dropped, by reason", ["reason"],
                              registry=r)
        self.rate_limited = Counter("digestbot_telegram_429", "429 Too Many Requests answers", registry=r)
        self.due = Histogram("digestbot_due_subscribers", "Due subscribers found per scheduler tick",
                             buckets=(0, 1, 10, 100, 1000, 10_000, 100_000), registry=r)
        self.tick = Histogram("digestbot_tick_duration_seconds", "Time of one scheduler tick (due pass)",
                              registry=r)
        self.ingested = Counter("digestbot_ingest_files", "Ingested files by outcome", ["outcome"], registry=r)
        self.fetched = Counter("digestbot_fetch_items", "Fetched items by outcome", ["outcome"], registry=r)
        self.commands = Histogram("digestbot_command_seconds", "Time to handle one update, by command",
                                  ["command"], buckets=_LATENCY_BUCKETS, registry=r)
        self._beats: dict[str, float] = {}

    def beat(self, name: str) -> None:
        """`name` ("scheduler", "sender") is alive now."""
        self._beats[name] = self.clock()

    def age(self, name: str) -> float | None:
        """Seconds since `name` last beat; None if it never did."""
        at = self._beats.get(name)
        return None if at is None else self.clock() - at

    def forget(self, name: str) -> None:
        """`name` stopped on purpose (this process no longer leads it)."""
        self._beats.pop(name, None)

    def record_ingest(self, added: int, updated: int, unchanged: int, retired: int, rejected: int) -> None:
        for outcome, count in (("added", added), ("updated", updated), ("unchanged", unchanged),
                               ("retired", retired), ("rejected", rejected)):
            if count:
                self.ingested.labels(outcome).inc(count)

    def add_collector(self, collector: Collector) -> None:
        """A collector read at scrape time (the outbox depth comes from the store then)."""
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

