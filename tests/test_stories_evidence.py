"""Language-neutral pair evidence: the days and figures a text names (bot.stories.evidence)."""
from __future__ import annotations

from bot.stories.evidence import days_apart, days_named, numbers_named
from bot.stories.group import same_event
from tests.support.factories import make_article


def test_days_are_read_the_same_in_english_spanish_and_portuguese():
    assert days_named("The vote on Dec. 6 was a fraud") == {(12, 6)}
    assert days_named("las elecciones del 6 de diciembre") == {(12, 6)}
    assert days_named("as eleições de 6 de dezembro de 2020") == {(12, 6)}
    assert days_named("el 1º de marzo y el 8th August") == {(3, 1), (8, 8)}
    assert days_named("in December 2020, 40 countries") == frozenset()


def test_figures_leave_out_days_years_and_times():
    assert numbers_named("33 countries, 1.200 people in 2017, on 8 May at 3:30, 45%") == {"#33", "#1200", "#45"}


def test_days_far_apart_only_when_both_name_days_and_none_is_close():
    assert days_apart(frozenset({(12, 6)}), frozenset({(10, 27)}), 3)
    assert not days_apart(frozenset({(12, 31)}), frozenset({(1, 2)}), 3)       # across the new year
    assert not days_apart(frozenset({(12, 6), (10, 27)}), frozenset({(10, 28)}), 3)
    assert not days_apart(frozenset(), frozenset({(10, 28)}), 3)


BODY = ("Foreign ministers of the Lima Group met to reject the elections in Venezuela called by Nicolas "
        "Maduro and asked the international community to back the National Assembly led by Juan Guaido.")


def _meeting(id: str, when: str, published: str = ""):
    return make_article(id, title="Lima Group rejects Venezuela's elections", published=published,
                        body=f"{BODY} The ministers met on {when}.",
                        key_points=(f"The Lima Group rejected Venezuela's elections on {when}.",))


def test_undated_articles_that_name_days_far_apart_are_not_one_event():
    assert same_event(_meeting("a", "October 13"), _meeting("b", "13 de octubre")) > 0.4
    assert same_event(_meeting("a", "October 13"), _meeting("b", "December 7")) == 0.0


def test_day_dates_decide_over_the_days_a_text_names():
    assert same_event(_meeting("a", "October 13", "2020-12-07"), _meeting("b", "December 7", "2020-12-08")) > 0.4
