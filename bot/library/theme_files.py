"""Adapter: read digests/*.toml into Themes (parsing lives in bot.themes.parse, matching in bot.themes.match)."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Sequence
from pathlib import Path

from bot.errors import ThemeError
from bot.models import Theme
from bot.themes.parse import BUILTIN_COMMANDS, parse_theme, validate_themes

logger = logging.getLogger(__name__)

THEMES_META_KEY = "themes_fingerprint"   # the store's meta key: the themes its articles were matched against


def themes_fingerprint(themes: Sequence[Theme]) -> str:
    """Changes exactly when what `match_themes` reads of the themes changes."""
    data = [[t.command, list(t.terms), list(t.exclude)] for t in themes]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:24]


def load_themes(digests_dir: Path) -> tuple[list[Theme], list[str]]:
    """Every valid theme file in digests_dir, and one problem line per broken file.

    A broken file is skipped and the rest still load; a command defined twice
    keeps its first file (by name) and reports the second.
    """
    digests_dir = Path(digests_dir)
    if not digests_dir.is_dir():
        return [], [f"{digests_dir}: no such directory"]
    themes: list[Theme] = []
    problems: list[str] = []
    for path in sorted(digests_dir.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}:1: cannot read the file ({exc.__class__.__name__}: {exc})")
            continue
        try:
            themes.append(parse_theme(text, path.name))
        except ThemeError as exc:
            problems.append(str(exc))
    cross = validate_themes(themes)
    problems.extend(cross)
    kept = _drop_clashes(themes)
    logger.info("loaded %d themes from %s (%d problems)", len(kept), digests_dir, len(problems))
    return kept, problems


def _drop_clashes(themes: list[Theme]) -> list[Theme]:
    kept: dict[str, Theme] = {}
    for theme in themes:
        if theme.command not in kept and theme.command not in BUILTIN_COMMANDS:
            kept[theme.command] = theme
    return list(kept.values())


def themes_signature(digests_dir: Path) -> tuple:
    """A cheap fingerprint (name, mtime_ns, size) of the theme files: it changes when any file does."""
    digests_dir = Path(digests_dir)
    try:
        entries = sorted(digests_dir.glob("*.toml"))
    except OSError:
        return ()
    signature = []
    for path in entries:
        try:
            stat = path.stat()
        except OSError:
            continue
        signature.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(signature)
