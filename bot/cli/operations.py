"""`digestbot backup`, `restore` and `migrate`: the operator's commands for the store."""
from __future__ import annotations

import argparse
import logging
import math
import sys
import urllib.error
import urllib.request
from pathlib import Path

from bot.cli.common import CliError
from bot.config import Settings
from bot.services import open_store
from bot.store.api import Store
from bot.store.tinydb.backup import restore_backup, write_backup
from bot.store.tinydb.sealed import table_json
from bot.store.tinydb.lock import is_locked, snapshot_copy
from bot.store.tinydb.store import TinyStore

logger = logging.getLogger(__name__)

BACKUP_EPILOG = """\
examples:
  digestbot backup backups/digest-$(date +%F).tar.gz     (while the bot runs)
  DATA_DIR=/srv/new-data digestbot restore backups/digest-2026-11-25.tar.gz"""
HEALTH_EPILOG = """\
examples:
  digestbot healthcheck
  digestbot healthcheck --url http://127.0.0.1:9090/readyz"""
MIGRATE_EPILOG = """\
examples:
  DATABASE_URL=postgresql://digest:secret@db/digest digestbot migrate --from data"""


def add_parsers(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    backup = subparsers.add_parser(
        "backup", help="write a consistent snapshot of the store to FILE (the bot may be running)",
        parents=parents, formatter_class=raw, epilog=BACKUP_EPILOG,
        description="Snapshot the TinyDB store in DATA_DIR into FILE (.tar.gz), checked to open. "
                    "With DATABASE_URL, back up PostgreSQL with pg_dump instead.")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=run_backup_command)
    restore = subparsers.add_parser(
        "restore", help="unpack a backup FILE into an empty DATA_DIR", parents=parents,
        formatter_class=raw, epilog=BACKUP_EPILOG,
        description="Restore a `digestbot backup` FILE into an empty DATA_DIR (its schema version is checked).")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(func=run_restore_command)
    migrate = subparsers.add_parser(
        "migrate", help="copy a TinyDB store into the PostgreSQL database at DATABASE_URL", parents=parents,
        formatter_class=raw, epilog=MIGRATE_EPILOG,
        description="Copy articles, subscribers, pending pushes and metadata of the TinyDB store in DIR "
                    "into the empty PostgreSQL database named by DATABASE_URL.")
    migrate.add_argument("--from", dest="source", type=Path, metavar="DIR", required=True,
                         help="the TinyDB data directory to copy")
    migrate.set_defaults(func=run_migrate_command)
    health = subparsers.add_parser(
        "healthcheck", help="ask the running bot's /readyz (the container's HEALTHCHECK)", parents=parents,
        formatter_class=raw, epilog=HEALTH_EPILOG,
        description="GET /readyz of the bot on this machine (WEBHOOK_PORT in webhook mode, else METRICS_PORT); "
                    "exit 0 when it is ready, 1 otherwise.")
    health.add_argument("--url", help="the URL to ask instead (default http://127.0.0.1:PORT/readyz)")
    health.set_defaults(func=run_healthcheck_command)


def run_backup_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write a backup of DATA_DIR."""
    if settings.database_url:
        raise CliError("DATABASE_URL is set: back up PostgreSQL with `pg_dump --format=custom` "
                       "(see docs/deployment.md); `digestbot backup` snapshots a TinyDB DATA_DIR")
    report = write_backup(settings.data_dir, args.file)
    print(f"backup {report.path}: {report.articles} articles, {report.subscribers} subscribers, "
          f"{report.pending} pending pushes")
    return 0


def run_restore_command(args: argparse.Namespace, settings: Settings) -> int:
    """Restore a backup into an empty DATA_DIR."""
    report = restore_backup(args.file, settings.data_dir)
    print(f"restored {report.articles} articles, {report.subscribers} subscribers, "
          f"{report.pending} pending pushes into {settings.data_dir}")
    return 0


def run_migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    """Copy a TinyDB store into PostgreSQL."""
    if not settings.database_url:
        raise CliError("set DATABASE_URL=postgresql://... to the database to copy into")
    source = Path(args.source)
    if not (source / "articles.json").exists() and not (source / "articles.journal").exists():
        raise CliError(f"{source} holds no TinyDB store (no articles.json); pass the bot's DATA_DIR")
    snapshot = snapshot_copy(source) if is_locked(source) else None
    tiny = TinyStore(snapshot or source)
    target = open_store(settings, application_name="digestbot-migrate")   # PostgreSQL: DATABASE_URL is set
    try:
        copied = copy_store(tiny, target, (snapshot or source) / "meta.json")
    finally:
        target.close()
    print(f"copied {copied['articles']} articles, {copied['subscribers']} subscribers, "
          f"{copied['pushes']} pending pushes and {copied['meta']} metadata keys into PostgreSQL")
    return 0


def copy_store(tiny: TinyStore, target: Store, meta_file: Path) -> dict[str, int]:
    """Copy everything but delivery history (closes `tiny`); refuses a database that holds data."""
    if target.all_articles(include_retired=True) or target.all_subscribers(active_only=False):
        tiny.close()
        raise CliError("the database at DATABASE_URL already holds articles or subscribers; "
                       "migrate into an empty database")
    try:
        articles = tiny.all_articles(include_retired=True)
        subscribers = tiny.all_subscribers(active_only=False)
        pushes = tiny.pending_pushes(math.inf, 10**9)
    finally:
        tiny.close()   # folds the journals into the table files read below
    meta = {key: doc["value"] for key, doc in table_json(meta_file).get("meta", {}).items()
            if key != "schema_version"}
    target.save_articles(articles)
    target.save_subscribers(subscribers)
    target.enqueue_pushes(pushes)
    for key, value in meta.items():
        target.set_meta(key, value)
    return {"articles": len(articles), "subscribers": len(subscribers), "pushes": len(pushes), "meta": len(meta)}


def run_healthcheck_command(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the local bot answers /readyz with 200."""
    port = settings.webhook_port if settings.webhook_url else settings.metrics_port
    url = args.url or (f"http://127.0.0.1:{port}/readyz" if port else "")
    if not url:
        raise CliError("no HTTP endpoint: set METRICS_PORT (polling mode) or WEBHOOK_URL, or pass --url")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            print(response.read().decode("utf-8", "replace").strip())
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode("utf-8", "replace").strip(), file=sys.stderr)
    except (urllib.error.URLError, OSError) as error:
        print(f"not ready: {url}: {getattr(error, 'reason', error)}", file=sys.stderr)
    return 1
