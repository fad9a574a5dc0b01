"""Reader commands through the real PTB Application (recording transport, real Updates)."""
from __future__ import annotations


import pytest
from tests.support.paths import DIGESTS


THEMES = sorted(p.stem for p in DIGESTS.glob("*.toml"))


async def test_start_welcomes_and_offers_a_button_per_theme(telegram_bot):
    [sent] = await telegram_bot.send("/start")
    assert "Diplomacy Digest" in sent.text
    assert {b["callback_data"] for b in sent.buttons} == {f"show:{t}" for t in THEMES}


async def test_start_deep_link_subscribes_in_one_tap(telegram_bot):
    [sent] = await telegram_bot.send("/start lima_group", chat_id=5, user_id=5)
    assert "Subscribed" in sent.text
    assert telegram_bot.services.store.get_subscriber(5).themes == ("lima_group",)


async def test_help_lists_every_registered_command_and_every_theme(telegram_bot):
    from bot.telegram.menu import registered_commands

    [sent] = await telegram_bot.send("/help")
    public = [c for c, admin, _ in registered_commands(telegram_bot.app) if not admin]
    assert all(f"/{command} " in sent.text for command in public + THEMES)
    assert "/stats" not in sent.text


async def test_help_shows_admin_commands_to_admins_only(telegram_bot):
    [sent] = await telegram_bot.send("/help", user_id=99)
    assert "/stats" in sent.text and "/reload" in sent.text


async def test_topics_lists_themes_with_counts_and_an_info_button_each(telegram_bot):
    [sent] = await telegram_bot.send("/topics")
    assert all(f"/{t} —" in sent.text for t in THEMES)
    assert {b["callback_data"] for b in sent.buttons} >= {f"ctx:{t}" for t in THEMES}


async def test_info_button_shows_the_theme_context_card(telegram_bot):
    [sent] = await telegram_bot.press("ctx:lima_group")
    assert "founded" in sent.text or "2017" in sent.text
    assert sent.buttons[0]["callback_data"] == "sub:lima_group"


@pytest.mark.parametrize("command", THEMES)
async def test_every_theme_file_is_a_command(telegram_bot, command):
    sent = await telegram_bot.send(f"/{command}")
    assert sent, f"/{command} got no answer"
    assert "I don't know" not in sent[0].text


async def test_theme_command_shows_titles_outlets_and_quoted_key_points(telegram_bot):
    catalog = telegram_bot.services.library.catalog
    command = max(THEMES, key=lambda c: len(catalog.stories_for(c)))
    sent = await telegram_bot.send(f"/{command}")
    story = catalog.stories_for(command)[0]
    assert story.title[:20] in sent[0].text.replace("&amp;", "&")
    assert "<blockquote>" in sent[0].text or "<i>" in sent[0].text


async def test_more_button_pages_back_through_older_stories(telegram_bot):
    catalog = telegram_bot.services.library.catalog
    command = max(THEMES, key=lambda c: len(catalog.stories_for(c)))
    if len(catalog.stories_for(command)) <= 2:
        pytest.skip("the repo seeds give no theme more than one page")
    first = await telegram_bot.send(f"/{command}")
    more = first[-1].buttons[0]["callback_data"]
    assert more == f"more:{command}:2"
    second = await telegram_bot.press(more)
    assert second and second[0].text != first[0].text


async def test_latest_shows_the_newest_stories(telegram_bot):
    sent = await telegram_bot.send("/latest")
    newest = telegram_bot.services.library.catalog.stories[0]
    assert newest.title[:20] in sent[0].text.replace("&amp;", "&")


async def test_latest_more_button_continues(telegram_bot):
    first = await telegram_bot.send("/latest")
    assert first[-1].buttons[0]["callback_data"] == "more:latest:2"
    assert await telegram_bot.press("more:latest:2")


async def test_story_by_id_shows_the_whole_story(telegram_bot):
    story = telegram_bot.services.library.catalog.stories[0]
    sent = await telegram_bot.send(f"/story {story.id}")
    assert story.points[0].text[:30].replace("&", "&amp;") in sent[0].text.replace("&quot;", '"')


async def test_story_without_id_answers_with_usage(telegram_bot):
    [sent] = await telegram_bot.send("/story")
    assert sent.text == "Usage: /story &lt;id&gt;"


async def test_story_with_unknown_id_says_so(telegram_bot):
    [sent] = await telegram_bot.send("/story nope<b>")
    assert "No story with id nope&lt;b&gt;" in sent.text


async def test_search_ignores_accents_and_case(telegram_bot):
    plain = await telegram_bot.send("/search BEJAR")
    accented = await telegram_bot.send("/search béjar")
    def without_title(text):
        return text.split("\n", 1)[1]

    assert without_title(plain[0].text) == without_title(accented[0].text)
    assert "No stories match" not in plain[0].text


async def test_search_without_hits_says_so_and_suggests_themes(telegram_bot):
    [sent] = await telegram_bot.send("/search zzzqqq")
    assert "No stories match" in sent.text and "/lima_group" in sent.text


async def test_search_takes_words_not_regular_expressions(telegram_bot):
    [sent] = await telegram_bot.send("/search (.*)[ ** \\")
    assert "No stories match" in sent.text


async def test_search_without_words_answers_with_usage(telegram_bot):
    [sent] = await telegram_bot.send("/search")
    assert sent.text.startswith("Usage: /search")


async def test_unknown_command_gets_a_short_pointer_to_help(telegram_bot):
    [sent] = await telegram_bot.send("/frobnicate")
    assert "/help" in sent.text and "frobnicate" in sent.text


async def test_plain_text_gets_a_short_hint(telegram_bot):
    [sent] = await telegram_bot.send("hello bot")
    assert "/help" in sent.text


async def test_command_addressed_with_bot_name_works_in_groups(telegram_bot):
    name = telegram_bot.app.bot.username
    group = dict(chat_id=-100123, chat_type="supergroup")
    assert await telegram_bot.send(f"/lima_group@{name}", **group)
    assert await telegram_bot.send(f"/help@{name}", **group)


async def test_command_addressed_to_another_bot_is_ignored(telegram_bot):
    assert await telegram_bot.send("/lima_group@some_other_bot", chat_id=-100123,
                                   chat_type="supergroup") == []


async def test_replies_go_to_the_forum_topic_the_command_came_from(telegram_bot):
    sent = await telegram_bot.send("/latest", chat_id=-100777, chat_type="supergroup", thread_id=42)
    assert all(call.params["message_thread_id"] == 42 for call in sent)


async def test_a_new_theme_file_works_the_moment_it_exists(telegram_bot):
    digests = telegram_bot.services.settings.digests_dir
    text = (digests / "oas.toml").read_text().replace('command = "oas"', 'command = "oea_new"')
    (digests / "oea_new.toml").write_text(text)
    sent = await telegram_bot.send("/oea_new")
    assert sent and "I don't know" not in sent[0].text


async def test_spanish_speakers_get_spanish_replies(telegram_bot):
    [sent] = await telegram_bot.send("/search zzzqqq", language_code="es-PE", chat_id=8, user_id=8)
    assert "Ninguna noticia" in sent.text
