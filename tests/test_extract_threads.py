"""bot.extract: comment threads and dated feeds, teasers cut mid-text, archive lists with counts,
a page whose article is its only likely line, news items that go on after their link, underscore emphasis;
small synthetic pages."""
from __future__ import annotations

from bot.extract.clean import clean_text
from bot.extract.line_features import line_features
from bot.extract.lines import Line, is_truncated, link_density, read_lines, strip_markdown
from bot.extract.paragraphs import FALLBACK_LINES, INSIDE_THRESHOLD, RUN_THRESHOLD, article_lines, select_lines
from bot.extract.patterns import is_furniture_line
from bot.extract.threads import cut_threads, is_thread_marker, thread_spans
from tests.test_paragraphs import STORY

MENU = ["* Home", "* World", "* Politics", "* Business", "Search"]
COMMENTS = [
    "Ana P 2 days ago at 07:47 am",
    "I think the declaration is a good first step, but we have heard these promises many times before.",
    "Rating: 12 Votes",
    "jorge_r",
    "2 days ago at 08:12 am",
    "Nobody in my town believes that the elections will be free while the same people count the votes.",
    "Rating: 7 Votes",
    "mk1979",
    "2 days ago at 09:30 am",
    "The two governments that did not sign will be the ones that decide what happens, as always.",
    "Rating: 3 Votes",
]


def _lines(texts: list[str]) -> list[Line]:
    return [Line(text, text) for text in texts]


def test_relative_times_and_comment_counters_are_thread_markers_in_three_languages():
    for text in ("2 days ago at 07:52 am", "Nick A 2 days ago at 07:47 am", "Posted 4 mins ago",
                 "hace 3 horas", "há 2 dias", "Rating: 36 Votes", "12 likes", "Responder", "Reply"):
        assert is_thread_marker(text), text
    for text in ("He left the ministry 3 years ago.", "Infants from 2100 years ago found with helmets",
                 "Reply to the minister's letter was sent on Monday, officials said.", STORY[0]):
        assert not is_thread_marker(text), text


def test_a_comment_thread_written_as_prose_is_cut_from_the_body():
    body = clean_text("\n\n".join(MENU + STORY + ["Comments"] + COMMENTS)).body
    assert STORY[0] in body and STORY[-1] in body
    assert not any(comment in body for comment in COMMENTS)


def test_a_thread_is_cut_even_when_the_page_is_otherwise_clean_prose():
    lines = _lines(STORY + COMMENTS)
    keep = article_lines(lines)
    assert all(keep[:len(STORY)]) and not any(keep[len(STORY):])


def test_scattered_time_stamps_are_no_thread():
    texts = ["Ministers sign a declaration", "3 hours ago"] + STORY[:4] + ["Updated 1 hour ago"] + STORY[4:] \
        + ["More news", "Posted 5 hours ago"]
    assert thread_spans(_lines(texts)) == []
    body = clean_text("\n\n".join(MENU + texts)).body
    assert STORY[0] in body and STORY[-1] in body


def test_a_teaser_cut_mid_word_is_not_a_finished_sentence():
    assert is_truncated("Starting with the easy to throw into a carry-on Dell XPS 13 2-in-1, announced only in Ma...")
    assert is_truncated("Microsoft offers a bundle plus JBL he…")
    assert not is_truncated("T-Swift is beefing with the fund ... what a time to be alive ...")
    assert not is_truncated(STORY[0])
    teaser = "The ministers agreed to meet again within three months to review what had been done since the mee..."
    assert line_features(Line(teaser, teaser), frozenset(), 1)[4] == 0.0          # "ends a sentence": no
    assert line_features(Line(STORY[4], STORY[4]), frozenset(), 1)[4] == 1.0


def test_an_archive_list_with_counts_is_furniture_but_a_score_line_is_not():
    assert is_furniture_line("+ 2016 o Dezembro (39) o Novembro (83) o Outubro (71) o Setembro (34)")
    assert is_furniture_line("Politics (12) Economy (5) World (33)")
    assert not is_furniture_line("Opelka won 7-6 (5), 7-6 (7) and Shapovalov beat Fritz 7-6 (6), 6-3.")
    assert not is_furniture_line(STORY[2])


def test_with_no_likely_run_a_long_page_keeps_its_likeliest_line_and_a_short_one_decides_nothing():
    menu = [f"* Section {n}" for n in range(FALLBACK_LINES)]
    lines = _lines(menu[:10] + [STORY[0]] + menu[10:])
    below = RUN_THRESHOLD - 0.02
    assert INSIDE_THRESHOLD <= below
    probabilities = [0.05] * 10 + [below] + [0.1] * (FALLBACK_LINES - 10)
    assert select_lines(probabilities, lines) == [index == 10 for index in range(len(lines))]
    probabilities[10] = INSIDE_THRESHOLD - 0.05
    assert not any(select_lines(probabilities, lines))
    assert not any(select_lines([0.05, below, 0.1], _lines(["Archive", STORY[0], "Share this"])))


def test_a_news_item_that_goes_on_in_prose_after_its_link_is_kept_but_a_menu_of_links_is_not():
    item = ("7. [Ministers of twelve countries meet in the capital and sign a declaration on the crisis in the region]"
            "(https://example.org/a). It calls for free elections and the release of all political prisoners within a year.")
    menu = "[World](https://example.org/w) [Politics](https://example.org/p) [Business](https://example.org/b) news"
    assert link_density(read_lines([item])[0]) >= 0.5
    body = clean_text("\n\n".join(MENU + [item] + STORY[:3] + [menu])).body
    assert "It calls for free elections" in body
    assert "Politics Business" not in body


def test_underscore_emphasis_is_markdown_and_a_snake_case_name_is_not():
    assert strip_markdown("The most recent _Star Trek_ film was 2016’s _Star Trek Beyond._ Unlike") == \
        "The most recent Star Trek film was 2016’s Star Trek Beyond. Unlike"
    assert strip_markdown("the file_name_here and __bold__ words") == "the file_name_here and bold words"


def test_a_thread_of_dated_comments_by_named_readers_is_cut():
    comments = []
    for number, (name, time) in enumerate((("joe", "6:34 am"), ("ana_r", "6:44 am"), ("mk1979", "7:02 am")), 1):
        comments += [f"{number}. {name} says:", f"November 19, 2019 at {time}", COMMENTS[1 + 4 * (number - 1)]]
    assert all(is_thread_marker(line) for line in comments[:2])
    body = clean_text("\n\n".join(MENU + STORY + ["3 responses"] + comments)).body
    assert STORY[0] in body and STORY[-1] in body
    assert COMMENTS[1] not in body and COMMENTS[5] not in body


def test_a_feed_of_stamps_right_after_a_short_article_does_not_take_the_article_with_it():
    feed = []
    for hour in range(1, 7):
        feed += [f"* Other story number {hour} about something else", f"* 11/20/2019 0{hour}:14 PM"]
    texts = ["Son of a former president dies", "NOVEMBER 20, 2019 10:43"] + STORY[:2] + feed
    lines = _lines(texts)
    assert thread_spans(lines) == [(1, len(texts) - 1)]
    assert cut_threads(lines, [False, False, True, True] + [False] * len(feed))[2:4] == [True, True]
    body = clean_text("\n\n".join(MENU + texts)).body
    assert STORY[0] in body and STORY[1] in body
