"""The first key point states the news; every point stands alone (issue 9)."""
from __future__ import annotations

from bot.keypoints.points import extract_key_points
from bot.keypoints.sentences import has_open_quote, leans_on_context

FILLER = [
    "Officials from twelve countries attended the meeting at the Torre Tagle palace in Lima.",
    "Foreign Minister Ricardo Luna said the region could not stay silent about the crisis in Venezuela.",
    "The declaration was signed by Argentina, Brazil, Canada, Chile and Colombia among others.",
    "Venezuela's government rejected the statement as interference in its internal affairs on Wednesday.",
]
LEAD = ("The foreign ministers of seventeen countries refused on Tuesday to recognise Venezuela's "
        "Constituent Assembly and condemned the rupture of democratic order in Caracas, in a declaration "
        "signed in Lima after four hours of talks.")


def texts(body: str, language: str = "en", n: int = 4) -> list[str]:
    return [point.text for point in extract_key_points(body, language, n)]


def test_a_long_lead_of_a_short_article_is_the_first_key_point():
    points = texts("\n\n".join([LEAD, *FILLER]))
    assert points[0] == LEAD and len(points) >= 3


def test_a_kicker_and_a_teasing_dek_are_passed_over_for_the_news():
    body = "\n\n".join(["Nobody in the old palace expected this at all.", LEAD, *FILLER])
    points = texts(body)
    assert points[0] == LEAD
    assert "Nobody in the old palace expected this at all." not in points


def test_a_short_dek_that_the_lede_restates_gives_way_to_the_lede():
    dek = "Seventeen countries refused to recognise Venezuela's Constituent Assembly."
    assert texts("\n\n".join([dek, LEAD, *FILLER]))[0] == LEAD


def test_a_numbered_declaration_gives_its_items_as_points():
    items = ["- Our condemnation of the rupture of the democratic order in Venezuela.",
             "- Our decision to not recognize the National Constituent Assembly, or any of its decisions.",
             "- Our full support and solidarity with the democratically elected National Assembly.",
             "- Our strong rejection of violence and any other actions that involve the use of force."]
    points = texts("Declare:\n\n" + "\n\n".join(items))
    assert points[0] == "Our condemnation of the rupture of the democratic order in Venezuela."
    assert all(point in "\n".join(items) for point in points)


def test_no_point_is_a_quotation_cut_open():
    assert has_open_quote("\"We will not accept this assembly.")
    assert not has_open_quote("\"We will not accept it,\" Luna said.")
    body = "\n\n".join([LEAD, "\"We will not accept this assembly. It is illegitimate and it will stay so for our governments,\" "
                        "the minister told reporters in Lima.", *FILLER])
    assert not any(has_open_quote(point) for point in texts(body, n=5))


def test_a_pointer_sentence_is_a_point_only_next_to_its_antecedent():
    lone = "He added that the group would meet again in New York next month to review the situation."
    body = "\n\n".join([LEAD, *FILLER[:2], "Brazil's delegate left early.", lone, *FILLER[2:]])
    points = texts(body)
    assert lone not in points or body.split("\n\n")[body.split("\n\n").index(lone) - 1] in points


def test_pointer_openings_are_read_per_language():
    assert leans_on_context("He said the talks failed.", "en")
    assert not leans_on_context("He solicitado al Congreso adelantar las elecciones.", "es")
    assert leans_on_context("El diplomático dijo que no habrá diálogo.", "es")
    assert not leans_on_context("O líder da oposição se declarou presidente interino.", "pt")
    assert leans_on_context("Ele já foi reconhecido pelo Brasil.", "pt")
    assert not leans_on_context("Este miércoles, la Cancillería confirmó la salida.", "es")


def test_portuguese_articles_use_the_portuguese_models():
    body = "\n\n".join([
        "O líder da oposição a Nicolás Maduro na Venezuela, Juan Guaidó, se declarou nesta quarta-feira "
        "presidente interino do país diante de milhares de apoiadores em Caracas.",
        "Ele já foi reconhecido pelos governos do Brasil e dos Estados Unidos, chefiado por Donald Trump.",
        "A declaração ocorreu durante protesto de opositores ao governo em várias cidades do país.",
        "Apoiadores de Maduro também saíram às ruas para defender o governo bolivariano.",
    ])
    points = texts(body, "pt")
    assert points[0].startswith("O líder da oposição") and len(points) >= 3
