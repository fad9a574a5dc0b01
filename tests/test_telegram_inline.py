"""Inline mode: `@bot lima` offers shareable story cards."""
from __future__ import annotations

from tests.telegram_html import parse_telegram_html


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
