"""`digestbot check`: validate digests/ and the seeds before they go live."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli.common import CliError, print_json
from bot.config import Settings
from bot.library.theme_files import load_themes
from bot.models import Theme

HELP = "validate the theme files in digests/ and the seed files"
DESCRIPTION = """\
Validate every theme file in digests/ (bad TOML with file and line, invalid or
duplicate commands, empty match terms) and every seed file (files that would be
rejected, files that match no theme, files with no publication date found, theme
terms so common that they match most articles).
Errors exit 1; warnings (no theme, no date) are printed but do not fail."""
EPILOG = """\
examples:
  digestbot check
  digestbot check --digests ./digests --seeds ./seeds --json"""


def add_parser(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check", help=HELP, description=DESCRIPTION, epilog=EPILOG, parents=parents,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print errors and warnings as JSON")
    parser.set_defaults(func=run_check_command)


class CheckFailed(CliError):
    """`digestbot check` found errors (already listed on stdout)."""


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    themes: int = 0
    seeds: int = 0


def check_themes(digests_dir: Path, result: CheckResult) -> list[Theme]:
    """Theme-file problems are errors: a broken theme means a command that does not answer.

    load_themes reports unreadable files, bad TOML (file and line), invalid fields,
    and the cross-file problems of bot.themes.match.validate_themes (duplicate or built-in commands).
    """
    if not digests_dir.is_dir():
        result.errors.append(f"{digests_dir}: digests directory not found — set DIGESTS_DIR or pass --digests DIR")
        return []
    themes, problems = load_themes(digests_dir)
    themes = list(themes)
    result.errors.extend(problems)
    if not themes and not problems:
        result.errors.append(f"{digests_dir}: no theme files (*.toml) — add one per theme")
    result.themes = len(themes)
    return themes


def check_seeds(seeds_dir: Path, themes: list[Theme], max_bytes: int, result: CheckResult) -> None:
    """Each seed goes through what ingest does to it; rejections are errors, no theme or date warnings."""
    from bot.cli.common_terms import common_term_warnings   # not at the top: see LAZY_IMPORTS
    from bot.library.ingest import plan_jobs, summarize_file
    from bot.sources.seeds import read_seeds
    if not seeds_dir.is_dir():
        result.errors.append(f"{seeds_dir}: seeds directory not found — set SEEDS_DIR or pass --seeds DIR")
        return
    seed_files, rejections = read_seeds(seeds_dir, max_bytes)
    result.errors.extend(f"{r.path}: would be rejected: {r.reason}" for r in rejections)
    accepted = []
    for seed, job in zip(seed_files, plan_jobs(seed_files)):
        outcome = summarize_file(job, themes)
        if outcome.problem or outcome.clean is None:
            result.errors.append(f"{seed.path}: would be rejected: {outcome.problem}")
            continue
        result.seeds += 1
        accepted.append(outcome.clean)
        if themes and not outcome.themes:
            result.warnings.append(f"{seed.path}: matches no theme (it will only appear in /latest and /search)")
        result.warnings.extend(f"{seed.path}: {note}" for note in outcome.clean.notes)
        if not outcome.clean.published:
            result.warnings.append(f"{seed.path}: no publication date found (it sorts as oldest)")
    if not seed_files and not rejections:
        result.warnings.append(f"{seeds_dir}: no seed files (.txt, .md, .html)")
    result.warnings.extend(common_term_warnings(themes, accepted))


def run_check_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print every problem, then a summary; exit 1 when there are errors."""
    result = CheckResult()
    themes = check_themes(Path(settings.digests_dir), result)
    check_seeds(Path(settings.seeds_dir), themes, settings.max_seed_bytes, result)
    if args.json:
        print_json({"errors": result.errors, "warnings": result.warnings,
                    "themes": result.themes, "seeds": result.seeds})
    else:
        for line in result.errors:
            print(f"error: {line}")
        for line in result.warnings:
            print(f"warning: {line}")
        print(f"checked {result.themes} theme(s) and {result.seeds} seed file(s): "
              f"{len(result.errors)} error(s), {len(result.warnings)} warning(s)")
    if result.errors:
        raise CheckFailed(f"{len(result.errors)} error(s) in digests/ or seeds/ — fix the lines marked 'error:' above")
    return 0
