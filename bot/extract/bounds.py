"""The bounded-input step at the start of cleaning: whatever the shape of a file, what the
later stages see is bounded, so each of them runs in time linear in a bounded input.

- runs of spaces and tabs become one space (a header line of 100,000 spaces is one line of a few words),
  runs of empty lines one empty line;
- a line longer than MAX_LINE_CHARS is split, after a sentence end when there is one, else at a space;
- a header line (`title: ...`, `date: ...`) keeps at most MAX_HEADER_CHARS characters;
- at most MAX_LINES non-empty lines and MAX_TEXT_CHARS characters are kept (the rest of the
  page is dropped: no article needs more, and the key points read far less);
- an HTML page with more than MAX_HTML_TAGS tags is read by the linear visible-text reader.
Pure: text in, text out.
"""
from __future__ import annotations

import re

MAX_LINE_CHARS = 3_000
MAX_HEADER_CHARS = 300
MAX_LINES = 4_000
MAX_TEXT_CHARS = 400_000

_SPACES = re.compile(r"[^\S\n]+")
_HEADER = re.compile(r"[ ]?(?:title|date|url|source|language|author)[ ]?:", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]* ")


def bound_text(raw: str) -> str:
    """`raw` with newlines normalised and every dimension capped (see the module doc)."""
    text = _SPACES.sub(" ", raw.replace("\r\n", "\n").replace("\r", "\n"))[:MAX_TEXT_CHARS]
    out: list[str] = []
    lines = 0
    for line in text.split("\n"):
        if lines >= MAX_LINES:
            break
        if not line or line == " ":
            if out and not out[-1]:
                continue   # one empty line is a paragraph break; a million are still one
            line = ""
        else:
            lines += 1
            if lines <= 12 and _HEADER.match(line):   # headers are read from the top of the page
                line = line[:MAX_HEADER_CHARS]
        out.extend(split_long_line(line))
    return "\n".join(out)


def split_long_line(line: str) -> list[str]:
    """`line` in pieces of at most MAX_LINE_CHARS, cut after the last sentence end (else space) that fits."""
    pieces: list[str] = []
    while len(line) > MAX_LINE_CHARS:
        window = line[:MAX_LINE_CHARS]
        cut = _last_sentence_end(window) or window.rfind(" ") + 1 or MAX_LINE_CHARS
        if cut < MAX_LINE_CHARS // 2:   # no good place in the second half: cut at a space, else hard
            cut = window.rfind(" ") + 1 or MAX_LINE_CHARS
        pieces.append(line[:cut].rstrip())
        line = line[cut:]
    pieces.append(line)
    return pieces


def _last_sentence_end(window: str) -> int:
    """Index just after the last sentence end in the second half of `window`, 0 if none."""
    last = 0
    for match in _SENTENCE_END.finditer(window, MAX_LINE_CHARS // 2):
        last = match.end()
    return last



MAX_HTML_TAGS = 5_000   # 3x the most of 121 real article pages (1,637); trafilatura is super-linear past it
_TAG = re.compile(r"<[A-Za-z!/]")


def has_too_many_tags(html: str) -> bool:
    """True when a page has more than MAX_HTML_TAGS tags: read it with a linear reader, not trafilatura.

    trafilatura's pruning is super-linear in the number of elements: 200 KB of
    `<div><p>x</p></div>` took 51 s, unclosed `<p>` tags 25 s at 400 KB.
    """
    count = 0
    for _ in _TAG.finditer(html):
        count += 1
        if count > MAX_HTML_TAGS:
            return True
    return False
