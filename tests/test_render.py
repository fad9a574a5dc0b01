"""Rendering digests to Telegram HTML and plain text: valid, within limits, nothing lost, nothing unescaped."""
from __future__ import annotations

import pytest
import html
from dataclasses import replace

from hypothesis import HealthCheck, given, settings, strategies as st

from bot.models import Digest, DigestSection, StoryPoint
from bot.digest.render import render_context_card, render_html, render_story_card, render_text
from bot.digest.ids import short_story_id
from bot.digest.catalog import Catalog
from tests.support.factories import make_article, make_story, make_theme
from tests.support.telegram_html import MAX_ENTITIES, MAX_MESSAGE_UTF16, parse_telegram_html, utf16_len


HOSTILE = [
    "<script>alert('x')</script>", "<b>unbalanced", "Tom & Jerry &amp; &lt;", "שלום עולם مرحبا",
    "😀🇵🇪👨‍👩‍👧", "x" * 5000, "a\u202eb", "</blockquote><i>", '" onmouseover="x',
]
URLS = ["", "https://andina.pe/news?id=1&lang=es", 'http://x.org/"><b>', "javascript:alert(1)",
        "ftp://files.example", "https://perú.pe/a b", "//no-scheme.org", "https://"]

line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(str.strip)
point_text = st.one_of(line, st.sampled_from(HOSTILE[:5]),
                       st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=700).filter(str.strip))


def norm(value: str) -> str:
    return " ".join(value.split())


def check_part(part: str) -> tuple[str, list]:
    """The part parses under Telegram's rules and is within its limits."""
    text, entities = parse_telegram_html(part)
    assert text.strip()
    assert len(part) <= MAX_MESSAGE_UTF16
    assert utf16_len(text) <= MAX_MESSAGE_UTF16
    assert len(entities) <= MAX_ENTITIES
    return text, entities


def check_parts(parts: list[str]) -> str:
    assert parts
    for part in parts:
        check_part(part)
    return "\n".join(parts)


@st.composite
def stories(draw, n: int):
    points = draw(st.lists(point_text, max_size=6))
    outlets = tuple(draw(st.lists(line.map(lambda s: s[:40]), min_size=1, max_size=4)))
    return make_story(
        f"s{n}", title=draw(line), points=tuple(points), outlets=outlets,
        urls=tuple(draw(st.lists(st.sampled_from(URLS), max_size=4))),
        sources=tuple(draw(st.lists(st.integers(1, 6), max_size=6))),
        published=draw(st.sampled_from(["", "2021-08-06", "2023-01-30"])),
    )


@st.composite
def digests(draw):
    counter = iter(range(10_000))
    sections = []
    for s in range(draw(st.integers(1, 3))):
        theme = make_theme(f"theme_{s}", title=draw(line))
        count = draw(st.integers(0, 8))
        sections.append(DigestSection(theme, tuple(draw(stories(next(counter))) for _ in range(count))))
    return Digest(draw(st.one_of(st.just(""), line)), tuple(sections), draw(st.sampled_from(["en", "es"])))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests())
def test_every_part_is_valid_telegram_html_within_limits_and_holds_every_story(digest):
    joined = check_parts(render_html(digest))
    positions = []
    for story in digest.stories:
        assert html.escape(norm(story.title), quote=False) in joined
        for point in story.points:
            assert html.escape(norm(point.text), quote=False) in joined
        positions.append(joined.index(f"/story {short_story_id(story.id)}</code>"))
    assert positions == sorted(positions), "stories keep the digest's order"


@settings(max_examples=40, deadline=None)
@given(digests())
def test_plain_text_holds_every_title_and_key_point(digest):
    shown = render_text(digest)
    for story in digest.stories:
        assert norm(story.title) in shown
        for point in story.points:
            assert norm(point.text) in shown


@settings(max_examples=40, deadline=None)
@given(stories(0), st.sampled_from(["en", "es"]))
def test_a_story_card_is_one_valid_message(story, language):
    check_part(render_story_card(story, language))


def digest_of(*stories, title="Digest", language="en", themes=None):
    if themes is None:
        return Digest(title, (DigestSection(None, tuple(stories)),), language)
    return Digest(title, tuple(DigestSection(theme, tuple(group)) for theme, group in themes), language)


def test_hostile_strings_are_escaped_everywhere():
    story = make_story("s1", title=HOSTILE[0] + HOSTILE[1], points=tuple(HOSTILE),
                       outlets=(HOSTILE[2], HOSTILE[8]), urls=(URLS[2], URLS[3]))
    parts = render_html(digest_of(story, title=HOSTILE[1]))
    joined = check_parts(parts)
    text = "\n".join(parse_telegram_html(part)[0] for part in parts)
    assert "<script>alert('x')</script><b>unbalanced" in text
    assert "<script>" not in joined
    assert "Tom & Jerry &amp; &lt;" in text
    assert "שלום עולם مرحبا" in text and "😀🇵🇪👨‍👩‍👧" in text


def test_only_http_links_become_hrefs_and_they_survive_escaping():
    story = make_story("s1", outlets=("Andina", "Evil", "Ftp"), urls=(URLS[1], URLS[3], URLS[4]))
    _, entities = check_part(render_html(digest_of(story))[0])
    assert [e.url for e in entities if e.type == "text_link"] == [URLS[1]]


def test_a_link_with_quotes_cannot_break_out_of_its_attribute():
    story = make_story("s1", outlets=("Odd",), urls=('https://x.org/?q="a"&b=<c>',))
    part = render_html(digest_of(story))[0]
    _, entities = check_part(part)
    assert 'href="https://x.org/?q=&quot;a&quot;&amp;b=&lt;c&gt;"' in part
    assert [e.url for e in entities if e.type == "text_link"] == ['https://x.org/?q="a"&b=<c>']


def test_a_5000_character_word_is_truncated_with_an_ellipsis_not_cut_inside_an_escape():
    word = "&" * 5000
    parts = render_html(digest_of(make_story("s1", points=(word, "After."))))
    joined = check_parts(parts)
    text = "\n".join(parse_telegram_html(p)[0] for p in parts)
    assert "&" * 100 + "…" in text
    assert "After." in joined


def test_astral_emoji_count_twice_towards_the_limit():
    story = make_story("s1", points=("😀" * 3000, "🇵🇪" * 1500))
    parts = render_html(digest_of(story))
    check_parts(parts)
    assert len(parts) >= 2


def test_a_long_story_is_split_at_key_point_boundaries_and_marked_continued():
    points = tuple(f"Point {n}: " + "word " * 80 for n in range(40))
    parts = render_html(digest_of(make_story("s1", title="Long", points=points)))
    joined = check_parts(parts)
    assert len(parts) > 1
    for point in points:
        assert point.strip() in joined
    assert all(p.startswith("<b>Long</b> (continued)") for p in parts[1:])


def test_many_stories_split_on_story_boundaries():
    many = [make_story(f"s{n}", title=f"Title {n}", points=("A point. " * 20,) * 5) for n in range(60)]
    parts = render_html(digest_of(*many))
    check_parts(parts)
    assert len(parts) > 3
    for story in many:
        holding = [p for p in parts if f"<b>{story.title}</b>" in p]
        assert len(holding) == 1 and f"/story {short_story_id(story.id)}</code>" in holding[0]


def test_entities_stay_under_100_even_for_many_outlets_and_points():
    outlets = tuple(f"Outlet {n}" for n in range(150))
    story = make_story("s1", outlets=outlets, urls=tuple(f"https://o{n}.pe/" for n in range(150)),
                       points=tuple(f"Point {n}." for n in range(120)))
    parts = render_html(digest_of(story))
    check_parts(parts)
    assert "+142" in parts[0]


def test_key_points_are_quotes_with_their_outlet_and_source_count():
    story = make_story("s1", points=("Shared.", "Alone."), outlets=("Andina",), sources=(3, 1))
    part = render_html(digest_of(story))[0]
    assert "<blockquote>Shared.\n<i>— Andina (3 sources)</i></blockquote>" in part
    assert "<blockquote>Alone.\n<i>— Andina</i></blockquote>" in part


def test_dates_and_labels_follow_the_digest_language():
    story = make_story("s1", published="2021-08-06", sources=(2,))
    part = render_html(digest_of(story, language="es"))[0]
    assert "6 ago 2021" in part and "(2 fuentes)" in part


def test_section_headings_appear_only_when_there_are_several_sections():
    lima, oas = make_theme("lima_group", title="Lima Group"), make_theme("oas", title="OAS")
    one = render_html(digest_of(make_story("s1"), themes=[(lima, [make_story("s1")])]))[0]
    two = render_html(digest_of(themes=[(lima, [make_story("s1")]), (oas, [make_story("s2")])]))[0]
    assert "<u><b>Lima Group</b></u>" not in one
    assert "<u><b>Lima Group</b></u>" in two and "<u><b>OAS</b></u>" in two


def test_an_empty_digest_says_there_are_no_stories():
    parts = render_html(Digest("Search: béjar", (), "es"))
    assert len(parts) == 1 and "No se encontraron noticias." in parts[0]
    check_part(parts[0])
    assert "No stories found." in render_text(Digest("", (), "en"))


def test_plain_text_lists_title_date_outlets_and_points_in_order():
    first = make_story("s1", title="First", published="2021-08-06", outlets=("Andina", "RPP"), points=("One.",))
    second = make_story("s2", title="Second", points=("Two.",))
    shown = render_text(digest_of(first, second, title="Latest"))
    assert shown.index("Latest") < shown.index("First") < shown.index("6 Aug 2021 · Andina, RPP")
    assert shown.index("One.") < shown.index("Second") < shown.index("Two.")


def test_story_card_has_title_points_and_a_source_link():
    story = make_story("s1", title="Béjar resigns", points=("He resigned.",), outlets=("Andina",),
                       urls=("https://andina.pe/1",))
    card = render_story_card(story, "es")
    check_part(card)
    assert "<b>Béjar resigns</b>" in card and "He resigned." in card
    assert 'Leer en <a href="https://andina.pe/1">Andina</a>' in card


def test_story_card_of_a_huge_story_still_fits_one_message():
    story = make_story("s1", title="T" * 5000, points=tuple("x" * 5000 for _ in range(10)))
    check_part(render_story_card(story, "en"))


def test_context_card_shows_title_description_context_and_command():
    theme = make_theme("lima_group", title="Lima Group", title_es="Grupo de Lima",
                       context="Founded in 2017 <in Lima> & more.\n\nFourteen members.")
    card = render_context_card(theme, "es")
    text, _ = check_part(card)
    assert "Grupo de Lima" in text and "Founded in 2017 <in Lima> & more." in text
    assert "Fourteen members." in text and "/lima_group" in text


def test_context_card_with_a_huge_context_fits_one_message():
    theme = make_theme("oas", context="😀 " * 6000 + "\n\n" + "z" * 9000)
    check_part(render_context_card(theme, "en"))


def test_control_characters_never_reach_telegram():
    story = make_story("s1", title="a\x00b\x1bc", points=("p\x07q",))
    joined = check_parts(render_html(digest_of(story)))
    assert "\x00" not in joined and "\x1b" not in joined and "\x07" not in joined


def test_a_story_without_an_outlet_name_prints_no_outlet_and_never_an_internal_id():
    article = make_article("peru/2021/castillo", outlet="")
    story = replace(make_story("s1"), articles=(article,), points=(StoryPoint("Point.", outlet=""),))
    part = render_html(digest_of(story))[0]
    check_part(part)
    assert "peru/2021/castillo" not in part and "unnamed" not in part and "—" not in part
    assert "<blockquote>Point.</blockquote>" in part
    plain = render_text(digest_of(story))
    assert "unnamed" not in plain and "Point." in plain and "— \n" not in plain and not plain.rstrip().endswith("—")


# --- the strict parser the tests above rely on ----------------------------------

import pytest  # noqa: E402

from tests.support.telegram_html import TelegramHTMLError  # noqa: E402


@pytest.mark.parametrize("bad", [
    "<b>open", "</b>", "<b><i>x</b></i>", "<script>x</script>", "<p>x</p>", "a & b", "a > b", "&nbsp;",
    "&#0;", "&#xD800;", '<a>x</a>', '<a href="">x</a>', '<a href="x" title="y">x</a>', "<span>x</span>",
    '<span class="red">x</span>', "<code><b>x</b></code>", "<blockquote><blockquote>x</blockquote></blockquote>",
    '<a href="http://a"><a href="http://b">x</a></a>', '<code class="language-py">x</code>', "<b x>y</b>",
])
def test_the_strict_parser_rejects_what_telegram_rejects(bad):
    with pytest.raises(TelegramHTMLError):
        parse_telegram_html(bad)


def test_the_strict_parser_returns_text_and_utf16_entities():
    text, entities = parse_telegram_html(
        '😀<b>a &amp; &#x27;b&#39;</b> <a href="https://x.pe/?a=1&amp;b=2">l</a>'
        '<pre><code class="language-python">p</code></pre><blockquote expandable>q</blockquote>')
    assert text == "😀a & 'b' lpq"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 2, 7), ("text_link", 10, 1), ("pre", 11, 1), ("code", 11, 1), ("expandable_blockquote", 12, 1)]
    assert entities[1].url == "https://x.pe/?a=1&b=2"


@pytest.mark.parametrize("article_id", ["odd\nname", "x" * 300, "caf\udce9/newline\r\nand tab\t"])
def test_a_story_whose_article_id_has_a_newline_or_is_too_long_opens_by_the_id_readers_see(article_id):
    """File names may hold newlines or run past Telegram's 64-byte deep-link/command limits:
    readers see an eight-character id that /story (Catalog.story) opens."""
    catalog = Catalog.build([make_article(article_id, title="An OAS mission to Lima")], [make_theme("oas")])
    [story] = catalog.stories
    shown = short_story_id(story.id)
    assert len(shown) == 8 and shown.isalnum() and shown.isascii()
    assert f"/story {shown}</code>" in check_parts(render_html(digest_of(story)))
    assert catalog.story(shown) is story and catalog.story(shown.upper()) is story
