"""Reader-comment threads and feeds of dated teasers on a page without a DOM. Pure.

A comment thread written as prose looks like article text line by line; what gives it away is
its furniture: short lines that end on a relative time ("2 days ago at 07:52 am", "hace 3 horas",
"há 2 dias"), count votes and replies ("Rating: 36 Votes", "12 likes", "Reply", "Responder"),
give a comment's date and time ("November 19, 2019 at 6:34 am") or its author ("joe says:").
MIN_MARKERS such lines, each within MAX_GAP lines of the one before, make a run. A run with
little kept text inside is a feed of dated teasers and goes; one with kept prose inside, after
the article has begun (ARTICLE_WORDS kept words), is a comment thread and ends the article:
nothing from its first marker on is article. A run with prose inside before the article has
begun holds the article itself (a dateline, a short story, then a feed) and stays. A stamp
under the headline or a few scattered through an article make no run.
"""
from __future__ import annotations

import re
from typing import Sequence

from bot.extract.line_features import PageLine, word_count

__all__ = ["cut_threads", "is_thread_marker", "thread_spans"]

MIN_MARKERS = 3          # a thread shows at least this many markers ...
MAX_GAP = 5              # ... each within this many lines of the one before
ARTICLE_WORDS = 40       # kept words before a thread that make it the article's end ...
THREAD_WORDS = 12        # ... when it holds this many kept words (comments, not a feed of stamps)
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


_STAMP = re.compile(r"\b\d{1,2}:\d{2}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_SAYS = re.compile(r"\s(?:says|said|wrote|dice|dijo|escribió|diz|disse|escreveu)\s*:$", re.IGNORECASE)
STAMP_WORDS = 8          # a comment's date line: a date and a clock time, little else


def is_thread_marker(text: str) -> bool:
    """A short line that ends on a relative time, is a comment counter, a comment's date and time
    ("November 19, 2019 at 6:34 am") or its author's "… says:" (see the module doc)."""
    n = word_count(text)
    if n > MARKER_WORDS:
        return False
    if _AGO.search(text) or _COUNTER.search(text) or (n <= 6 and _SAYS.search(text)):
        return True
    return n <= STAMP_WORDS and bool(_STAMP.search(text) and _YEAR.search(text)) and not text.endswith(".")


def thread_spans(lines: Sequence[PageLine]) -> list[tuple[int, int]]:
    """(first, last) line indexes of the first and last marker of each run of MIN_MARKERS or more
    markers, each within MAX_GAP lines of the one before."""
    markers = [index for index, line in enumerate(lines) if is_thread_marker(line.text)]
    spans: list[tuple[int, int]] = []
    group: list[int] = []
    for index in markers + [len(lines) + MAX_GAP + 1]:
        if group and index - group[-1] > MAX_GAP:
            if len(group) >= MIN_MARKERS:
                spans.append((group[0], group[-1]))
            group = []
        group.append(index)
    return spans


def cut_threads(lines: Sequence[PageLine], keep: Sequence[bool]) -> list[bool]:
    """`keep` with every thread dropped. A run of markers with little kept text between them (under
    THREAD_WORDS: a feed of dated teasers) goes from its first marker to its last. One with more (reader
    comments) after the article has begun (ARTICLE_WORDS kept words) ends the article: the later
    comments, long ones included, and whatever follows them go too. One with more text before the
    article has begun holds the article (a dateline, then a short story, then a feed) and stays."""
    kept = list(keep)
    words = [word_count(line.text) for line in lines]
    for first, last in thread_spans(lines):
        before = sum(n for n, on in zip(words[:first], kept) if on)
        inside = sum(n for n, on in zip(words[first:last + 1], kept[first:last + 1]) if on)
        if inside < THREAD_WORDS:
            kept[first:last + 1] = [False] * (last + 1 - first)
        elif before >= ARTICLE_WORDS:
            kept[first:] = [False] * (len(kept) - first)
    return kept
