"""The composition root: settings -> store -> library -> services, built here and nowhere else.

`digestbot run`, `digestbot chat`, the CLI subcommands, the benchmarks and the tests all
open their parts through `open_services` (or `open_store` when the catalog is not needed),
so the choice of store backend is made in one place: a PostgreSQL store would be picked
here from the settings, next to the TinyDB one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Callable

from bot.config import Settings
from bot.library.library import Library
from bot.store.api import Store
from bot.store.tinydb.store import TinyStore


@dataclass
class Services:
    """What the Telegram adapter, the scheduler and the sender share at run time."""

    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], float] = field(default=time.time)

    def close(self) -> None:
        """Close the store (every acknowledged write is already durable)."""
        self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def open_store(settings: Settings) -> Store:
    """The store in settings.data_dir (TinyDB files; created when missing)."""
    return TinyStore(settings.data_dir)


def open_services(settings: Settings, *, data_dir: Path | None = None, store: Store | None = None,
                  clock: Callable[[], float] = time.time) -> Services:
    """Open the store, build the library (themes and the catalog of what is stored) over it.

    `data_dir` overrides settings.data_dir (and is what `services.settings.data_dir` then says);
    `store` is an already open store to build on (a read-only snapshot, say).
    Close the result (`services.close()`, or `with open_services(...) as services:`).
    """
    if data_dir is not None:
        settings = replace(settings, data_dir=Path(data_dir))
    if store is not None:
        return Services(settings, store, Library(settings, store), clock)
    opened = open_store(settings)
    try:
        return Services(settings, opened, Library(settings, opened), clock)
    except BaseException:
        opened.close()
        raise
