"""Stories: the same event from several outlets becomes one story; different events stay apart."""

import pytest
from hypothesis import given, settings, strategies as st

from bot.stories.group import group_stories, merge_points, same_event
from bot.stories.story import news_order
from tests.support.factories import make_article, synthetic_articles
from tests.support.story_corpus import corpus, labelled_pairs, precision_recall

SEED_000, SEED_001, SEED_002, SEED_003, SEED_004 = (
    "000_f18ac61ab55c5c62", "001_ff3fe17ec2c02463", "002_08046813d247bba2",
    "003_de3d19812274eedd", "004_40cc1f5d1d274368")


def _story_of(stories):
    return {article.id: story for story in stories for article in story.articles}


def test_grouping_precision_and_recall_on_the_labelled_pairs():
    precision, recall, *_ = precision_recall()
    assert len(labelled_pairs()) >= 150
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)


def test_bejar_announcement_from_two_outlets_is_one_story_and_the_later_op_ed_is_not():
    story_of = _story_of(group_stories(corpus()))
    assert story_of[SEED_000] is story_of[SEED_001]
    assert story_of[SEED_004] is not story_of[SEED_000]
    assert story_of[SEED_003] is not story_of[SEED_000]
    assert story_of[SEED_002] is not story_of[SEED_000]


def test_two_different_oas_meetings_are_two_stories():
    story_of = _story_of(group_stories(corpus()))
    assert story_of["oas_assembly_lima_wire"] is story_of["oas_asamblea_lima_es"]
    assert story_of["oas_assembly_lima_wire"] is not story_of["oas_council_castillo_wire"]


def test_same_event_scores_a_close_pair_above_a_far_one():
    articles = {a.id: a for a in corpus()}
    near = same_event(articles[SEED_000], articles[SEED_001])
    far = same_event(articles[SEED_000], articles[SEED_003])
    assert 0.0 <= far < near <= 1.0
    assert same_event(articles[SEED_000], articles[SEED_001]) == same_event(articles[SEED_001], articles[SEED_000])


def test_the_same_text_weeks_apart_is_not_the_same_event():
    a = make_article("a", title="OAS council meets on Peru", published="2022-12-07")
    b = make_article("b", title="OAS council meets on Peru", published="2023-01-20")
    assert same_event(a, b) == 0.0
    assert same_event(a, make_article("c", title="OAS council meets on Peru", published="")) > 0.5


def test_story_takes_its_id_from_the_earliest_article_and_keeps_every_outlet():
    stories = group_stories(corpus())
    story = _story_of(stories)[SEED_000]
    earliest = min(story.articles, key=lambda a: a.first_seen)
    assert story.id == earliest.id
    assert story.first_seen == earliest.first_seen
    assert len(story.articles) >= 3
    assert set(story.outlets) == {a.outlet for a in story.articles if a.outlet}
    assert set(story.themes) >= {"lima_group", "bejar", "venezuela"}
    assert story.published == min(a.published for a in story.articles if a.published)   # the news date
    assert 3 <= len(story.points) <= 5


def test_stories_come_newest_first():
    keys = [news_order(s) for s in group_stories(corpus())]
    assert keys == sorted(keys, reverse=True)


def test_a_key_point_carried_by_two_outlets_appears_once_with_two_sources():
    first = make_article("a", outlet="teleSUR", key_points=(
        "Peru will withdraw from the Lima Group, foreign minister Héctor Béjar announced.",
        "Béjar met his Venezuelan counterpart."))
    second = make_article("b", outlet="Andina", key_points=(
        "Foreign minister Hector Bejar announced that Peru will withdraw from the Lima Group.",
        "The minister spoke in Lima on Monday."))
    points = merge_points([first, second])
    assert [p.sources for p in points] == [2, 1, 1]
    assert points[0].outlet == "teleSUR" and points[0].text.startswith("Peru will withdraw")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(range(19)), max_size=19, unique=True))
def test_no_article_is_lost_or_duplicated_by_grouping(picks):
    articles = [corpus()[k] for k in picks]
    ids = [a.id for s in group_stories(articles) for a in s.articles]
    assert sorted(ids) == sorted(a.id for a in articles)


@pytest.mark.slow
def test_grouping_ten_thousand_articles_places_each_once():
    """How fast: benchmarks/responsiveness.py."""
    stories = group_stories(synthetic_articles(10_000))
    assert sorted(a.id for s in stories for a in s.articles) == [f"s{n:05d}" for n in range(10_000)]
