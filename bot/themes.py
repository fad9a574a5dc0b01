"""Themes: parse digests/*.toml text into `Theme`s and match articles to them.

Pure: the file adapter is `bot.theme_files`. Terms are matched accent- and
case-insensitively as whole words or phrases, with two small extras:

- ``"=CAN"`` matches exactly as written (an acronym that is also a word);
- ``"Castillo ~ Peru, Perú"`` counts only when one of the words after ``~``
  also occurs in the article (title or body).

An ``exclude`` phrase cancels every term hit it overlaps. A theme tags an
article when its weighted hits pass a threshold: hits in the title and the
lead weigh more than hits deep in the body, repeated hits add less and less,
hits spread over several paragraphs add a little, and hits inside leftover
boilerplate lines ("Read more", "See also", embedded tweets) count for nothing.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from bot.errors import ThemeError
from bot.models import Theme
from bot.nlp import fold

COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
BUILTIN_COMMANDS = frozenset(
    "start help topics latest story search subscribe unsubscribe mysubs settings stats "
    "reload preview push_now".split()
)
THRESHOLD = 0.5           # score = raw / (raw + RAW_AT_THRESHOLD): 0.5 is the line
RAW_AT_THRESHOLD = 2.0
WEIGHT_TITLE, WEIGHT_LEAD, WEIGHT_EARLY, WEIGHT_DEEP = 2.5, 1.5, 1.0, 0.7
REPEAT_DECAY = 0.75        # the n-th hit (best first) weighs DECAY**n
SPREAD_BONUS, SPREAD_CAP = 0.25, 1.0
EARLY_CHARS = 2000         # hits in the first 2,000 characters (or first half) are not deep
MENTION_GAP = 3            # hits closer than this are one mention: "Organization of American States (OAS)"

_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:read more|see also|related|it may interest you|you may also like|te recomendamos|"
    r"puedes ver|lee tambi[eé]n|leer m[aá]s|te puede interesar|tambi[eé]n te puede interesar|"
    r"share|comparte|follow us|s[ií]guenos|subscribe|suscr[ií]bete|copyright|©|disclaimer|"
    r"articles by|register|para registrarse|this (?:site|website) uses|privacy)\b",
    re.IGNORECASE,
)
_TWEET = re.compile(   # an embedded tweet: the sentence before its pic.twitter.com link, and the link
    r"(?:[^\n.!?]*[.!?]\s*)?[^\n.!?]*pic\.twitter\.com/\S*(?:\s+\w+ \d{1,2}, \d{4})?")
_URL_LINE = re.compile(r"^\s*\S*(?:https?://|www\.)\S*\s*$")


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
    if not any(_term_body(term) for term in terms):
        raise fail("terms", "terms is empty: give at least one match term")
    exclude = _string_list(data.get("exclude", []), "exclude", fail)
    title = _language_table(data.get("title"), "title", fail)
    if not title.get("en"):
        raise fail("title", "missing [title] en")
    return Theme(
        command=command,
        title=title,
        description=_language_table(data.get("description", {}), "description", fail),
        terms=tuple(dict.fromkeys(t.strip() for t in terms if _term_body(t))),
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


def _string_list(value: Any, key: str, fail) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"{key} must be a list of strings")
    return value


def _language_table(value: Any, key: str, fail) -> dict[str, str]:
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


def _term_body(term: str) -> str:
    return term.split("~", 1)[0].lstrip("=").strip()


# ---------------------------------------------------------------- compiling

@dataclass(frozen=True)
class _Matcher:
    command: str
    folded: re.Pattern | None        # alternation of folded, case-insensitive terms
    exact: re.Pattern | None         # alternation of "=" terms, matched on the raw text
    conditional: tuple[tuple[re.Pattern, re.Pattern], ...]   # (term, any-of-context)
    exclude: re.Pattern | None


def _phrase(text: str) -> str:
    words = [re.escape(w) for w in text.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def _alternation(phrases: Sequence[str]) -> re.Pattern | None:
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(_phrase(p) for p in ordered))


def _compile_theme(theme: Theme) -> _Matcher:
    plain, exact, conditional = [], [], []
    for term in theme.terms:
        body, _, context = term.partition("~")
        body = body.strip()
        if context.strip():
            words = [fold(w.strip()) for w in context.split(",") if w.strip()]
            conditional.append((_alternation([fold(body)]), _alternation(words)))
        elif body.startswith("="):
            exact.append(body[1:].strip())
        elif body:
            plain.append(fold(body))
    return _Matcher(
        command=theme.command,
        folded=_alternation(plain),
        exact=_alternation(exact),
        conditional=tuple(conditional),
        exclude=_alternation([fold(e) for e in theme.exclude]),
    )


@lru_cache(maxsize=16)
def _compile(keys: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> tuple[_Matcher, ...]:
    """Compiled matchers, cached by what matching depends on (Theme holds dicts: unhashable)."""
    return tuple(_compile_theme(Theme(command, {}, {}, terms, exclude)) for command, terms, exclude in keys)


# ---------------------------------------------------------------- matching

@dataclass(frozen=True)
class _Text:
    raw: str               # title + "\n\n" + body
    folded: str            # same length as raw
    body_start: int
    lead_end: int
    early_end: int
    blocks: tuple[int, ...]    # start offsets of paragraphs (or 600-char windows)
    dead: tuple[tuple[int, int], ...]   # boilerplate spans


def match_themes(title: str, body: str, themes: Sequence[Theme]) -> tuple[tuple[str, float], ...]:
    """(command, score) of the themes this article is about, best first; score in (0, 1)."""
    if not themes:
        return ()
    text = _prepare(title, body)
    found = []
    for matcher in _compile(tuple((t.command, t.terms, t.exclude) for t in themes)):
        raw = _raw_score(text, _hits(text, matcher))
        score = raw / (raw + RAW_AT_THRESHOLD)
        if score >= THRESHOLD:
            found.append((matcher.command, round(score, 4)))
    return tuple(sorted(found, key=lambda item: (-item[1], item[0])))


def _aligned_fold(text: str) -> str:
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    return "".join((fold(ch) or ch)[0] for ch in text)


def _prepare(title: str, body: str) -> _Text:
    title = " ".join(title.split())
    raw = f"{title}\n\n{body}"
    start = len(title) + 2
    blocks = [start] + [start + m.end() for m in re.finditer(r"\n\s*\n", body)]
    if len(blocks) < 3:   # one giant paragraph: use windows for lead and spread
        blocks = list(range(start, len(raw), 600)) or [start]
    lead_end = min(blocks[2] if len(blocks) > 2 else len(raw), start + max(500, len(body) // 4))
    dead = [(m.start() + start, m.end() + start) for m in _TWEET.finditer(body)]
    offset = start
    for line in body.split("\n"):
        if _BOILERPLATE_LINE.match(line) or _URL_LINE.match(line):
            dead.append((offset, offset + len(line)))
        offset += len(line) + 1
    return _Text(raw, _aligned_fold(raw), start, lead_end, start + max(EARLY_CHARS, len(body) // 2),
                 tuple(blocks), tuple(dead))


def _hits(text: _Text, matcher: _Matcher) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if matcher.folded:
        spans += [m.span() for m in matcher.folded.finditer(text.folded)]
    if matcher.exact:
        spans += [m.span() for m in matcher.exact.finditer(text.raw)]
    for term, context in matcher.conditional:
        if context and context.search(text.folded):
            spans += [m.span() for m in term.finditer(text.folded)]
    blocked = list(text.dead)
    if matcher.exclude:
        blocked += [m.span() for m in matcher.exclude.finditer(text.folded)]
    return sorted(s for s in spans if not any(s[0] < b[1] and b[0] < s[1] for b in blocked))


def _raw_score(text: _Text, spans: list[tuple[int, int]]) -> float:
    weights, blocks, last_end = [], set(), -10
    for start, end in spans:
        if start <= last_end + MENTION_GAP:
            last_end = max(last_end, end)
            continue
        last_end = end
        weights.append(_weight(text, start))
        blocks.add(sum(1 for b in text.blocks if b <= start))
    weights.sort(reverse=True)
    raw = sum(w * REPEAT_DECAY ** i for i, w in enumerate(weights))
    return raw + min(SPREAD_CAP, SPREAD_BONUS * max(0, len(blocks) - 1))


def _weight(text: _Text, start: int) -> float:
    if start < text.body_start:
        return WEIGHT_TITLE
    if start < text.lead_end:
        return WEIGHT_LEAD
    return WEIGHT_EARLY if start < text.early_end else WEIGHT_DEEP
