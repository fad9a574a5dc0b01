"""/healthz, /readyz and /metrics on the bot's HTTP server, against the real Application."""
from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

from bot.telegram.http import SENDER_MAX_AGE, start_http_server
from bot.telegram.jobs import SENDER
from tests.conftest import start_harness, stop_harness, telegram_settings


async def get(port: int, path: str) -> tuple[int, str]:
    def fetch() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
    return await asyncio.to_thread(fetch)


async def wait_for_status(port: int, path: str, status: int, seconds: float = 30.0) -> str:
    for _ in range(int(seconds / 0.1)):
        code, body = await get(port, path)
        if code == status:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} never answered {status}; last {code}: {body}")


async def test_health_and_metrics_answer_and_readyz_fails_when_the_sender_dies(cli_dirs):
    harness = await start_harness(telegram_settings(cli_dirs, tick_seconds=3600.0))
    app, services = harness.app, harness.services
    app.bot_data[SENDER_MAX_AGE] = 1.0
    server, port = start_http_server(app, services, "127.0.0.1", 0)
    await app.start()   # the JobQueue: the sender starts, the first due tick runs after a second
    try:
        assert await get(port, "/healthz") == (200, "ok\n")
        assert await wait_for_status(port, "/readyz", 200) == "ready\n"
        await harness.send("/start")
        _, metrics = await get(port, "/metrics")
        for name in ("digestbot_messages_sent_total", "digestbot_outbox_pending",
                     "digestbot_outbox_oldest_pending_age_seconds", "digestbot_tick_duration_seconds_count 1.0",
                     'digestbot_command_seconds_count{command="command"} 1.0', "digestbot_due_subscribers_count"):
            assert name in metrics, name
        app.bot_data[SENDER].stop()
        body = await wait_for_status(port, "/readyz", 503)
        assert body.startswith("sender: no heartbeat")
    finally:
        server.stop()
        await app.stop()
        await stop_harness(harness)
    assert harness.errors == []
