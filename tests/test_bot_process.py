"""The real `digestbot run` process against the local Bot API stand-in on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.standin import StandIn

TOKEN = "123456:PROCESS-TEST-TOKEN"


def bot_env(standin: StandIn | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(PYTHONPATH=str(REPO_ROOT), LOG_LEVEL="INFO", **extra)
    if standin is not None:
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url,
                   TELEGRAM_API_FILE_URL=standin.base_url.replace("/bot", "/file/bot"))
    return env


@pytest.fixture
def running_bot(cli_dirs):
    with StandIn() as standin:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *cli_dirs.options(), "run"], cwd=cli_dirs.data.parent,
            env=bot_env(standin), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            yield standin, process
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)


def texts_to(standin: StandIn, chat_id: int) -> list[str]:
    return [c.text for c in standin.messages_to(chat_id)]


def test_the_bot_process_starts_answers_and_stops_cleanly_on_sigterm(running_bot):
    standin, process = running_bot
    standin.wait_for(lambda s: len(s.of("setMyCommands")) >= 2 and s.of("getUpdates", None), 30)
    standin.send_text(1, "/start")
    welcome = standin.wait_for(lambda s: s.messages_to(1), 15)[0]
    assert "Diplomacy Digest" in welcome.text and welcome.buttons

    standin.send_text(1, "/lima_group")
    standin.wait_for(lambda s: len(s.messages_to(1)) >= 2, 15)

    standin.press_button(1, "sub:oas", message=standin.api.message({"chat_id": 1, "text": "…"}))
    standin.wait_for(lambda s: any("Subscribed" in t for t in texts_to(s, 1)), 15)
    assert standin.of("answerCallbackQuery")

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err[-2000:]
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err


def test_the_bot_process_stops_cleanly_on_sigint(running_bot):
    standin, process = running_bot
    standin.wait_for(lambda s: s.of("getUpdates", None), 30)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=20)
    assert process.returncode == 0


def test_without_a_token_and_without_a_terminal_the_bot_exits_1_naming_the_setting(cli_dirs):
    result = subprocess.run([sys.executable, "-m", "bot", *cli_dirs.options(), "run"],
                            cwd=cli_dirs.data.parent, env=bot_env(None), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in result.stderr
