"""`digestbot chat`: the same handlers on a terminal, plain text, numbered buttons, no network."""
from __future__ import annotations

import pytest
import subprocess
import sys

from tests.test_bot_process import bot_env


def chat(cli_dirs, lines: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *cli_dirs.options(), "chat"],
                          cwd=cli_dirs.data.parent, env=bot_env(None), input=lines,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_console_shows_what_a_telegram_user_sees_as_plain_text(cli_dirs):
    result = chat(cli_dirs, "/start\n/lima_group\n/help\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Diplomacy Digest" in result.stdout and "/subscribe" in result.stdout
    assert "[1] " in result.stdout
    assert "<b>" not in result.stdout and "&amp;" not in result.stdout and "<a href" not in result.stdout


@pytest.mark.slow
def test_console_buttons_are_chosen_by_number(cli_dirs):
    result = chat(cli_dirs, "/subscribe\n1\n/mysubs\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Subscribed to" in result.stdout and "Your themes" in result.stdout


@pytest.mark.slow
def test_console_settings_buttons_edit_and_confirm(cli_dirs):
    result = chat(cli_dirs, "/settings\n2\n2\n")    # Time zone, then Bogota
    assert "[2] Bogota" in result.stdout
    assert "Saved. Digest: daily at 08:00 (America/Bogota)" in result.stdout


@pytest.mark.slow
def test_console_inline_query_lists_story_titles(cli_dirs):
    result = chat(cli_dirs, "@bot lima\n")
    assert "(inline results: " in result.stdout


@pytest.mark.slow
def test_console_works_on_its_own_store_and_never_makes_a_live_subscriber(ingested_dirs):
    from bot.store.tinydb.store import TinyStore

    result = chat(ingested_dirs, "/subscribe oas\n/digest\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Subscribed to" in result.stdout
    assert "OAS" in result.stdout.split("/digest", 1)[1]          # what the subscriber would get
    store = TinyStore(ingested_dirs.data)
    try:
        assert store.all_subscribers(active_only=False) == []
    finally:
        store.close()
