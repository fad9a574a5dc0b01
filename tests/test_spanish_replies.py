"""Every reply in the chat's language: a Spanish reader's mistakes are answered in Spanish."""
from __future__ import annotations

import re

ENGLISH = re.compile(r"\b(Usage|Use|the|is not|words|theme|channel|Sorry|only|admins)\b")
MISTAKES = ("/subscribe atlantis", "/settings time 25:99", "/settings tz Mars/Olympus", "/settings freq hourly",
            "/settings quiet later", "/settings color blue", "/story", "/search", "/unsubscribe atlantis",
            "/story nothing-here", "/settings wd someday")


async def test_a_spanish_readers_mistakes_are_answered_in_spanish(telegram_bot):
    for command in MISTAKES:
        [sent] = await telegram_bot.send(command, language_code="es")
        assert not ENGLISH.search(re.sub(r"/\w+|<[^>]+>|&lt;\w+&gt;", "", sent.text)), (command, sent.text)


async def test_a_spanish_group_member_hears_the_admin_rule_in_spanish(telegram_bot):
    [sent] = await telegram_bot.send("/subscribe oas", chat_id=-100555, user_id=8, chat_type="supergroup",
                                     language_code="es")
    assert "Solo los administradores" in sent.text
