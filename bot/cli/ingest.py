"""`digestbot ingest`: read seeds/ into the store and report what happened to each file."""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TextIO

from bot.cli.common import CliError, load_theme_list, open_store, print_json
from bot.config import Settings
from bot.models import IngestReport

HELP = "read the seed files into the store and report each file"
DESCRIPTION = """\
Read every article file in the seeds directory (.txt, .md, .html), clean it,
extract its key points, match it to the themes in digests/ and save it in the
store. Unchanged files are skipped; deleted files are retired (hidden, kept).
Prints what was added, updated, unchanged, retired and rejected (and why).
Exits 1 only when no file could be ingested or the store failed."""
EPILOG = """\
examples:
  digestbot ingest
  digestbot ingest --seeds ./seeds --json"""


def add_parser(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest", help=HELP, description=DESCRIPTION, epilog=EPILOG, parents=parents,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run_ingest_command)


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.is_shown = self.stream.isatty()
        self._drawn = False

    def __call__(self, done: int, total: int, *_details: object) -> None:
        if not self.is_shown or total <= 0:
            return
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 30))
        filled = int(width * min(done, total) / total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\ringest [{bar}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def run_ingest_command(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the seeds; exit 1 only when nothing could be processed."""
    from bot.library.ingest import run_ingest   # not at the top: see LAZY_IMPORTS
    seeds_dir = Path(settings.seeds_dir)
    if not seeds_dir.is_dir():
        raise CliError(f"seeds directory not found: {seeds_dir} — set SEEDS_DIR or pass --seeds DIR")
    themes = load_theme_list(settings)
    progress = ProgressBar()
    with open_store(settings) as store:
        try:
            report = run_ingest(store, seeds_dir, themes, max_bytes=settings.max_seed_bytes, progress=progress)
        finally:
            progress.close()
    if args.json:
        print_json(report_as_dict(report))
    else:
        print(format_report(report))
    if not (report.added or report.updated or report.unchanged):
        print(f"error: no seed file could be ingested from {seeds_dir} — "
              "add .txt, .md or .html articles there, or fix the rejected files above", file=sys.stderr)
        return 1
    return 0


def report_as_dict(report: IngestReport) -> dict[str, object]:
    return {
        "added": list(report.added),
        "updated": list(report.updated),
        "unchanged": list(report.unchanged),
        "retired": list(report.retired),
        "rejected": [{"path": r.path, "reason": r.reason} for r in report.rejected],
        "notes": [{"path": path, "note": note} for path, note in report.notes],
    }


def format_report(report: IngestReport) -> str:
    """The report as the maintainer reads it: counts, then one line per file that needs a look."""
    counts = (f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
              f"retired {len(report.retired)}, rejected {len(report.rejected)}")
    lines = [counts]
    for label, ids in (("added", report.added), ("updated", report.updated), ("retired", report.retired)):
        lines.extend(f"  {label:<9} {item}" for item in ids)
    lines.extend(f"  rejected  {r.path}: {r.reason}" for r in report.rejected)
    lines.extend(f"  note      {path}: {note}" for path, note in report.notes)
    return "\n".join(lines)

