"""The composition root: settings -> store -> library -> services, built here and nowhere else.

`digestbot run`, `digestbot chat`, the CLI subcommands, the benchmarks and the tests all
open their parts through `open_services` (or `open_store` when the catalog is not needed),
so the choice of store backend is made in one place: PostgreSQL when DATABASE_URL is set
(`bot.store.postgres`, imported only then), else the TinyDB files in DATA_DIR.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Callable

from bot.config import Settings
from bot.library.library import Library
from bot.metrics import Metrics
from bot.store.api import Store
from bot.store.tinydb.store import TinyStore


@dataclass
class Services:
    """What the Telegram adapter, the scheduler and the sender share at run time."""

    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], float] = field(default=time.time)
    metrics: Metrics = field(default_factory=Metrics)   # what /metrics shows; heartbeats for /readyz
    role: str = "all"    # `digestbot run --role`: web, scheduler, sender, fetch or all (bot.telegram.roles)

    def close(self) -> None:
        """Close the store (every acknowledged write is already durable)."""
        self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def open_store(settings: Settings, *, clock: Callable[[], float] = time.time,
               application_name: str = "digestbot", defer_people: bool = False) -> Store:
    """PostgreSQL at settings.database_url, else the TinyDB files in settings.data_dir (created when missing;
    `defer_people`: subscribers and the outbox read at their first use or `warm_up`, see `TinyStore`)."""
    if settings.database_url:
        from bot.store.postgres.store import PgStore
        return PgStore(settings.database_url, clock=clock, application_name=application_name)
    return TinyStore(settings.data_dir, clock=clock, defer_people=defer_people)


def is_shared(store: Store) -> bool:
    """Whether other processes may write the same store (roles, catalog version checks)."""
    return bool(getattr(store, "is_shared", False))


def open_services(settings: Settings, *, data_dir: Path | None = None, store: Store | None = None,
                  clock: Callable[[], float] = time.time, defer_catalog: bool = False,
                  defer_people: bool = False) -> Services:
    """Open the store, build the library (themes and the catalog of what is stored) over it.

    `data_dir` overrides settings.data_dir (and is what `services.settings.data_dir` then says);
    `store` is an already open store to build on (a read-only snapshot, say).
    `defer_catalog`: unless the saved catalog is current, start with an empty one and let the
    first ingest build it (`digestbot run` polls at once; see `Library`); `defer_people`: see `open_store`.
    Close the result (`services.close()`, or `with open_services(...) as services:`).
    """
    if data_dir is not None:
        settings = replace(settings, data_dir=Path(data_dir))
    if store is not None:
        return Services(settings, store, Library(settings, store, defer_build=defer_catalog), clock)
    opened = open_store(settings, defer_people=defer_people)
    try:
        return Services(settings, opened, Library(settings, opened, defer_build=defer_catalog), clock)
    except BaseException:
        opened.close()
        raise
