"""Hostile articles and queries: every reply still parses as Telegram HTML within limits.
(The `telegram_bot` fixture checks every sent message with tests/telegram_html on teardown;
these tests also check explicitly.)"""
from __future__ import annotations

import pytest

from tests.conftest import ADMIN_ID, assert_valid_telegram_messages
from tests.support.telegram_html import parse_telegram_html

LONG_WORD = "Lima" + "x" * 5000
HOSTILE = [
    "<script>alert('x')</script>", "a < b && c > d", "<b>unclosed <i>tags", "&amp; &lt; &#0; &bogus;",
    LONG_WORD, "مجموعة ليما تجتمع في ليما", "Grupo de Lima 🇵🇪🇻🇪 👩🏽‍⚖️ ✊🏾", "\u202egnirts desrever",
    "/search", "'; DROP TABLE articles; --", "(?:.*)+$^[", "\x00\x07",
]

HOSTILE_ARTICLE = """Lima Group <script>alert(1)</script> & friends: <b>unclosed tags
Published on Friday, 06 August 2021 19:03
By Ana <Author> & Co.

The Lima Group met in Lima on Friday to discuss <i>Venezuela & the OAS</i>, a < b > c, and it said so.
{long}
The foreign ministers of the Lima Group, in a statement shared with 🇵🇪 emoji ✊🏾, called for elections.
وقالت مجموعة ليما إنها ستجتمع مرة أخرى في الأسبوع المقبل لمناقشة الوضع.
Peru's foreign minister Héctor Béjar announced that Peru would leave the Lima Group & its <declarations>.
"""


@pytest.fixture
async def hostile_bot(telegram_bot):
    seeds = telegram_bot.services.settings.seeds_dir
    (seeds / "zz_hostile.txt").write_text(HOSTILE_ARTICLE.format(long=LONG_WORD), encoding="utf-8")
    (seeds / "zz_hostile_2.md").write_text(HOSTILE_ARTICLE.format(long="<a href='javascript:x'>x</a>")
                                            .replace("Friday", "Saturday"), encoding="utf-8")
    await telegram_bot.send("/reload", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    return telegram_bot


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_search_and_story_queries_get_valid_replies(hostile_bot, text):
    for command in ("/search ", "/story ", "/subscribe ", "/settings tz ", "/preview "):
        sent = await hostile_bot.send(command + text, user_id=ADMIN_ID, chat_id=ADMIN_ID)
        assert sent, command + text[:40]
        assert_valid_telegram_messages(sent)


async def test_hostile_articles_render_as_valid_messages_in_every_command(hostile_bot):
    sent = []
    for command in ("/lima_group", "/latest", "/search lima", "/topics", "/help", "/start"):
        sent += await hostile_bot.send(command)
    for story in hostile_bot.services.library.catalog.stories:
        sent += await hostile_bot.send(f"/story {story.id}")
    assert_valid_telegram_messages(sent)
    assert "<script>" not in "".join(c.text for c in sent)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_inline_queries_get_valid_cards(hostile_bot, text):
    results = (await hostile_bot.inline(text)).params["results"]
    for result in results + (await hostile_bot.inline("lima")).params["results"]:
        parse_telegram_html(result["input_message_content"]["message_text"])
        assert len(result["id"].encode()) <= 64


async def test_hostile_unknown_commands_and_text_get_valid_replies(hostile_bot):
    sent = await hostile_bot.send("/" + "x" * 40 + "<b>")
    sent += await hostile_bot.send("<script>alert(1)</script> " + LONG_WORD)
    assert len(sent) == 2
    assert_valid_telegram_messages(sent)
