"""Features of a page's lines for the paragraph classifier (bot.extract.paragraphs). Pure.

Per line, what jusText and trafilatura look at in a paragraph that survives without a DOM:
length, stop-word density (in the page's own language: the en/es/pt lists, else the jusText
list that covers the page best), link density (markdown links), final punctuation, share of
capitalised words, digits, bullet, a curated furniture pattern, commas, markdown heading,
separators ("|", "»"), how often the same line repeats on the page, whether it is prose, and
how many sentences end inside it.
`page_features` adds the same averaged over the two lines before and the two after (jusText's
context step), the share of prose lines in a window of eleven, the position in the page, and
how deep inside the page's prose the line sits (trafilatura's main block).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Protocol, Sequence

import justext
import numpy as np

from bot.extract import patterns as pat
from bot.extract.lines import ends_sentence, is_truncated

OWN_STOPLISTS = ("English", "Spanish", "Portuguese")
OWN_COVERAGE = 0.2             # a page with fewer en/es/pt stop words than this is in another language
NO_STOPLIST_DENSITY = 0.35     # the stop-word density given to every line of a page no stoplist covers
LONG_LINE_WORDS = 60           # longer lines count as this long (a one-line article is prose)
BASE = 16                      # features of a line alone
_WORD = re.compile(r"[^\W\d_]+")
_INNER_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s+[\"“«¿¡(]?[A-ZÁÉÍÓÚÑ0-9]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class PageLine(Protocol):
    original: str        # as written (markdown links kept)
    text: str            # plain text
    is_heading: bool


def word_count(text: str) -> int:
    """Words of a line; in scripts written without spaces (Chinese, Japanese) two characters count as a word."""
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2 if cjk else len(text.split())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The English, Spanish and Portuguese stop words of jusText, together."""
    return frozenset().union(*(justext.get_stoplist(name) for name in OWN_STOPLISTS))


@lru_cache(maxsize=1)
def _all_stoplists() -> dict[str, frozenset[str]]:
    return {name: frozenset(justext.get_stoplist(name)) for name in justext.get_stoplists()}


def page_stop_words(words: Sequence[str]) -> frozenset[str]:
    """The stop words of the page's language: en/es/pt together when they cover the page,
    else the jusText list (of 100 languages) that covers most of its words; empty when none does."""
    own = stop_words()
    if not words or sum(word in own for word in words) >= OWN_COVERAGE * len(words):
        return own
    counts = {name: sum(word in stops for word in words) for name, stops in _all_stoplists().items()}
    best = max(counts, key=counts.__getitem__)
    return _all_stoplists()[best] if counts[best] >= OWN_COVERAGE * len(words) else frozenset()


def _link_density(line: PageLine) -> float:
    linked = sum(len(m.group(1)) for m in pat.MD_LINK.finditer(line.original))
    return linked / max(len(line.text), 1)


def line_features(line: PageLine, stops: frozenset[str], repeats: int) -> list[float]:
    """The features of one line alone (see the module doc)."""
    text = line.text
    words = text.split()
    n = word_count(text)
    lowered = _WORD.findall(text.lower())
    density = sum(word in stops for word in lowered) / max(len(lowered), 1) if stops else NO_STOPLIST_DENSITY
    bullet = bool(pat.BULLET.match(line.original) or line.original.lstrip().startswith("* "))
    truncated = is_truncated(text)
    ends = ends_sentence(text) and not truncated
    return [
        math.log1p(min(n, LONG_LINE_WORDS)), min(n, 40) / 40,
        density,
        _link_density(line),
        1.0 if ends else 0.0,
        sum(word[:1].isupper() for word in words) / max(len(words), 1),
        sum(ch.isdigit() for ch in text) / max(len(text), 1),
        1.0 if bullet else 0.0,
        1.0 if pat.is_furniture_line(text) else 0.0,
        text.count(",") / max(n, 1),
        1.0 if line.is_heading else 0.0,
        1.0 if "|" in text or "»" in text else 0.0,
        math.log(repeats),
        1.0 if n >= 12 and ends and density > 0.2 else 0.0,
        min(len(_INNER_END.findall(text)), 3) / 3,
        1.0 if truncated else 0.0,
    ]


def page_features(lines: Sequence[PageLine]) -> np.ndarray:
    """One row per line: its own features, its neighbours', and where it sits in the page's prose."""
    n = len(lines)
    stops = page_stop_words(_WORD.findall(" ".join(line.text for line in lines).lower()))
    repeats = Counter(line.text for line in lines)
    base = np.array([line_features(line, stops, repeats[line.text]) for line in lines], dtype=float).reshape(n, BASE)
    prose = base[:, 13]
    padded = np.vstack([np.zeros((2, BASE)), base, np.zeros((2, BASE))])
    before_lines = (padded[0:n] + padded[1:n + 1]) / 2
    after_lines = (padded[3:n + 3] + padded[4:n + 4]) / 2
    window = np.convolve(np.concatenate([np.zeros(5), prose, np.zeros(5)]), np.ones(11) / 11, mode="valid")
    position = np.arange(n) / max(n - 1, 1)
    prose_words = prose * np.expm1(base[:, 0])
    before = np.cumsum(prose_words) - prose_words
    after = prose_words.sum() - np.cumsum(prose_words)
    total = max(prose_words.sum(), 1.0)
    return np.hstack([base, before_lines, after_lines, window[:n, None], position[:, None], (position ** 2)[:, None],
                      (np.minimum(before, after) / total)[:, None], (before / total)[:, None]])
