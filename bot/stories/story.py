"""One story from its articles: headline, news date, points, themes, one version per language. Pure.

The headline is the best article headline: that of the most representative
article (most words in common with the others), passing over titles that are cut
sentences ("…"), captions or credits, and over-long first sentences. The date is
the story's news date: the earliest date its articles give, the most precise
one on that day ("2023-01-09" over "2023-01"). The points merge near-duplicates
across outlets (`bot.stories.points`). A story with articles in several
languages keeps a version (headline and points) per language, so a Spanish
reader sees a Spanish headline when a Spanish article exists
(`Story.in_language`).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone
from functools import lru_cache
from typing import Sequence

from bot.models import MIN_POINTS, Article, Story, StoryVersion
from bot.stories.points import merge_points
from bot.stories.text import stems_of

HEADLINE_WORDS = 25       # a longer "title" is a first sentence, not a headline
_CAPTION = re.compile(r"\b(?:photo|foto|file|archivo|getty|credit|crédito)\b|\((?:AFP|AP|EFE|Reuters)\)\s*$|"
                      r"(?:AFP|EFE|Reuters|ANDINA)\s*$", re.IGNORECASE)


def build_story(articles: tuple[Article, ...]) -> Story:
    """One story of these articles (given newest first)."""
    return _story(articles)


@lru_cache(maxsize=1 << 14)
def _story(articles: tuple[Article, ...]) -> Story:
    """Memoised, so a catalog rebuild reuses every unchanged story."""
    central = by_centrality(articles) if len(articles) > 1 else list(articles)
    best = central[0]
    earliest = min(articles, key=lambda a: (a.first_seen, a.published or "9999", a.id))
    versions = tuple(_version(language, central) for language in dict.fromkeys(a.language for a in central))
    return Story(
        id=earliest.id,
        title=versions[0].title or best.id,
        published=news_date(articles),
        articles=articles,
        points=versions[0].points,
        themes=_union_themes(articles),
        language=best.language,
        first_seen=min(a.first_seen for a in articles),
        versions=versions,
    )


def _version(language: str, central: Sequence[Article]) -> StoryVersion:
    """Headline from the articles in `language`; points from all, that language's first."""
    own = [a for a in central if a.language == language]
    ordered = own + [a for a in central if a.language != language]
    return StoryVersion(language, headline(own) or headline(central), merge_points(ordered))


def news_order(story: Story) -> tuple[str, float, str]:
    """Sort key, newest first with reverse=True: the news date; an undated story counts as news of
    the day it was first seen (UTC), then the time it was first seen, then its id."""
    seen = datetime.fromtimestamp(story.first_seen, timezone.utc).date().isoformat()
    return (story.published or seen, story.first_seen, story.id)


def news_date(articles: Sequence[Article]) -> str:
    """The earliest date the articles give; of equal days, the most precise ('2023-01-09' over '2023-01')."""
    dates = [a.published for a in articles if a.published]
    if not dates:
        return ""
    return min(dates, key=lambda d: (d[:10].ljust(10, "~"), -len(d)))


def is_headline(title: str) -> bool:
    """A real headline: not a sentence (cut "…" or whole "."), not a caption or credit, not a paragraph."""
    stripped = title.strip()
    return (bool(stripped) and not stripped.endswith(("…", "...", ".")) and not _CAPTION.search(stripped)
            and len(stripped.split()) <= HEADLINE_WORDS)


def headline(central: Sequence[Article]) -> str:
    """The most representative article's real headline; any title when none is a real headline."""
    titles = [a.title.strip() for a in central if a.title.strip()]
    return next((t for t in titles if is_headline(t)), titles[0] if titles else "")


@lru_cache(maxsize=1 << 15)
def _unit_vector(article: Article) -> dict[str, float]:
    points = " ".join(point.text for point in article.key_points)
    counts = Counter(stems_of(article.title) * 3 + stems_of(points) + stems_of(article.body[:2000]))
    vector = {s: 1.0 + math.log(n) for s, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {s: v / norm for s, v in vector.items()}


def by_centrality(articles: Sequence[Article]) -> list[Article]:
    """The story's articles, the most representative first: most words in common with the
    others (cosine of term frequencies), then with enough key points, then with a real headline."""
    vectors = [_unit_vector(article) for article in articles]
    total: dict[str, float] = defaultdict(float)   # the sum of every article's vector: linear, not all pairs
    for vector in vectors:
        for stem, value in vector.items():
            total[stem] += value

    def centrality(vector: dict[str, float]) -> float:   # its cosine with each other article, summed
        return sum(v * (total[s] - v) for s, v in vector.items())

    keys = {id(article): (-round(centrality(vector), 6), -min(len(article.key_points), MIN_POINTS),
                          not is_headline(article.title)) for article, vector in zip(articles, vectors)}
    return sorted(articles, key=lambda a: keys[id(a)])


def _union_themes(articles: Sequence[Article]) -> tuple[str, ...]:
    totals: dict[str, float] = defaultdict(float)
    for article in articles:
        for command, score in article.themes:
            totals[command] += score
    return tuple(sorted(totals, key=lambda c: (-totals[c], c)))
