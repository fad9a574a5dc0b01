"""Themes: match articles to the `Theme`s parsed from digests/*.toml (`bot.themes.parse`).

Pure: the file adapter is `bot.library.theme_files`. Terms are matched accent- and
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
from bisect import bisect_left, bisect_right
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence

from bot.extract.meta import DATELINE_CREDIT, credit_of
from bot.extract.patterns import is_furniture_line
from bot.models import Theme
from bot.nlp import fast_fold, fold
from bot.themes.parse import BUILTIN_COMMANDS, parse_theme, validate_themes, term_body

__all__ = ["BUILTIN_COMMANDS", "match_themes", "parse_theme", "validate_themes"]

THRESHOLD = 0.5           # score = raw / (raw + RAW_AT_THRESHOLD): 0.5 is the line
RAW_AT_THRESHOLD = 2.0
WEIGHT_TITLE, WEIGHT_LEAD, WEIGHT_EARLY, WEIGHT_DEEP = 2.5, 1.5, 1.0, 0.7
REPEAT_DECAY = 0.75        # the n-th hit (best first) weighs DECAY**n
SPREAD_BONUS, SPREAD_CAP = 0.25, 1.0
EARLY_CHARS = 2000         # hits in the first 2,000 characters (or first half) are not deep
MENTION_GAP = 3            # hits closer than this are one mention: "Organization of American States (OAS)"

_TWEET = re.compile(   # an embedded tweet: the sentence before its pic.twitter.com link, and the link
    r"(?:[^\n.!?]*[.!?]\s*)?[^\n.!?]*pic\.twitter\.com/\S*(?:\s+\w+ \d{1,2}, \d{4})?")
_URL_LINE = re.compile(r"^\s*\S*(?:https?://|www\.)\S*\s*$")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


# ---------------------------------------------------------------- compiling
#
# All the terms of a theme set go into one index keyed by their first token, so
# matching is a single pass over the article's tokens, whatever the number of
# themes and terms (no regex alternations: they scan the text once per term).

_TOKEN = re.compile(r"\w+|[^\w\s]")
TERM, EXACT, CONDITIONAL, EXCLUDE, CONTEXT = range(5)


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]     # folded tokens (as written, for EXACT)
    theme: int                  # position of the theme in the set
    kind: int
    group: int = -1             # CONDITIONAL: its context group; CONTEXT: the group it belongs to


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def _theme_entries(position: int, theme: Theme, next_group: int) -> tuple[list[_Entry], int]:
    entries: list[_Entry] = []
    for term in theme.terms:
        body, _, context = term.partition("~")
        body = body.strip()
        words = [w.strip() for w in context.split(",") if w.strip()]
        if words:
            entries.append(_Entry(_tokens(fold(body)), position, CONDITIONAL, next_group))
            entries += [_Entry(_tokens(fold(w)), position, CONTEXT, next_group) for w in words]
            next_group += 1
        elif body.startswith("="):
            entries.append(_Entry(_tokens(body[1:].strip()), position, EXACT))
        elif body:
            entries.append(_Entry(_tokens(fold(body)), position, TERM))
    entries += [_Entry(_tokens(fold(e)), position, EXCLUDE) for e in theme.exclude]
    return entries, next_group


@lru_cache(maxsize=16)
def _compile(keys: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> dict[str, tuple[_Entry, ...]]:
    """First token -> entries, cached by what matching depends on (Theme holds dicts: unhashable)."""
    index: dict[str, list[_Entry]] = {}
    group = 0
    for position, (command, terms, exclude) in enumerate(keys):
        entries, group = _theme_entries(position, Theme(command, {}, {}, terms, exclude), group)
        for entry in entries:
            if entry.tokens:
                first = entry.tokens[0] if entry.kind != EXACT else fold(entry.tokens[0])
                index.setdefault(first, []).append(entry)
    return {first: tuple(entries) for first, entries in index.items()}


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
    hits = _hits(text, _compile(tuple((t.command, t.terms, t.exclude) for t in themes)), len(themes))
    found = []
    for theme, spans in zip(themes, hits):
        raw = _raw_score(text, spans)
        score = raw / (raw + RAW_AT_THRESHOLD)
        if score >= THRESHOLD:
            found.append((theme.command, round(score, 4)))
    return tuple(sorted(found, key=lambda item: (-item[1], item[0])))


def _hits(text: _Text, index: dict[str, tuple[_Entry, ...]], count: int) -> list[list[tuple[int, int]]]:
    """Per theme, the spans of its term hits that no exclusion or boilerplate span overlaps."""
    found = [m for m in _TOKEN.finditer(text.folded)]
    words = [m.group() for m in found]
    spans: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    blocked: list[list[tuple[int, int]]] = [list(text.dead) for _ in range(count)]
    conditional: list[tuple[int, int, tuple[int, int]]] = []
    present: set[int] = set()
    for i, word in enumerate(words):
        for entry in index.get(word, ()):
            end = i + len(entry.tokens)
            if not _same(entry, words, found, text.raw, i, end):
                continue
            span = (found[i].start(), found[end - 1].end())
            if entry.kind in (TERM, EXACT):
                spans[entry.theme].append(span)
            elif entry.kind == EXCLUDE:
                blocked[entry.theme].append(span)
            elif entry.kind == CONTEXT:
                present.add(entry.group)
            else:
                conditional.append((entry.theme, entry.group, span))
    for theme, group, span in conditional:
        if group in present:
            spans[theme].append(span)
    return [_unblocked(theme_spans, blocks) for theme_spans, blocks in zip(spans, blocked)]


def _unblocked(spans: list[tuple[int, int]], blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans (sorted) that overlap no block: O((spans + blocks) log blocks), not spans x blocks."""
    blocks = sorted(blocks)
    starts = [start for start, _ in blocks]
    reach = list(accumulate((end for _, end in blocks), max))   # furthest end among blocks so far
    kept = []
    for span in sorted(spans):
        before = bisect_left(starts, span[1])   # blocks starting before the span ends
        if not before or reach[before - 1] <= span[0]:
            kept.append(span)
    return kept


def _same(entry: _Entry, words: list[str], found: list, raw: str, start: int, end: int) -> bool:
    if end > len(words):
        return False
    if end == start + 1 and entry.kind != EXACT:
        return True         # indexed by this very (folded) token
    if entry.kind == EXACT:
        return all(raw[found[k].start():found[k].end()] == token
                   for k, token in zip(range(start, end), entry.tokens))
    return all(words[k] == token for k, token in zip(range(start, end), entry.tokens))


def _aligned_fold(text: str) -> str:
    """Folded text of exactly the same length, so spans found in it apply to the raw text."""
    folded = fast_fold(text)
    if len(folded) == len(text):
        return folded
    table = {ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()}
    return text.translate(table).lower()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return (fold(ch) or ch)[0]


def _prepare(title: str, body: str) -> _Text:
    title = _whole_title(" ".join(title.split()), body)
    raw = f"{title}\n\n{body}"
    start = len(title) + 2
    blocks = [start] + [start + m.end() for m in re.finditer(r"\n\s*\n", body)]
    if len(blocks) < 3:   # one giant paragraph: use windows for lead and spread
        blocks = list(range(start, len(raw), 600)) or [start]
    lead_end = min(blocks[2] if len(blocks) > 2 else len(raw), start + max(500, len(body) // 4))
    dead = [(m.start() + start, m.end() + start) for m in _tweets(body)]
    if credit_of(body[:200]) and (dateline := DATELINE_CREDIT.match(body)):
        dead.append((start, start + dateline.end()))    # "Washington, Jan 25 (EFE).-": where, not what
    offset = start
    for line in body.split("\n"):
        if is_furniture_line(line.strip()) or _URL_LINE.match(line):
            dead.append((offset, offset + len(line)))
        offset += len(line) + 1
    return _Text(raw, _aligned_fold(raw), start, lead_end, start + max(EARLY_CHARS, len(body) // 2),
                 tuple(blocks), tuple(dead))


def _whole_title(title: str, body: str) -> str:
    """A title cut with "…" from the body's opening sentence (a page without a headline), completed to
    that sentence: the terms it names weigh as a headline's, as they do when the sentence is short."""
    stem = title[:-1].rstrip() if title.endswith("…") else ""
    if not stem:
        return title
    for paragraph in body.split("\n\n")[:3]:
        flat = " ".join(paragraph.split())
        if flat.startswith(stem):
            end = _SENTENCE_END.search(flat, len(stem))
            return flat[:end.end()] if end else flat
    return title


def _tweets(body: str) -> Iterator[re.Match[str]]:
    """Embedded tweets: each pic.twitter.com link with the sentence just before it."""
    position = body.find("pic.twitter.com")
    while position != -1:
        line_start = body.rfind("\n", 0, position) + 1
        window_start = max(line_start, position - 400)
        found = _TWEET.search(body, window_start, min(len(body), position + 60))
        if found:
            yield found
        position = body.find("pic.twitter.com", position + 15)


def _raw_score(text: _Text, spans: list[tuple[int, int]]) -> float:
    weights, blocks, last_end = [], set(), -10
    for start, end in spans:
        if start <= last_end + MENTION_GAP:
            last_end = max(last_end, end)
            continue
        last_end = end
        weights.append(_weight(text, start))
        blocks.add(bisect_right(text.blocks, start))   # the paragraph it is in (blocks are sorted)
    weights.sort(reverse=True)
    raw = sum(w * REPEAT_DECAY ** i for i, w in enumerate(weights))
    return raw + min(SPREAD_CAP, SPREAD_BONUS * max(0, len(blocks) - 1))


def _weight(text: _Text, start: int) -> float:
    if start < text.body_start:
        return WEIGHT_TITLE
    if start < text.lead_end:
        return WEIGHT_LEAD
    return WEIGHT_EARLY if start < text.early_end else WEIGHT_DEEP
