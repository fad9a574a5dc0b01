"""Inline button presses. Data is `<action>:<value>…` (see keyboards); each press is answered."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.digest import render
from bot.telegram import keyboards
from bot.telegram.handlers import reader as handlers
from bot.telegram.handlers.subscribe import chat_subscriber, save_setting, subscribe_chat, unsubscribe_chat
from bot.telegram.replies import language_of, pressed, reply, say, services_of


SETTING_MENUS = {"time": "tg_pick_time", "tz": "tg_pick_tz", "freq": "tg_pick_freq", "wd": "tg_pick_weekday",
                 "lang": "tg_pick_lang", "quiet": "tg_pick_quiet"}
MAX_SHOWN = 20_000
_THEME = "[a-z0-9_]{1,32}"   # More presses remembered (message, page): a page already sent is not sent again


def _data(update: Update) -> str:
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} is not a button press")
    return query.data or ""


async def _answer(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def _answer_known_theme(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> bool:
    """Answer the press; a button for a theme that no longer exists says it expired (False)."""
    if services_of(context).library.catalog.theme(command) is not None:
        await _answer(update)
        return True
    await _answer(update, say("tg_button_expired", language_of(update, services_of(context))))
    return False


def _first_press(context: ContextTypes.DEFAULT_TYPE, update: Update) -> bool:
    """True for the first press of this button on this message (checked and noted with no await between)."""
    query = update.callback_query
    if query is None:
        return False
    message = query.message
    key = (message.chat.id if message else query.from_user.id, message.message_id if message else 0, query.data)
    shown: dict = context.application.bot_data.setdefault("shown_pages", {})
    if key in shown:
        return False
    if len(shown) >= MAX_SHOWN:
        shown.pop(next(iter(shown)))
    shown[key] = True
    return True


async def show_theme(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """show:<theme> — the theme's newest stories."""
    command = _data(update).split(":", 1)[1]
    if await _answer_known_theme(update, context, command):
        await handlers.send_theme(update, context, command)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """more:<theme|latest>:<offset> — the next page of older stories, once per button."""
    _, command, offset = _data(update).split(":", 2)
    if not _first_press(context, update):
        await _answer(update, say("tg_page_shown", language_of(update, services_of(context))))
        return
    if command == "latest":
        await _answer(update)
        await handlers.latest(update, context, int(offset))
        return
    if await _answer_known_theme(update, context, command):
        await handlers.send_theme(update, context, command, int(offset))


async def context_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ctx:<theme> — what the theme is about, with a subscribe button."""
    command = _data(update).split(":", 1)[1]
    theme = services_of(context).library.catalog.theme(command)
    if await _answer_known_theme(update, context, command) and theme is not None:
        language = language_of(update, services_of(context))
        await reply(update, context, render.render_context_card(theme, language),
                    keyboards.subscribe_keyboard(command, language))


async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """sub:<theme> / unsub:<theme> — subscribe or unsubscribe in one tap."""
    action, command = _data(update).split(":", 1)
    if action == "unsub":
        await _answer(update)
        await unsubscribe_chat(update, context, command)
        return
    if await _answer_known_theme(update, context, command):
        await subscribe_chat(update, context, command)


async def setting_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """set:menu:<name> shows the choices for a setting; set:<name>:<value> saves one."""
    _, name, value = _data(update).split(":", 2)
    if name == "menu" and value not in SETTING_MENUS:   # forged or from an old version
        await _answer(update, say("tg_button_expired", language_of(update, services_of(context))))
        return
    query, _ = await pressed(update)
    language = chat_subscriber(update, context).language
    if name == "menu":
        await query.edit_message_text(say(SETTING_MENUS[value], language),
                                      reply_markup=keyboards.setting_choices(value, language))
        return
    await save_setting(update, context, name, value)
    if name == "freq" and value == "weekly":
        await reply(update, context, say("tg_pick_weekday", language),
                    keyboards.setting_choices("wd", language))


def callback_handlers() -> list[CallbackQueryHandler]:
    # exact shapes only: anything else (forged, old, control characters) goes to guards.expired_button
    return [CallbackQueryHandler(show_theme, pattern=rf"^show:{_THEME}$"),
            CallbackQueryHandler(more, pattern=rf"^more:{_THEME}:[0-9]{{1,6}}$"),
            CallbackQueryHandler(context_card, pattern=rf"^ctx:{_THEME}$"),
            CallbackQueryHandler(subscribe_button, pattern=rf"^(un)?sub:{_THEME}$"),
            CallbackQueryHandler(setting_button, pattern=r"^set:(menu|time|tz|freq|wd|lang|quiet):[\x21-\x7e]{1,40}$")]
