"""Choosing and ordering stories for themes, /latest, /search, /story and subscribers."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bot.digest.catalog import Catalog
from bot.digest.compose import latest_digest, search_digest, story_digest, subscriber_digest, theme_digest
from bot.errors import UnknownItem
from bot.models import Article
from tests.support.factories import make_article, make_subscriber, make_theme

# Distinct events (different words, months apart) so that no two are grouped into one story.
EVENTS = [
    ("Lima Group rejects Venezuelan parliamentary vote", "The Lima Group rejected the parliamentary vote held in Caracas."),
    ("Castillo appoints Béjar as chancellor", "President Pedro Castillo appointed Héctor Béjar to lead the foreign ministry."),
    ("OAS assembly opens in Guatemala", "Delegates gathered in Guatemala City for the annual hemispheric assembly."),
    ("Mexico hosts CELAC summit", "Heads of state met in Mexico City for the community summit."),
    ("Argentina leaves the contact group", "Buenos Aires announced its withdrawal from the regional coalition."),
    ("Washington sanctions refinery executives", "The Treasury Department froze assets belonging to petroleum managers."),
    ("Bolivia restores embassy ties", "La Paz reopened diplomatic missions after a long rupture."),
    ("Chile proposes migration corridor", "Santiago suggested a humanitarian passage for displaced families."),
    ("Colombia border bridge reopens", "Cúcuta traffic resumed across the international crossing."),
    ("Ecuador expels ambassador", "Quito ordered the envoy to depart within seventy-two hours."),
    ("Brazil joins climate pact", "Brasília signed the Amazon forest protection accord."),
    ("Uruguay mediates fishing dispute", "Montevideo brokered talks on trawler licences in southern waters."),
]


def event(n: int, themes: tuple[str, ...] = ("lima_group",), first_seen: float = 0.0) -> Article:
    title, sentence = EVENTS[n]
    return make_article(f"a{n:02d}", title=title, body=sentence, key_points=(sentence,), themes=themes,
                        outlet=f"Outlet {n}", published=f"2021-{n + 1:02d}-15", first_seen=first_seen)


THEMES = [make_theme("lima_group", title="Lima Group", title_es="Grupo de Lima"),
          make_theme("castillo", title="Castillo"), make_theme("oas", title="OAS")]


def catalog_of(*articles: Article) -> Catalog:
    return Catalog.build(list(articles), THEMES)


def ids(digest) -> list[str]:
    return [story.id for story in digest.stories]


def test_theme_digest_lists_the_newest_stories_of_that_theme_only():
    catalog = catalog_of(event(0), event(1, ("castillo",)), event(2), event(3, ("oas",)))
    digest = theme_digest(catalog, "lima_group", "en")
    assert ids(digest) == ["a02", "a00"]
    assert digest.title == "Lima Group" and digest.sections[0].theme.command == "lima_group"
    assert digest.next_offset is None


def test_theme_digest_title_follows_the_language():
    assert theme_digest(catalog_of(event(0)), "lima_group", "es").title == "Grupo de Lima"


def test_theme_digest_pages_back_through_every_story_once():
    catalog = catalog_of(*(event(n) for n in range(7)))
    seen, offset, pages = [], 0, 0
    while offset is not None:
        digest = theme_digest(catalog, "lima_group", "en", offset=offset, limit=3)
        seen += ids(digest)
        offset, pages = digest.next_offset, pages + 1
    assert pages == 3
    assert seen == [f"a{n:02d}" for n in reversed(range(7))]


def test_theme_digest_past_the_end_is_empty_with_no_next_page():
    digest = theme_digest(catalog_of(event(0)), "lima_group", "en", offset=5)
    assert digest.stories == () and digest.next_offset is None


def test_unknown_theme_is_an_unknown_item():
    with pytest.raises(UnknownItem):
        theme_digest(catalog_of(event(0)), "nope", "en")


def test_latest_digest_spans_all_themes_newest_first_with_paging():
    catalog = catalog_of(event(0), event(1, ("castillo",)), event(2, ("oas",)))
    first = latest_digest(catalog, "en", limit=2)
    assert ids(first) == ["a02", "a01"] and first.next_offset == 2
    assert ids(latest_digest(catalog, "en", offset=2, limit=2)) == ["a00"]
    assert latest_digest(catalog, "es").title == "Últimas noticias"


def test_search_digest_shows_matches_and_the_query_in_its_title():
    catalog = catalog_of(event(0), event(1, ("castillo",)))
    digest = search_digest(catalog, "Béjar", "es")
    assert ids(digest) == ["a01"] and "Béjar" in digest.title


def test_search_digest_of_a_blank_query_is_empty():
    assert search_digest(catalog_of(event(0)), "   ", "en").stories == ()


def test_search_digest_clips_a_huge_query_in_its_title():
    assert len(search_digest(catalog_of(event(0)), "x" * 5000, "en").title) < 100


def test_story_digest_holds_the_one_story_or_is_none():
    catalog = catalog_of(event(0), event(1))
    assert ids(story_digest(catalog, "a01", "en")) == ["a01"]
    assert story_digest(catalog, "missing", "en") is None


def test_subscriber_digest_holds_only_stories_first_seen_since_the_last_digest():
    catalog = catalog_of(event(0, first_seen=50), event(1, first_seen=100), event(2, first_seen=150),
                         event(3, first_seen=250))
    subscriber = make_subscriber(themes=("lima_group",), last_digest_at=100)
    assert ids(subscriber_digest(catalog, subscriber, now=200)) == ["a02"]


def test_subscriber_digest_is_none_when_nothing_is_new():
    catalog = catalog_of(event(0, first_seen=50))
    assert subscriber_digest(catalog, make_subscriber(last_digest_at=60), now=100) is None
    assert subscriber_digest(catalog, make_subscriber(themes=(), last_digest_at=0), now=100) is None


def test_subscriber_digest_shows_a_story_in_two_of_their_themes_once_under_the_first():
    both = event(0, ("lima_group", "oas"), first_seen=10)
    catalog = catalog_of(both, event(1, ("oas",), first_seen=10))
    digest = subscriber_digest(catalog, make_subscriber(themes=("oas", "lima_group")), now=20)
    assert ids(digest) == ["a01", "a00"]
    assert [s.theme.command for s in digest.sections] == ["oas"]
    digest = subscriber_digest(catalog, make_subscriber(themes=("lima_group", "oas")), now=20)
    assert [(s.theme.command, [x.id for x in s.stories]) for s in digest.sections] == [
        ("lima_group", ["a00"]), ("oas", ["a01"])]


def test_subscriber_digest_ignores_themes_they_did_not_choose():
    catalog = catalog_of(event(0, ("castillo",), first_seen=10), event(1, first_seen=10))
    digest = subscriber_digest(catalog, make_subscriber(themes=("lima_group",)), now=20)
    assert ids(digest) == ["a01"]


def test_subscriber_digest_is_in_their_language():
    digest = subscriber_digest(catalog_of(event(0, first_seen=10)),
                               make_subscriber(language="es"), now=20)
    assert digest.language == "es" and digest.title == "Novedades en tus temas"


def test_subscriber_digest_caps_the_stories_and_says_how_many_there_were():
    catalog = catalog_of(*(event(n, first_seen=10) for n in range(6)))
    digest = subscriber_digest(catalog, make_subscriber(), now=20, max_stories=4)
    assert ids(digest) == ["a05", "a04", "a03", "a02"]
    assert "4 of 6" in digest.title


def test_subscriber_digest_keeps_a_theme_whose_file_was_removed():
    catalog = catalog_of(event(0, ("gone",), first_seen=10))
    digest = subscriber_digest(catalog, make_subscriber(themes=("gone",)), now=20)
    assert ids(digest) == ["a00"] and digest.sections[0].theme.command == "gone"


memberships = st.lists(st.tuples(st.sets(st.sampled_from(["lima_group", "castillo", "oas"]), max_size=3),
                                 st.integers(0, 10)), min_size=1, max_size=len(EVENTS))


@settings(max_examples=60, deadline=None)
@given(memberships, st.lists(st.sampled_from(["lima_group", "castillo", "oas"]), unique=True, max_size=3),
       st.integers(0, 10), st.integers(0, 10))
def test_subscriber_digest_is_exactly_the_new_stories_of_their_themes_each_once(rows, chosen, last, now):
    articles = [event(n, tuple(sorted(themes)), first_seen=seen) for n, (themes, seen) in enumerate(rows)]
    catalog = catalog_of(*articles)
    subscriber = make_subscriber(themes=tuple(chosen), last_digest_at=last)
    digest = subscriber_digest(catalog, subscriber, now=now)
    expected = {a.id for a in articles if last < a.first_seen <= now and set(a.theme_names) & set(chosen)}
    if not expected:
        assert digest is None
        return
    assert sorted(ids(digest)) == sorted(expected)
    for section in digest.sections:
        for story in section.stories:
            assert section.theme.command == next(c for c in chosen if c in story.themes)
