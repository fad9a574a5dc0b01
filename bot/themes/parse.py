"""Themes: parse digests/*.toml text into `Theme`s and check them together. Pure.

Apart from the matching (`bot.themes.match`), which reads article text through
`bot.extract`'s line patterns: the bot's run path parses theme files at start-up and
never needs the extraction stack (nltk, trafilatura) for it. The file adapter is
`bot.library.theme_files`.
"""
from __future__ import annotations

import re
import tomllib
from typing import Any, Callable, Sequence

from bot.errors import ThemeError
from bot.models import Theme

COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
BUILTIN_COMMANDS = frozenset(
    "start help topics latest story search subscribe unsubscribe mysubs settings stats "
    "reload preview push_now".split()
)


# ---------------------------------------------------------------- parsing

def parse_theme(toml_text: str, source: str) -> Theme:
    """TOML text of one theme file -> Theme; ThemeError("file:line: message") when invalid."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc), toml_text)
        raise ThemeError(f"{source}:{line}: invalid TOML: {_short(exc)}") from None

    def fail(key: str, message: str) -> ThemeError:
        return ThemeError(f"{source}:{_line_of(toml_text, key)}: {message}")

    command = data.get("command")
    if not isinstance(command, str) or not COMMAND.match(command):
        raise fail("command", f"invalid command {command!r}: use 1-32 characters of a-z, 0-9 and _")
    terms = _string_list(data.get("terms", []), "terms", fail)
    if not any(term_body(term) for term in terms):
        raise fail("terms", "terms is empty: give at least one match term")
    exclude = _string_list(data.get("exclude", []), "exclude", fail)
    title = _language_table(data.get("title"), "title", fail)
    if not title.get("en"):
        raise fail("title", "missing [title] en")
    return Theme(
        command=command,
        title=title,
        description=_language_table(data.get("description", {}), "description", fail),
        terms=tuple(dict.fromkeys(t.strip() for t in terms if term_body(t))),
        exclude=tuple(dict.fromkeys(e.strip() for e in exclude if e.strip())),
        context=_language_table(data.get("context", {}), "context", fail),
        source=source,
    )


def validate_themes(themes: Sequence[Theme]) -> list[str]:
    """Problems across theme files: duplicate commands and clashes with built-in commands."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for theme in themes:
        where = theme.source or theme.command
        if theme.command in BUILTIN_COMMANDS:
            problems.append(f"{where}: command /{theme.command} is a built-in command; rename it")
        if theme.command in seen:
            problems.append(f"{where}: command /{theme.command} is already defined in {seen[theme.command]}")
        else:
            seen[theme.command] = where
    return problems


def _string_list(value: Any, key: str, fail: Callable[[str, str], ThemeError]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"{key} must be a list of strings")
    return value


def _language_table(value: Any, key: str, fail: Callable[[str, str], ThemeError]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise fail(key, f"[{key}] must be a table of language = \"text\" (en, es)")
    return {lang: " ".join(text.split()) for lang, text in value.items() if text.strip()}


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*(?:\[{re.escape(key)}\]|{re.escape(key)}\s*=)", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _line_from_message(message: str, text: str) -> int:
    found = re.search(r"line (\d+)", message)
    if found:
        return int(found.group(1))
    return text.rstrip("\n").count("\n") + 1 if "end of document" in message else 1


def _short(exc: Exception) -> str:
    return re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(exc)) or type(exc).__name__


def term_body(term: str) -> str:
    return term.split("~", 1)[0].lstrip("=").strip()
