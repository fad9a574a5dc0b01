"""Updates the bot does not expect: every one is answered or deliberately ignored, and the
error handler stays empty (forged buttons, odd settings data, inline offsets, buttons on
inline messages, edited commands, the bot removed from a group)."""
from __future__ import annotations

import time

import pytest

from bot.telegram.console import updates
from tests.support.factories import make_subscriber

FORGED = ["more:oas:-1", "more:oas:1e3", "more:latest:9999999", "show:\x00\x01", "show:", "ctx:../../etc",
          "sub:", "unsub:", "x", "", ":", "\u202e\u0000", "set:menu:" + "a" * 50, "set:menu:xyz", "set:menu:",
          "set:time:99:99", "set:lang:zz", "set:tz:Mars/Base", "set:wd:12", "set:quiet:x", "show:" + "a" * 60]


async def test_every_forged_button_is_answered_once_without_an_error(telegram_bot):
    for data in FORGED:
        before = len(telegram_bot.transport.of("answerCallbackQuery"))
        await telegram_bot.press(data)
        answers = telegram_bot.transport.of("answerCallbackQuery")[before:]
        assert len(answers) == 1, data
    assert telegram_bot.errors == []


async def test_an_unknown_button_says_it_expired_in_the_chats_language(telegram_bot):
    await telegram_bot.press("more:oas:-1", language_code="es")
    answer = telegram_bot.transport.of("answerCallbackQuery")[-1]
    assert "/start" in answer.params["text"] and "botón" in answer.params["text"]


async def test_the_settings_menu_shows_the_weekday_choices_by_name(telegram_bot):
    [edited] = await telegram_bot.press("set:menu:wd")
    assert "tg_pick" not in edited.text and "day" in edited.text


async def test_a_button_on_an_inline_message_is_answered(telegram_bot):
    payload = {"update_id": 900, "callback_query": {
        "id": "900", "from": updates.user(5), "chat_instance": "1", "data": "more:oas:5",
        "inline_message_id": "AAQ"}}
    await telegram_bot._feed(payload)
    [answer] = telegram_bot.transport.of("answerCallbackQuery")
    assert "chat" in answer.params["text"]


async def test_an_edited_command_does_not_run_again(telegram_bot):
    edited = updates.message(901, "/help")["message"]
    edited["edit_date"] = int(time.time())
    replies = await telegram_bot._feed({"update_id": 901, "edited_message": edited})
    assert replies == []


@pytest.mark.parametrize("offset", ["²", "٣", "-1", "1e3", "9" * 40, "x"])
async def test_odd_inline_offsets_get_the_first_page(telegram_bot, offset):
    answer = await telegram_bot.inline("lima", offset=offset)
    assert answer.params["results"]


async def test_a_group_that_removes_the_bot_is_marked_inactive(telegram_bot):
    store = telegram_bot.services.store
    store.save_subscriber(make_subscriber(-100, themes=("oas",), chat_type="group"))
    assert store.get_subscriber(-100).is_active
    member = {"user": {"id": 123456, "is_bot": True, "first_name": "Digest"}}
    await telegram_bot._feed({"update_id": 902, "my_chat_member": {
        "chat": updates.chat(-100, "group"), "from": updates.user(7), "date": int(time.time()),
        "old_chat_member": {**member, "status": "member"}, "new_chat_member": {**member, "status": "left"}}})
    assert not store.get_subscriber(-100).is_active
