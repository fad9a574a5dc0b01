"""Backups of a TinyDB store: a consistent snapshot taken while the bot runs, and its restore.

The bot keeps writing while a backup is taken (the CLI never takes the writer's lock).
A snapshot copies every table file and journal, then checks that none of them changed
while it copied (size and modification time of each, before and after): if one did,
the copy may mix two moments and is taken again. A copy that saw no change is the
store at one instant. It is then opened as a store (checksums and journals checked,
journals folded into the table files) before it goes into the archive, so a backup
that was written is a store that opens.

The archive is a .tar.gz: `manifest.json` (format, schema version, counts, when) and the
table files. `restore_backup` refuses a non-empty DATA_DIR and a schema version newer
than this bot reads, extracts only plain file names, and opens the result to check it.
"""
from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.errors import StoreError
from bot.store.api import SCHEMA_VERSION
from bot.store.tinydb.lock import LOCK_NAME
from bot.store.tinydb.store import TinyStore

logger = logging.getLogger(__name__)

FORMAT = "digestbot-backup"
MANIFEST = "manifest.json"
ATTEMPTS = 50


@dataclass(frozen=True)
class BackupReport:
    path: Path
    articles: int
    subscribers: int
    pending: int
    attempts: int          # copies taken until one saw no write


def _store_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir()
                  if p.is_file() and p.name != LOCK_NAME and not p.name.startswith("."))


def _stamp(files: list[Path]) -> dict[str, tuple[int, int]]:
    stamps = {}
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        stamps[path.name] = (stat.st_size, stat.st_mtime_ns)
    return stamps


def consistent_copy(data_dir: Path, target: Path, attempts: int = ATTEMPTS) -> int:
    """Copy the store's files into `target` so that no write happened during the copy; returns tries."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise StoreError(f"{data_dir} is not a store directory; set DATA_DIR or pass --data-dir")
    for attempt in range(1, attempts + 1):
        files = _store_files(data_dir)
        before = _stamp(files)
        for old in target.iterdir():
            old.unlink()
        for path in files:
            try:
                shutil.copyfile(path, target / path.name)
            except FileNotFoundError:   # replaced mid-copy: the stamps below differ, try again
                pass
        if _stamp(_store_files(data_dir)) == before:
            return attempt
        time.sleep(0.01 * attempt)
    raise StoreError(f"{data_dir} kept changing during {attempts} copies; try again when the bot is less busy")


def write_backup(data_dir: Path, archive: Path) -> BackupReport:
    """Snapshot the store in `data_dir` (while it may be in use) into the archive `archive`."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="digestbot-backup-") as temp:
        snapshot = Path(temp) / "store"
        snapshot.mkdir()
        attempts = consistent_copy(Path(data_dir), snapshot)
        store = TinyStore(snapshot)
        try:
            counts = (len(store.all_articles(include_retired=True)), len(store.all_subscribers(active_only=False)),
                      store.push_counts().get("pending", 0))
            schema = store.get_meta("schema_version", SCHEMA_VERSION)
        finally:
            store.close()
        manifest = {"format": FORMAT, "schema_version": schema, "created_at": time.time(),
                    "articles": counts[0], "subscribers": counts[1], "pending_pushes": counts[2]}
        partial = archive.with_name(f".{archive.name}.partial")
        try:
            handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
            with handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
                data = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(time.time())
                tar.addfile(info, io.BytesIO(data))
                for path in _store_files(snapshot):
                    tar.add(path, arcname=path.name)
            os.replace(partial, archive)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"cannot write the backup {archive}: {exc.strerror or exc}") from exc
    logger.info("backup %s: %d articles, %d subscribers, %d pending pushes", archive, *counts)
    return BackupReport(archive, *counts, attempts=attempts)


def read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{archive} is not a digestbot backup (no {MANIFEST}); pass a file made by `digestbot backup`")
    schema = manifest.get("schema_version")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise StoreError(f"{archive} holds a store of schema version {schema}, newer than this bot reads "
                         f"({SCHEMA_VERSION}); restore it with a newer bot")
    return manifest


def restore_backup(archive: Path, data_dir: Path) -> BackupReport:
    """Unpack `archive` into the empty (or missing) `data_dir` and check that it opens."""
    archive, data_dir = Path(archive), Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise StoreError(f"{data_dir} is not empty; restore into an empty DATA_DIR (move the old one away first)")
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise StoreError(f"cannot read the backup {archive}: {exc}") from exc
    with tar:
        read_manifest(tar, archive)
        data_dir.mkdir(parents=True, exist_ok=True)
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile() or "/" in member.name or member.name.startswith("."):
                raise StoreError(f"{archive} holds an unexpected entry {member.name!r}; it was not made by digestbot")
            source = tar.extractfile(member)
            if source is not None:
                fd = os.open(data_dir / member.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    shutil.copyfileobj(source, handle)
    store = TinyStore(data_dir)
    try:
        report = BackupReport(archive, len(store.all_articles(include_retired=True)),
                              len(store.all_subscribers(active_only=False)), store.push_counts().get("pending", 0), 1)
    finally:
        store.close()
    logger.info("restored %s into %s", archive, data_dir)
    return report
