"""Stories: group articles from different outlets about the same event, merge their key points.

Pure. Two articles report the same event when their words (tf-idf over title,
key points and body), their named entities (capitalised words, folded) and
their dates agree: `same_event` scores a pair from 0 to 1. `group_stories`
never compares all pairs: it only scores pairs that share a rare entity or a
rare signature word and were published within a few days of each other, then
merges best pairs first as long as a story's dates stay within a short span.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable, Iterator, Sequence

from bot.models import Article, Story
from bot.stories.points import POINTS_MIN, merge_points
from bot.stories.text import entities_of, stems_of

SAME_EVENT = 0.3          # a pair at or above this is the same event
STORY_SPAN_DAYS = 6       # a story's known dates stay within this span
WINDOW_DAYS = 7           # candidate pairs: published within this many days (or a date unknown)
LEAD_CHARS = 2000         # an event is told in the lead: the body beyond it is not read
MIN_SHARED_KEYS = 2       # candidate pairs share at least this many rare entities or signature words
SIGNATURE_TERMS = 8       # rarest stems per article used to find candidates
Span = tuple[int | None, int | None]        # first and last known date ordinal of a story
PairScore = Callable[[int, int], float]    # same-event score of two articles by index

MAX_POSTING = 400         # keys shared by more articles than this find no candidates
WORD_WEIGHT, ENTITY_WEIGHT, THEME_WEIGHT = 0.5, 0.35, 0.15


@dataclass(frozen=True)
class _Profile:
    article: Article
    stems: dict[str, float]          # log-scaled term frequencies
    entities: frozenset[str]
    themes: frozenset[str]
    day: int | None                  # date ordinal, or None
    tolerance: int                   # extra days of slack for month-only dates


@lru_cache(maxsize=1 << 15)
def _profile(article: Article) -> _Profile:
    """What grouping needs of one article (memoised: a rebuild only profiles new articles)."""
    points = " ".join(point.text for point in article.key_points)
    lead = article.body[:LEAD_CHARS]
    counts = Counter(stems_of(article.title) * 3 + stems_of(points) + stems_of(lead))
    names = entities_of(f"{article.title}.\n{points}\n{lead}")
    day, tolerance = _day_of(article.published)
    return _Profile(article, {s: 1.0 + math.log(n) for s, n in counts.items()},
                    names, frozenset(article.theme_names), day, tolerance)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _day_of(published: str) -> tuple[int | None, int]:
    parts = re.findall(r"\d+", published or "")
    try:
        if len(parts) >= 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2])).toordinal(), 0
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 15).toordinal(), 16
    except ValueError:
        pass
    return None, 0


def _date_factor(a: _Profile, b: _Profile) -> float:
    if a.day is None or b.day is None:
        return 0.85
    gap = max(0, abs(a.day - b.day) - a.tolerance - b.tolerance)
    if gap <= 3:
        return 1.0
    if gap <= WINDOW_DAYS:
        return 1.0 - 0.1 * (gap - 3)
    return 0.0


class _Weights:
    """Inverse document frequencies of stems and entities over one set of articles."""

    def __init__(self, profiles: Sequence[_Profile]):
        self.n = max(1, len(profiles))
        self.stem_df = Counter(s for p in profiles for s in p.stems)
        self.entity_df = Counter(e for p in profiles for e in p.entities)
        self._stem_idf = {s: self.idf(df) for s, df in self.stem_df.items()}

    def idf(self, df: int) -> float:
        return math.log((1 + self.n) / (1 + df)) + 1.0

    def vector(self, profile: _Profile) -> dict[str, float]:
        idf = self._stem_idf
        vec = {s: tf * (idf.get(s) or self.idf(0)) for s, tf in profile.stems.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {s: v / norm for s, v in vec.items()}

    def entity_overlap(self, a: frozenset[str], b: frozenset[str]) -> float:
        if not a or not b:
            return 0.0
        weight = lambda names: sum(self.idf(self.entity_df[e]) for e in names)  # noqa: E731
        return 2 * weight(a & b) / (weight(a) + weight(b))


def _pair_score(a: _Profile, b: _Profile, va: dict, vb: dict, weights: _Weights) -> float:
    factor = _date_factor(a, b)
    if factor == 0.0:
        return 0.0
    if len(va) > len(vb):
        va, vb = vb, va
    cosine = sum(v * vb.get(s, 0.0) for s, v in va.items())
    score = (WORD_WEIGHT * cosine + ENTITY_WEIGHT * weights.entity_overlap(a.entities, b.entities)
             + THEME_WEIGHT * _jaccard(a.themes, b.themes))
    return round(min(1.0, factor * score), 4)


def same_event(a: Article, b: Article) -> float:
    """How likely two articles report the same event, 0..1 (the pair alone, no corpus statistics)."""
    pa, pb = _profile(a), _profile(b)
    weights = _Weights([])
    return _pair_score(pa, pb, weights.vector(pa), weights.vector(pb), weights)


# ---------------------------------------------------------------- grouping

def group_stories(articles: Sequence[Article]) -> list[Story]:
    """Articles grouped into stories (same event), newest first."""
    profiles = [_profile(article) for article in articles]
    weights = _Weights(profiles)
    vectors = [weights.vector(p) for p in profiles]
    scored = []
    for i, j in _candidate_pairs(profiles, vectors, weights):
        score = _pair_score(profiles[i], profiles[j], vectors[i], vectors[j], weights)
        if score >= SAME_EVENT:
            scored.append((score, i, j))
    known = {(i, j): score for score, i, j in scored}

    def score_pair(i: int, j: int) -> float:
        key = (min(i, j), max(i, j))
        if key not in known:
            known[key] = _pair_score(profiles[i], profiles[j], vectors[i], vectors[j], weights)
        return known[key]

    spans: list[Span] = [(p.day, p.day) for p in profiles]
    groups = _merge(len(profiles), sorted(scored, reverse=True), spans, score_pair)
    stories = [_story(tuple(sorted((profiles[i].article for i in members), key=_newest_first, reverse=True)))
               for members in groups]
    return sorted(stories, key=lambda s: (s.published, s.first_seen, s.id), reverse=True)


def _candidate_pairs(profiles: Sequence[_Profile], vectors: Sequence[dict],
                     weights: _Weights) -> set[tuple[int, int]]:
    """Pairs worth scoring: close in time and sharing rare entities or signature words."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, (profile, vector) in enumerate(zip(profiles, vectors)):
        rare = sorted(vector, key=lambda s: -vector[s])[:SIGNATURE_TERMS]
        keys = {f"e:{e}" for e in profile.entities if weights.entity_df[e] <= MAX_POSTING}
        keys.update(f"s:{s}" for s in rare if weights.stem_df[s] <= MAX_POSTING)
        for key in keys:
            postings[key].append(index)
    shared: Counter = Counter()
    for members in postings.values():
        if len(members) > 1:
            shared.update(_close_pairs(profiles, members))
    return {pair for pair, count in shared.items() if count >= MIN_SHARED_KEYS}


def _close_pairs(profiles: Sequence[_Profile], members: list[int]) -> Iterator[tuple[int, int]]:
    """Pairs of members published within WINDOW_DAYS (plus tolerance), or with an unknown date."""
    dated = sorted((day, i) for i in members if (day := profiles[i].day) is not None)
    undated = [i for i in members if profiles[i].day is None]
    for position, (day, i) in enumerate(dated):
        for later_day, j in dated[position + 1:]:
            if later_day - day > WINDOW_DAYS + 32:
                break
            if _date_factor(profiles[i], profiles[j]) > 0.0:
                yield (min(i, j), max(i, j))
    for i in undated:
        for j in members:
            if j != i and (profiles[j].day is not None or j > i):
                yield (min(i, j), max(i, j))


def _merge(count: int, scored: list[tuple[float, int, int]], spans: list[Span],
           score: PairScore) -> list[list[int]]:
    """Average-linkage merging, best pairs first: two stories join when their articles agree
    on average (`score(i, j)` over every cross pair) and their dates stay within a short span."""
    story_of = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    span = dict(enumerate(spans))
    for _, i, j in scored:
        a, b = story_of[i], story_of[j]
        if a == b:
            continue
        joined = _join_span(span[a], span[b])
        if joined is None or not _agree(members[a], members[b], score):
            continue
        for k in members[b]:
            story_of[k] = a
        members[a] += members.pop(b)
        span[a] = joined
    return list(members.values())


def _agree(left: list[int], right: list[int], score: PairScore) -> bool:
    if len(left) == 1 and len(right) == 1:
        return True
    total = sum(score(i, j) for i in left for j in right)
    return total / (len(left) * len(right)) >= SAME_EVENT


def _join_span(a: Span, b: Span) -> Span | None:
    days = [d for d in (*a, *b) if d is not None]
    if not days:
        return (None, None)
    low, high = min(days), max(days)
    return (low, high) if high - low <= STORY_SPAN_DAYS else None


# ---------------------------------------------------------------- one story

def _newest_first(article: Article) -> tuple:
    return (article.published, article.first_seen, article.id)


@lru_cache(maxsize=1 << 14)
def _story(articles: tuple[Article, ...]) -> Story:
    """One story of these articles (newest first); memoised, so a rebuild reuses unchanged stories."""
    central = _by_centrality(articles) if len(articles) > 1 else list(articles)
    best = central[0]
    earliest = min(articles, key=lambda a: (a.first_seen, a.published or "9999", a.id))
    return Story(
        id=earliest.id,
        title=_title(central) or best.id,
        published=max((a.published for a in articles), default=""),
        articles=articles,
        points=merge_points(central),
        themes=_union_themes(articles),
        language=best.language,
        first_seen=min(a.first_seen for a in articles),
    )


def _by_centrality(articles: Sequence[Article]) -> list[Article]:
    """The story's articles, the most representative first: most words in common with the
    others (cosine of term frequencies), then with enough key points, then with a title."""
    vectors = {}
    for article in articles:
        stems = _profile(article).stems
        norm = math.sqrt(sum(v * v for v in stems.values())) or 1.0
        vectors[id(article)] = {s: v / norm for s, v in stems.items()}

    def centrality(article: Article) -> float:
        mine = vectors[id(article)]
        return sum(sum(v * vectors[id(other)].get(s, 0.0) for s, v in mine.items())
                   for other in articles if other is not article)

    return sorted(articles, key=lambda a: (-round(centrality(a), 6), -min(len(a.key_points), POINTS_MIN),
                                           not a.title))


def _title(central: Sequence[Article]) -> str:
    """The most central article's headline, passing over titles cut from a first sentence ("…")."""
    titles = [a.title for a in central if a.title]
    whole = [t for t in titles if not t.endswith("…")]
    return (whole or titles or [""])[0]


def _union_themes(articles: Sequence[Article]) -> tuple[str, ...]:
    totals: dict[str, float] = defaultdict(float)
    for article in articles:
        for command, score in article.themes:
            totals[command] += score
    return tuple(sorted(totals, key=lambda c: (-totals[c], c)))
