"""The catalog: every story and theme of one ingest, indexed for the bot's lookups. Pure.

Built once per ingest (`Catalog.build`), then read by many handlers at once: it
is never mutated after building. Search is plain words (accent- and
case-insensitive, all words must match) over story titles and key points,
through an inverted index, ranked by hits and then recency.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from bot.models import Article, Story, Theme
from bot.stories.group import group_stories
from bot.stories.story import news_order
from bot.stories.text import STOP_WORDS, words_of


@dataclass(frozen=True)
class Catalog:
    """Stories (newest first) and themes, with lookups by theme, id and words."""

    themes: tuple[Theme, ...] = ()
    stories: tuple[Story, ...] = ()
    article_count: int = 0
    watermark: float = 0.0   # the newest story's first_seen: a digest built from this catalog covers up to here
    _themes_by_command: Mapping[str, Theme] = field(default_factory=dict, repr=False)
    _by_theme: Mapping[str, tuple[Story, ...]] = field(default_factory=dict, repr=False)
    _by_id: Mapping[str, Story] = field(default_factory=dict, repr=False)
    _rank: Mapping[str, int] = field(default_factory=dict, repr=False)          # story id -> position
    _index: Mapping[str, Mapping[int, int]] = field(default_factory=dict, repr=False)  # word -> {pos: hits}

    @classmethod
    def build(cls, articles: Sequence[Article], themes: Sequence[Theme]) -> "Catalog":
        """Group the live (not retired) articles into stories and index them."""
        live = [article for article in articles if not article.is_retired]
        stories = tuple(sorted(group_stories(live), key=news_order, reverse=True))
        by_theme: dict[str, list[Story]] = defaultdict(list)
        by_id: dict[str, Story] = {}
        for story in stories:
            for command in story.themes:
                by_theme[command].append(story)
            for article in story.articles:
                by_id.setdefault(article.id, story)
        for story in stories:
            by_id[story.id] = story       # a story id wins over an article id that equals it
        return cls(
            themes=tuple(themes),
            stories=stories,
            article_count=len(live),
            watermark=max((story.first_seen for story in stories), default=0.0),
            _themes_by_command=MappingProxyType({t.command: t for t in themes}),
            _by_theme=MappingProxyType({c: tuple(s) for c, s in by_theme.items()}),
            _by_id=MappingProxyType(by_id),
            _rank=MappingProxyType({s.id: k for k, s in enumerate(stories)}),
            _index=MappingProxyType(_word_index(stories)),
        )

    def theme(self, command: str) -> Theme | None:
        return self._themes_by_command.get(command.lstrip("/").lower())

    def stories_for(self, command: str) -> tuple[Story, ...]:
        """The stories of one theme, newest first."""
        return self._by_theme.get(command.lstrip("/").lower(), ())

    def story(self, id: str) -> Story | None:
        """A story by its id, or the story an article id belongs to."""
        return self._by_id.get(id)

    def search(self, query: str, limit: int = 10) -> list[Story]:
        """Stories whose title and key points hold every word of the query; most hits, then newest.

        Plain words only (never a pattern); one-letter fragments and stop words are
        ignored when the query has other words ("peru and bolivia" = "peru bolivia").
        """
        words = list(dict.fromkeys(words_of(query)))
        words = [w for w in words if len(w) > 1] or words
        words = [w for w in words if w not in STOP_WORDS] or words
        if not words or limit <= 0:
            return []
        postings = sorted((self._index.get(word, {}) for word in words), key=len)
        return [self.stories[pos] for pos in _most_hits_then_newest(postings, limit)]

    def new_since(self, commands: Iterable[str], since: float) -> list[Story]:
        """Stories of any of these themes first seen after `since`, each once, newest first."""
        positions = {self._rank[story.id]
                     for command in set(commands)
                     for story in self.stories_for(command) if story.first_seen > since}
        return [self.stories[pos] for pos in sorted(positions)]

    def counts(self) -> dict[str, int]:
        """Stories per theme of this catalog (0 when it has none); every tagged theme when built without themes."""
        if not self.themes:
            return {command: len(stories) for command, stories in self._by_theme.items()}
        return {theme.command: len(self._by_theme.get(theme.command, ())) for theme in self.themes}


def _most_hits_then_newest(postings: list[Mapping[int, int]], limit: int) -> list[int]:
    """Positions (0 = newest) in every posting, by total hits then recency, without sorting them all."""
    by_hits: dict[int, list[int]] = defaultdict(list)
    first, rest = postings[0], postings[1:]
    for pos, hits in first.items():
        for posting in rest:
            more = posting.get(pos)
            if more is None:
                break
            hits += more
        else:
            by_hits[hits].append(pos)
    best: list[int] = []
    for hits in sorted(by_hits, reverse=True):
        best += heapq.nsmallest(limit - len(best), by_hits[hits])
        if len(best) >= limit:
            break
    return best


def _word_index(stories: Sequence[Story]) -> dict[str, dict[int, int]]:
    index: dict[str, dict[int, int]] = defaultdict(dict)
    for position, story in enumerate(stories):
        text = " ".join([story.title, *(point.text for point in story.points)])
        for word in words_of(text):
            posting = index[word]
            posting[position] = posting.get(position, 0) + 1
    return dict(index)
