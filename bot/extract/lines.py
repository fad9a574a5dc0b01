"""A page's text as paragraphs ("lines"): markdown stripped, hard wraps rejoined. Pure.

`read_lines(raw_lines)` is the first step of bot.extract.clean and what the paragraph
classifier (bot.extract.paragraphs) and its fitting script (benchmarks/fit_paragraphs.py) read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extract import patterns as pat
from bot.extract.bounds import MAX_LINE_CHARS

TERMINAL_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$")
TRUNCATED_END = re.compile(r"\w(?:\.{3}|…)[\"'”’»)\]]*$")   # "… announced only in Ma...": a teaser cut mid-text
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass
class Line:
    """One paragraph of the page: as written (for link density) and as plain text."""

    original: str
    text: str
    is_heading: bool = False


def normalize_line(line: str) -> str:
    """A line as compared across articles: stripped, whitespace collapsed."""
    return " ".join(line.translate(INVISIBLE).split())


def strip_markdown(line: str) -> str:
    """Markdown link, emphasis, escape and heading syntax removed; link text kept."""
    text = pat.MD_HEADING.sub("", pat.MD_TABLE.sub("", line))
    text = pat.MD_ESCAPE.sub(r"\1", pat.MD_ESCAPE.sub(r"\1", text))
    for _ in range(3):
        text = pat.MD_LINK.sub(r"\1", text)
    text = pat.MD_BOLD.sub(r"\2", text)
    text = pat.MD_EMPH.sub(r"\1", text)
    text = pat.MD_EMPH_UNDERSCORE.sub(r"\1", text)
    return normalize_line(EMOJI.sub("", text))


def ends_sentence(text: str) -> bool:
    """The text ends on sentence punctuation (a closing quote or bracket may follow)."""
    return bool(TERMINAL_END.search(text))


def is_truncated(text: str) -> bool:
    """The text stops on an ellipsis glued to a word ("… the Surface Go Kids Bundle plus JBL he..."):
    a teaser or excerpt cut off by the page, not a finished sentence ("what a time to be alive ..." is one)."""
    return bool(TRUNCATED_END.search(text))


def link_density(line: Line) -> float:
    """The share of the line's characters that are markdown link text."""
    linked = sum(len(m.group(1)) for m in pat.MD_LINK.finditer(line.original))
    return linked / max(len(line.text), 1)


def _continues(previous: str, following: str) -> bool:
    """True when `following` is the rest of a paragraph that a hard wrap broke after `previous`."""
    if not previous or not following or ends_sentence(previous) or pat.BULLET.match(following):
        return False
    if len(previous) + len(following) > MAX_LINE_CHARS:   # joined lines stay bounded (linear, not quadratic)
        return False
    if any(p.search(following) for p in pat.LINE_PATTERNS + pat.SHORT_LINE_PATTERNS):
        return False
    last_word = previous.split()[-1].lower()
    if last_word in pat.CONTINUATION_WORDS:
        return True
    is_label = following == following.lower() and len(following.split()) <= 6 and not re.search(r"[.,;:!?]", following)
    return following[0].islower() and not is_label     # "gustavo petro banned peru": an alt text or tag line


def read_lines(raw_lines: list[str]) -> list[Line]:
    """Non-empty lines as paragraphs, with hard-wrapped paragraphs rejoined."""
    lines: list[Line] = []
    for raw_line in raw_lines:
        original = normalize_line(raw_line)
        text = strip_markdown(original)
        if not text:
            continue
        if lines and not lines[-1].is_heading and _continues(lines[-1].text, text):
            lines[-1] = Line(f"{lines[-1].original} {original}", f"{lines[-1].text} {text}")
        else:
            lines.append(Line(original, text, bool(pat.MD_HEADING.match(original))))
    return lines
