"""Which lines of a page without a DOM are the article: a paragraph classifier in the manner of jusText
and trafilatura, for plain text and markdown. Pure.

A logistic model reads each line's own features, its neighbours' and where it sits in the
page (bot.extract.line_features.page_features). The weights (below) were fitted with benchmarks/fit_paragraphs.py on
the odd-numbered pages of shared/eval/extraction (text and markdown renderings, labels from the
hand-marked bodies) and are reported on the even ones (docs/quality.md). The kept lines are
those of the best contiguous run (the segment that maximises the sum of (p - RUN_THRESHOLD)
weighted by length) with p >= INSIDE_THRESHOLD, and any line elsewhere with p >= OUTSIDE_THRESHOLD:
the article is one block, a strong paragraph outside it is still kept.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from bot.extract.line_features import PageLine, page_features, word_count
from bot.extract.line_features import stop_words as stop_words
from bot.extract.lines import ends_sentence
from bot.extract.patterns import is_furniture_line

__all__ = ["article_lines", "best_run", "body_probabilities", "stop_words"]

# --- fitted by benchmarks/fit_paragraphs.py (odd pages); do not edit by hand ---
RUN_THRESHOLD = 0.4
INSIDE_THRESHOLD = 0.3
OUTSIDE_THRESHOLD = 0.9
WEIGHTS = np.array((
    0.1248, 0.6379, 0.0273, -0.2086, 0.4432, -0.4425, 0.9067, -0.1404, -0.8295, 0.3216, -0.2460, 0.5019,
    -0.1453, 0.5933, 0.5006, 0.2226, 0.6250, -0.1069, -0.1959, 0.2064, -0.0899, 0.8115, -0.3856, -0.6633,
    0.9664, -0.1254, 0.5104, -0.1910, 0.5206, 0.6446, 0.1896, 0.6132, 0.0685, -0.1135, 0.2306, -0.2564,
    0.7489, -0.1845, -0.0519, -0.3926, -0.0006, -0.1858, -0.0930, 0.3703, 0.7080, 1.2001, -0.1995, -0.4734,
    0.7323, -0.0515))
BIAS = -3.3388
# --- end of fitted values ---

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
    return word_count(line.text) >= 12 and ends_sentence(line.text)


def select_lines(probabilities: Sequence[float], lines: Sequence[PageLine]) -> list[bool]:
    """The kept lines given each line's probability: the best run, and strong lines outside it.
    A line in the curated furniture vocabulary (a cookie notice, "Read more: …") is never article."""
    weights = [math.sqrt(word_count(line.text) + 1) for line in lines]
    probabilities = [0.0 if is_furniture_line(line.text) else p for p, line in zip(probabilities, lines)]
    first, last = best_run([p - RUN_THRESHOLD for p in probabilities], weights)
    return [bool((first <= index <= last and p >= INSIDE_THRESHOLD) or p >= OUTSIDE_THRESHOLD)
            for index, p in enumerate(probabilities)]


def article_lines(lines: Sequence[PageLine]) -> list[bool]:
    """For each line, whether it is kept as article text (see the module doc).

    A page that is already clean text (CLEAN_PAGE_SHARE of its words in prose lines: an
    article file, a news story without its page) is kept whole: the classifier is for pages.
    """
    words = [word_count(line.text) for line in lines]
    prose = sum(n for line, n in zip(lines, words) if _is_prose(line))
    if prose >= CLEAN_PAGE_SHARE * max(sum(words), 1):
        return [True] * len(lines)
    return select_lines(body_probabilities(lines).tolist(), lines)
