"""Rejected seed files are remembered by content hash: a file that failed is not cleaned and
summarized again at every start or /reload, only when it changes (or the bot is upgraded).

Kept in the store's metadata under REJECTED_META_KEY as {path: [content hash, reason, version]}.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from bot import __version__
from bot.models import Rejection, SeedFile
from bot.store.api import Store

REJECTED_META_KEY = "rejected_seeds"
UNCHANGED = " (unchanged since it was rejected; edit the file to try again)"

Memo = dict[str, tuple[str, str]]   # path -> (content hash, reason)


def remembered(store: Store) -> Memo:
    """The remembered rejections of this version of the bot."""
    stored = store.get_meta(REJECTED_META_KEY, {})
    if not isinstance(stored, dict):
        return {}
    return {path: (entry[0], entry[1]) for path, entry in stored.items()
            if isinstance(entry, list) and len(entry) == 3 and entry[2] == __version__}


def skip_remembered(changed: Iterable[SeedFile], memo: Memo) -> tuple[list[SeedFile], list[Rejection]]:
    """(files still to process, rejections of files that are as they were when rejected)."""
    todo, known = [], []
    for seed in changed:
        entry = memo.get(seed.path)
        if entry is not None and entry[0] == seed.content_hash:
            known.append(Rejection(seed.path, entry[1] + UNCHANGED))
        else:
            todo.append(seed)
    return todo, known


def remember(store: Store, memo: Memo, processed: Iterable[SeedFile], problems: Mapping[str, str],
             present: set[str]) -> None:
    """Store the rejections of this ingest (one write, only when they changed); forget files gone or accepted."""
    updated = {path: entry for path, entry in memo.items() if path in present}
    for seed in processed:
        if problems.get(seed.path):
            updated[seed.path] = (seed.content_hash, problems[seed.path])
        else:
            updated.pop(seed.path, None)
    if updated != memo:
        store.set_meta(REJECTED_META_KEY, {path: [h, reason, __version__] for path, (h, reason) in updated.items()})
