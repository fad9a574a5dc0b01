"""Themes: theme files parse or fail with file:line, and articles get the themes they are about."""

import pytest
from hypothesis import given, settings, strategies as st

from bot.extract.clean import clean_text
from bot.errors import ThemeError
from bot.library.theme_files import load_themes, themes_signature
from bot.themes.match import BUILTIN_COMMANDS, match_themes, parse_theme, validate_themes
from tests.support.factories import make_theme
from tests.support.story_corpus import themes
from tests.support.paths import DIGESTS, SEEDS

VALID = 'command = "oas"\nterms = ["OAS", "OEA"]\n[title]\nen = "OAS"\nes = "OEA"\n'


def _seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    clean = clean_text(path.read_text(encoding="utf-8"), path=path.name)
    return clean.title, clean.body


def _commands(title: str, body: str) -> set[str]:
    return {command for command, _ in match_themes(title, body, themes())}


# ------------------------------------------------------------------ the theme files

def test_every_digest_file_loads_without_problems_and_has_english_and_spanish_cards():
    loaded, problems = load_themes(DIGESTS)
    assert problems == []
    assert {t.command for t in loaded} >= {"lima_group", "castillo", "bejar", "venezuela", "oas",
                                           "integration", "us_relations", "boluarte"}
    for theme in loaded:
        assert theme.title["en"] and theme.title["es"] and theme.context["en"] and theme.context["es"]


def test_lima_group_context_card_says_when_and_where_it_was_founded():
    card = next(t for t in themes() if t.command == "lima_group").context["en"]
    assert "8 August 2017" in card and "Lima" in card and "2021" in card


# ------------------------------------------------------------------ parsing errors

def test_bad_toml_names_the_file_and_line():
    with pytest.raises(ThemeError, match=r"^oas\.toml:3: invalid TOML"):
        parse_theme('command = "oas"\n\nterms = ["OAS" "OEA"]\n', "oas.toml")


@pytest.mark.parametrize("text, message", [
    ('command = "Lima Group"\nterms = ["x"]\n[title]\nen = "x"\n', r"x\.toml:1: invalid command"),
    ('command = "' + "a" * 33 + '"\nterms = ["x"]\n[title]\nen = "x"\n', r"x\.toml:1: invalid command"),
    ('command = "ok"\nterms = []\n[title]\nen = "x"\n', r"x\.toml:2: terms is empty"),
    ('command = "ok"\nterms = ["x"]\n[title]\nes = "x"\n', r"x\.toml:3: missing \[title\] en"),
    ('command = "ok"\nterms = "x"\n[title]\nen = "x"\n', r"x\.toml:2: terms must be a list"),
])
def test_invalid_fields_are_reported_with_file_and_line(text, message):
    with pytest.raises(ThemeError, match=message):
        parse_theme(text, "x.toml")


def test_duplicate_and_builtin_commands_are_problems():
    problems = validate_themes([make_theme("oas", source="a.toml"), make_theme("oas", source="b.toml"),
                                make_theme("search", source="c.toml")])
    assert any("b.toml" in p and "already defined in a.toml" in p for p in problems)
    assert any("c.toml" in p and "built-in" in p for p in problems)
    assert "push_now" in BUILTIN_COMMANDS


def test_a_broken_file_is_skipped_and_the_rest_load(tmp_path):
    (tmp_path / "oas.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "broken.toml").write_text('command = "x"\nterms = [\n', encoding="utf-8")
    (tmp_path / "twin.toml").write_text(VALID, encoding="utf-8")
    loaded, problems = load_themes(tmp_path)
    assert [t.command for t in loaded] == ["oas"]
    assert any(p.startswith("broken.toml:") for p in problems)
    assert any("twin.toml" in p for p in problems)


def test_signature_changes_when_a_theme_file_is_added_or_edited(tmp_path):
    before = themes_signature(tmp_path)
    (tmp_path / "oas.toml").write_text(VALID, encoding="utf-8")
    added = themes_signature(tmp_path)
    (tmp_path / "oas.toml").write_text(VALID + "# more\n", encoding="utf-8")
    assert before != added != themes_signature(tmp_path)


# ------------------------------------------------------------------ matching the seeds

@pytest.mark.parametrize("prefix, must, must_not", [
    ("000", {"lima_group", "bejar", "venezuela", "integration"}, {"boluarte", "oas"}),
    ("001", {"bejar", "venezuela", "lima_group"}, {"boluarte", "oas"}),
    ("002", {"integration"}, {"lima_group", "bejar", "boluarte", "castillo", "venezuela"}),
    ("003", {"us_relations", "oas", "boluarte"}, {"lima_group", "bejar", "venezuela"}),
    ("004", {"castillo", "us_relations"}, {"boluarte", "oas"}),
])
def test_each_seed_gets_the_themes_it_is_about_and_not_the_others(prefix, must, must_not):
    found = _commands(*_seed(prefix))
    assert must <= found, f"missing {must - found}"
    assert not (must_not & found), f"unexpected {must_not & found}"


def test_lima_the_city_is_not_the_lima_group():
    body = "Protesters marched in Lima, the capital, and in Puno.\n\nThe Lima police said 20 were held."
    assert "lima_group" not in _commands("Protests in Lima", body)


def test_grupo_de_lima_in_spanish_is_the_lima_group():
    assert "lima_group" in _commands("Argentina deja el Grupo de Lima", "El GRUPO DE LIMA perdió un miembro.")


def test_castle_and_other_castillos_are_not_pedro_castillo():
    body = "Tourists visited el castillo de Chapultepec.\n\nCarlos Castillo Armas ruled Guatemala in 1954."
    assert "castillo" not in _commands("Castillo history", body)
    assert "castillo" in _commands("President Castillo travels", "Peru's president will fly to Bolivia.")


def test_a_bare_surname_counts_only_with_its_country_in_the_article():
    assert "castillo" not in _commands("Castillo wins the match", "Castillo scored twice for Boca.")
    assert "castillo" in _commands("Castillo names a cabinet", "Castillo named ministers in Peru.")


def test_can_the_verb_is_not_the_andean_community():
    body = "Ministers can meet.\n\nThey can agree.\n\nWe can hope, and they can talk again."
    assert "integration" not in _commands("What ministers can do", body)
    assert "integration" in _commands("CAN summit in Lima", "The CAN presidents met in Lima.")


def test_one_passing_mention_deep_in_a_long_article_does_not_tag():
    filler = "\n\n".join("Peru's economy grew in the second quarter, officials said." for _ in range(60))
    assert "oas" not in _commands("Peru's economy grows", filler + "\n\nThe OAS was not consulted.")
    assert "oas" in _commands("OAS meets on Peru", filler)


def test_a_page_without_a_headline_is_matched_on_its_whole_opening_sentence():
    """The title of an untitled page is its opening sentence cut with "…"; what the cut leaves out
    still weighs as a headline's words, as it does when the sentence is short enough to stay whole."""
    opening = ("Este miércoles, la Cancillería confirmó por medio de un comunicado oficial la salida "
               "de nuestro país del Grupo de Lima.")
    body = opening + "\n\nEl texto explica que ese accionar no ha conducido a nada.\n\nTambién critica al Grupo."
    cut = clean_text(body).title
    assert cut.endswith("…") and "Lima" not in cut
    assert "lima_group" in _commands(cut, body)


def test_the_place_of_an_agency_dateline_is_where_not_what():
    body = ("Washington, Jan 25 (EFE).- Peru's president urged friendly countries to back an early election."
            "\n\nShe spoke to the OAS Permanent Council, which met in special session.")
    assert "us_relations" not in _commands("Peru's president asks the OAS for support", body)
    assert "us_relations" in _commands("Peru's president asks Washington for support", body)


def test_a_mention_only_inside_boilerplate_does_not_tag():
    body = "Peru's economy grew.\n\nRead more: OAS Permanent Council meets on Venezuela\n\nSee also Lima Group"
    assert _commands("Economy", body) & {"oas", "venezuela", "lima_group"} == set()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=2000))
def test_any_text_gets_valid_scores_best_first(title, body):
    found = match_themes(title, body, themes())
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.5 <= s < 1 for s in scores)
    assert {c for c, _ in found} <= {t.command for t in themes()}
