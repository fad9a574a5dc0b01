"""Stories: group articles from different outlets about the same event (precision first). Pure.

Two articles are one story only when they report the same happening on the same
days: their words (tf-idf over title, key points and body), their named
entities (capitalised words, folded, plus the days and figures the text
names, which read the same in every language), the places, bodies and happenings
they name (`bot.stories.lexicon`: "OEA" = "OAS", "renunció" = "resigned") and their
themes agree, and their dates allow it. `same_event` scores a pair from 0 to 1:

* two articles dated to the day are compatible only within STORY_SPAN_DAYS;
* an unsure pair (a date missing or only a month) whose texts both name days
  ("8 August", "8 de agosto"), none within STORY_SPAN_DAYS of the other's, is not
  one event (`bot.stories.evidence.days_apart`);
* a month-only date is compatible with the days of its month, but, like an
  undated article, it proves nothing: such a pair must reach STRONG_EVENT
  (its score is scaled by SAME_EVENT / STRONG_EVENT);
* undated and month-only articles never widen a story's window: only day
  dates make a story's span, and every pair across two stories being merged
  must be date-compatible.

`group_stories` never compares all pairs: it only scores pairs that share rare
entities or signature words and were published within a few days of each other
(or lack a day date), then merges best pairs first with complete linkage.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable, Iterable, Iterator, Sequence

from bot.models import Article, Story, newest_first
from bot.stories.evidence import days_apart
from bot.stories.newsday import NewsDay, combined, news_days_agree, reported_after
from bot.stories.points import merge_points
from bot.stories.profile import Profile as _Profile, profile_of as _profile
from bot.stories.story import build_story, news_order
from bot.stories.weights import Weights as _Weights

__all__ = ["corpus_weights", "group_stories", "merge_points", "same_event"]

SAME_EVENT = 0.3          # a pair at or above this is the same event
STRONG_EVENT = 0.35       # ... and at or above this when a date is missing or only a month
STORY_SPAN_DAYS = 3       # a story's day dates stay within this span
WINDOW_DAYS = STORY_SPAN_DAYS   # candidate pairs: day dates within this many days (or a date unsure)
CONFIRMED_SLACK = 0.9     # stories stating one news day: each cross pair at 0.9 of SAME_EVENT, their mean at it
MIN_SHARED_KEYS = 2       # candidate pairs share at least this many rare entities or signature words
SIGNATURE_TERMS = 8       # rarest stems per article used to find candidates
Span = tuple[int | None, int | None]        # first and last known date ordinal of a story
PairScore = Callable[[int, int], float]    # same-event score of two articles by index
ConfirmedScore = Callable[[int, int, bool], float]   # ... counting an unsure date as sure when confirmed

UNDATED_NEIGHBOURS = 32   # an undated article is a candidate with this many members of a key, nearest in arrival
MAX_POSTING = 400         # keys shared by more articles than this find no candidates
# (words, names, concepts, themes). One language: concepts weigh 0 (they merged different CNN/BBC events of
# one week); two languages: chosen on the odd half of the labelled pages' clusters (docs/stories.md).
SAME_LANGUAGE_WEIGHTS = (0.5, 0.35, 0.0, 0.15)
CROSS_LANGUAGE_WEIGHTS = (0.35, 0.15, 0.35, 0.15)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _date_factor(a: _Profile, b: _Profile) -> float:
    """1 for two day dates within the span, 0 for incompatible dates, SAME/STRONG when unsure.
    An unsure pair whose texts both name days, none of them close, is not one event."""
    unsure = a.day is None or b.day is None or bool(a.tolerance or b.tolerance)
    if unsure:
        if days_apart(a.days_named, b.days_named, STORY_SPAN_DAYS):
            return 0.0
        if reported_after(a.days_ahead, b.news) or reported_after(b.days_ahead, a.news):
            return 0.0
        # the same weekday is a 1-in-7 coincidence: it confirms only a pair in two languages, whose
        # words and names cannot (one language: two statements of one politician on two Wednesdays)
        agree = news_days_agree(a.news, b.news, STORY_SPAN_DAYS, a.article.language != b.article.language)
        if agree is not None:
            return 1.0 if agree else 0.0
    if a.day is None or b.day is None:
        return SAME_EVENT / STRONG_EVENT
    gap = max(0, abs(a.day - b.day) - a.tolerance - b.tolerance)
    if gap > STORY_SPAN_DAYS:
        return 0.0
    return 1.0 if a.tolerance == b.tolerance == 0 else SAME_EVENT / STRONG_EVENT


def _pair_score(a: _Profile, b: _Profile, va: dict, vb: dict, weights: _Weights) -> float:
    factor = _date_factor(a, b)
    if factor == 0.0:
        return 0.0
    words = (_cosine(va, vb) + _cosine(weights.unit(a.lead_stems), weights.unit(b.lead_stems))) / 2
    same_language = a.article.language == b.article.language
    names = (weights.entity_overlap(a.entities, b.entities, not same_language)
             + weights.entity_overlap(a.lead_entities, b.lead_entities, not same_language)) / 2
    word_weight, name_weight, concept_weight, theme_weight = (
        SAME_LANGUAGE_WEIGHTS if same_language else CROSS_LANGUAGE_WEIGHTS)
    concepts = weights.concept_overlap(a.concepts, b.concepts) if concept_weight else 0.0
    score = (word_weight * words + name_weight * names + concept_weight * concepts
             + theme_weight * _jaccard(a.themes, b.themes))
    return round(min(1.0, factor * score), 4)


def _cosine(va: dict[str, float], vb: dict[str, float]) -> float:
    if len(va) > len(vb):
        va, vb = vb, va
    return sum(v * vb.get(s, 0.0) for s, v in va.items())


def same_event(a: Article, b: Article) -> float:
    """How likely two articles report the same event, 0..1 (the pair alone, no corpus statistics)."""
    pa, pb = _profile(a), _profile(b)
    weights = _Weights([])
    return _pair_score(pa, pb, weights.vector(pa), weights.vector(pb), weights)


# ---------------------------------------------------------------- grouping

def group_stories(articles: Sequence[Article], weights: _Weights | None = None) -> list[Story]:
    """Articles grouped into stories (same event), newest first.

    `weights`: the corpus statistics to score with (`corpus_weights`); by default those of
    `articles` themselves. `bot.stories.incremental` passes the ones it froze."""
    profiles = [_profile(article) for article in articles]
    if weights is None:
        weights = _Weights(profiles)
    vectors = [weights.vector(p) for p in profiles]
    scored = _scored_pairs(profiles, vectors, weights, _candidate_pairs(profiles, vectors, weights))
    return _stories_of(profiles, vectors, weights, scored)


def _scored_pairs(profiles: Sequence[_Profile], vectors: Sequence[dict], weights: _Weights,
                  pairs: Iterable[tuple[int, int]]) -> list[tuple[float, int, int]]:
    """(score, i, j) of the candidate pairs that are the same event."""
    scored = []
    for i, j in pairs:
        score = _pair_score(profiles[i], profiles[j], vectors[i], vectors[j], weights)
        if score >= SAME_EVENT:
            scored.append((score, i, j))
    return scored


def _stories_of(profiles: Sequence[_Profile], vectors: Sequence[dict], weights: _Weights,
                scored: list[tuple[float, int, int]]) -> list[Story]:
    """The stories that merging the scored pairs best first makes, newest first."""
    known = {(i, j): score for score, i, j in scored}

    def score_pair(i: int, j: int, confirmed: bool = False) -> float:
        """The pair's score; `confirmed`: the two stories state one news day, so an unsure date counts as sure."""
        key = (min(i, j), max(i, j))
        if key not in known:
            known[key] = _pair_score(profiles[i], profiles[j], vectors[i], vectors[j], weights)
        if confirmed and _date_factor(profiles[i], profiles[j]) == SAME_EVENT / STRONG_EVENT:
            return known[key] * STRONG_EVENT / SAME_EVENT
        return known[key]

    spans: list[Span] = [(p.day, p.day) if p.tolerance == 0 else (None, None) for p in profiles]
    groups = _merge(len(profiles), sorted(scored, reverse=True), spans, score_pair, [p.news for p in profiles])
    stories = [build_story(tuple(newest_first(profiles[i].article for i in members))) for members in groups]
    return sorted(stories, key=news_order, reverse=True)


def _candidate_pairs(profiles: Sequence[_Profile], vectors: Sequence[dict],
                     weights: _Weights) -> set[tuple[int, int]]:
    """Pairs worth scoring: close in time and sharing rare entities or signature words, or (only for
    pairs in two languages, the one case where they weigh) the places, bodies and happenings named."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, (profile, vector) in enumerate(zip(profiles, vectors)):
        for key in _keys(profile, vector, weights):
            postings[key].append(index)
    shared: Counter = Counter()
    for key, members in postings.items():
        if len(members) < 2:
            continue
        if not key.startswith("c:"):
            shared.update(_close_pairs(profiles, members))
        elif len({profiles[i].article.language for i in members}) > 1:
            shared.update((i, j) for i, j in _close_pairs(profiles, members)
                          if key_counts(key, profiles[i], profiles[j]))
    return {pair for pair, count in shared.items() if count >= MIN_SHARED_KEYS}


def _keys(profile: _Profile, vector: dict[str, float], weights: _Weights) -> set[str]:
    """The posting keys of one article: its rare entities and signature words, and the places, bodies
    and happenings it names (these count only for a pair in two languages: `key_counts`)."""
    rare = sorted(vector, key=lambda s: -vector[s])[:SIGNATURE_TERMS]
    keys = {f"e:{e}" for e in profile.entities if weights.entity_df[e] <= MAX_POSTING}
    keys.update(f"s:{s}" for s in rare if weights.stem_df[s] <= MAX_POSTING)
    keys.update(f"c:{c}" for c in profile.concepts if weights.concept_df[c] <= MAX_POSTING)
    return keys


def key_counts(key: str, a: _Profile, b: _Profile) -> bool:
    """Whether a posting key both articles share makes them candidates: a concept only across languages."""
    return not key.startswith("c:") or a.article.language != b.article.language


def corpus_weights(articles: Sequence[Article]) -> _Weights:
    """The corpus statistics (document frequencies) grouping scores with, over these articles."""
    return _Weights([_profile(article) for article in articles])


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
    if undated:
        yield from _undated_pairs(profiles, members, undated)


def _undated_pairs(profiles: Sequence[_Profile], members: list[int], undated: list[int]) -> set[tuple[int, int]]:
    """Each undated member with the UNDATED_NEIGHBOURS members nearest to it in arrival (first_seen):
    linear in the posting, where every member would make the catalog build quadratic in undated articles."""
    by_arrival = sorted(members, key=lambda k: (profiles[k].article.first_seen, k))
    position = {k: n for n, k in enumerate(by_arrival)}
    half = UNDATED_NEIGHBOURS // 2
    pairs = set()
    for i in undated:
        at = position[i]
        for j in by_arrival[max(0, at - half):at + half + 1]:
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _merge(count: int, scored: list[tuple[float, int, int]], spans: list[Span],
           score: ConfirmedScore, news: list[NewsDay]) -> list[list[int]]:
    """Complete-linkage merging, best pairs first: two stories join when every cross pair is the
    same event (`score(i, j)`; incompatible dates score 0) and their day dates stay within
    STORY_SPAN_DAYS. The news days the articles of each story state together (`news`) confirm an
    unsure cross pair when the two stories' days agree ("on Wednesday" + "(23)" + "23/1"), and then
    a cross pair may fall a little short (`_agree`)."""
    story_of = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    span, told = dict(enumerate(spans)), dict(enumerate(news))
    for _, i, j in scored:
        a, b = story_of[i], story_of[j]
        if a == b:
            continue
        joined = _join_span(span[a], span[b])
        confirmed = news_days_agree(told[a], told[b], STORY_SPAN_DAYS, weekday_confirms=False) is True
        if joined is None or not _agree(members[a], members[b], score, confirmed):
            continue
        for k in members[b]:
            story_of[k] = a
        members[a] += members.pop(b)
        span[a], told[a] = joined, combined(told[a], told[b])
    return list(members.values())


def _agree(left: list[int], right: list[int], score: ConfirmedScore, confirmed: bool) -> bool:
    """Every cross pair is the same event; when the two stories state one news day (`confirmed`), a
    cross pair needs only CONFIRMED_SLACK of the threshold as long as the pairs reach it on average."""
    if len(left) == 1 and len(right) == 1:
        return True
    scores = [score(i, j, confirmed) for i in left for j in right]
    floor = CONFIRMED_SLACK * SAME_EVENT if confirmed else SAME_EVENT
    return min(scores) >= floor and sum(scores) / len(scores) >= SAME_EVENT


def _join_span(a: Span, b: Span) -> Span | None:
    days = [d for d in (*a, *b) if d is not None]
    if not days:
        return (None, None)
    low, high = min(days), max(days)
    return (low, high) if high - low <= STORY_SPAN_DAYS else None
