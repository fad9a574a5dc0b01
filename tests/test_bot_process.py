"""The real `digestbot run` process against the local Bot API stand-in on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.support.standin import StandIn
from tests.support.paths import REPO_ROOT

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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_subscriber_file_that_cannot_be_read_stops_the_bot_with_exit_1_naming_it(cli_dirs):
    """`digestbot run` reads subscribers after its first poll; a broken file still ends it with a clear error."""
    cli_dirs.data.mkdir(parents=True, exist_ok=True)
    (cli_dirs.data / "subscribers.json").write_text('{"subscribers": {"1": [1, "oops"', encoding="utf-8")
    with StandIn() as standin:
        result = subprocess.run([sys.executable, "-m", "bot", *cli_dirs.options(), "run"],
                                cwd=cli_dirs.data.parent, env=bot_env(standin), stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=90)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "subscribers.json" in result.stderr.strip().splitlines()[-1]
    assert TOKEN not in result.stdout + result.stderr


def test_without_a_token_and_without_a_terminal_the_bot_exits_1_naming_the_setting(cli_dirs):
    result = subprocess.run([sys.executable, "-m", "bot", *cli_dirs.options(), "run"],
                            cwd=cli_dirs.data.parent, env=bot_env(None), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _post_update(port: int, update: dict, secret: str | None) -> int:
    import json
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(),
                                      headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_in_webhook_mode_the_bot_answers_updates_only_with_the_secret_token(cli_dirs):
    from bot.telegram.console import updates

    port, secret = _free_port(), "s3cret-token_1"
    with StandIn() as standin:
        env = bot_env(standin, WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET=secret,
                      WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
        process = subprocess.Popen([sys.executable, "-m", "bot", *cli_dirs.options(), "run"],
                                   cwd=cli_dirs.data.parent, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            hook = standin.wait_for(lambda s: s.of("setWebhook"), 30)[0]
            standin.wait_for(lambda s: _accepts(port), 15)
            assert hook.params["url"] == f"http://127.0.0.1:{port}/hook"
            assert hook.params["secret_token"] == secret
            assert _post_update(port, updates.message(1, "/start", chat_id=5), None) == 403
            assert _post_update(port, updates.message(2, "/start", chat_id=5), "wrong") == 403
            assert _post_update(port, updates.message(3, "/start", chat_id=6), secret) == 200
            welcome = standin.wait_for(lambda s: s.messages_to(6), 15)[0]
            assert "Diplomacy Digest" in welcome.text
            assert not standin.messages_to(5)
            assert not standin.of("getUpdates", None)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=20)
            assert process.returncode == 0, err[-2000:]
            assert secret not in out + err and TOKEN.split(":")[1] not in out + err
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
