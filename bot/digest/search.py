"""Story search: plain words over the whole clean text, theme terms as synonyms, ranked. Pure.

- Every word of a story counts, weighted by where it occurs: the headline (4 a hit),
  a key point (2), the body (1); repeats add up to a cap, so a story that names the
  OAS five times in its body is found, and one that has it in its headline ranks first.
  Body words are indexed when they occur twice or in the lead (the first 150 words):
  one passing mention deep in a long text is not what a reader searches for.
- A theme's terms are synonyms of each other: "OEA", "OAS" and "Organization of
  American States" (any of the theme's terms, or its titles) each find the stories
  that carry any of them, and the stories tagged with the theme; "grupo de lima" is
  one term, not three words.
- Every word (or term) of the query must match; stop words and one-letter fragments
  are ignored when the query has other words. Ties go to the newer story, and
  recency adds a little to every score.

The per-theme score tables are built once per catalog, so a query costs a few dict
intersections (/search p99 5–7 ms at 10,000 articles, cold calls included: benchmarks/commands.py).
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

from bot.models import Story, Theme
from bot.stories.text import STOP_WORDS, words_of

TITLE, POINT, BODY = 4, 2, 1
CAPS = {TITLE: 2, POINT: 3, BODY: 4}       # hits counted per field (repeats add, up to this)
TAGGED = 2                                 # a story tagged with the theme a query term names
RECENCY = 3.0                              # the newest story gets this much more than the oldest
LEAD_WORDS = 150
MAX_PHRASE = 6


def _usable(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS


def story_weights(story: Story) -> Counter:
    """word -> weight for one story: headline, key points and body hits, capped per field."""
    weights: Counter = Counter()
    fields = ((TITLE, words_of(story.title)),
              (POINT, [w for point in story.points for w in words_of(point.text)]))
    for weight, words in fields:
        for word, count in Counter(words).items():
            weights[word] += weight * min(count, CAPS[weight])
    for article in story.articles:
        body = [w for w in words_of(article.body) if _usable(w)]
        lead = set(body[:LEAD_WORDS])
        for word, count in Counter(body).items():
            if count >= 2 or word in lead:
                weights[word] += BODY * min(count, CAPS[BODY])
    return weights


def theme_phrases(theme: Theme) -> set[tuple[str, ...]]:
    """The theme's terms and titles as folded word tuples ("=CAN" -> ("can",); "X ~ a, b" -> X)."""
    texts = [term.split("~", 1)[0].lstrip("=").strip() for term in theme.terms] + list(theme.title.values())
    return {phrase for phrase in (tuple(words_of(text)) for text in texts) if 0 < len(phrase) <= MAX_PHRASE}


def load_ranking() -> None:
    """Import what ranking a search needs (numpy, 0.1-0.2 s) ahead of the first /search: `digestbot run`'s
    warm-up calls this just after its first poll, so neither the start nor the first search pays it."""
    import numpy  # noqa: F401


@dataclass(frozen=True)
class SearchIndex:
    """Postings by word and score tables by theme, over stories in catalog order (0 = newest)."""

    size: int = 0
    words: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    phrases: Mapping[tuple[str, ...], Mapping[int, int]] = field(default_factory=dict)  # phrase -> its themes' scores
    groups: Sequence[Mapping[int, int]] = ()                                            # group -> {pos: score}
    _sorted: dict[int, list[int]] = field(default_factory=dict, repr=False, compare=False)   # memo by table id

    @classmethod
    def build(cls, stories: Sequence[Story], themes: Sequence[Theme], *,
              reuse: "tuple[Sequence[Story], SearchIndex] | None" = None) -> "SearchIndex":
        """The index of `stories`. `reuse` is (the stories an earlier index was built over, that
        index): a story in both (the same object: an incremental catalog keeps the stories no
        change reached) keeps its postings, moved to its new position, instead of reading its
        articles' text again. The result equals a build without `reuse`."""
        words, fresh = (_carried(stories, *reuse) if reuse is not None
                        else (defaultdict(dict), range(len(stories))))
        for position in fresh:
            for word, weight in story_weights(stories[position]).items():
                words[word][position] = weight
        if reuse is not None:   # in position order, as a fresh build inserts them (ties in ranking keep that order)
            words = defaultdict(dict, {word: dict(sorted(postings.items())) for word, postings in words.items()})
        phrases: dict[tuple[str, ...], list[int]] = defaultdict(list)
        groups = []
        for group, theme in enumerate(themes):
            alternatives = theme_phrases(theme)
            for phrase in alternatives:
                phrases[phrase].append(group)
            scores: dict[int, int] = {}
            for phrase in alternatives:
                for position, score in _phrase_scores(words, phrase).items():
                    scores[position] = max(scores.get(position, 0), score)
            for position, story in enumerate(stories):
                if theme.command in story.themes:
                    scores[position] = scores.get(position, 0) + TAGGED
            groups.append(scores)
        merged: dict[tuple[int, ...], Mapping[int, int]] = {}
        for owners in phrases.values():
            key = tuple(owners)
            if key not in merged:
                merged[key] = _merged([groups[g] for g in key])
        return cls(len(stories), dict(words), {p: merged[tuple(g)] for p, g in phrases.items()}, tuple(groups))

    def search(self, query: str, limit: int) -> list[int]:
        """Positions of the best `limit` stories for `query` (see the module doc)."""
        tables = self._tables(words_of(query))
        if not tables or limit <= 0:
            return []
        tables.sort(key=len)
        recency = RECENCY / max(self.size, 1)
        if len(tables) == 1:
            return self._ranked(tables[0])[:limit]
        return self._threshold(tables, limit, recency)

    def _threshold(self, tables: list[Mapping[int, int]], limit: int, recency: float) -> list[int]:
        """Several tables: walk their ranked lists together and stop once no unseen story can
        beat the best `limit` found (Fagin's threshold algorithm); a few hundred steps, not all."""
        ranked = [self._ranked(table) for table in tables]
        best: list[tuple[float, int]] = []
        seen: set[int] = set()
        for depth in range(max(len(r) for r in ranked)):
            bound = (len(tables) - 1) * RECENCY
            for table, order in zip(tables, ranked):
                if depth >= len(order):
                    bound = -math.inf
                    continue
                position = order[depth]
                bound += table[position] - recency * position
                if position in seen:
                    continue
                seen.add(position)
                if all(position in other for other in tables):
                    total = sum(other[position] for other in tables) - recency * position
                    item = (total, -position)
                    if len(best) < limit:
                        heapq.heappush(best, item)
                    elif item > best[0]:
                        heapq.heapreplace(best, item)
            if bound == -math.inf or (len(best) >= limit and best[0][0] >= bound):
                break                   # a list ran out (every candidate was seen), or none can do better
        return [-position for _, position in sorted(best, reverse=True)]

    def _ranked(self, table: Mapping[int, int]) -> list[int]:
        """A one-table query's positions, best first; sorted once per table and kept (the index
        never changes, so a popular word or theme costs a slice after its first search)."""
        key = id(table)
        ranked = self._sorted.get(key)
        if ranked is None:
            import numpy as np   # here, not at the top: 0.1-0.15 s of imports `digestbot run` skips before its first poll
            recency = RECENCY / max(self.size, 1)
            positions = np.fromiter(table.keys(), dtype=np.int64, count=len(table))
            scores = np.fromiter(table.values(), dtype=np.float64, count=len(table))
            # the same order as sorted(table, key=recency * p - table[p]) (stable), at C speed:
            # a theme or a common word holds most of 10,000 stories on its first search
            ranked = positions[np.argsort(recency * positions - scores, kind="stable")].tolist()
            if len(self._sorted) > 4096:
                self._sorted.clear()
            self._sorted[key] = ranked
        return ranked

    def _tables(self, words: list[str]) -> list[Mapping[int, int]]:
        """One score table per query word or theme term (longest term first)."""
        tables: list[Mapping[int, int]] = []
        plain: list[str] = []
        index = 0
        while index < len(words):
            for length in range(min(MAX_PHRASE, len(words) - index), 0, -1):
                table = self.phrases.get(tuple(words[index:index + length]))
                if table is not None:
                    tables.append(table)
                    index += length
                    break
            else:
                plain.append(words[index])
                index += 1
        plain = list(dict.fromkeys(plain))
        kept = [w for w in plain if _usable(w)] or ([] if tables else [w for w in plain if len(w) > 1] or plain)
        return tables + [self.words.get(word, _EMPTY) for word in kept]


_EMPTY: Mapping[int, int] = MappingProxyType({})


def _carried(stories: Sequence[Story], old_stories: Sequence[Story],
             old: "SearchIndex") -> tuple[dict[str, dict[int, int]], list[int]]:
    """The old index's postings of the stories still here, at their new positions; and the
    positions of the stories that are new (their postings are still to be computed)."""
    position_of = {id(story): k for k, story in enumerate(stories)}   # both lists are alive: ids are unique
    moved = [position_of.get(id(story)) for story in old_stories]
    words: dict[str, dict[int, int]] = defaultdict(dict)
    for word, postings in old.words.items():
        for position, weight in postings.items():
            new = moved[position]
            if new is not None:
                words[word][new] = weight
    kept = {new for new in moved if new is not None}
    return words, [k for k in range(len(stories)) if k not in kept]


def _phrase_scores(words: Mapping[str, Mapping[int, int]], phrase: tuple[str, ...]) -> dict[int, int]:
    """Stories holding every word of the phrase, scored by its least-weighted word."""
    postings = sorted((words.get(word, {}) for word in phrase if _usable(word) or len(phrase) == 1), key=len)
    if not postings:
        return {}
    return {position: min([score, *(p[position] for p in postings[1:])])
            for position, score in postings[0].items() if all(position in p for p in postings[1:])}


def _merged(tables: list[Mapping[int, int]]) -> Mapping[int, int]:
    if len(tables) == 1:
        return tables[0]
    merged: dict[int, int] = {}
    for table in tables:
        for position, score in table.items():
            merged[position] = max(merged.get(position, 0), score)
    return merged
