"""UI strings, dates and language choice."""
from __future__ import annotations

import string
from datetime import date

from hypothesis import given, strategies as st

from bot.digest.i18n import STRINGS, format_date, pick_language, t


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_string_has_english_and_spanish_uses_the_same_fields():
    for key, texts in STRINGS.items():
        assert texts.get("en"), f"{key} has no English text"
        if "es" in texts:
            assert placeholders(texts["es"]) == placeholders(texts["en"]), key


def test_spanish_text_is_used_for_spanish():
    assert t("more", "es") == "Más"
    assert t("more", "en") == "More"


def test_missing_translation_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(STRINGS, "only_english", {"en": "Only {what}"})
    assert t("only_english", "es", what="English") == "Only English"


def test_unknown_language_falls_back_to_english():
    assert t("more", "pt") == "More"


def test_unknown_key_falls_back_to_the_key_itself():
    assert t("no_such_key", "es") == "no_such_key"


def test_fields_are_filled_with_str_format():
    assert t("sources_count", "en", count=3) == "(3 sources)"
    assert t("sources_count", "es", count=3) == "(3 fuentes)"


def test_a_missing_field_returns_the_template_instead_of_raising():
    assert t("sources_count", "en") == "({count} sources)"
    assert t("sources_count", "en", other=1) == "({count} sources)"


def test_field_values_are_not_reinterpreted_as_templates():
    assert t("search_title", "en", query="{count} {0}") == "Search: {count} {0}"


def test_format_date_in_english_and_spanish():
    assert format_date("2021-08-06", "en") == "6 Aug 2021"
    assert format_date("2021-08-06", "es") == "6 ago 2021"
    assert format_date("2021-12-31", "es") == "31 dic 2021"


def test_format_date_keeps_empty_and_unparseable_dates():
    assert format_date("", "en") == ""
    assert format_date("sometime in 2021", "es") == "sometime in 2021"


def test_format_date_accepts_a_full_timestamp():
    assert format_date("2021-08-06T19:03:00", "en") == "6 Aug 2021"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["en", "es", "xx"]))
def test_format_date_shows_day_and_year_of_any_date(day, language):
    shown = format_date(day.isoformat(), language)
    assert shown.startswith(f"{day.day} ") and shown.endswith(f" {day.year}")


def test_pick_language_uses_the_telegram_language_code():
    assert pick_language("es-PE", "en") == "es"
    assert pick_language("es", "en") == "es"
    assert pick_language("ES_mx", "en") == "es"
    assert pick_language("en-US", "es") == "en"


def test_pick_language_falls_back_to_the_default():
    assert pick_language(None, "es") == "es"
    assert pick_language("", "es") == "es"
    assert pick_language("pt-BR", "es") == "es"
    assert pick_language("pt-BR", "fr") == "en"


@given(st.one_of(st.none(), st.text(max_size=12)), st.sampled_from(["en", "es", "de", ""]))
def test_pick_language_always_answers_en_or_es(code, default):
    assert pick_language(code, default) in ("en", "es")


def test_article_languages_are_named_in_the_readers_language_portuguese_included():
    from bot.digest.i18n import language_name
    assert [language_name(code, "en") for code in ("en", "es", "pt")] == ["English", "Spanish", "Portuguese"]
    assert language_name("pt", "es") == "portugués"


def test_a_month_only_date_is_shown_as_month_and_year():
    from bot.digest.i18n import format_date
    assert (format_date("2021-08", "en"), format_date("2021-08", "es")) == ("Aug 2021", "ago 2021")
