"""Inline button presses. Data is `<action>:<value>…` (see keyboards); each press is answered."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.digest import render
from bot.telegram import keyboards
from bot.telegram.handlers import reader as handlers
from bot.telegram import subscriptions as subs
from bot.telegram.handlers.subscribe import chat_subscriber, save_setting, subscribe_chat, unsubscribe_chat
from bot.telegram.replies import language_of, pressed, reply, say, services_of


def _known_theme(context: ContextTypes.DEFAULT_TYPE, command: str) -> bool:
    return services_of(context).library.catalog.theme(command) is not None


async def show_theme(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """show:<theme> — the theme's newest stories."""
    _, data = await pressed(update)
    command = data.split(":", 1)[1]
    if _known_theme(context, command):
        await handlers.send_theme(update, context, command)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """more:<theme|latest>:<offset> — the next page of older stories."""
    _, data = await pressed(update)
    _, command, offset = data.split(":", 2)
    if command == "latest":
        await handlers.latest(update, context, int(offset))
        return
    if _known_theme(context, command):
        await handlers.send_theme(update, context, command, int(offset))


async def context_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ctx:<theme> — what the theme is about, with a subscribe button."""
    _, data = await pressed(update)
    command = data.split(":", 1)[1]
    theme = services_of(context).library.catalog.theme(command)
    if theme is not None:
        language = language_of(update, services_of(context))
        await reply(update, context, render.render_context_card(theme, language),
                    keyboards.subscribe_keyboard(command, language))


async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """sub:<theme> / unsub:<theme> — subscribe or unsubscribe in one tap."""
    _, data = await pressed(update)
    action, command = data.split(":", 1)
    if action == "unsub":
        await unsubscribe_chat(update, context, command)
        return
    if _known_theme(context, command):
        await subscribe_chat(update, context, command)


async def setting_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """set:menu:<name> shows the choices for a setting; set:<name>:<value> saves one."""
    query, data = await pressed(update)
    _, name, value = data.split(":", 2)
    language = chat_subscriber(update, context).language
    if name == "menu":
        await query.edit_message_text(say(f"tg_pick_{value}", language),
                                      reply_markup=keyboards.setting_choices(value, language))
        return
    await save_setting(update, context, name, value)
    if name == "freq" and value == "weekly":
        await reply(update, context, say("tg_pick_weekday", language),
                    keyboards.setting_choices("wd", language))


def callback_handlers() -> list[CallbackQueryHandler]:
    return [CallbackQueryHandler(show_theme, pattern=r"^show:"),
            CallbackQueryHandler(more, pattern=r"^more:[a-z0-9_]{1,32}:\d{1,6}$"),
            CallbackQueryHandler(context_card, pattern=r"^ctx:"),
            CallbackQueryHandler(subscribe_button, pattern=r"^(un)?sub:"),
            CallbackQueryHandler(setting_button, pattern=r"^set:(menu|time|tz|freq|wd|lang|quiet):.+")]
