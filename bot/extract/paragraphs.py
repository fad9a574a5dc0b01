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
    0.1180, 0.5945, 0.0255, -0.2519, 0.4598, -0.4392, 0.9075, -0.1227, -0.8219, 0.2396, -0.2213, 0.5198,
    -0.1453, 0.5884, 0.4935, -0.0014, 0.2188, 0.6008, -0.0902, -0.2333, 0.2417, -0.1076, 0.8674, -0.3718,
    -0.6527, 1.0123, -0.1500, 0.5067, -0.1834, 0.5142, 0.6117, -1.4704, 0.1960, 0.6024, 0.0887, -0.1410,
    0.2539, -0.2949, 0.7864, -0.1803, -0.0436, -0.3608, -0.0594, -0.1647, -0.0819, 0.3746, 0.7316, 0.3643,
    1.2361, -0.1841, -0.4583, 0.6029, -0.0599))
BIAS = -3.3114
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
