"""Incremental grouping: when a few articles change, merge again only what they reach. Pure.

`group_stories` merges same-event pairs best first. Inside one connected component of
the graph of those pairs (candidate pairs scoring at least SAME_EVENT) the result
depends only on the pairs inside it: a merge never looks outside the two stories it
joins. So after articles are added, changed or retired, every component that no
changed pair touches keeps exactly the stories a full regrouping would make, and only
the components the changes reach are merged again (their articles in the same order,
so ties break the same way).

Two rules make "the same as a full regrouping" exact:

- corpus statistics frozen: pair scores and posting keys use the document
  frequencies of the last full grouping (`corpus_weights`), so a new article does not
  move every other pair's score a little. The whole corpus is grouped afresh (new
  statistics) when the articles changed since then exceed REFRESH_FRACTION of it; and
  whenever a catalog is built from scratch (start-up after a change, a theme change).
- candidates found as `group_stories` finds them: a changed article's from the
  postings of its keys; and since an undated article's candidates are its neighbours
  in arrival within each posting, the undated pairs of every posting a change touches
  are compared before and after, and each pair whose candidacy moved is scored again.

`Grouping.full(articles).stories` == `group_stories(articles)`, and
`grouping.update(articles).stories` == `group_stories(articles, grouping.weights)`
(tests/test_stories_incremental.py, on random edits of synthetic corpora).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from bot.models import Article, Story
from bot.stories.group import (
    MIN_SHARED_KEYS, SAME_EVENT, UNDATED_NEIGHBOURS, WINDOW_DAYS, _candidate_pairs, _date_factor, _keys,
    _pair_score, _profile, _Profile, _scored_pairs, _stories_of, _Weights, key_counts,
)
from bot.stories.story import news_order

REFRESH_FRACTION = 0.1    # group afresh once this share of the articles changed since the last full grouping
Pair = tuple[str, str]    # two article ids, the smaller first


@dataclass(frozen=True)
class Grouping:
    """Stories of a set of articles, and what regrouping a few of them needs."""

    weights: _Weights
    articles: Mapping[str, Article]           # by id, in the order they were grouped
    postings: Mapping[str, tuple[str, ...]]   # posting key -> article ids
    edges: Mapping[str, Mapping[str, float]]  # article id -> {id: score} of its same-event candidate pairs
    story_of: Mapping[str, Story]
    stories: tuple[Story, ...]                # newest first
    changed: int = 0                          # articles changed since the last full grouping
    regrouped: int = 0                        # articles the last update merged again (diagnostics)

    @classmethod
    def full(cls, articles: Sequence[Article], weights: _Weights | None = None) -> "Grouping":
        """Group every article (with fresh corpus statistics unless `weights` is given)."""
        profiles = [_profile(article) for article in articles]
        weights = weights or _Weights(profiles)
        vectors = [weights.vector(p) for p in profiles]
        scored = _scored_pairs(profiles, vectors, weights, _candidate_pairs(profiles, vectors, weights))
        ids = [article.id for article in articles]
        postings: dict[str, list[str]] = defaultdict(list)
        for article_id, profile, vector in zip(ids, profiles, vectors):
            for key in _keys(profile, vector, weights):
                postings[key].append(article_id)
        edges: dict[str, dict[str, float]] = defaultdict(dict)
        for score, i, j in scored:
            edges[ids[i]][ids[j]] = edges[ids[j]][ids[i]] = score
        stories = _stories_of(profiles, vectors, weights, scored)
        return cls(weights, dict(zip(ids, articles)), {k: tuple(v) for k, v in postings.items()}, dict(edges),
                   _story_index(stories), tuple(stories), regrouped=len(ids))

    def update(self, articles: Sequence[Article], refresh: float = REFRESH_FRACTION) -> "Grouping":
        """The grouping of `articles`, regrouping only what changed articles reach (see the module doc);
        afresh when more than `refresh` of them changed since the last full grouping."""
        new = {article.id: article for article in articles}
        old = self.articles
        removed = [i for i in old if i not in new]
        added = [i for i in new if i not in old]
        modified = [i for i in new if i in old and new[i] is not old[i] and new[i] != old[i]]
        if not (removed or added or modified):
            return self if list(old) == list(new) else Grouping(
                self.weights, new, self.postings, self.edges, self.story_of, self.stories, self.changed, 0)
        changed = self.changed + len(removed) + len(added) + len(modified)
        if changed > refresh * len(new):
            return Grouping.full(articles)
        return _Update(self, new, removed, added, modified).run(changed)


def _story_index(stories: Iterable[Story]) -> dict[str, Story]:
    return {article.id: story for story in stories for article in story.articles}


class _Update:
    """One update of a Grouping (see the module doc); `run` returns the new Grouping."""

    def __init__(self, grouping: Grouping, new: dict[str, Article], removed: list[str], added: list[str],
                 modified: list[str]):
        self.old, self.new, self.weights = grouping, new, grouping.weights
        self.gone = removed + modified          # old versions to take out
        self.fresh = added + modified           # new versions to put in
        self.index = {article_id: n for n, article_id in enumerate(new)}
        self.old_index = {article_id: n for n, article_id in enumerate(grouping.articles)}
        self.postings = dict(grouping.postings)
        self._vectors: dict[tuple[str, bool], dict[str, float]] = {}
        self._arrival: dict[str, dict[str, int]] = {}

    def profile(self, article_id: str, old: bool = False) -> _Profile:
        return _profile((self.old.articles if old else self.new)[article_id])

    def vector(self, article_id: str, old: bool = False) -> dict[str, float]:
        found = self._vectors.get((article_id, old))
        if found is None:
            found = self._vectors[(article_id, old)] = self.weights.vector(self.profile(article_id, old))
        return found

    def keys(self, article_id: str, old: bool = False) -> set[str]:
        return _keys(self.profile(article_id, old), self.vector(article_id, old), self.weights)

    def run(self, changed: int) -> Grouping:
        touched_keys = self._move_postings()
        edges, touched = self._new_edges(touched_keys)
        region = _reach(edges, (_reach(self.old.edges, touched & self.old.articles.keys())
                                | touched | set(self.fresh)) & self.new.keys())
        order = sorted(region, key=self.index.__getitem__)
        profiles = [self.profile(i) for i in order]
        vectors = [self.vector(i) for i in order]
        local = {article_id: n for n, article_id in enumerate(order)}
        scored = [(score, local[a], local[b]) for a in order for b, score in edges.get(a, {}).items()
                  if b in local and local[a] < local[b]]
        regrouped = _stories_of(profiles, vectors, self.weights, scored)
        kept = {id(s): s for i, s in self.old.story_of.items() if i in self.new and i not in region}
        stories = sorted([*kept.values(), *regrouped], key=news_order, reverse=True)
        return Grouping(self.weights, self.new, self.postings, edges, _story_index(stories), tuple(stories),
                        changed, len(region))

    def _move_postings(self) -> set[str]:
        """Take the old versions out of their postings and put the new ones in; the keys touched."""
        touched: set[str] = set()
        for article_id in self.gone:
            for key in self.keys(article_id, old=True):
                self.postings[key] = tuple(i for i in self.postings.get(key, ()) if i != article_id)
                touched.add(key)
        for article_id in self.fresh:
            for key in self.keys(article_id):
                self.postings[key] = (*self.postings.get(key, ()), article_id)
                touched.add(key)
        return touched

    def _new_edges(self, touched_keys: set[str]) -> tuple[dict[str, dict[str, float]], set[str]]:
        """The same-event candidate pairs after the change, and every article whose pairs changed."""
        edges = {i: dict(others) for i, others in self.old.edges.items()}
        touched: set[str] = set(self.gone)
        for article_id in self.gone:
            for other in edges.pop(article_id, {}):
                edges.get(other, {}).pop(article_id, None)
                touched.add(other)
        recheck = self._moved_undated_pairs(touched_keys) | self._pairs_of_fresh()
        for a, b in recheck:
            if a not in self.new or b not in self.new:
                continue
            score = self._score_if_candidate(a, b)
            before = edges.get(a, {}).get(b)
            if score is not None and score >= SAME_EVENT:
                edges.setdefault(a, {})[b] = edges.setdefault(b, {})[a] = score
            else:
                edges.get(a, {}).pop(b, None)
                edges.get(b, {}).pop(a, None)
                score = None
            if before != score:
                touched.update((a, b))
        return {i: others for i, others in edges.items() if others}, touched

    def _pairs_of_fresh(self) -> set[Pair]:
        """Every article sharing a posting with a new version: its possible candidates."""
        pairs: set[Pair] = set()
        for article_id in self.fresh:
            for key in self.keys(article_id):
                pairs.update(_pair(article_id, other) for other in self.postings[key] if other != article_id)
        return pairs

    def _moved_undated_pairs(self, touched_keys: set[str]) -> set[Pair]:
        """Pairs (with an undated member) that are arrival neighbours in a touched posting before or
        after the change, but not both: their candidacy may have moved."""
        moved: set[Pair] = set()
        for key in touched_keys:
            before = self._undated_neighbours(self.old.postings.get(key, ()), old=True)
            after = self._undated_neighbours(self.postings.get(key, ()), old=False)
            moved |= before ^ after
        return moved

    def _undated_neighbours(self, members: tuple[str, ...], old: bool) -> set[Pair]:
        profile = (lambda i: self.profile(i, old=True)) if old else self.profile
        if all(profile(i).day is not None for i in members):
            return set()
        ranks = _arrival_ranks(members, profile, self.old_index if old else self.index)
        by_rank = sorted(ranks, key=ranks.__getitem__)
        half = UNDATED_NEIGHBOURS // 2
        pairs: set[Pair] = set()
        for i in members:
            if profile(i).day is None:
                at = ranks[i]
                pairs.update(_pair(i, j) for j in by_rank[max(0, at - half):at + half + 1] if j != i)
        return pairs

    def _score_if_candidate(self, a: str, b: str) -> float | None:
        """The pair's score if it is a candidate pair now (close in at least MIN_SHARED_KEYS postings)."""
        pa, pb = self.profile(a), self.profile(b)
        shared = {key for key in self.keys(a) & self.keys(b) if key_counts(key, pa, pb)}
        if len(shared) < MIN_SHARED_KEYS:
            return None
        if pa.day is not None and pb.day is not None:
            close = abs(pa.day - pb.day) <= WINDOW_DAYS + 32 and _date_factor(pa, pb) > 0.0
            count = len(shared) if close else 0
        else:
            count = sum(1 for key in shared if self._neighbours_in(key, a, b))
        if count < MIN_SHARED_KEYS:
            return None
        return _pair_score(pa, pb, self.vector(a), self.vector(b), self.weights)

    def _neighbours_in(self, key: str, a: str, b: str) -> bool:
        ranks = self._arrival.get(key)
        if ranks is None:
            ranks = self._arrival[key] = _arrival_ranks(self.postings[key], self.profile, self.index)
        return abs(ranks[a] - ranks[b]) <= UNDATED_NEIGHBOURS // 2


def _arrival_ranks(members: Iterable[str], profile: Callable[[str], _Profile],
                   index: Mapping[str, int]) -> dict[str, int]:
    """Member -> its rank in arrival order (first_seen, then position), as `group_stories` orders a posting."""
    ordered = sorted(members, key=lambda i: (profile(i).article.first_seen, index[i]))
    return {article_id: rank for rank, article_id in enumerate(ordered)}


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _reach(edges: Mapping[str, Mapping[str, float]], seeds: Iterable[str]) -> set[str]:
    """Every article connected to a seed by same-event pairs (the seeds' components)."""
    seen = set(seeds)
    stack = list(seen)
    while stack:
        for other in edges.get(stack.pop(), {}):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


__all__ = ["Grouping", "REFRESH_FRACTION"]
