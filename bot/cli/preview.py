"""`digestbot preview`: a theme's digest as the bot will show it, and what changed since last time."""
from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass

from bot.cli.common import CliError, open_store, print_json, theme_by_command
from bot.config import Settings
from bot.digest.compose import theme_digest
from bot.digest.render import render_text
from bot.services import open_services

DESCRIPTION = """\
Print a theme's digest as plain text, exactly as the bot will show it: the
newest stories first, each with title, date, outlets and key points. Every
preview is saved in the store, so --diff shows what changed since the last
preview (run it after `digestbot ingest`, before a redeploy)."""
EPILOG = """\
examples:
  digestbot preview lima_group
  digestbot preview --all --diff
  digestbot preview castillo --language es --json"""


def add_parser(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "preview", help="print a theme's digest as the bot will show it", description=DESCRIPTION,
        epilog=EPILOG, parents=parents, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("theme", metavar="THEME", nargs="?", help="the theme's command, e.g. lima_group")
    parser.add_argument("--all", action="store_true", help="preview every theme")
    parser.add_argument("--diff", action="store_true", help="print a unified diff against the last saved preview")
    parser.add_argument("--language", choices=("en", "es"), help="digest language (default: DEFAULT_LANGUAGE)")
    parser.add_argument("--json", action="store_true", help="print the preview(s) as JSON")
    parser.set_defaults(func=run_preview_command)


@dataclass(frozen=True)
class Preview:
    theme: str
    text: str
    story_ids: tuple[str, ...]
    previous: str | None          # the last saved preview, None when there was none

    @property
    def diff(self) -> str:
        if self.previous is None:
            return ""
        lines = difflib.unified_diff(
            self.previous.splitlines(keepends=True), self.text.splitlines(keepends=True),
            fromfile=f"{self.theme} (last preview)", tofile=f"{self.theme} (now)",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def preview_key(command: str, language: str) -> str:
    return f"preview:{command}" if language == "en" else f"preview:{command}:{language}"


def save_preview(store, catalog, command: str, language: str, limit: int) -> Preview:
    """Render the theme's first page, and save it as the theme's last preview."""
    digest = theme_digest(catalog, command, language, offset=0, limit=limit)
    text = render_text(digest)
    key = preview_key(command, language)
    previous = store.get_meta(key)
    if previous != text:
        store.set_meta(key, text)
    return Preview(command, text, tuple(story.id for story in digest.stories),
                   previous if isinstance(previous, str) else None)


def build_previews(settings: Settings, theme: str | None, language: str) -> list[Preview]:
    """Previews of one theme (or all when None), from the catalog the bot builds (bot.library.library)."""
    with open_store(settings, read_only=True) as store:
        library = open_services(settings, store=store).library
        if not library.catalog.article_count:
            raise CliError(f"no articles in {settings.data_dir} — run `digestbot ingest` first")
        if theme is None:
            commands = sorted(t.command for t in library.themes)
        else:
            commands = [theme_by_command(library.themes, theme).command]
        return [save_preview(store, library.catalog, command, language, settings.stories_per_page)
                for command in commands]


def format_preview(preview: Preview, *, diff: bool) -> str:
    if not diff:
        return preview.text.rstrip("\n")
    if preview.previous is None:
        return f"no earlier preview of {preview.theme} saved; saved this one:\n\n{preview.text.rstrip()}"
    return preview.diff.rstrip("\n") or f"{preview.theme}: no changes"


def run_preview_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print (or diff) one theme's preview, or every theme's with --all."""
    if bool(args.theme) == bool(args.all):
        args.subparser.error("give one THEME or --all")   # usage: exit 2
    previews = build_previews(settings, None if args.all else args.theme,
                              args.language or settings.default_language)
    if args.json:
        rows = [{"theme": p.theme, "text": p.text, "stories": list(p.story_ids),
                 "diff": p.diff if args.diff else None} for p in previews]
        print_json(rows if args.all else rows[0])
        return 0
    if not args.all:
        print(format_preview(previews[0], diff=args.diff))
        return 0
    for number, preview in enumerate(previews):
        if number:
            print()
        print(f"==== {preview.theme} ====")
        print(format_preview(preview, diff=args.diff))
    return 0
