"""Groups and channels, returning chats, buttons pressed twice or left over, /push_now twice:
through the real Application over the recording transport."""
from __future__ import annotations

from dataclasses import replace

from bot.models import Subscriber
from bot.telegram.reloads import reloads_of
from tests.conftest import ADMIN_ID

GROUP = -1001234
ALICE, BOB = 501, 502          # Alice is the group's admin, Bob an ordinary member


def in_group(user_id: int) -> dict:
    return {"chat_id": GROUP, "user_id": user_id, "chat_type": "supergroup"}


async def test_an_ordinary_member_cannot_change_or_cancel_a_groups_digest(telegram_bot):
    telegram_bot.transport.api.admins[GROUP] = {ALICE}
    [ok] = await telegram_bot.send("/subscribe oas", **in_group(ALICE))
    assert "Subscribed" in ok.text
    for command in ("/subscribe lima_group", "/unsubscribe all", "/settings lang es", "/settings time 06:00"):
        [refused] = await telegram_bot.send(command, **in_group(BOB))
        assert "Only this group's admins" in refused.text, command
    subscriber = telegram_bot.services.store.get_subscriber(GROUP)
    assert subscriber.themes == ("oas",) and subscriber.language == "en" and subscriber.time_of_day == "08:00"
    assert subscriber.is_active
    await telegram_bot.press("unsub:oas", on=telegram_bot.transport.api.message({"chat_id": GROUP, "text": "…"}),
                             user_id=BOB)
    assert telegram_bot.services.store.get_subscriber(GROUP).themes == ("oas",)


async def test_reading_commands_stay_open_to_every_group_member(telegram_bot):
    [sent] = await telegram_bot.send("/mysubs", **in_group(BOB))
    assert "Only this group's admins" not in sent.text
    assert await telegram_bot.send("/latest", **in_group(BOB))


async def test_admin_answers_are_cached_briefly(telegram_bot):
    telegram_bot.transport.api.admins[GROUP] = {ALICE}
    for command in ("/subscribe oas", "/subscribe lima_group", "/settings lang es"):
        await telegram_bot.send(command, **in_group(ALICE))
    assert len(telegram_bot.transport.of("getChatMember")) == 1


async def test_in_a_group_commands_for_other_bots_and_plain_text_get_no_answer(telegram_bot):
    assert await telegram_bot.send("/ban", **in_group(BOB)) == []
    assert await telegram_bot.send("/ban@otherbot", **in_group(BOB)) == []
    assert await telegram_bot.send("hello everyone", **in_group(BOB)) == []
    [unknown] = await telegram_bot.send("/ban@diplomacy_digest_bot", **in_group(BOB))
    assert "I don't know /ban" in unknown.text
    assert await telegram_bot.send("/oas", **in_group(BOB))           # a theme command without a suffix


async def test_a_channel_admin_subscribes_a_channel_from_a_private_chat(telegram_bot):
    api = telegram_bot.transport.api
    channel = -1009876
    api.channels["@peru_news"] = channel
    [missing] = await telegram_bot.send("/subscribe @nowhere oas", user_id=ALICE, chat_id=ALICE)
    assert "can't find @nowhere" in missing.text
    api.admins[channel] = {ALICE}
    [cannot_post] = await telegram_bot.send("/subscribe @peru_news oas", user_id=ALICE, chat_id=ALICE)
    assert "can't post in @peru_news" in cannot_post.text
    api.can_post.add(channel)
    telegram_bot.app.bot_data.pop("admins", None)                        # forget the cached answers
    [not_admin] = await telegram_bot.send("/subscribe @peru_news oas", user_id=BOB, chat_id=BOB)
    assert "Only admins of @peru_news" in not_admin.text
    [done] = await telegram_bot.send("/subscribe @peru_news oas", user_id=ALICE, chat_id=ALICE)
    assert "@peru_news gets OAS" in done.text
    subscriber = telegram_bot.services.store.get_subscriber(channel)
    assert subscriber.themes == ("oas",) and subscriber.chat_type == "channel" and subscriber.is_active
    assert telegram_bot.services.store.get_subscriber(ALICE) is None


async def test_a_chat_that_blocked_and_came_back_is_resumed_by_any_command_and_told_why(telegram_bot):
    store = telegram_bot.services.store
    await telegram_bot.send("/subscribe oas", chat_id=7, user_id=7)
    paused = replace(store.get_subscriber(7), is_active=False, paused_at=1_786_000_000.0,
                     paused_reason="Forbidden: bot was blocked by the user")
    store.save_subscriber(paused)
    [welcome, answer] = await telegram_bot.send("/latest", chat_id=7, user_id=7)
    assert "Welcome back" in welcome.text and "blocked or removed" in welcome.text
    assert store.get_subscriber(7).is_active and store.get_subscriber(7).paused_at == 0.0
    assert store.due_subscribers(float("inf"), 10) and 7 in {s.chat_id for s in store.due_subscribers(float("inf"))}
    assert answer.text != welcome.text


async def test_mysubs_says_when_and_why_a_group_is_paused(telegram_bot):
    telegram_bot.transport.api.admins[GROUP] = {ALICE}
    store = telegram_bot.services.store
    store.save_subscriber(Subscriber(chat_id=GROUP, themes=("oas",), chat_type="supergroup", is_active=False,
                                     paused_at=1_786_000_000.0, paused_reason="Forbidden: bot was kicked"))
    [sent] = await telegram_bot.send("/mysubs", **in_group(BOB))          # a member: reading, not resuming
    assert "Paused since 2026-08-" in sent.text and "blocked or removed" in sent.text
    assert not store.get_subscriber(GROUP).is_active


async def test_pressing_more_twice_sends_page_two_once(telegram_bot):
    [first] = await telegram_bot.send("/latest")
    more = next(b["callback_data"] for b in first.buttons if b["callback_data"].startswith("more:"))
    on = telegram_bot.transport.api.message({"chat_id": 1, "text": "…", "reply_markup": None})
    page_two = await telegram_bot.press(more, on=on)
    again = await telegram_bot.press(more, on=on)
    assert page_two and again == []
    answers = telegram_bot.transport.of("answerCallbackQuery")
    assert "already shown" in answers[-1].params.get("text", "")


async def test_a_button_for_a_deleted_theme_says_it_expired(telegram_bot):
    for data in ("show:atlantis", "more:atlantis:2", "ctx:atlantis", "sub:atlantis"):
        assert await telegram_bot.press(data) == []
        answer = telegram_bot.transport.of("answerCallbackQuery")[-1]
        assert "expired" in answer.params.get("text", ""), data


NEW_ARTICLE = """title: OAS observers arrive in Lima for the regional vote
date: 2021-08-20

The Organization of American States sent a delegation of forty electoral observers to Lima on Friday,
the OAS secretariat said, after Peru's foreign ministry invited the mission to follow the regional vote.
The observers will visit polling stations in twelve provinces and publish a preliminary report within
three days of the vote, according to the statement. Peru's foreign minister welcomed the OAS mission
and said the government would give the observers full access to the counting centres in every region.
"""


async def test_two_push_now_within_one_second_lose_no_story(telegram_bot, ingested_dirs):
    services, store = telegram_bot.services, telegram_bot.services.store
    watermark = services.library.catalog.watermark
    last = next(w for w in (watermark - 1e-3, watermark - 1e-6) if f"{w:.0f}" == f"{watermark:.0f}")
    commands = tuple(theme.command for theme in services.library.catalog.themes)
    store.save_subscriber(Subscriber(chat_id=5, themes=commands, last_digest_at=last, next_due_at=float("inf")))
    admin = {"chat_id": ADMIN_ID, "user_id": ADMIN_ID}
    [first] = await telegram_bot.send("/push_now", **admin)
    assert "0 messages" not in first.text
    (ingested_dirs.seeds / "oas_observers.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    await telegram_bot.send("/reload", **admin)
    await reloads_of(telegram_bot.app).wait()            # a reload runs in the background
    [second] = await telegram_bot.send("/push_now", **admin)
    texts = [p.text for p in store.pending_pushes(float("inf"), 1000) if p.chat_id == 5]
    assert any("OAS observers arrive in Lima" in text for text in texts), second.text


async def test_push_now_answers_in_the_admins_language(telegram_bot):
    [sent] = await telegram_bot.send("/push_now", chat_id=ADMIN_ID, user_id=ADMIN_ID, language_code="es")
    assert sent.text.startswith("push_now:") and "resúmenes" in sent.text
