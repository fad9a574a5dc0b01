"""`digestbot sources …` (the live sources in SOURCES_FILE) and `digestbot fetch` (one pass, then exit)."""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bot.cli.common import CliError, load_theme_list, open_store, print_json
from bot.config import Settings
from bot.errors import StoreError
from bot.library.source_status import load_states, source_counts
from bot.sources.config import (
    KINDS, LANGUAGES, Source, add_sources, check_url, load_sources, remove_source,
)
from bot.sources.opml import read_opml, write_opml
from bot.sources.state import FetchReport, SourceState

RAW = argparse.RawDescriptionHelpFormatter
SOURCES_DESCRIPTION = """\
The live sources: RSS, Atom and JSON feeds and single web pages listed in SOURCES_FILE
(sources.toml), fetched on a schedule by the bot and by `digestbot fetch`."""
SOURCES_EPILOG = """\
examples:
  digestbot sources list
  digestbot sources add https://www.example.org/politics/      (finds the page's feed)
  digestbot sources add https://example.org/feed.xml --name "Example" --language es
  digestbot sources check "Example"                           (fetch once, change nothing)
  digestbot sources remove "Example"
  digestbot sources import subscriptions.opml
  digestbot sources export > sources.opml
  digestbot --sources other.toml sources list"""
FETCH_DESCRIPTION = """\
Fetch every due live source once (all of them with --force), add new and changed
entries to the store through the same stages as seed files, print what happened per
source, and exit: for cron or a separate worker. Exit 1 only when every source failed."""
FETCH_EPILOG = """\
examples:
  digestbot fetch
  digestbot fetch --force --json
  digestbot fetch "Andina" """


def add_parsers(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    sources = subparsers.add_parser("sources", help="list, add, check, remove, import or export live sources",
                                    description=SOURCES_DESCRIPTION, epilog=SOURCES_EPILOG, parents=parents,
                                    formatter_class=RAW)
    verbs = sources.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="each source with its last success, last error and articles",
                               parents=parents)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=list_command)
    add = verbs.add_parser("add", help="add a feed (or the feed a page announces), or a page", parents=parents)
    add.add_argument("url")
    add.add_argument("--name", default="", help="unique name (default: the feed's title)")
    add.add_argument("--kind", choices=KINDS, default="feed", help="feed (default) or page")
    add.add_argument("--language", choices=[code for code in LANGUAGES if code], default="")
    add.add_argument("--outlet", default="", help="the outlet name shown in digests")
    add.add_argument("--interval", type=float, default=0.0, metavar="MINUTES", help="poll interval")
    add.add_argument("--include", nargs="+", default=[], metavar="WORD", help="keep only entries with one of these")
    add.add_argument("--exclude", nargs="+", default=[], metavar="WORD", help="skip entries with any of these")
    add.set_defaults(func=add_command)
    check = verbs.add_parser("check", help="fetch once and report what would be added; change nothing",
                             parents=parents)
    check.add_argument("names", nargs="*", metavar="NAME", help="only these sources (default: all)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=check_command)
    remove = verbs.add_parser("remove", help="remove a source by name or URL", parents=parents)
    remove.add_argument("name", metavar="NAME_OR_URL")
    remove.set_defaults(func=remove_command)
    imported = verbs.add_parser("import", help="add the feeds of an OPML file", parents=parents)
    imported.add_argument("file", type=Path, metavar="FILE.opml")
    imported.set_defaults(func=import_command)
    exported = verbs.add_parser("export", help="the feeds as OPML (stdout, or a file)", parents=parents)
    exported.add_argument("file", type=Path, nargs="?", metavar="FILE.opml")
    exported.set_defaults(func=export_command)
    fetch = subparsers.add_parser("fetch", help="fetch the live sources once, then exit", parents=parents,
                                  description=FETCH_DESCRIPTION, epilog=FETCH_EPILOG, formatter_class=RAW)
    fetch.add_argument("names", nargs="*", metavar="NAME", help="only these sources (default: all)")
    fetch.add_argument("--force", action="store_true", help="fetch even the sources that are not due yet")
    fetch.add_argument("--json", action="store_true", help="print the report as JSON")
    fetch.set_defaults(func=fetch_command)


def _selected(settings: Settings, names: list[str]) -> list[Source]:
    sources = load_sources(settings.sources_file)
    if not sources:
        raise CliError(f"no sources in {settings.sources_file} — add one with `digestbot sources add URL`")
    if not names:
        return sources
    wanted = {name.casefold() for name in names}
    chosen = [s for s in sources if s.name.casefold() in wanted or s.url in names]
    missing = wanted - {s.name.casefold() for s in chosen} - {n.casefold() for n in names if "://" in n}
    if missing:
        raise CliError(f"no source named {sorted(missing)[0]!r} — `digestbot sources list` shows them")
    return chosen


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch)) if epoch else "never"


def list_command(args: argparse.Namespace, settings: Settings) -> int:
    """Each source, with what the store remembers of it."""
    sources = load_sources(settings.sources_file)
    if not sources:
        print(f"no sources in {settings.sources_file} — add one with `digestbot sources add URL`")
        return 0
    try:
        with open_store(settings, read_only=True) as store:
            states, counts = load_states(store, sources), source_counts(store)
    except StoreError as exc:
        print(f"warning: the store is not readable ({exc}); showing the file only", file=sys.stderr)
        states, counts = {}, {}
    if args.json:
        print_json([{**asdict(s), "state": {k: v for k, v in asdict(states.get(s.name, SourceState())).items()
                                             if k != "seen"}, "articles": counts.get(s.name, 0)} for s in sources])
        return 0
    for source in sources:
        state = states.get(source.name, SourceState())
        print(f"{source.name}  [{source.kind}]  {source.url}")
        print(f"    last success {_when(state.last_success)} · articles {counts.get(source.name, 0)}"
              + (f" · next poll {_when(state.next_attempt)}" if state.next_attempt else ""))
        if state.last_error:
            print(f"    last error   {state.last_error} (failing since {_when(state.failing_since)})")
    return 0


def add_command(args: argparse.Namespace, settings: Settings) -> int:
    """Add a source; a page URL given as a feed is searched for the feed it announces."""
    url, title, how = check_url(args.url), "", ""
    if args.kind == "feed":
        from bot.library.fetch import politeness_of   # not at the top: see LAZY_IMPORTS
        from bot.sources.discover import find_feed
        found = find_feed(url, politeness_of(settings))
        url, title, how = found.url, found.title, found.how
    source = Source(name=args.name or title or url.split("/")[2], url=url, kind=args.kind,
                    language=args.language, outlet=args.outlet, interval_minutes=args.interval,
                    include=tuple(args.include), exclude=tuple(args.exclude))
    added = add_sources(settings.sources_file, [source])
    if not added:
        raise CliError(f"{url} is already in {settings.sources_file}")
    print(f"added {added[0].name!r}: {url}" + (f" ({how})" if how else "") + f" to {settings.sources_file}")
    return 0


def remove_command(args: argparse.Namespace, settings: Settings) -> int:
    removed = remove_source(settings.sources_file, args.name)
    print(f"removed {removed.name!r} ({removed.url}) from {settings.sources_file}; its articles stay until they age out")
    return 0


def import_command(args: argparse.Namespace, settings: Settings) -> int:
    """Add every feed of an OPML file (URLs already listed are skipped)."""
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    sources, skipped = read_opml(data, str(args.file))
    added = add_sources(settings.sources_file, sources)
    print(f"imported {len(added)} of {len(sources)} feeds from {args.file} into {settings.sources_file}"
          + (f" ({len(sources) - len(added)} already listed)" if len(sources) > len(added) else ""))
    for line in skipped:
        print(f"  skipped  {line}")
    return 0


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    document = write_opml(load_sources(settings.sources_file))
    if args.file is None:
        sys.stdout.write(document)
    else:
        args.file.write_text(document, encoding="utf-8")
        print(f"wrote {args.file}")
    return 0


def _run(args: argparse.Namespace, settings: Settings, *, dry_run: bool) -> FetchReport:
    sources = _selected(settings, args.names)
    themes = load_theme_list(settings) if Path(settings.digests_dir).is_dir() else []
    from bot.library.fetch import run_fetch   # not at the top: see LAZY_IMPORTS
    with open_store(settings, read_only=dry_run) as store:
        return run_fetch(store, sources, themes, settings, force=dry_run or args.force, dry_run=dry_run)


def check_command(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch once and say what would be added; nothing is written."""
    report = _run(args, settings, dry_run=True)
    print_json(report_as_dict(report)) if args.json else print(format_fetch_report(report))
    return 1 if report.sources and len(report.failed) == len(report.sources) else 0


def fetch_command(args: argparse.Namespace, settings: Settings) -> int:
    """One pass over the due sources; exit 1 only when every source that was polled failed."""
    report = _run(args, settings, dry_run=False)
    print_json(report_as_dict(report)) if args.json else print(format_fetch_report(report))
    polled = [s for s in report.sources if s.status != "waiting"]
    return 1 if polled and len(report.failed) == len(polled) else 0


def report_as_dict(report: FetchReport) -> dict[str, object]:
    return {"sources": [asdict(s) for s in report.sources], "added": list(report.added),
            "updated": list(report.updated), "retired": list(report.retired), "dry_run": report.is_dry_run,
            "alerts": [{"source": name, "error": error} for name, error in report.alerts]}


def format_fetch_report(report: FetchReport) -> str:
    """Counts, then per source its status and one line per entry that needs a look."""
    verb = "would add" if report.is_dry_run else "added"
    lines = [f"{len(report.sources)} sources: {verb} {len(report.added)}, updated {len(report.updated)}, "
             f"failed {len(report.failed)}, retired {len(report.retired)} in {report.seconds:.1f}s"]
    for s in report.sources:
        detail = s.error if s.status == "failed" else (
            f"{len(s.added)} new, {len(s.updated)} updated, {s.unchanged} unchanged, {len(s.rejected)} rejected")
        lines.append(f"  {s.name}: {s.status}" + (f" — {detail}" if s.status in ("fetched", "failed") else ""))
        lines.extend(f"      note      {note}" for note in s.notes)
        lines.extend(f"      rejected  {r.path}: {r.reason}" for r in s.rejected)
    lines.extend(f"  ALERT {name}: failing for a day ({error})" for name, error in report.alerts)
    return "\n".join(lines)
