"""A story's key points: near-duplicates across its articles merged, with a count of sources. Pure."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from bot.models import MAX_POINTS, MIN_POINTS, Article, StoryPoint
from bot.stories.text import STOP_WORDS, stems_of


@lru_cache(maxsize=1 << 16)
def _point_tokens(text: str) -> frozenset[str]:
    return frozenset(s for s in stems_of(text) if s not in STOP_WORDS)


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    shared = len(a & b)
    return shared / len(a | b) >= 0.5 or shared / min(len(a), len(b)) >= 0.8


@dataclass
class _Merged:
    point: StoryPoint             # the first version seen (from the most representative article)
    tokens: frozenset[str]
    language: str
    order: tuple[int, int]        # (position in its article, article rank): leads of every outlet first
    article_ids: set[str] = field(default_factory=set)


def merge_points(articles: Sequence[Article]) -> tuple[StoryPoint, ...]:
    """Up to five key points of a story's articles (the most representative article first).

    Near-duplicates (in any language) merge into the first version, counting their
    sources. Points carried by more outlets are chosen first, then each outlet's
    first point, then their second ones; they are shown leads first. Only points in the lead article's language are
    shown, unless it has fewer than three.
    """
    if not articles:
        return ()
    merged: list[_Merged] = []
    for rank, article in enumerate(articles):
        for position, point in enumerate(article.key_points):
            tokens = _point_tokens(point.text)
            entry = next((m for m in merged if _near_duplicate(tokens, m.tokens)), None)
            if entry is None:
                entry = _Merged(StoryPoint(point.text, article.outlet, article.url),
                                tokens, article.language, (position, rank))
                merged.append(entry)
            entry.article_ids.add(article.id)
    language = articles[0].language
    pool = [m for m in merged if m.language == language]
    if len(pool) < MIN_POINTS:      # too few in the lead's language: let the other language fill in
        pool = sorted(merged, key=lambda m: m.language != language)
    chosen = sorted(pool, key=lambda m: (m.language != language, -len(m.article_ids), m.order))
    chosen = sorted(chosen[:MAX_POINTS], key=lambda m: (m.language != language, m.order))
    return tuple(StoryPoint(m.point.text, m.point.outlet, m.point.url, sources=len(m.article_ids))
                 for m in chosen)
