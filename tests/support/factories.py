"""Small builders of the real domain dataclasses for tests (plain constructors, no mocks).

    article = make_article("a1", title="Lima Group meets", themes=("lima_group",))
    story = make_story("s1", points=("One.", "Two."), themes=("lima_group",))
    theme = make_theme("lima_group", title="Lima Group")
    subscriber = make_subscriber(42, themes=("lima_group",), last_digest_at=100.0)

Every keyword not given gets a plain, valid default.
"""
from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from dataclasses import replace

from bot.models import Article, KeyPoint, Story, StoryPoint, Subscriber, Theme

DEFAULT_BODY = (
    "The foreign ministers of the Lima Group met in Lima on Friday.\n\n"
    "They called for free and fair elections in Venezuela."
)


def make_article(id: str = "a1", *, title: str = "", body: str = DEFAULT_BODY,
                 key_points: tuple[str, ...] = ("The Lima Group met on Friday.",),
                 themes: tuple[str, ...] = (), **fields) -> Article:
    """An Article; `themes` are commands (score 1.0 each); other fields pass through."""
    return Article(
        id=id,
        path=fields.pop("path", f"{id}.txt"),
        content_hash=fields.pop("content_hash", hashlib.sha256(body.encode()).hexdigest()),
        title=title or f"Article {id}",
        body=body,
        language=fields.pop("language", "en"),
        key_points=tuple(KeyPoint(text) for text in key_points),
        themes=tuple((command, 1.0) for command in themes),
        **fields,
    )


def make_theme(command: str = "lima_group", *, title: str = "", title_es: str = "",
               terms: tuple[str, ...] = (), context: str = "", **fields) -> Theme:
    """A Theme with English (and optionally Spanish) title and context."""
    english = title or command.replace("_", " ").title()
    titles = {"en": english, **({"es": title_es} if title_es else {})}
    return Theme(
        command=command,
        title=titles,
        description=fields.pop("description", {"en": f"News about {english}"}),
        terms=terms or (english,),
        context=fields.pop("context_by_language", {"en": context} if context else {}),
        **fields,
    )


def make_story(id: str = "s1", *, title: str = "", points: tuple[str, ...] = ("A key point.",),
               themes: tuple[str, ...] = (), outlets: tuple[str, ...] = ("Andina",),
               urls: tuple[str, ...] = (), published: str = "2021-08-06",
               first_seen: float = 0.0, language: str = "en",
               sources: tuple[int, ...] = ()) -> Story:
    """A Story with one article per outlet (urls matched by position) and points from the first outlet."""
    articles = tuple(
        make_article(f"{id}#{n}" if n else id, title=title or f"Story {id}", themes=themes,
                     outlet=outlet, url=urls[n] if n < len(urls) else "",
                     published=published, first_seen=first_seen, language=language,
                     key_points=points)
        for n, outlet in enumerate(outlets)
    )
    first = articles[0] if articles else None
    story_points = tuple(
        StoryPoint(text, outlet=first.outlet if first else "", url=first.url if first else "",
                   sources=sources[n] if n < len(sources) else 1)
        for n, text in enumerate(points)
    )
    return Story(id=id, title=title or f"Story {id}", published=published, articles=articles,
                 points=story_points, themes=themes, language=language, first_seen=first_seen)


def make_subscriber(chat_id: int = 1, *, themes: tuple[str, ...] = ("lima_group",),
                    **fields) -> Subscriber:
    """A Subscriber with the given themes; other settings pass through."""
    return Subscriber(chat_id=chat_id, themes=themes, **fields)


def story_articles(story: Story) -> list[Article]:
    """The articles of a story, each tagged with the story's themes (to feed Catalog.build)."""
    return [replace(article, themes=tuple((c, 1.0) for c in story.themes)) for article in story.articles]


def synthetic_articles(n: int, seed: int = 1) -> list[Article]:
    """n articles of ~n/2 events (1-3 outlets each) over four years, with made-up names."""
    rnd = random.Random(seed)
    names = [f"Name{k}" for k in range(3000)]
    words = "summit minister sanctions dialogue elections protest congress embassy treaty trade".split()
    articles: list[Article] = []
    while len(articles) < n:
        day = date(2019, 1, 1) + timedelta(days=rnd.randrange(1500))
        who, topic = rnd.sample(names, 4), rnd.sample(words, 4)
        for _ in range(rnd.choice([1, 1, 2, 3])):
            sentences = [f"{who[k % 4]} said the {topic[k % 4]} with {who[(k + 1) % 4]} would {rnd.choice(words)}."
                         for k in range(12)]
            aid = f"s{len(articles):05d}"
            articles.append(Article(
                id=aid, path=aid, content_hash=aid, title=f"{who[0]} and {who[1]} on {topic[0]}",
                body="\n\n".join(" ".join(sentences[k:k + 3]) for k in range(0, 12, 3)), language="en",
                key_points=tuple(KeyPoint(s) for s in sentences[:4]), themes=(("oas", 0.7),),
                published=(day + timedelta(days=rnd.randrange(3))).isoformat(), outlet=rnd.choice("ABC"),
                first_seen=float(len(articles))))
    return articles[:n]


def synthetic_body(sentences: int) -> str:
    """A clean body of `sentences` plain, distinct sentences, three to a paragraph."""
    topics = ["Lima Group", "OAS", "CELAC", "Mercosur", "UNASUR", "Pacific Alliance", "Andean Community"]
    lines = [f"The {topics[i % 7]} ministers met in city number {i} and agreed on point {i * 7 % 13} "
             f"of the agenda on trade, migration and democracy." for i in range(sentences)]
    return "\n\n".join(" ".join(lines[i:i + 3]) for i in range(0, sentences, 3))
