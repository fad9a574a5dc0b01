"""Admin commands: only settings.admin_ids may use them; anyone else hears 'not allowed'."""
from __future__ import annotations

import asyncio
import threading

import pytest

from bot.telegram.reloads import reloads_of
from tests.conftest import ADMIN_ID


@pytest.mark.parametrize("command", ["/stats", "/reload", "/preview lima_group"])
async def test_admin_commands_tell_anyone_else_not_allowed_and_nothing_more(telegram_bot, command):
    store_before = telegram_bot.services.store.all_articles()
    [sent] = await telegram_bot.send(command, user_id=5, chat_id=5)
    assert sent.text == "Sorry, that command is not allowed."
    assert telegram_bot.services.store.all_articles() == store_before


async def test_stats_counts_articles_themes_subscribers_and_deliveries(telegram_bot):
    await telegram_bot.send("/subscribe oas", chat_id=4, user_id=4)
    [sent] = await telegram_bot.send("/stats", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    articles = len(telegram_bot.services.store.all_articles())
    assert f"Articles: {articles}" in sent.text and "Subscribers: 1 active, 1 in all" in sent.text
    assert "Deliveries:" in sent.text and "Errors since start: 0" in sent.text


async def test_reload_re_ingests_and_replies_with_the_ingest_report(telegram_bot):
    seeds = telegram_bot.services.settings.seeds_dir
    (seeds / "zz_empty.txt").write_text("")
    before = len(telegram_bot.transport.calls)
    [started] = await telegram_bot.send("/reload", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    await reloads_of(telegram_bot.app).wait()
    sent = [started] + [c for c in telegram_bot.transport.calls[before:] if c.method == "sendMessage"][1:]
    assert sent[0].text.startswith("Reloading")
    assert "rejected" in sent[1].text and "zz_empty.txt" in sent[1].text
    assert "unchanged" in sent[1].text
    assert len(telegram_bot.transport.of("setMyCommands")) == 2


async def test_preview_shows_a_theme_digest_as_readers_get_it(telegram_bot):
    preview = await telegram_bot.send("/preview lima_group", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    reader = await telegram_bot.send("/lima_group", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    assert [c.text for c in preview] == [c.text for c in reader]


async def test_preview_without_a_theme_answers_with_usage(telegram_bot):
    [sent] = await telegram_bot.send("/preview", user_id=ADMIN_ID, chat_id=ADMIN_ID)
    assert sent.text == "Usage: /preview &lt;theme&gt;"


async def test_reloads_coalesce_and_readers_are_answered_meanwhile(telegram_bot):
    reloads = reloads_of(telegram_bot.app)
    gate = threading.Event()
    busy = asyncio.get_running_loop().run_in_executor(reloads.executor, gate.wait)   # the ingest thread is busy
    answers = [(await telegram_bot.send("/reload", user_id=ADMIN_ID, chat_id=ADMIN_ID))[0].text for _ in range(6)]
    assert [a.startswith("Reloading") for a in answers] == [True, True, False, False, False, False]
    assert all("already under way" in a for a in answers[2:])
    [help_reply] = await telegram_bot.send("/help", user_id=5, chat_id=5)   # a reader, meanwhile
    assert help_reply.text
    before = len(telegram_bot.transport.of("sendMessage"))
    gate.set()
    await busy
    await reloads.wait()
    reports = [c for c in telegram_bot.transport.of("sendMessage")[before:] if "unchanged" in c.text]
    assert len(reports) == 2
