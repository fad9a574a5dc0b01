"""The caps at each stage's boundary: bounded input to cleaning, the sentence cap of key points,
theme scoring without spans x blocks, HTML with stray brackets."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.extract.bounds import (MAX_HEADER_CHARS, MAX_HTML_TAGS, MAX_LINE_CHARS, MAX_LINES, MAX_TEXT_CHARS,
                                bound_text, has_too_many_tags)
from bot.extract.meta import parse_header
from bot.keypoints.sentences import MAX_SENTENCES, split_candidates
from bot.sources.seeds import html_to_text
from bot.themes.match import _unblocked


def test_the_sentence_cap_holds_inside_one_huge_paragraph():
    body = "".join(f"Sentence {i} about the OAS in Lima today. " for i in range(2000))
    split = split_candidates(body, "en")
    assert split.total == MAX_SENTENCES and len(split.candidates) <= MAX_SENTENCES


def test_a_header_of_spaces_is_one_short_header_line():
    bounded = bound_text("title: x" + " " * 100_000 + "y\n\nThe OAS met.")
    assert parse_header(bounded.split("\n"))[0] == {"title": "x y"}


def test_header_values_are_capped():
    bounded = bound_text("title: " + "word " * 10_000 + "\n\nThe OAS met.")
    assert len(bounded.split("\n")[0]) == MAX_HEADER_CHARS


def test_a_huge_paragraph_is_split_after_sentence_ends_and_loses_no_sentence():
    paragraph = "".join(f"Sentence {i} is here. " for i in range(5000))
    lines = bound_text(paragraph).split("\n")
    assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert all(line.endswith(".") for line in lines[:-1])
    assert " ".join(lines).split() == paragraph[:MAX_TEXT_CHARS].split()


def test_lines_text_and_empty_runs_are_capped():
    assert bound_text("word\n" * 100_000).count("\n") == MAX_LINES - 1
    assert bound_text("a" * 3_000_000).count("a") == MAX_TEXT_CHARS
    assert bound_text("one\n\n\n\n\n\ntwo") == "one\n\ntwo"


def test_a_plain_article_passes_through_unchanged():
    text = "title: The OAS meets\ndate: 2021-08-05\n\nThe OAS met in Lima.\n\nIt called for dialogue."
    assert bound_text(text) == text


def test_a_page_with_too_many_tags_is_still_read_by_the_linear_reader():
    page = "<html><body>" + "<div><p>x</p></div>" * (MAX_HTML_TAGS // 4) + "<p>The OAS met in Lima.</p>"
    assert has_too_many_tags(page) and not has_too_many_tags("<p>The OAS met.</p>" * 100)
    assert "The OAS met in Lima." in html_to_text(page)


spans = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1])), max_size=40)


@given(spans, spans)
def test_theme_hits_under_exclusions_are_the_same_as_checking_every_pair(hits, blocks):
    naive = sorted(s for s in hits if not any(s[0] < b[1] and b[0] < s[1] for b in blocks))
    assert _unblocked(hits, blocks) == naive
