"""Inline mode: `@bot lima` offers shareable story cards."""
from __future__ import annotations

from tests.support.telegram_html import parse_telegram_html


async def test_inline_query_offers_matching_stories_as_shareable_cards(telegram_bot):
    call = await telegram_bot.inline("lima")
    results = call.params["results"]
    assert 0 < len(results) <= 50
    for result in results:
        assert result["type"] == "article" and len(result["id"].encode()) <= 64
        card = result["input_message_content"]
        parse_telegram_html(card["message_text"])
        assert card["parse_mode"] == "HTML"


async def test_inline_cards_carry_key_points_and_a_source_link(telegram_bot):
    results = (await telegram_bot.inline("lima")).params["results"]
    texts = [r["input_message_content"]["message_text"] for r in results]
    assert any("<a href=" in text for text in texts)


async def test_empty_inline_query_offers_the_newest_stories(telegram_bot):
    results = (await telegram_bot.inline("")).params["results"]
    newest = telegram_bot.services.library.catalog.stories[0]
    assert results[0]["title"] == newest.title[:200]


async def test_inline_query_without_matches_answers_an_empty_list(telegram_bot):
    assert (await telegram_bot.inline("zzzqqq")).params["results"] == []


async def test_inline_results_come_a_page_at_a_time_up_to_fifty_stories(telegram_bot):
    from bot.digest.catalog import Catalog
    from tests.support.factories import make_article

    articles = [make_article(f"lima-{n:02d}", title=f"Lima Group meeting number {n}",
                             key_points=(f"Envoy{n} of Country{n} met in Lima over Accord{n}.",),
                             published=f"{1960 + n}-01-01", first_seen=1.7e9 + n) for n in range(60)]
    library = telegram_bot.services.library
    library.catalog = Catalog.build(articles, library.themes)  # more stories than the seeds give
    assert len(library.catalog.search("lima", limit=50)) == 50
    seen, offset, answers = [], "", 0
    while True:
        call = await telegram_bot.inline("lima", offset=offset)
        answers += 1
        results = call.params["results"]
        assert len(results) <= 10
        seen += [r["id"] for r in results]
        offset = call.params.get("next_offset", "")
        if not offset:
            break
    assert answers == 5 and len(seen) == len(set(seen)) == 50


async def test_a_junk_inline_offset_is_read_as_the_first_page(telegram_bot):
    first = (await telegram_bot.inline("lima")).params["results"]
    junk = (await telegram_bot.inline("lima", offset="x<script>")).params["results"]
    assert [r["id"] for r in junk] == [r["id"] for r in first]
