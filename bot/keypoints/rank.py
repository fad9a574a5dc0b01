"""Sentence scores for key points: position-aware directed centrality plus a lead prior.

The centrality is PacSum's (Zheng & Lapata 2019) on tf-idf cosine similarity:
an edge counts only above a threshold (min + beta * (max - min)), edges to
*later* sentences count with weight `forward`, edges to *earlier* sentences with
weight `backward`. Those weights slide with the article's length (a logistic
ramp in its sentence count) from (forward_short, backward_short) -- equal,
i.e. undirected like LexRank, for a short article -- to (forward, backward)
for a long news story, where what comes first matters.
The lead prior and length preference were fitted on CNN highlights (see
docs/quality.md); every weight is in `RankOptions`, nothing is per article.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

from bot.nlp import LANGUAGE_NAMES

_TOKEN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class RankOptions:
    """Every tunable weight of the ranker (fitted on half of each dev set)."""

    beta: float = 0.0          # edge threshold, fraction of the similarity range
    forward: float = 1.0       # weight of edges to later sentences
    backward: float = 0.5      # weight of edges to earlier sentences
    forward_short: float = 0.5   # the same two weights for a short article (equal: undirected,
    backward_short: float = 0.5  # like LexRank); the weights move between the pairs with a ramp
    direct_mid: float = 18.0   # whose midpoint (sentences) is this; its width is lead_width
    centrality: float = 1.5    # weight of normalised centrality
    position: float = 1.0      # weight of the lead prior
    tau: float = 1.0           # lead prior: 1 / (1 + index / tau) ...
    lead_mid: float = 25.0     # ... weighted by a logistic ramp in the article's sentence
    lead_width: float = 3.0    # count: short articles lean on centrality, long ones on the lead
    ideal_words: int = 22      # sentences longer than this are penalised ...
    length: float = 0.25       # ... by this much per ideal_words extra words
    dangling: float = 0.1      # penalty for openings like "But he …"
    quote: float = 0.1         # penalty for sentences that open with a quotation
    redundancy: float = 0.1    # MMR weight of (unigram tf-idf) similarity to chosen points
    bigram_redundancy: float = 0.4  # MMR weight of the share of a sentence's content bigrams
                               # already in chosen points (what ROUGE-2 would count twice)
    extra_min: float = 0.4     # a 4th/5th point is added only if its score minus redundancy
                               # reaches this (fewer, denser points; never fewer than three)
    duplicate: float = 0.35    # cosine at or above which a sentence is a near-duplicate
    point_words: float = 22.5  # word budget for all points = n * point_words


DEFAULT_OPTIONS = RankOptions()


@lru_cache(maxsize=4)
def _stop_words(code: str) -> frozenset[str]:
    return frozenset(get_stop_words(LANGUAGE_NAMES[code]))


@lru_cache(maxsize=4)
def _stemmer(code: str) -> Stemmer:
    return Stemmer(LANGUAGE_NAMES[code])


@lru_cache(maxsize=200_000)
def _stem(code: str, word: str) -> str:
    return _stemmer(code)(word)


def content_terms(sentence: str, code: str) -> list[str]:
    """Stemmed, lower-cased content words (stop words removed)."""
    stops = _stop_words(code)
    return [_stem(code, w) for w in _TOKEN.findall(sentence.lower()) if w not in stops and len(w) > 1]


def content_bigrams(sentences: list[str], code: str) -> list[frozenset[tuple[str, str]]]:
    """Pairs of consecutive content terms of each sentence (for bigram redundancy)."""
    out = []
    for sentence in sentences:
        terms = content_terms(sentence, code)
        out.append(frozenset(zip(terms, terms[1:])))
    return out


def similarity_matrix(sentences: list[str], code: str) -> np.ndarray:
    """Cosine similarity of tf-idf sentence vectors (idf over these sentences)."""
    terms = [content_terms(sentence, code) for sentence in sentences]
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, sentence in enumerate(terms):
        for term in sentence:
            rows.append(row)
            cols.append(vocab.setdefault(term, len(vocab)))
    size, width = len(terms), max(1, len(vocab))
    flat = np.asarray(rows, dtype=np.int64) * width + np.asarray(cols, dtype=np.int64)
    counts = np.bincount(flat, minlength=size * width).reshape(size, width).astype(float)
    df = (counts > 0).sum(axis=0)
    idf = np.log((1.0 + size) / (1.0 + df)) + 1.0
    vectors = counts * idf
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    return vectors @ vectors.T


def directed_centrality(sim: np.ndarray, options: RankOptions, ramp: float = 1.0) -> np.ndarray:
    """PacSum centrality, scaled to [0, 1] (min-max over the article).

    `ramp` (0 for a short article, 1 for a long one, see `length_ramp`) moves the
    edge weights from (forward_short, backward_short) to (forward, backward).
    """
    size = sim.shape[0]
    if size < 2:
        return np.ones(size)
    off = sim[~np.eye(size, dtype=bool)]
    threshold = off.min() + options.beta * (off.max() - off.min())
    edges = np.clip(sim - threshold, 0.0, None)
    np.fill_diagonal(edges, 0.0)
    later = np.triu(edges, 1).sum(axis=1)
    earlier = np.tril(edges, -1).sum(axis=1)
    forward = options.forward_short + ramp * (options.forward - options.forward_short)
    backward = options.backward_short + ramp * (options.backward - options.backward_short)
    raw = forward * later + backward * earlier
    span = raw.max() - raw.min()
    return (raw - raw.min()) / span if span > 0 else np.ones(size)


def lead_prior(index: int, total: int, options: RankOptions) -> float:
    """1 for the first sentence of a long article, decaying with the sentence's position.

    Scaled by a logistic ramp in the article's length: in a short article every
    sentence is near the lead, so position says less than centrality.
    """
    return length_ramp(total, options) / (1.0 + index / options.tau)


def length_ramp(total: int, options: RankOptions, mid: float | None = None) -> float:
    """Logistic ramp in the article's sentence count: about 0 when short, 1 when long."""
    middle = options.lead_mid if mid is None else mid
    return 1.0 / (1.0 + math.exp(-(total - middle) / options.lead_width))


def length_penalty(words: int, options: RankOptions) -> float:
    return options.length * max(0, words - options.ideal_words) / options.ideal_words
