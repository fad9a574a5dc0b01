"""What grouping reads of one article: its profile (stems, names, concepts, dates), memoised. Pure."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.models import Article
from bot.stories.evidence import days_ahead, days_named, numbers_named
from bot.stories.lexicon import concepts_named
from bot.stories.newsday import NewsDay, news_day
from bot.stories.text import entities_of, stems_of

LEAD_CHARS = 2000         # an event is told in the lead: the body beyond it is not read


@dataclass(frozen=True)
class Profile:
    article: Article
    stems: dict[str, float]          # log-scaled term frequencies
    entities: frozenset[str]
    lead_stems: dict[str, float]     # the same for the news lead: headline and first two key points
    lead_entities: frozenset[str]
    concepts: frozenset[str]         # places, bodies and happenings named, the same in en/es/pt
    themes: frozenset[str]
    days_named: frozenset[tuple[int, int]]   # (month, day) the title, key points and lead name
    days_ahead: frozenset[tuple[int, int]]   # ... of them, the days named as still ahead ("will vote on 6 May")
    day: int | None                  # date ordinal, or None
    tolerance: int                   # extra days of slack for month-only dates
    news: NewsDay                    # the day of the happening as the article's date or lead states it


@lru_cache(maxsize=1 << 15)
def profile_of(article: Article) -> Profile:
    """What grouping needs of one article (memoised: a rebuild only profiles new articles)."""
    points = " ".join(point.text for point in article.key_points)
    text = f"{article.title}.\n{points}\n{article.body[:LEAD_CHARS]}"
    news = f"{article.title}.\n" + " ".join(point.text for point in article.key_points[:2])
    names = entities_of(text) | _neutral(text)
    day, tolerance = _day_of(article.published)
    stated = news_day(f"{article.title}\n{article.body}", _date_parts(article.published))
    return Profile(article, _log_tf(stems_of(article.title) * 3 + stems_of(f"{points}\n{article.body[:LEAD_CHARS]}")),
                    names, _log_tf(stems_of(news)), entities_of(news) | _neutral(news), concepts_named(text),
                    frozenset(article.theme_names), days_named(text), days_ahead(text), day, tolerance, stated)


def _neutral(text: str) -> frozenset[str]:
    """Language-neutral names: the days ("8/8") and figures ("#33") the text names."""
    return frozenset(f"{month}/{day}" for month, day in days_named(text)) | numbers_named(text)


def _log_tf(stems: list[str]) -> dict[str, float]:
    return {s: 1.0 + math.log(n) for s, n in Counter(stems).items()}


def _date_parts(published: str) -> tuple[int | None, int | None, int | None]:
    parts = [int(part) for part in re.findall(r"\d+", published or "")][:3]
    year, month, day = parts + [None] * (3 - len(parts))
    return year, month, day


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
