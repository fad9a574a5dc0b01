"""The catalog: every story and theme of one ingest, indexed for the bot's lookups. Pure.

Built from scratch (`Catalog.build`) or from the previous catalog (`Catalog.update`:
only the stories a changed article reaches are grouped again, see
`bot.stories.incremental`), then read by many handlers at once: it is never mutated
after building. Search (`bot.digest.search`) is plain words over
the whole clean text, a theme's terms as synonyms, ranked by where the words occur
and by recency.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from bot.models import Article, Story, Theme
from bot.stories.incremental import Grouping
from bot.stories.story import news_order
from bot.digest.ids import short_story_id
from bot.digest.search import SearchIndex


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
    _search: SearchIndex = field(default_factory=SearchIndex, repr=False)
    is_searchable: bool = True   # False: built without its search index yet (see with_search_index)
    grouping: Grouping | None = field(default=None, repr=False, compare=False)   # what `update` regroups from

    @classmethod
    def build(cls, articles: Sequence[Article], themes: Sequence[Theme]) -> "Catalog":
        """Group the live (not retired) articles into stories and index them."""
        live = [article for article in articles if not article.is_retired]
        grouping = Grouping.full(live)
        return cls.from_stories(grouping.stories, themes, article_count=len(live), grouping=grouping)

    def update(self, articles: Sequence[Article], themes: Sequence[Theme]) -> "Catalog":
        """The catalog of `articles`, grouping again only the stories that changed articles reach
        (this catalog itself when nothing changed); built from scratch when the themes changed or
        this catalog was not grouped here (a saved one)."""
        if self.grouping is None or tuple(themes) != self.themes:
            return Catalog.build(articles, themes)
        live = [article for article in articles if not article.is_retired]
        grouping = self.grouping.update(live)
        if grouping is self.grouping:
            return self
        return Catalog.from_stories(grouping.stories, themes, article_count=len(live), grouping=grouping,
                                    reuse=self if self.is_searchable else None)

    @classmethod
    def from_stories(cls, stories: Iterable[Story], themes: Sequence[Theme], article_count: int,
                     *, searchable: bool = True, grouping: Grouping | None = None,
                     reuse: "Catalog | None" = None) -> "Catalog":
        """Index stories already grouped (a fresh grouping, or the saved one of an unchanged store).

        `searchable=False` leaves out the search index (it reads every article's text: the
        slow part of a saved catalog's start-up); `with_search_index` adds it later. `reuse`, an
        earlier catalog of the same themes: its stories kept here keep their search postings."""
        ordered = tuple(sorted(stories, key=news_order, reverse=True))
        carried = (reuse.stories, reuse._search) if reuse is not None else None
        by_theme: dict[str, list[Story]] = defaultdict(list)
        by_id: dict[str, Story] = {}
        for story in ordered:
            for command in story.themes:
                by_theme[command].append(story)
            for article in story.articles:
                by_id.setdefault(article.id, story)
        for story in ordered:
            by_id.setdefault(short_story_id(story.id), story)   # what readers see under each story
        for story in ordered:
            by_id[story.id] = story       # a story id wins over an article id that equals it
        return cls(
            themes=tuple(themes),
            stories=ordered,
            article_count=article_count,
            watermark=max((story.first_seen for story in ordered), default=0.0),
            _themes_by_command=MappingProxyType({t.command: t for t in themes}),
            _by_theme=MappingProxyType({c: tuple(s) for c, s in by_theme.items()}),
            _by_id=MappingProxyType(by_id),
            _rank=MappingProxyType({s.id: k for k, s in enumerate(ordered)}),
            _search=SearchIndex.build(ordered, themes, reuse=carried) if searchable else SearchIndex(),
            is_searchable=searchable,
            grouping=grouping,
        )

    def with_search_index(self) -> "Catalog":
        """This catalog with its search index built (itself when it has one)."""
        if self.is_searchable:
            return self
        return replace(self, _search=SearchIndex.build(self.stories, self.themes), is_searchable=True)

    def theme(self, command: str) -> Theme | None:
        return self._themes_by_command.get(command.lstrip("/").lower())

    def stories_for(self, command: str) -> tuple[Story, ...]:
        """The stories of one theme, newest first."""
        return self._by_theme.get(command.lstrip("/").lower(), ())

    def story(self, id: str) -> Story | None:
        """A story by its short id (what readers see), its id, or an id of one of its articles."""
        return self._by_id.get(id) or self._by_id.get(id.lower())

    def search(self, query: str, limit: int = 10) -> list[Story]:
        """The best `limit` stories for plain words (never a pattern); see bot.digest.search."""
        return [self.stories[pos] for pos in self._search.search(query, limit)]

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
