"""Which lines of a page without a DOM are the article: a paragraph classifier in the manner of jusText
and trafilatura, for plain text and markdown. Pure.

A logistic model reads each line's own features, its neighbours' and where it sits in the
page (bot.extract.line_features.page_features). The weights (below) were fitted with benchmarks/fit_paragraphs.py on
the odd-numbered pages of shared/eval/extraction (text and markdown renderings, labels from the
hand-marked bodies; `--l2 0.1 --write`: the penalty that scored best end to end on the odd pages)
and are reported on the even ones (docs/quality.md). The kept lines are
those of the best contiguous run (the segment that maximises the sum of (p - RUN_THRESHOLD)
weighted by length) with p >= INSIDE_THRESHOLD, and any line elsewhere with p >= OUTSIDE_THRESHOLD:
the article is one block, a strong paragraph outside it is still kept. A long page where no run
scores keeps its likeliest line; reader-comment threads and dated feeds are cut (bot.extract.threads).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from bot.extract.line_features import PageLine, page_features, word_count
from bot.extract.line_features import stop_words as stop_words
from bot.extract.lines import ends_sentence, is_truncated
from bot.extract.patterns import is_furniture_line
from bot.extract.threads import cut_threads

__all__ = ["article_lines", "best_run", "body_probabilities", "stop_words"]

# --- fitted by benchmarks/fit_paragraphs.py (odd pages); do not edit by hand ---
RUN_THRESHOLD = 0.4
INSIDE_THRESHOLD = 0.3
OUTSIDE_THRESHOLD = 0.9
WEIGHTS = np.array((
    0.1242, 0.6252, 0.0276, -0.2063, 0.4562, -0.4339, 0.9093, -0.1290, -0.8309, 0.2993, -0.2449, 0.5185,
    -0.1462, 0.5913, 0.4994, -0.0127, 0.2216, 0.6109, -0.1084, -0.1972, 0.2368, -0.0842, 0.8350, -0.3745,
    -0.6504, 0.9470, -0.1268, 0.5032, -0.1899, 0.5296, 0.6321, -1.4818, 0.1918, 0.6080, 0.0725, -0.1143,
    0.2377, -0.2515, 0.7431, -0.1756, -0.0652, -0.4180, 0.0043, -0.1706, -0.0918, 0.3729, 0.7204, 0.3486,
    1.2066, -0.2026, -0.4751, 0.6590, -0.0347))
BIAS = -3.3433
# --- end of fitted values ---

FALLBACK_LINES = 20          # a page this long with no likely run keeps its likeliest line (a shorter one: all of it)
CLEAN_PAGE_SHARE = 0.9       # a page whose words are this much in prose lines has no furniture to find


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(values, -30, 30)))


def body_probabilities(lines: Sequence[PageLine]) -> np.ndarray:
    """The probability that each line belongs to the article body."""
    if not lines:
        return np.zeros(0)
    return _sigmoid(page_features(lines) @ WEIGHTS + BIAS)


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


def _is_prose(line: PageLine) -> bool:
    return word_count(line.text) >= 12 and ends_sentence(line.text) and not is_truncated(line.text)


def select_lines(probabilities: Sequence[float], lines: Sequence[PageLine]) -> list[bool]:
    """The kept lines given each line's probability: the best run, and strong lines outside it.
    A page of FALLBACK_LINES or more where no run scores keeps its likeliest line, if it reaches INSIDE_THRESHOLD.
    A line in the curated furniture vocabulary (a cookie notice, "Read more: …") is never article."""
    weights = [math.sqrt(word_count(line.text) + 1) for line in lines]
    probabilities = [0.0 if is_furniture_line(line.text) else p for p, line in zip(probabilities, lines)]
    first, last = best_run([p - RUN_THRESHOLD for p in probabilities], weights)
    if first > last and len(lines) >= FALLBACK_LINES and max(probabilities) >= INSIDE_THRESHOLD:
        first = last = max(range(len(probabilities)), key=probabilities.__getitem__)   # no run: the likeliest line
    return [bool((first <= index <= last and p >= INSIDE_THRESHOLD) or p >= OUTSIDE_THRESHOLD)
            for index, p in enumerate(probabilities)]


def article_lines(lines: Sequence[PageLine]) -> list[bool]:
    """For each line, whether it is kept as article text (see the module doc).

    A page that is already clean text (CLEAN_PAGE_SHARE of its words in prose lines: an
    article file, a news story without its page) is kept whole: the classifier is for pages.
    Either way a trailing thread of comments or dated teasers (bot.extract.threads) is cut.
    """
    words = [word_count(line.text) for line in lines]
    prose = sum(n for line, n in zip(lines, words) if _is_prose(line))
    if prose >= CLEAN_PAGE_SHARE * max(sum(words), 1):
        keep = [True] * len(lines)
    else:
        keep = select_lines(body_probabilities(lines).tolist(), lines)
    return cut_threads(lines, keep)
