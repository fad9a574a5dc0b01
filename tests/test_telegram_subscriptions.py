"""Subscriptions and settings through the real Application; state lives in the TinyStore."""
from __future__ import annotations

import math

from bot.store.tinydb.store import TinyStore
from bot.schedule.timing import next_due_at


NOW = 1_786_000_000.0   # a fixed clock, so next_due_at is exact


def saved(bot, chat_id=1):
    return bot.services.store.get_subscriber(chat_id)


async def test_subscribe_without_theme_offers_theme_buttons(telegram_bot):
    [sent] = await telegram_bot.send("/subscribe")
    assert "sub:lima_group" in {b["callback_data"] for b in sent.buttons}


async def test_subscribe_button_saves_the_theme_and_the_next_digest_time(telegram_bot):
    telegram_bot.services.clock = lambda: NOW
    [sent] = await telegram_bot.press("sub:lima_group")
    subscriber = saved(telegram_bot)
    assert subscriber.themes == ("lima_group",) and subscriber.is_active
    assert subscriber.next_due_at == next_due_at(subscriber, NOW) > NOW
    assert "Subscribed to Lima Group" in sent.text and "08:00" in sent.text


async def test_subscribe_to_a_theme_by_name(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    await telegram_bot.send("/subscribe lima_group")
    assert saved(telegram_bot).themes == ("oas", "lima_group")


async def test_subscribing_twice_says_you_already_get_it(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    [sent] = await telegram_bot.send("/subscribe oas")
    assert "already" in sent.text


async def test_subscribe_to_an_unknown_theme_answers_with_usage(telegram_bot):
    [sent] = await telegram_bot.send("/subscribe atlantis")
    assert sent.text.startswith("Usage: /subscribe &lt;theme&gt;")
    assert saved(telegram_bot) is None


async def test_unsubscribe_one_theme_keeps_the_others(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    await telegram_bot.send("/subscribe lima_group")
    [sent] = await telegram_bot.send("/unsubscribe oas")
    assert "Unsubscribed" in sent.text and saved(telegram_bot).themes == ("lima_group",)


async def test_unsubscribe_all_stops_every_digest(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    await telegram_bot.send("/unsubscribe all")
    assert saved(telegram_bot).themes == () and not saved(telegram_bot).is_active


async def test_unsubscribe_without_theme_offers_your_themes_as_buttons(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    [sent] = await telegram_bot.send("/unsubscribe")
    assert [b["callback_data"] for b in sent.buttons] == ["unsub:oas"]
    await telegram_bot.press("unsub:oas")
    assert saved(telegram_bot).themes == ()


async def test_mysubs_shows_themes_and_schedule(telegram_bot):
    [empty] = await telegram_bot.send("/mysubs")
    assert "no subscriptions" in empty.text
    await telegram_bot.send("/subscribe oas")
    [sent] = await telegram_bot.send("/mysubs")
    assert "daily at 08:00 (America/Lima)" in sent.text


async def test_settings_menu_opens_a_choice_per_setting(telegram_bot):
    [sent] = await telegram_bot.send("/settings")
    data = {b["callback_data"] for b in sent.buttons}
    assert data == {f"set:menu:{n}" for n in ("time", "tz", "freq", "lang", "quiet")}


async def test_time_zone_button_shows_the_regions_zones_and_saves_the_choice(telegram_bot):
    telegram_bot.services.clock = lambda: NOW
    [menu] = await telegram_bot.press("set:menu:tz")
    assert menu.method == "editMessageText"
    zones = {b["callback_data"].split(":", 2)[2] for b in menu.buttons}
    assert {"America/Lima", "America/Argentina/Buenos_Aires", "Europe/Madrid", "UTC"} <= zones
    [done] = await telegram_bot.press("set:tz:America/Bogota")
    subscriber = saved(telegram_bot)
    assert subscriber.timezone == "America/Bogota" and "America/Bogota" in done.text
    assert subscriber.next_due_at == next_due_at(subscriber, NOW)


async def test_any_iana_zone_can_be_typed(telegram_bot):
    [sent] = await telegram_bot.send("/settings tz Asia/Tokyo")
    assert saved(telegram_bot).timezone == "Asia/Tokyo" and "Saved" in sent.text


async def test_a_wrong_zone_gets_a_friendly_hint_and_saves_nothing(telegram_bot):
    [sent] = await telegram_bot.send("/settings tz Mars/Olympus")
    assert "not a valid time zone" in sent.text and saved(telegram_bot) is None


async def test_time_of_day_is_saved_and_moves_the_next_digest(telegram_bot):
    telegram_bot.services.clock = lambda: NOW
    await telegram_bot.press("set:time:07:00")
    await telegram_bot.send("/settings time 6:30")
    subscriber = saved(telegram_bot)
    assert subscriber.time_of_day == "06:30"
    assert subscriber.next_due_at == next_due_at(subscriber, NOW)


async def test_weekly_frequency_asks_for_the_weekday(telegram_bot):
    sent = await telegram_bot.press("set:freq:weekly")
    assert sent[-1].buttons[2]["callback_data"] == "set:wd:2"
    await telegram_bot.press("set:wd:4")
    assert saved(telegram_bot).frequency == "weekly" and saved(telegram_bot).weekday == 4


async def test_instant_frequency_has_no_scheduled_time(telegram_bot):
    await telegram_bot.press("set:freq:instant")
    assert math.isinf(saved(telegram_bot).next_due_at)


async def test_language_choice_switches_the_replies_to_spanish(telegram_bot):
    await telegram_bot.press("set:lang:es")
    [sent] = await telegram_bot.send("/mysubs")
    assert "No tienes suscripciones" in sent.text


async def test_quiet_hours_are_saved_and_can_be_turned_off(telegram_bot):
    await telegram_bot.press("set:quiet:22:00-07:00")
    assert (saved(telegram_bot).quiet_start, saved(telegram_bot).quiet_end) == ("22:00", "07:00")
    await telegram_bot.send("/settings quiet off")
    assert saved(telegram_bot).quiet_start == ""


async def test_settings_with_a_wrong_name_answers_with_usage(telegram_bot):
    [sent] = await telegram_bot.send("/settings colour blue")
    assert sent.text.startswith("Usage: /settings")


async def test_language_defaults_from_the_telegram_language_code(telegram_bot):
    await telegram_bot.send("/subscribe oas", language_code="es-AR", chat_id=3, user_id=3)
    assert saved(telegram_bot, 3).language == "es"


async def test_subscriptions_survive_a_restart(telegram_bot):
    await telegram_bot.send("/subscribe oas")
    await telegram_bot.send("/settings tz Europe/Madrid")
    telegram_bot.services.store.close()
    reopened = TinyStore(telegram_bot.services.settings.data_dir)
    try:
        again = reopened.get_subscriber(1)
        assert again.themes == ("oas",) and again.timezone == "Europe/Madrid"
    finally:
        reopened.close()
        telegram_bot.services.store = TinyStore(telegram_bot.services.settings.data_dir)


async def test_a_chat_that_blocked_the_bot_is_marked_inactive(telegram_bot):
    await telegram_bot.send("/subscribe oas", chat_id=7, user_id=7)
    telegram_bot.transport.fail(7, 403, "Forbidden: bot was blocked by the user")
    await telegram_bot.send("/mysubs", chat_id=7, user_id=7)
    assert not saved(telegram_bot, 7).is_active
    telegram_bot.errors.clear()   # the Forbidden went to the error handlers, as it should
