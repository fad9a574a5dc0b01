"""/start, /help, /topics and /subscribe with thousands of theme files: every reply and keyboard stays
under Telegram's limits (4,096 characters, 100 entities, 100 buttons), paged with More."""
from __future__ import annotations

import pytest

from tests.conftest import assert_valid_telegram_messages, start_harness, stop_harness, telegram_settings

THEMES = 2_000   # /help broke at 77 themes; 10,000 behave the same (only the list is longer)
MAX_BUTTONS = 100


@pytest.fixture
async def crowded_bot(ingested_dirs):
    for path in ingested_dirs.digests.glob("*.toml"):
        path.unlink()
    for n in range(THEMES):
        (ingested_dirs.digests / f"t{n:05d}.toml").write_text(
            f'command = "theme_{n:05d}"\nterms = ["theme{n}"]\n\n[title]\nen = "Theme number {n}, a long title '
            + "x" * 60 + f'"\n\n[description]\nen = "About theme {n}"\n', encoding="utf-8")
    harness = await start_harness(telegram_settings(ingested_dirs))
    yield harness
    await stop_harness(harness)
    assert harness.errors == []
    assert_valid_telegram_messages(harness.transport.calls)


def buttons(call) -> int:
    return len(call.buttons)


@pytest.mark.slow
async def test_every_reply_with_thousands_of_themes_stays_under_telegrams_limits(crowded_bot):
    assert len(crowded_bot.services.library.catalog.themes) == THEMES
    for command in ("/start", "/help", "/topics", "/subscribe"):
        replies = await crowded_bot.send(command, chat_id=5, user_id=5)
        assert replies, command
        assert all(buttons(call) <= MAX_BUTTONS for call in replies), command
    [first_page] = await crowded_bot.send("/topics", chat_id=5, user_id=5)
    more = first_page.buttons[-1]["callback_data"]
    [second_page] = await crowded_bot.press(more, chat_id=5, user_id=5)
    assert "theme_00020" in second_page.text and "theme_00019" not in second_page.text
