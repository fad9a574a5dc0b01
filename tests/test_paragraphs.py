"""bot.extract.paragraphs and line_features: the paragraph classifier's general rules, on small synthetic pages."""
from __future__ import annotations

from bot.extract.clean import clean_text
from bot.extract.line_features import page_features, page_stop_words, word_count
from bot.extract.lines import Line, ends_sentence, read_lines
from bot.extract.paragraphs import select_lines

STORY = [
    "The foreign ministers of twelve countries met in the capital on Tuesday and signed a declaration on the crisis.",
    "The text, read aloud by the host minister, calls for free elections and for the release of political prisoners.",
    "Several delegations said they would present the declaration to the regional organisation at its next assembly.",
    "Observers noted that two neighbouring governments did not sign, and said they would publish their own statement.",
    "The ministers agreed to meet again within three months to review what had been done since the meeting.",
    "A spokesperson for the host government said the meeting had been the most productive in years for the region.",
    "The declaration will be translated into the four official languages and sent to every member state this week.",
    "Opposition leaders welcomed the text but said that words alone would not change anything on the ground.",
]


def test_a_line_written_without_spaces_counts_its_characters_as_words():
    line = "さて、このアプリは操作性などがあまりよくありません。設定で変更できる箇所も少ないです。"
    assert word_count(line) >= 15
    assert word_count("three plain words") == 3


def test_a_line_ending_in_an_ideographic_full_stop_ends_a_sentence():
    assert ends_sentence("設定で変更できる箇所も少ないです。")
    assert ends_sentence("Es lo que dijo «ayer».")
    assert not ends_sentence("Related stories")


def test_a_page_in_another_language_is_read_with_that_languages_stop_words():
    german = ("Die Regierung hat am Dienstag mitgeteilt, dass sie die neuen Regeln nicht mehr "
              "unterstützen wird, weil sie für die Bürger zu teuer sind und nicht wirken").lower().split()
    stops = page_stop_words(german)
    assert "die" in stops and "nicht" in stops
    lines = read_lines([" ".join(german).capitalize() + "."])
    assert page_features(lines)[0, 2] > 0.3        # stop-word density of the line, in German


def test_a_curated_furniture_line_is_never_kept_whatever_its_probability():
    lines = [Line(text, text) for text in (STORY[0], "This website uses cookies to improve your experience.", STORY[1])]
    assert select_lines([0.99, 0.99, 0.99], lines) == [True, False, True]


def test_a_related_articles_box_inside_the_article_does_not_end_it():
    related = ["Related articles", "* Ministers meet again next month", "* What the declaration says"]
    page = "\n\n".join(STORY[:3] + related + STORY[3:] + ["© 2024 The Paper. All rights reserved."])
    body = clean_text(page).body
    assert STORY[0] in body and STORY[-1] in body
    assert "Ministers meet again next month" not in body


def test_a_related_articles_box_after_the_article_still_ends_it():
    page = "\n\n".join(STORY[:4] + ["Related articles"] + STORY[4:6])
    body = clean_text(page).body
    assert STORY[3] in body and STORY[4] not in body
