"""`digestbot`: the maintainer's command line. main(argv) -> exit code.

Settings are read once here and logging is configured once here. Every
domain error becomes one line on stderr that says what to do (exit 1; 2 for
usage); tracebacks only with -v.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from bot import __version__
from bot.cli import articles as cli_articles
from bot.cli import check as cli_check
from bot.cli import export as cli_export
from bot.cli import ingest as cli_ingest
from bot.cli import operations as cli_operations
from bot.cli import preview as cli_preview
from bot.cli import sources as cli_sources
from bot.cli.common import CliError
from bot.cli.redact import JsonLinesFormatter, RedactingFormatter, Redactor
from bot.config import Settings, load_settings
from bot.errors import ConfigError, DigestError, SourceError, StoreError, ThemeError

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Diplomacy Digest: turn article files in seeds/ into key points and themed
digests, check them, preview them, and run the Telegram bot."""
EPILOG = """\
examples:
  digestbot check                  validate digests/ and seeds/
  digestbot ingest                 read seeds/ into the store
  digestbot preview lima_group     the digest as the bot will show it
  digestbot run                    start the Telegram bot
  digestbot fetch                  fetch the live sources in sources.toml once

Run `digestbot COMMAND --help` for a command's options."""

RUN_EPILOG = """\
examples:
  digestbot run
  TELEGRAM_BOT_TOKEN=123:abc digestbot -v run
  DATABASE_URL=postgresql://digest@db/digest digestbot run --role sender"""
CHAT_EPILOG = """\
examples:
  digestbot chat
  digestbot --data-dir /tmp/digest-data chat"""

HINTS = {
    ConfigError: "fix the setting in the environment or .env (see .env.example)",
    ThemeError: "fix the file in digests/, then run `digestbot check`",
    SourceError: "fix sources.toml (or the file named), then run `digestbot sources list`",
    StoreError: "check that DATA_DIR exists, is writable and holds the bot's store",
}


def _global_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (SUPPRESS keeps one from erasing the other)."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("global options")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="debug logs, and tracebacks on errors")
    group.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="the store (overrides DATA_DIR)")
    group.add_argument("--seeds", metavar="DIR", default=argparse.SUPPRESS,
                       help="the article files (overrides SEEDS_DIR)")
    group.add_argument("--digests", metavar="DIR", default=argparse.SUPPRESS,
                       help="the theme files (overrides DIGESTS_DIR)")
    group.add_argument("--sources", metavar="FILE", default=argparse.SUPPRESS,
                       help="the live sources (overrides SOURCES_FILE)")
    return options


def _add_bot_parsers(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    run = subparsers.add_parser(
        "run", help="run the Telegram bot", parents=parents, formatter_class=raw, epilog=RUN_EPILOG,
        description="Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set) until stopped.",
    )
    run.add_argument("--role", choices=("all", "web", "scheduler", "sender", "fetch"), default="all",
                     help="with DATABASE_URL: what this process does (default all; see docs/deployment.md)")
    run.set_defaults(func=run_bot_command)
    chat = subparsers.add_parser(
        "chat", help="talk to the bot in this terminal, without Telegram", parents=parents,
        formatter_class=raw, epilog=CHAT_EPILOG,
        description="Type bot commands (/lima_group, /latest, /search béjar) and read the replies here, offline.",
    )
    chat.set_defaults(func=run_chat_command)


def build_parser() -> argparse.ArgumentParser:
    """The `digestbot` parser: global options and one subparser per command."""
    parents = [_global_options()]
    parser = argparse.ArgumentParser(
        prog="digestbot", description=DESCRIPTION, epilog=EPILOG, parents=parents,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digestbot {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    cli_ingest.add_parser(subparsers, parents)
    cli_check.add_parser(subparsers, parents)
    cli_articles.add_parsers(subparsers, parents)
    cli_preview.add_parser(subparsers, parents)
    cli_sources.add_parsers(subparsers, parents)
    cli_export.add_parser(subparsers, parents)
    cli_operations.add_parsers(subparsers, parents)
    _add_bot_parsers(subparsers, parents)
    for subparser in subparsers.choices.values():
        subparser.set_defaults(subparser=subparser)
    return parser


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser by name (for help and the help meta-test)."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subparsers.choices)


def load_cli_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment and .env, with the global options on top."""
    settings = load_settings()
    overrides: dict[str, Any] = {field: Path(getattr(args, option)) for option, field in
                 (("data_dir", "data_dir"), ("seeds", "seeds_dir"), ("digests", "digests_dir"),
                  ("sources", "sources_file"))
                 if hasattr(args, option)}
    return replace(settings, **overrides) if overrides else settings


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_level_for(command: str, settings: Settings, verbose: bool) -> int:
    """DEBUG with -v; LOG_LEVEL for the running bot; elsewhere (reports, the console) warnings and worse."""
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if verbose:
        return logging.DEBUG
    return level if command == "run" else max(level, logging.WARNING)


def configure_logging(level: int, redactor: Redactor | None = None, log_format: str = "text") -> None:
    """One stderr handler on the root logger (text, or JSON lines), secrets masked; calling again replaces it."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    if log_format == "json":
        handler.setFormatter(JsonLinesFormatter(redactor or Redactor()))
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                                redactor or Redactor()))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)   # its URLs contain the bot token
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)   # logs every page it finds no article in


def run_bot_command(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Telegram bot; returns when it stops."""
    return _telegram_runner().run_bot(settings, getattr(args, "role", "all"))


def run_chat_command(args: argparse.Namespace, settings: Settings) -> int:
    """The bot in this terminal, for trying commands without Telegram."""
    return _telegram_runner().run_console(settings)


def _telegram_runner() -> ModuleType:
    # The one lazy import of the CLI: `digestbot check`, `ingest`, `preview`... never load
    # python-telegram-bot (and still work when the Telegram adapter cannot be imported).
    try:
        from bot.telegram import runner
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name.startswith("bot.telegram") or exc.name.startswith("telegram")):
            raise CliError(f"the Telegram adapter is not available ({exc.name}) — "
                           "reinstall with `pip install -e .`") from exc
        raise
    return runner


def error_line(exc: BaseException, *, verbose: bool = False) -> str:
    """One line that says what went wrong and what to do."""
    if isinstance(exc, DigestError):
        message = str(exc) or type(exc).__name__
        hint = next((h for kind, h in HINTS.items() if isinstance(exc, kind)), "")
        return f"error: {message}" + (f" — {hint}" if hint and " — " not in message else "")
    hint = "" if verbose else " — run again with -v for the traceback"
    return f"error: unexpected {type(exc).__name__}: {exc}{hint}"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again (Python docs' recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Parse, load settings, configure logging, run one subcommand; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:          # --help, --version, usage errors (2)
        return exc.code if isinstance(exc.code, int) else 0
    verbose = getattr(args, "verbose", False)
    redact = Redactor()
    try:
        settings = load_cli_settings(args)
        redact = Redactor((settings.telegram_bot_token, settings.webhook_secret))
        configure_logging(log_level_for(args.command, settings, verbose), redact, settings.log_format)
        logger.debug("digestbot %s with %r", args.command, settings)
        return args.func(args, settings)
    except SystemExit as exc:          # a subcommand's own usage error
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:            # `digestbot articles | head`: the reader left; stop quietly
        _silence_stdout()
        return 1
    except Exception as exc:
        if verbose:
            print(redact("".join(traceback.format_exception(exc))).rstrip(), file=sys.stderr)
        print(redact(error_line(exc, verbose=verbose)), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
