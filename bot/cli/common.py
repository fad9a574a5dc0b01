"""Helpers shared by the `digestbot` subcommands: the store, the themes, output."""
from __future__ import annotations

import json
import logging
import shutil
import sys
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass, replace
from pathlib import Path
from typing import Iterator

from bot import services
from bot.config import Settings
from bot.errors import DigestError, UnknownItem
from bot.library.theme_files import load_themes
from bot.models import Theme
from bot.store.api import Store
from bot.store.tinydb.lock import is_locked, snapshot_copy

logger = logging.getLogger(__name__)


class CliError(DigestError):
    """A maintainer's mistake the CLI reports as one line; the message says what to do."""


@contextmanager
def readable_settings(settings: Settings) -> Iterator[Settings]:
    """`settings`, or, while another process holds the TinyDB writer lock, settings whose
    data_dir is a temporary snapshot of its files (removed on the way out)."""
    is_tiny = not settings.database_url
    snapshot = snapshot_copy(settings.data_dir) if is_tiny and is_locked(settings.data_dir) else None
    try:
        yield replace(settings, data_dir=snapshot) if snapshot else settings
    finally:
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)


@contextmanager
def open_store(settings: Settings, *, read_only: bool = False) -> Iterator[Store]:
    """The store the settings name (bot.services.open_store), closed on the way out.

    TinyDB: writing takes the store's single-writer lock (a second writer fails at once, naming
    the holder). `read_only` commands work while the bot runs: when another process
    holds the lock they read a temporary snapshot of the files instead.
    """
    with readable_settings(settings) if read_only else _as_is(settings) as chosen:
        store = services.open_store(chosen)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def _as_is(settings: Settings) -> Iterator[Settings]:
    yield settings


def load_theme_list(settings: Settings) -> list[Theme]:
    """The themes in digests/; problems are printed as warnings (`digestbot check` lists them all)."""
    directory = Path(settings.digests_dir)
    if not directory.is_dir():
        raise CliError(f"digests directory not found: {directory} — set DIGESTS_DIR or pass --digests DIR")
    themes, problems = load_themes(directory)
    if problems:
        print(f"warning: {len(problems)} problem(s) in {directory} — run `digestbot check`", file=sys.stderr)
    return list(themes)


def theme_by_command(themes: list[Theme], command: str) -> Theme:
    """The theme whose command is `command` ("/lima_group" works too)."""
    wanted = command.lstrip("/")
    for theme in themes:
        if theme.command == wanted:
            return theme
    raise UnknownItem(f"unknown theme {command!r} — run `digestbot check` or see digests/")


def to_jsonable(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=to_jsonable))
