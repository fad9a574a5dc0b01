"""Stories are one happening on the same days; headline, date, order and language (issue 9)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from bot.stories.group import group_stories, same_event
from bot.stories.story import headline, is_headline, news_date, news_order
from tests.support.factories import make_article, make_story

BODY = ("The OAS Permanent Council met in Washington on Wednesday to discuss the crisis in Peru after "
        "Congress removed President Pedro Castillo. Ambassadors of Mexico, Colombia and Bolivia asked for "
        "dialogue, while the United States backed the new government of Dina Boluarte.")
POINTS = ("The OAS Permanent Council met in Washington to discuss the crisis in Peru.",
          "Ambassadors of Mexico, Colombia and Bolivia asked for dialogue with Boluarte.")


def council(id: str, published: str, body: str = BODY, **fields):
    return make_article(id, title="OAS council meets on Peru's crisis", body=body, key_points=POINTS,
                        themes=("oas",), published=published, **fields)


def story_of(articles):
    return {a.id: s.id for s in group_stories(articles) for a in s.articles}


def test_day_dates_more_than_three_days_apart_are_never_one_story():
    assert same_event(council("a", "2022-12-07"), council("b", "2022-12-11")) == 0.0
    assert same_event(council("a", "2022-12-07"), council("b", "2022-12-10")) > 0.5


def test_an_unsure_date_needs_stronger_evidence_than_a_day_date():
    sure = same_event(council("a", "2022-12-07"), council("b", "2022-12-08"))
    no_day = BODY.replace(" on Wednesday", "")     # an undated text that states no news day either
    assert same_event(council("a", "2022-12-07"), council("b", "", body=no_day)) < sure
    assert same_event(council("a", "2022-12-07"), council("b", "2022-12", body=no_day)) < sure


def test_an_undated_article_never_widens_a_storys_window():
    first, last, undated = council("a", "2022-12-01"), council("b", "2022-12-07"), council("u", "")
    stories = story_of([first, undated, last])
    assert stories["a"] != stories["b"]          # six days apart: the undated twin bridges nothing


def test_a_caption_or_cut_sentence_is_never_the_headline_when_a_real_one_exists():
    assert not is_headline("Peru's president Dina Boluarte speaks to the press. (AFP)")
    assert not is_headline("The OAS Permanent Council met in Washington on Wednesday to discuss…")
    assert is_headline("OAS council meets on Peru's crisis")
    cut = replace(council("a", "2022-12-07"), title="The OAS Permanent Council met in Washington on…")
    assert headline([cut, council("b", "2022-12-07")]) == "OAS council meets on Peru's crisis"


def test_a_storys_date_is_its_news_date_the_earliest_and_most_precise():
    articles = [council("a", "2022-12-08"), council("b", "2022-12"), council("c", "2022-12-07")]
    assert news_date(articles) == "2022-12-07"
    assert news_date([council("a", ""), council("b", "")]) == ""


def test_undated_stories_count_as_news_of_the_day_they_were_first_seen():
    seen = datetime(2022, 12, 9, 12, tzinfo=timezone.utc).timestamp()
    dated, undated = make_story("d", published="2022-12-08"), make_story("u", published="", first_seen=seen)
    older = make_story("o", published="2022-12-10")
    assert [s.id for s in sorted([dated, undated, older], key=news_order, reverse=True)] == ["o", "u", "d"]


def test_a_reader_sees_the_headline_and_points_in_their_language_when_an_article_has_it():
    english = council("en", "2022-12-07", outlet="Wire")
    spanish = make_article("es", title="El Consejo de la OEA se reúne sobre la crisis en Perú", body=BODY,
                           key_points=("El Consejo Permanente de la OEA se reunió en Washington sobre Perú.",
                                       "México, Colombia y Bolivia pidieron diálogo con Boluarte."),
                           themes=("oas",), published="2022-12-07", language="es", outlet="Diario")
    [story] = [s for s in group_stories([english, spanish]) if len(s.articles) == 2]
    in_spanish, in_english = story.in_language("es"), story.in_language("en")
    assert in_spanish.title.startswith("El Consejo") and in_spanish.points[0].text.startswith("El Consejo")
    assert in_english.title == "OAS council meets on Peru's crisis"
    assert story.in_language("pt") == story
