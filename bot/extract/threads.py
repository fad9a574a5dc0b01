"""Reader-comment threads and feeds of dated teasers on a page without a DOM. Pure.

A comment thread written as prose looks like article text line by line; what gives it away is
its furniture: short lines that end on a relative time ("2 days ago at 07:52 am", "hace 3 horas",
"há 2 dias") or count votes and replies ("Rating: 36 Votes", "12 likes", "Reply", "Responder").
MIN_MARKERS such lines, each within MAX_GAP lines of the one before, are a thread (or a "latest
news" feed with the same stamps). After the article has begun (ARTICLE_WORDS kept words) a thread
ends it: nothing from its first marker on is article. Before that, only the thread itself goes.
A stamp under the headline or a few scattered through an article make no thread.
"""
from __future__ import annotations

import re
from typing import Sequence

from bot.extract.line_features import PageLine, word_count

__all__ = ["cut_threads", "is_thread_marker", "thread_spans"]

MIN_MARKERS = 3          # a thread shows at least this many markers ...
MAX_GAP = 5              # ... each within this many lines of the one before
ARTICLE_WORDS = 40       # kept words before a thread that make it the article's end
MARKER_WORDS = 12        # a marker is a short line (a byline with a time, a counter)

_UNIT_EN = r"(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week|month|year)s?"
_UNIT_ES = r"(?:segundo|minuto|hora|d[ií]a|semana|mes|año)(?:s|es)?"
_UNIT_PT = r"(?:segundo|minuto|hora|dia|semana|m[eê]s|ano)(?:s|es)?"
_CLOCK = r"(?:\s*(?:at|a las|às|,)?\s*\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?"
_AGO = re.compile(
    rf"(?:\b(?:\d+|an?|one)\s+{_UNIT_EN}\s+ago"
    rf"|\bhace\s+(?:\d+|una?)\s+{_UNIT_ES}"
    rf"|\bh[aá]\s+(?:\d+|uma?)\s+{_UNIT_PT}){_CLOCK}[\s|·•—-]*$", re.IGNORECASE)
_COUNTER = re.compile(
    r"^(?:reply|responder|responde|responda|like|me gusta|curtir)$"
    r"|\brating:\s*-?\d+\s+votes?\b"
    r"|^-?\d+\s*(?:likes?|votes?|replies|respuestas|respostas|curtidas)\b", re.IGNORECASE)


def is_thread_marker(text: str) -> bool:
    """A short line that ends on a relative time or is a comment counter (see the module doc)."""
    return word_count(text) <= MARKER_WORDS and bool(_AGO.search(text) or _COUNTER.search(text))


def thread_spans(lines: Sequence[PageLine]) -> list[tuple[int, int]]:
    """(first, last) line indexes of each run of MIN_MARKERS or more markers, each within MAX_GAP
    lines of the one before; a run covers MAX_GAP lines past its last marker (the last comment's text)."""
    markers = [index for index, line in enumerate(lines) if is_thread_marker(line.text)]
    spans: list[tuple[int, int]] = []
    group: list[int] = []
    for index in markers + [len(lines) + MAX_GAP + 1]:
        if group and index - group[-1] > MAX_GAP:
            if len(group) >= MIN_MARKERS:
                spans.append((group[0], min(group[-1] + MAX_GAP, len(lines) - 1)))
            group = []
        group.append(index)
    return spans


def cut_threads(lines: Sequence[PageLine], keep: Sequence[bool]) -> list[bool]:
    """`keep` with every thread dropped; a thread after ARTICLE_WORDS kept words is the end of the
    article (later comments, long ones included, and whatever follows them go too)."""
    kept = list(keep)
    for first, last in thread_spans(lines):
        before = sum(word_count(line.text) for line, on in zip(lines[:first], kept) if on)
        end = len(kept) if before >= ARTICLE_WORDS else last + 1
        kept[first:end] = [False] * (end - first)
    return kept
