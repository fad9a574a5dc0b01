"""Start-up (post_init): themes loaded, command menu in English and Spanish, ingest off the loop."""
from __future__ import annotations

import pytest
import asyncio
import logging

from bot.telegram.app import start_bot, stop_bot
from tests.conftest import start_harness, telegram_settings

SLOW_SEED = """Lima Group statement number {n}
Published on Friday, 06 August 2021 19:03

The foreign ministers of the Lima Group met in Lima on Friday to discuss statement {n}.
{body}
"""


async def test_start_up_registers_the_command_menu_in_english_and_spanish(cli_dirs):
    harness = await start_harness(telegram_settings(cli_dirs))
    try:
        await start_bot(harness.app)
        menus = harness.transport.of("setMyCommands")
        assert {c.params.get("language_code") for c in menus} == {None, "es"}
        english = [c["command"] for c in menus[0].params["commands"]]
        assert {"start", "help", "lima_group", "subscribe"} <= set(english)
        assert "stats" not in english and len(english) <= 100
    finally:
        await stop_bot(harness.app)
        await harness.app.shutdown()
    assert harness.errors == []


async def test_a_failing_set_my_commands_is_logged_not_fatal(cli_dirs, caplog):
    from tests.support.recording import RecordingRequest

    class MenuRejected(RecordingRequest):
        async def do_request(self, url, method, request_data=None, **kwargs):
            if url.endswith("setMyCommands"):
                return 400, b'{"ok": false, "error_code": 400, "description": "Bad Request: nope"}'
            return await super().do_request(url, method, request_data, **kwargs)

    harness = await start_harness(telegram_settings(cli_dirs), MenuRejected())
    with caplog.at_level(logging.WARNING):
        await start_bot(harness.app)
        assert await harness.send("/help")
    await stop_bot(harness.app)
    await harness.app.shutdown()
    assert "setMyCommands (en) failed" in caplog.text and harness.errors == []


async def test_the_run_path_reads_subscribers_and_the_outbox_once_the_application_runs(cli_dirs):
    harness = await start_harness(telegram_settings(cli_dirs), defer_people=True)   # as `digestbot run`
    store = harness.services.store
    await start_bot(harness.app)
    assert store._people_loaded is None, "read before the application (and its first poll) started"
    await harness.app.start()   # the job queue runs the warm-up
    for _ in range(400):
        if store._people_loaded is not None:
            break
        await asyncio.sleep(0.05)
    assert store._people_loaded is not None, "the warm-up never read the deferred tables"
    await harness.send("/subscribe lima_group")
    assert [s.themes for s in store.all_subscribers()] == [("lima_group",)]
    await harness.app.stop()
    await stop_bot(harness.app)
    await harness.app.shutdown()
    assert harness.errors == []


@pytest.mark.slow
async def test_a_command_is_answered_while_the_start_up_ingest_runs(cli_dirs):
    body = " ".join(f"Sentence {i} about the Lima Group and Venezuela in the OAS." for i in range(40))
    for n in range(150):
        (cli_dirs.seeds / f"slow_{n:03d}.txt").write_text(SLOW_SEED.format(n=n, body=body))
    harness = await start_harness(telegram_settings(cli_dirs))
    await start_bot(harness.app)
    ingest = harness.app.bot_data["ingest"]
    sent = await harness.send("/start")
    assert sent and not ingest.done(), "the ingest finished before the command: make it slower"
    await asyncio.wait_for(asyncio.shield(ingest), 120)
    assert len(harness.services.store.all_articles()) >= 150
    await stop_bot(harness.app)
    await harness.app.shutdown()
    assert harness.errors == []   # how fast: benchmarks/responsiveness.py
