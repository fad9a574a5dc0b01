"""Which lines of a page without a DOM are the article: a paragraph classifier in the manner of jusText
and trafilatura, for plain text and markdown. Pure.

Each line (a paragraph once hard wraps are rejoined) gets twelve features of its own, as jusText
looks at a paragraph: length, stop-word density (the en/es/pt jusText lists), link density
(markdown links), final punctuation, share of capitalised words, digits, bullet, a curated
furniture pattern, commas, markdown heading, separators ("|", "»"); the same twelve averaged
over the two lines before and the two after (neighbours, as jusText's context step); the share
of prose lines in a window of eleven; its position in the page; and how deep inside the
page's prose it sits (prose words before and after it), as trafilatura prefers the main block.

A logistic model turns them into the probability that the line belongs to the article body.
Its weights (below) were fitted on the odd-numbered pages of shared/eval/extraction (text and
markdown renderings, labels from the hand-marked bodies) and are reported on the even ones
(docs/quality.md). The kept lines are those of the best contiguous run (the segment that
maximises the sum of (p - RUN_THRESHOLD) weighted by length) with p >= INSIDE_THRESHOLD, and
any line elsewhere with p >= OUTSIDE_THRESHOLD: the article is one block, a strong paragraph
outside it is still kept.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Protocol, Sequence

import justext
import numpy as np

from bot.extract import patterns as pat

RUN_THRESHOLD = 0.4
INSIDE_THRESHOLD = 0.3
OUTSIDE_THRESHOLD = 0.8
STOPLISTS = ("English", "Spanish", "Portuguese")
_WORD = re.compile(r"[^\W\d_]+")
_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_BASE = 12                                  # features of a line alone
LONG_LINE_WORDS = 60                        # longer lines count as this long (a one-line article is prose)

# Fitted on the odd pages of shared/eval/extraction (see the module doc); 41 features, then the bias.
WEIGHTS = np.array((
    -1.0817, 4.1928, 0.3201, -0.6139, 1.1606, -0.3503, 2.4664, 0.2193, -1.7640, -0.3360, 0.0419, 0.8197,
    0.6826, 0.8362, -1.2519, -0.1445, -0.4128, 0.0938, -0.0293, -0.6121, -0.6002, -0.4663, -0.4531, 0.3693,
    0.1669, 1.8603, -1.1854, 0.1431, 0.0767, 0.2229, 1.5119, 0.2412, 0.2022, -0.4651, 0.3223, -0.1349,
    2.6567, 2.3168, -3.7454, -0.0178, 0.3695))
BIAS = -3.0206


class PageLine(Protocol):
    original: str        # as written (markdown links kept)
    text: str            # plain text
    is_heading: bool


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The English, Spanish and Portuguese stop words of jusText, together."""
    return frozenset().union(*(justext.get_stoplist(name) for name in STOPLISTS))


def _link_density(line: PageLine) -> float:
    linked = sum(len(m.group(1)) for m in pat.MD_LINK.finditer(line.original))
    return linked / max(len(line.text), 1)


def _is_pattern_furniture(text: str, words: int) -> bool:
    return (any(p.search(text) for p in pat.LINE_PATTERNS)
            or (words <= pat.SHORT_LINE_WORDS and any(p.search(text) for p in pat.SHORT_LINE_PATTERNS)))


def line_features(line: PageLine) -> list[float]:
    """The twelve features of one line alone (see the module doc)."""
    text = line.text
    words = text.split()
    n = len(words)
    lowered = _WORD.findall(text.lower())
    stops = stop_words()
    bullet = bool(pat.BULLET.match(line.original) or line.original.lstrip().startswith("* "))
    return [
        math.log1p(min(n, LONG_LINE_WORDS)), min(n, 40) / 40,
        sum(word in stops for word in lowered) / max(len(lowered), 1),
        _link_density(line),
        1.0 if _END.search(text) else 0.0,
        sum(word[:1].isupper() for word in words) / max(n, 1),
        sum(ch.isdigit() for ch in text) / max(len(text), 1),
        1.0 if bullet else 0.0,
        1.0 if _is_pattern_furniture(text, n) else 0.0,
        text.count(",") / max(n, 1),
        1.0 if line.is_heading else 0.0,
        1.0 if "|" in text or "»" in text else 0.0,
    ]


def page_features(lines: Sequence[PageLine]) -> np.ndarray:
    """One row of 41 features per line: its own, its neighbours', and where it sits in the page's prose."""
    n = len(lines)
    if not n:
        return np.zeros((0, WEIGHTS.size))
    base = np.array([line_features(line) for line in lines], dtype=float)
    prose = (base[:, 0] > math.log1p(10)) * base[:, 4] * (base[:, 2] > 0.2)
    padded = np.vstack([np.zeros((2, _BASE)), base, np.zeros((2, _BASE))])
    before_lines = (padded[0:n] + padded[1:n + 1]) / 2
    after_lines = (padded[3:n + 3] + padded[4:n + 4]) / 2
    window = np.convolve(np.concatenate([np.zeros(5), prose, np.zeros(5)]), np.ones(11) / 11, mode="valid")
    position = np.arange(n) / max(n - 1, 1)
    prose_words = prose * np.expm1(base[:, 0])
    before = np.cumsum(prose_words) - prose_words
    after = prose_words.sum() - np.cumsum(prose_words)
    total = max(prose_words.sum(), 1.0)
    return np.hstack([base, before_lines, after_lines, window[:, None], position[:, None], (position ** 2)[:, None],
                      (np.minimum(before, after) / total)[:, None], (before / total)[:, None]])


def body_probabilities(lines: Sequence[PageLine]) -> np.ndarray:
    """The probability that each line belongs to the article body."""
    if not lines:
        return np.zeros(0)
    return 1 / (1 + np.exp(-(page_features(lines) @ WEIGHTS + BIAS)))


def best_run(scores: Sequence[float], weights: Sequence[float]) -> tuple[int, int]:
    """(first, last) index of the contiguous run with the highest sum of score x weight; (0, -1) when none is positive."""
    best, current, start, span = 0.0, 0.0, 0, (0, -1)
    for index, (score, weight) in enumerate(zip(scores, weights)):
        if current <= 0:
            current, start = 0.0, index
        current += score * weight
        if current > best:
            best, span = current, (start, index)
    return span


CLEAN_PAGE_SHARE = 0.9       # a page whose words are this much in prose lines has no furniture to find


def _is_prose(line: PageLine) -> bool:
    words = line.text.split()
    return len(words) >= 12 and bool(_END.search(line.text))


def article_lines(lines: Sequence[PageLine]) -> list[bool]:
    """For each line, whether it is kept as article text (see the module doc).

    A page that is already clean text (CLEAN_PAGE_SHARE of its words in prose lines: an
    article file, a news story without its page) is kept whole: the classifier is for pages.
    """
    words = [len(line.text.split()) for line in lines]
    prose = sum(n for line, n in zip(lines, words) if _is_prose(line))
    if prose >= CLEAN_PAGE_SHARE * max(sum(words), 1):
        return [True] * len(lines)
    probabilities = body_probabilities(lines)
    weights = [math.sqrt(len(line.text.split()) + 1) for line in lines]
    first, last = best_run([p - RUN_THRESHOLD for p in probabilities], weights)
    return [bool((first <= index <= last and p >= INSIDE_THRESHOLD) or p >= OUTSIDE_THRESHOLD)
            for index, p in enumerate(probabilities)]
