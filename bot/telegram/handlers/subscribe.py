"""Subscriptions and settings: /subscribe, /unsubscribe, /mysubs, /settings and their buttons."""
from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes

from bot.digest.i18n import t
from bot.models import Subscriber
from bot.telegram import keyboards
from bot.telegram import subscriptions as subs
from bot.telegram.groups import channel_rights, may_change_chat
from bot.telegram.replies import (
    chat_of, language_of, refresh_themes, reply, say, services_of, thread_of, usage,
)

SETTING_NAMES = ("time", "tz", "freq", "lang", "quiet", "wd")


def chat_subscriber(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Subscriber:
    """The chat's subscriber (saved, or new with defaults and the user's language)."""
    services = services_of(context)
    chat = chat_of(update)
    return subs.current(services, chat.id, chat_type=chat.type,
                        language=language_of(update, services), thread_id=thread_of(update))


async def refused(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a group, a member who is not an admin is told so (True: stop here)."""
    if await may_change_chat(update, context):
        return False
    await reply(update, context, say("tg_group_admins_only", language_of(update, services_of(context))))
    return True


async def subscribe_chat(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Add one theme to the chat's subscription and confirm with the schedule (group admins only)."""
    if await refused(update, context):
        return
    services = services_of(context)
    subscriber = chat_subscriber(update, context)
    theme = services.library.catalog.theme(command)
    title = theme.title_in(subscriber.language) if theme else command
    if command in subscriber.themes and subscriber.is_active:
        await reply(update, context, say("tg_already", subscriber.language, title=title))
        return
    saved = await subs.save(services, subs.add_theme(subscriber, command))
    await reply(update, context, say("tg_subscribed", saved.language, title=title,
                                     **subs.describe(saved, saved.language)))


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Get a theme in your digest: /subscribe <theme> (buttons without a theme)."""
    services = services_of(context)
    await refresh_themes(services)
    catalog, language = services.library.catalog, language_of(update, services)
    if not context.args:
        await reply(update, context, say("tg_choose_theme", language),
                    keyboards.themes_keyboard(catalog.themes, language, "sub"))
        return
    channel = context.args[0] if context.args[0].startswith("@") else None
    command = (context.args[1] if channel and len(context.args) > 1 else context.args[0]).lower().lstrip("/")
    if catalog.theme(command) is None:
        await usage(update, context, t("tg_usage_subscribe", language, themes=", ".join(
            theme.command for theme in catalog.themes)))
        return
    if channel:
        await change_channel(update, context, channel, command, subscribe=True)
        return
    await subscribe_chat(update, context, command)


async def change_channel(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str, command: str,
                         subscribe: bool) -> None:
    """/subscribe @channel <theme> from a chat with the bot: the user must be the channel's admin
    and the bot allowed to post there; digests then go to the channel (under the group limits)."""
    services = services_of(context)
    language = language_of(update, services)
    problem = None
    try:
        channel = await context.bot.get_chat(name)
    except TelegramError:
        channel, problem = None, "tg_channel_not_found"
    if channel is not None:
        user = update.effective_user
        user_is_admin, bot_can_post = await channel_rights(context, channel.id, user.id if user else 0)
        if not user_is_admin:
            problem = "tg_channel_not_admin"
        elif subscribe and not bot_can_post:
            problem = "tg_channel_cannot_post"
    if channel is None or problem:
        await reply(update, context, say(problem or "tg_channel_not_found", language, channel=name[:64]))
        return
    current = subs.current(services, channel.id, chat_type="channel", language=language, thread_id=None)
    theme = services.library.catalog.theme(command)
    title = theme.title_in(language) if theme else command
    if subscribe:
        saved = await subs.save(services, subs.add_theme(current, command))
        await reply(update, context, say("tg_channel_subscribed", language, channel=name[:64], title=title,
                                         **subs.describe(saved, language)))
    else:
        await subs.save(services, subs.remove_theme(current, None if command == "all" else command))
        await reply(update, context, say("tg_channel_unsubscribed", language, channel=name[:64], title=title))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a theme, or everything: /unsubscribe <theme|all>."""
    services = services_of(context)
    subscriber = chat_subscriber(update, context)
    language = subscriber.language
    if not context.args:
        if not subscriber.themes:
            await reply(update, context, say("tg_no_subs", language))
            return
        themes = [services.library.catalog.theme(c) for c in subscriber.themes]
        await reply(update, context, say("tg_choose_theme", language),
                    keyboards.themes_keyboard([t for t in themes if t], language, "unsub"))
        return
    if context.args[0].startswith("@") and len(context.args) > 1:
        await change_channel(update, context, context.args[0], context.args[1].lower().lstrip("/"),
                             subscribe=False)
        return
    await unsubscribe_chat(update, context, context.args[0].lower().lstrip("/"))


async def unsubscribe_chat(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Drop one theme, or all of them (group admins only)."""
    if await refused(update, context):
        return
    services = services_of(context)
    subscriber = chat_subscriber(update, context)
    language = subscriber.language
    if command == "all":
        await subs.save(services, subs.remove_theme(subscriber, None))
        await reply(update, context, say("tg_unsubscribed_all", language))
        return
    theme = services.library.catalog.theme(command)
    title = theme.title_in(language) if theme else command
    if command not in subscriber.themes:
        await reply(update, context, say("tg_not_subscribed", language, title=title))
        return
    await subs.save(services, subs.remove_theme(subscriber, command))
    await reply(update, context, say("tg_unsubscribed", language, title=title))


async def mysubs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Your themes, schedule, language and quiet hours."""
    services = services_of(context)
    subscriber = chat_subscriber(update, context)
    language = subscriber.language
    if not subscriber.themes:
        await reply(update, context, say("tg_no_subs", language))
        return
    themes = {c: services.library.catalog.theme(c) for c in subscriber.themes}
    names = ", ".join(theme.title_in(language) if theme else c for c, theme in themes.items())
    text = say("tg_mysubs", language, themes=names, **subs.describe(subscriber, language))
    if not subscriber.is_active:
        text += "\n" + say("tg_paused", language, **subs.pause_of(subscriber, language))
    await reply(update, context, text)


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Time of day, time zone, frequency, language, quiet hours: buttons, or /settings tz Area/City."""
    subscriber = chat_subscriber(update, context)
    language = subscriber.language
    if not context.args:
        await reply(update, context, say("tg_settings", language, **subs.describe(subscriber, language)),
                    keyboards.settings_keyboard(language))
        return
    name, value = context.args[0].lower(), " ".join(context.args[1:])
    if name not in SETTING_NAMES or not value:
        await usage(update, context, t("tg_usage_settings", language))
        return
    await save_setting(update, context, name, value)


async def save_setting(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str, value: str) -> None:
    """Apply one setting, save, and confirm (or say what a valid value looks like); group admins only."""
    if await refused(update, context):
        return
    subscriber = chat_subscriber(update, context)
    try:
        changed = subs.apply_setting(subscriber, name, value)
    except subs.SettingError as error:
        await reply(update, context, say("tg_bad_value", subscriber.language, value=error.value[:64],
                                         setting=t(f"tg_setting_{error.setting}", subscriber.language),
                                         hint=t(error.hint, subscriber.language)))
        return
    saved = await subs.save(services_of(context), changed)
    await reply(update, context, say("tg_saved", saved.language, **subs.describe(saved, saved.language)))


def subscription_handlers() -> list[CommandHandler]:
    return [CommandHandler("subscribe", subscribe), CommandHandler("unsubscribe", unsubscribe),
            CommandHandler("mysubs", mysubs), CommandHandler("settings", settings)]
