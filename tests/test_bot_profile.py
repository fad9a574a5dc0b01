"""At start the real process sets the bot's description and short description in English and Spanish."""
from __future__ import annotations

import pytest
from tests.test_bot_process import running_bot  # noqa: F401  (the fixture)


@pytest.mark.slow
def test_description_and_short_description_are_set_in_english_and_spanish(running_bot):  # noqa: F811
    standin, _ = running_bot
    standin.wait_for(lambda s: len(s.of("setMyShortDescription")) >= 2, 30)
    for method, field, limit in (("setMyDescription", "description", 512),
                                 ("setMyShortDescription", "short_description", 120)):
        by_language = {c.params.get("language_code", ""): c.params[field] for c in standin.of(method)}
        assert set(by_language) == {"", "es"}
        assert all(0 < len(text) <= limit for text in by_language.values())
        assert by_language[""] != by_language["es"]
