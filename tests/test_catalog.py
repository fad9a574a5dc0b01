"""The catalog: stories by theme, id and plain words, built once per ingest."""
import pytest

from bot.digest.catalog import Catalog
from tests.support.factories import make_article, make_theme
from tests.support.story_corpus import corpus, themes
from tests.support.factories import synthetic_articles
from tests.test_stories import SEED_000, SEED_001


@pytest.fixture(scope="module")
def catalog():
    return Catalog.build(corpus(), themes())


def test_stories_are_newest_first_and_hold_every_live_article(catalog):
    keys = [(s.published, s.first_seen) for s in catalog.stories]
    assert keys == sorted(keys, reverse=True)
    assert catalog.article_count == len(corpus()) == sum(len(s.articles) for s in catalog.stories)


def test_theme_lookup_by_command(catalog):
    assert catalog.theme("lima_group").title["es"] == "Grupo de Lima"
    assert catalog.theme("/oas").command == "oas"
    assert catalog.theme("nope") is None
    assert catalog.themes == themes()


def test_stories_for_a_theme_are_that_themes_stories_newest_first(catalog):
    lima = catalog.stories_for("lima_group")
    assert lima and all("lima_group" in s.themes for s in lima)
    assert list(lima) == [s for s in catalog.stories if "lima_group" in s.themes]
    assert catalog.stories_for("unknown") == ()


def test_story_resolves_story_ids_and_article_ids(catalog):
    story = catalog.story(SEED_001)
    assert story is not None and story is catalog.story(SEED_000)
    assert catalog.story(story.id) is story
    assert catalog.story("missing") is None


def test_search_is_accent_and_case_insensitive_and_needs_every_word(catalog):
    by_accent = catalog.search("béjar")
    assert by_accent and by_accent == catalog.search("BEJAR")
    assert catalog.story(SEED_000) in catalog.search("bejar lima")
    assert catalog.search("bejar zzzzqqq") == []
    assert catalog.search("   ") == []
    assert catalog.search("(.*") == []           # plain words, never a regex
    assert len(catalog.search("peru", limit=2)) <= 2


def test_search_ignores_stop_words_and_possessives_when_the_query_has_real_words(catalog):
    assert catalog.search("the Béjar's and") == catalog.search("bejar")


def test_new_since_lists_each_story_once_across_themes(catalog):
    found = catalog.new_since(["lima_group", "bejar", "venezuela"], since=0.0)
    assert len(found) == len({s.id for s in found})
    assert catalog.story(SEED_000) in found
    assert catalog.new_since(["lima_group"], since=10_000.0) == []
    assert all(s.first_seen > 1500.0 for s in catalog.new_since(["oas"], since=1500.0))


def test_counts_cover_every_theme(catalog):
    counts = catalog.counts()
    assert set(counts) >= {t.command for t in themes()}
    assert counts["lima_group"] == len(catalog.stories_for("lima_group"))


def test_retired_articles_are_hidden():
    live = make_article("a", title="OAS meets", themes=("oas",))
    gone = make_article("b", title="Lima Group meets", themes=("lima_group",), is_retired=True)
    catalog = Catalog.build([live, gone], [make_theme("oas"), make_theme("lima_group")])
    assert catalog.article_count == 1 and catalog.story("b") is None
    assert catalog.counts() == {"oas": 1, "lima_group": 0}


@pytest.mark.slow
def test_ten_thousand_articles_build_once_and_answer_lookups():
    """Lookup speed at this size is measured in benchmarks/responsiveness.py."""
    articles = synthetic_articles(10_000)
    catalog = Catalog.build(articles, [make_theme("oas")])
    assert catalog.article_count == 10_000 and catalog.story("s00042") is not None
    assert catalog.search("name12 summit") and len(catalog.stories_for("oas")) == len(catalog.stories)
    assert all(story.first_seen > 9_000.0 for story in catalog.new_since(["oas"], since=9_000.0))
