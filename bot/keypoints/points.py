"""Clean article -> 3-5 key points: whole sentences, verbatim, in article order.

How a point is chosen (weights in `keypoints_rank.RankOptions`):

1. candidates: whole sentences of the body, minus page furniture (bylines,
   captions, "Watch … »", "READ:", social and advert lines), fragments and
   subheadings; a leading dateline ("Lima, Peru (CNN) -- ") is dropped, which
   leaves an exact substring of the body; Punkt splits after a title or an
   initial ("the Rev. | Federico Lombardi") are joined again;
2. score = centrality (PacSum directed tf-idf centrality) + lead prior
   - length penalty (long sentences cost reading time and ROUGE precision);
3. greedy MMR: the best remaining sentence, minus its similarity to the points
   already chosen (tf-idf cosine, and the share of its content bigrams they
   already hold), that still fits the word budget (n x point_words words, never
   fewer than three points when the article has them); near-duplicates are
   never taken; a 4th or 5th point must score at least `extra_min`;
4. the chosen points are returned in article order.

Pure: no I/O; caches (stemmers, stop words, Punkt models) are built lazily per
process, so the functions can run in a ProcessPoolExecutor.
"""
from __future__ import annotations

import logging

import numpy as np

from bot.extract.clean import clean_text
from bot.keypoints.rank import (
    DEFAULT_OPTIONS, RankOptions, content_bigrams, directed_centrality, lead_prior, length_penalty,
    length_ramp, similarity_matrix,
)
from bot.keypoints.lead import find_lead
from bot.keypoints.sentences import Sentence, opens_with_quote, split_candidates
from bot.models import MAX_POINTS, MIN_POINTS, KeyPoint
from bot.nlp import language_code

logger = logging.getLogger(__name__)

NEAR_DUPLICATE = 0.6      # cosine at which two sentences say the same thing


def extract_key_points(body: str, language: str, n: int = 4,
                       options: RankOptions = DEFAULT_OPTIONS) -> tuple[KeyPoint, ...]:
    """3-5 key points of a clean body (paragraphs separated by blank lines)."""
    code = language_code(language)
    n = max(MIN_POINTS, min(MAX_POINTS, n))
    split = split_candidates(body, code)
    sentences = split.candidates
    if not sentences:
        return ()
    texts = [s.text for s in sentences]
    sim = similarity_matrix(texts, code)
    centrality = directed_centrality(sim, options, length_ramp(split.total, options, options.direct_mid))
    base = [options.centrality * centrality[k] + options.position * lead_prior(s.index, split.total, options)
            - length_penalty(s.words, options) - style_penalty(s, options)
            for k, s in enumerate(sentences)]
    lead = find_lead(sentences, sim)
    redundancy = _Redundancy(sim, content_bigrams(texts, code), options)
    chosen = _select(sentences, redundancy, base, n, lead, options)
    return tuple(_key_point(sentences[k], centrality[k], penalty, split.total, options, k == lead)
                 for k, penalty in sorted(chosen, key=lambda item: sentences[item[0]].index))


def key_points(text: str, language: str, n: int) -> list[str]:
    """The eval callable: raw article text in, at most 5 verbatim sentences out."""
    body = clean_text(text).body
    return [point.text for point in extract_key_points(body, language, n)][:MAX_POINTS]




def style_penalty(sentence: Sentence, options: RankOptions) -> float:
    """Cost of a point that needs its context: 'But he …', or a bare quotation."""
    return (options.dangling * sentence.leans) + (options.quote * opens_with_quote(sentence.text))


class _Redundancy:
    """MMR redundancy of a sentence against the chosen points: cosine and bigram overlap."""

    def __init__(self, sim: np.ndarray, bigrams: list[frozenset], options: RankOptions):
        self.sim, self.bigrams, self.options = sim, bigrams, options
        self.covered: set = set()

    def overlap(self, k: int, chosen: list[tuple[int, float]]) -> float:
        return max((self.sim[k, j] for j, _ in chosen), default=0.0)

    def penalty(self, k: int, overlap: float) -> float:
        pairs = self.bigrams[k]
        share = len(pairs & self.covered) / len(pairs) if pairs else 0.0
        return self.options.redundancy * overlap + self.options.bigram_redundancy * share

    def take(self, k: int) -> None:
        self.covered |= self.bigrams[k]


def _select(sentences: list[Sentence], redundancy: _Redundancy, base: list[float], n: int, lead: int,
            options: RankOptions) -> list[tuple[int, float]]:
    """The news lead, then greedy MMR under a word budget; (candidate, redundancy penalty) pairs.

    Sentences before the lead (kickers, teasing deks) are never points, so the lead
    is the first point a reader sees. A sentence that leans on the one before it
    ("He said …", "The move …") is a point only next to that sentence, unless
    three points cannot be had otherwise. The budget (n x point_words words) may
    stop the list after the third point, never before: while fewer than three are
    chosen, a sentence fits if the shortest sentences left could still complete
    three points within max(budget, the lead and the two shortest sentences after it). Sentences at
    `options.duplicate` similarity to a chosen point are skipped; only to reach
    three points is that relaxed, up to NEAR_DUPLICATE. Past three points, the
    list ends when the best value left is below `options.extra_min`.
    """
    budget = options.point_words * n
    chosen: list[tuple[int, float]] = [(lead, 0.0)]
    redundancy.take(lead)
    used = sentences[lead].words
    remaining = set(range(lead + 1, len(sentences)))
    others = sorted(sentences[k].words for k in remaining)[:MIN_POINTS - 1]
    floor = max(budget, used + sum(others))
    while len(chosen) < n and remaining:
        missing = max(0, MIN_POINTS - len(chosen) - 1)
        reserve = sum(sorted(sentences[k].words for k in remaining)[:missing])
        limit = (floor if len(chosen) < MIN_POINTS else budget) - used - reserve
        fits = [k for k in remaining if sentences[k].words <= limit]
        alone = [k for k in fits if _stands_alone(sentences, k, chosen)]
        pick = _best(alone, chosen, redundancy, base, options.duplicate)
        if pick is None and len(chosen) < MIN_POINTS:
            pick = (_best(alone, chosen, redundancy, base, NEAR_DUPLICATE)
                    or _best(fits, chosen, redundancy, base, NEAR_DUPLICATE))
        if pick is None or (len(chosen) >= MIN_POINTS and base[pick[0]] - pick[1] < options.extra_min):
            break
        chosen.append(pick)
        used += sentences[pick[0]].words
        remaining.discard(pick[0])
        redundancy.take(pick[0])
    return chosen


def _stands_alone(sentences: list[Sentence], k: int, chosen: list[tuple[int, float]]) -> bool:
    """A sentence stands alone unless it leans on context its predecessor is not there to give."""
    if not sentences[k].leans:
        return True
    return any(sentences[j].index == sentences[k].index - 1 for j, _ in chosen)


def _best(fits: list[int], chosen: list[tuple[int, float]], redundancy: _Redundancy, base: list[float],
          duplicate: float) -> tuple[int, float] | None:
    """The fitting sentence with the best score minus redundancy, or None."""
    best: tuple[int, float] | None = None
    best_value = -np.inf
    for k in sorted(fits):
        overlap = redundancy.overlap(k, chosen)
        if overlap >= duplicate:
            continue
        penalty = redundancy.penalty(k, overlap)
        if base[k] - penalty > best_value:
            best, best_value = (k, penalty), base[k] - penalty
    return best


def _key_point(sentence: Sentence, centrality: float, penalty: float, total: int,
               options: RankOptions, is_lead: bool = False) -> KeyPoint:
    central = options.centrality * float(centrality)
    position = options.position * lead_prior(sentence.index, total, options)
    length = length_penalty(sentence.words, options) + style_penalty(sentence, options)
    score = central + position - length - penalty
    why = ("news lead (first point); " if is_lead else "") + (f"centrality {central:.2f} + position {position:.2f} "
           f"(sentence {sentence.index + 1} of {total}) − redundancy {penalty:.2f} "
           f"− length/style {length:.2f}; length {sentence.words} words")
    return KeyPoint(text=sentence.text, score=round(score, 4), why=why)
