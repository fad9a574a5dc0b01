"""Incremental grouping (bot.stories.incremental) makes exactly the stories of a full regrouping.

Dense synthetic corpora (a few weeks of news, a small pool of names shared across
events, some articles undated or dated to the month only) are edited at random (new
articles, changed ones, retired ones); after each edit the updated grouping must equal
`group_stories` over the same articles with the same frozen corpus statistics.
"""
from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings, strategies as st

from bot.digest.catalog import Catalog
from bot.digest.search import SearchIndex
from bot.models import Article, KeyPoint
from bot.stories.group import corpus_weights, group_stories
from bot.stories.incremental import Grouping
from tests.support.factories import make_theme

NAMES = [f"Name{k}" for k in range(40)]
WORDS = "summit minister sanctions dialogue elections protest congress embassy treaty trade".split()


def _article(rnd: random.Random, number: int, event: tuple) -> Article:
    day, who, topic = event
    sentences = [f"{who[k % 4]} said the {topic[k % 4]} with {who[(k + 1) % 4]} would {rnd.choice(topic)}."
                 for k in range(8)]
    dating = rnd.random()
    published = "" if dating < 0.2 else f"2021-03" if dating < 0.3 else f"2021-03-{day + rnd.randrange(3):02d}"
    return Article(id=f"a{number:04d}", path=f"a{number}", content_hash=f"h{number}-{rnd.random()}",
                   title=f"{who[0]} and {who[1]} in Lima on {topic[0]}", language="en",   # one big posting
                   body="\n\n".join(" ".join(sentences[k:k + 3]) for k in range(0, 8, 3)),
                   key_points=tuple(KeyPoint(s) for s in sentences[:4]), themes=(("oas", 0.7),),
                   published=published, outlet=rnd.choice("ABCD"), first_seen=rnd.uniform(0, 1000))


def _event(rnd: random.Random, names: list[str] = NAMES, words: list[str] = WORDS) -> tuple:
    return (rnd.randrange(1, 26), rnd.sample(names, 4), rnd.sample(words, 4))


def _corpus(rnd: random.Random, size: int, names: list[str] = NAMES, words: list[str] = WORDS) -> list[Article]:
    events = [_event(rnd, names, words) for _ in range(size // 2)]
    return [_article(rnd, n, rnd.choice(events)) for n in range(size)]


def _edit(rnd: random.Random, articles: list[Article], serial: list[int]) -> list[Article]:
    """One random edit: add an article (of a known event or a new one), change one, or retire one."""
    kind = rnd.choice(("add", "add", "change", "retire"))
    if kind == "add":
        serial[0] += 1
        return [*articles, _article(rnd, serial[0], _event(rnd))]
    victim = rnd.randrange(len(articles))
    if kind == "retire":
        return articles[:victim] + articles[victim + 1:]
    changed = replace(_article(rnd, 0, _event(rnd)), id=articles[victim].id, first_seen=articles[victim].first_seen)
    return articles[:victim] + [changed] + articles[victim + 1:]


def _groups(stories) -> set[tuple[str, ...]]:
    return {tuple(sorted(a.id for a in story.articles)) for story in stories}


def test_a_full_grouping_is_group_stories():
    articles = _corpus(random.Random(5), 80)
    assert _groups(Grouping.full(articles).stories) == _groups(group_stories(articles))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_an_updated_grouping_equals_a_full_regrouping_with_the_same_statistics(seed):
    rnd = random.Random(seed)
    articles = _corpus(rnd, 60)
    grouping = Grouping.full(articles)
    weights = grouping.weights
    serial = [1000]
    for _ in range(6):
        articles = _edit(rnd, articles, serial)
        grouping = grouping.update(articles, refresh=1e9)
        assert grouping.weights is weights
        assert _groups(grouping.stories) == _groups(group_stories(articles, weights))
        again = Grouping.full(articles, weights)   # the same pairs and postings, not only the same stories
        assert grouping.edges == again.edges
        assert {k: sorted(v) for k, v in grouping.postings.items() if v} == {k: sorted(v) for k, v in again.postings.items()}
        assert {a.id for s in grouping.stories for a in s.articles} == {a.id for a in articles}


def test_one_changed_article_regroups_only_the_stories_it_reaches():
    rnd = random.Random(9)   # events of different people and words: same-event pairs stay local
    names, words = [f"Person{k}" for k in range(1000)], [f"word{k}" for k in range(400)]
    articles = _corpus(rnd, 120, names, words)
    grouping = Grouping.full(articles)
    changed = articles[:-1] + [_article(rnd, 5000, _event(rnd, names, words))]
    updated = grouping.update(changed, refresh=1e9)
    assert 0 < updated.regrouped < len(articles) // 4
    untouched = [s for s in grouping.stories if all(a.id in updated.story_of for a in s.articles)
                 and not any(updated.story_of[a.id] is not s for a in s.articles)]
    assert len(untouched) >= len(grouping.stories) - updated.regrouped - 1   # reused whole, not rebuilt


def test_many_changes_group_afresh_with_new_statistics():
    rnd = random.Random(3)
    articles = _corpus(rnd, 40)
    grouping = Grouping.full(articles)
    edited = [replace(a, title=a.title + " again") for a in articles[:10]] + articles[10:]
    updated = grouping.update(edited)   # 25% changed: over REFRESH_FRACTION
    assert updated.weights is not grouping.weights and updated.changed == 0
    assert _groups(updated.stories) == _groups(group_stories(edited, corpus_weights(edited)))


def test_an_unchanged_corpus_is_the_same_grouping():
    articles = _corpus(random.Random(4), 30)
    grouping = Grouping.full(articles)
    assert grouping.update(list(articles)) is grouping


def test_a_catalog_updated_after_one_change_keeps_the_other_stories_and_indexes_the_new_one():
    rnd = random.Random(11)
    names, words = [f"Person{k}" for k in range(1000)], [f"word{k}" for k in range(400)]
    articles, themes = _corpus(rnd, 80, names, words), [make_theme("oas")]
    catalog = Catalog.build(articles, themes)
    assert catalog.update(list(articles), themes) is catalog
    fresh = _article(rnd, 7000, _event(rnd, names, words))
    updated = catalog.update([*articles, fresh], themes)
    assert updated.story(fresh.id) is not None and updated.article_count == 81
    assert updated.grouping is not None and updated.grouping.regrouped < 20
    kept = [s for s in catalog.stories if updated.story(s.id) is s]
    assert len(kept) >= len(catalog.stories) - updated.grouping.regrouped


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_an_updated_catalog_s_search_index_equals_one_built_afresh_over_its_stories(seed):
    rnd = random.Random(seed)
    articles, themes = _corpus(rnd, 50), [make_theme("oas"), make_theme("lima_group")]
    catalog = Catalog.build(articles, themes)
    serial = [2000]
    for _ in range(4):
        articles = _edit(rnd, articles, serial)
        updated = catalog.update(articles, themes)
        fresh = SearchIndex.build(updated.stories, themes)
        assert updated._search.words == fresh.words and updated._search.groups == fresh.groups
        assert {w: list(p) for w, p in updated._search.words.items()} == {w: list(p) for w, p in fresh.words.items()}
        assert updated._search.phrases == fresh.phrases
        for query in ("summit", "minister trade", "lima", "oas"):
            assert updated.search(query) == [updated.stories[k] for k in fresh.search(query, 10)]
        catalog = updated
