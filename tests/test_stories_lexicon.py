"""Cross-language story evidence: places, bodies and happenings named alike in en/es/pt (bot.stories.lexicon)."""
from __future__ import annotations

from dataclasses import replace

from bot.stories.group import SAME_EVENT, group_stories, same_event
from bot.stories.lexicon import concepts_named
from tests.support.factories import make_article


def test_bodies_places_and_happenings_read_the_same_in_english_spanish_and_portuguese():
    english = concepts_named("Béjar resigned; the OAS, the U.S. and the European Union backed Brazil.")
    spanish = concepts_named("Renunció Béjar; la OEA, EE.UU. y la Unión Europea respaldaron a Brasil.")
    portuguese = concepts_named("Béjar renunciou; a OEA, os EUA e a União Europeia apoiaram o Brasil.")
    assert {"~resign", "@oas", "@us", "@eu", "@brazil"} <= english
    assert {"~resign", "@oas", "@us", "@eu", "@brazil"} <= spanish
    assert {"~resign", "@oas", "@us", "@eu", "@brazil"} <= portuguese


def test_an_acronym_that_is_also_a_word_counts_only_in_capitals():
    assert not concepts_named("un acuerdo con eu y us") & {"@un", "@eu", "@us"}
    assert {"@un", "@eu", "@us"} <= concepts_named("the UN, the EU and the US")


def test_a_stem_is_not_a_word_that_merely_starts_the_same():
    assert "~agree" not in concepts_named("according to the minister")
    assert "~break_relations" not in concepts_named("several ministers")


TOLD = {   # one happening in three languages: few shared names, the same bodies and happenings
    "en": ("Béjar resigns as Peru's foreign minister",
           "Héctor Béjar resigned on Tuesday as Peru's foreign minister, after the Navy rejected his remarks.",
           "The Organization of American States and the European Union called for calm."),
    "es": ("Renunció el canciller peruano Béjar",
           "El canciller Héctor Béjar renunció este martes luego de que la Marina rechazara sus declaraciones.",
           "La OEA y la Unión Europea pidieron calma en el Perú."),
    "pt": ("Chanceler peruano Béjar renuncia",
           "O chanceler Héctor Béjar renunciou nesta terça-feira depois que a Marinha rejeitou suas declarações.",
           "A OEA e a União Europeia pediram calma no Peru."),
}


def resignation(id: str, language: str, published: str):
    title, lead, more = TOLD[language]
    return make_article(id, language=language, published=published, title=title, body=f"{lead} {more}",
                        key_points=(lead,))


def stories_of(articles):
    return {a.id: s.id for s in group_stories(articles) for a in s.articles}


def test_an_english_and_a_spanish_report_of_one_event_join():
    english, spanish = resignation("en", "en", "2021-08-17"), resignation("es", "es", "2021-08-17")
    assert same_event(english, spanish) >= SAME_EVENT
    stories = stories_of([english, spanish])
    assert stories["en"] == stories["es"]


def test_an_undated_portuguese_report_joins_on_the_bodies_and_happening_it_names():
    # without the lexicon this pair shares only "Béjar", "Héctor" and "Peru" (it scored 0.26 before)
    english, portuguese = resignation("en", "en", "2021-08-17"), resignation("pt", "pt", "")
    assert same_event(english, portuguese) >= SAME_EVENT
    stories = stories_of([english, portuguese])
    assert stories["en"] == stories["pt"]


def test_two_events_of_the_same_body_on_different_weeks_stay_apart():
    first = resignation("first", "en", "2021-08-17")
    later = resignation("later", "es", "2021-08-27")
    assert same_event(first, later) == 0.0
    stories = stories_of([first, later])
    assert stories["first"] != stories["later"]


def test_an_undated_page_joins_only_on_strong_evidence():
    dated = resignation("dated", "en", "2021-08-17")
    twin = resignation("twin", "es", "")                 # the same happening, told in Spanish, no date
    weak = make_article("weak", language="es", published="", title="La OEA y el Perú",   # a body and a place
                        body="La OEA eligió a su secretario adjunto en una reunión en Washington. "
                             "El Perú y México votaron a favor.",
                        key_points=("La OEA eligió a su secretario adjunto en una reunión en Washington.",))
    assert same_event(dated, weak) < SAME_EVENT <= same_event(dated, twin)
    stories = stories_of([dated, twin, weak])
    assert stories["dated"] == stories["twin"] != stories["weak"]


def test_an_undated_page_needs_more_than_a_dated_one():
    sure = same_event(resignation("a", "en", "2021-08-17"), resignation("b", "es", "2021-08-17"))
    undated = resignation("b", "es", "")
    no_day = replace(undated, body=undated.body.replace(" este martes", ""),     # states no news day either
                     key_points=tuple(replace(p, text=p.text.replace(" este martes", "")) for p in undated.key_points))
    unsure = same_event(resignation("a", "en", "2021-08-17"), no_day)
    assert unsure < sure


def test_shared_places_bodies_and_happenings_alone_never_join_two_reports_in_one_language():
    # two different happenings of one day in English: the concepts are alike, the names and words are not
    vote = make_article("vote", published="2022-10-06", title="OAS members vote on Ukraine resolution",
                        body="OAS members voted in Lima to condemn Russia's invasion of Ukraine and backed a "
                             "resolution by Canada and Guatemala. Brazil and Mexico abstained in the vote.",
                        key_points=("OAS members voted in Lima to condemn Russia's invasion of Ukraine.",))
    election = make_article("election", published="2022-10-06", title="Peru's Congress elects a new speaker",
                            body="Peru's Congress elected José Williams as speaker after a vote in Lima, where the "
                                 "OAS held its assembly; Brazil and Mexico sent observers to the ceremony.",
                            key_points=("Peru's Congress elected José Williams as speaker after a vote in Lima.",))
    assert stories_of([vote, election])["vote"] != stories_of([vote, election])["election"]
    assert same_event(vote, election) < SAME_EVENT
