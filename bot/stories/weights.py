"""Corpus statistics for stories: inverse document frequencies of stems, names and concepts, and the
idf-weighted overlaps and unit vectors pairs are scored with (`bot.stories.group`). Pure."""
from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

from bot.stories.lexicon import happenings
from bot.stories.profile import Profile


class Weights:
    """Inverse document frequencies of stems and entities over one set of articles."""

    def __init__(self, profiles: Sequence[Profile]):
        self.n = max(1, len(profiles))
        self.stem_df = Counter(s for p in profiles for s in p.stems)
        self.entity_df = Counter(e for p in profiles for e in p.entities)
        self.concept_df = Counter(c for p in profiles for c in p.concepts)
        self._stem_idf = {s: self.idf(df) for s, df in self.stem_df.items()}

    def idf(self, df: int) -> float:
        return math.log((1 + self.n) / (1 + df)) + 1.0

    def vector(self, profile: Profile) -> dict[str, float]:
        return self.unit(profile.stems)

    def unit(self, stems: dict[str, float]) -> dict[str, float]:
        idf = self._stem_idf
        vec = {s: tf * (idf.get(s) or self.idf(0)) for s, tf in stems.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {s: v / norm for s, v in vec.items()}

    def entity_overlap(self, a: frozenset[str], b: frozenset[str], cosine: bool = False) -> float:
        return self._overlap(a, b, self.entity_df, cosine)

    def concept_overlap(self, a: frozenset[str], b: frozenset[str]) -> float:
        """The mean of two overlaps: the happenings ("~resign") and the places and bodies ("@oas") named,
        so that sharing a country and a body without a happening counts for half at most."""
        happenings_a, happenings_b = happenings(a), happenings(b)
        return (self._overlap(happenings_a, happenings_b, self.concept_df, True)
                + self._overlap(a - happenings_a, b - happenings_b, self.concept_df, True)) / 2

    def _overlap(self, a: frozenset[str], b: frozenset[str], df: Counter, cosine: bool) -> float:
        """idf-weighted Dice overlap of two sets of names, or cosine (Ochiai) for a pair in two languages,
        where one article often tells the event in fewer names than the other (Dice punishes the extra ones)."""
        if not a or not b:
            return 0.0
        weight = lambda names: sum(self.idf(df[e]) for e in names)  # noqa: E731
        if cosine:
            return weight(a & b) / math.sqrt(weight(a) * weight(b))
        return 2 * weight(a & b) / (weight(a) + weight(b))
