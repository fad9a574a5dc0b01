"""Inline keyboards. Callback data is `<action>:<value>[:<value>]`, always within 64 bytes."""
from __future__ import annotations

from typing import Iterable, Sequence

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from bot.digest.i18n import LANGUAGES, own_name, t
from bot.models import Theme
from bot.telegram.subscriptions import FREQUENCIES, QUIET_HOURS, TIMES, TIMEZONES

MAX_CALLBACK_BYTES = 64


def data(*parts: object) -> str:
    value = ":".join(str(part) for part in parts)
    if len(value.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over 64 bytes: {value!r}")
    return value


def _rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i:i + width]) for i in range(0, len(buttons), width)]


MAX_THEME_BUTTONS = 30   # Telegram refuses keyboards of thousands of buttons; the rest are behind /topics' pages


def themes_keyboard(themes: Iterable[Theme], language: str, action: str) -> Markup:
    """A button per theme (the first MAX_THEME_BUTTONS, then one to the paged topic list);
    pressing sends `<action>:<command>` (show, sub, unsub)."""
    themes = list(themes)
    buttons = [Button(theme.title_in(language)[:60], callback_data=data(action, theme.command))
               for theme in themes[:MAX_THEME_BUTTONS]]
    rows = _rows(buttons, 2)
    if len(themes) > MAX_THEME_BUTTONS:
        rows.append([Button(t("tg_btn_all_topics", language, count=len(themes)), callback_data=data("topics", 0))])
    return Markup(rows)


def topics_keyboard(themes: Iterable[Theme], language: str, next_offset: int | None = None) -> Markup:
    """Per theme (one page of them): its digest, and an ⓘ button for its context card; then More."""
    rows = [[Button(theme.title_in(language)[:60], callback_data=data("show", theme.command)),
             Button("ⓘ", callback_data=data("ctx", theme.command))] for theme in themes]
    if next_offset is not None:
        rows.append([Button(t("more", language), callback_data=data("topics", next_offset))])
    return Markup(rows)


def more_keyboard(command: str, offset: int | None, language: str) -> Markup | None:
    """The "More" button that pages back through older stories (None when there are none)."""
    if offset is None:
        return None
    return Markup([[Button(t("more", language), callback_data=data("more", command, offset))]])


def subscribe_keyboard(command: str, language: str) -> Markup:
    return Markup([[Button(t("tg_btn_subscribe", language), callback_data=data("sub", command))]])


def settings_keyboard(language: str) -> Markup:
    labels = [("time", "tg_btn_time"), ("tz", "tg_btn_tz"), ("freq", "tg_btn_freq"),
              ("lang", "tg_btn_lang"), ("quiet", "tg_btn_quiet")]
    buttons = [Button(t(key, language), callback_data=data("set", "menu", name)) for name, key in labels]
    return Markup(_rows(buttons, 2))


def setting_choices(name: str, language: str) -> Markup:
    """The buttons for one setting; pressing sends `set:<name>:<value>`."""
    if name == "time":
        choices = [(value, value) for value in TIMES]
    elif name == "tz":
        choices = [(zone.rsplit("/", 1)[-1].replace("_", " "), zone) for zone in TIMEZONES]
    elif name == "freq":
        choices = [(t(f"tg_btn_{value}", language), value) for value in FREQUENCIES]
    elif name == "wd":
        choices = list(zip(t("tg_weekdays", language).split(","), map(str, range(7))))
    elif name == "lang":
        choices = [(own_name(code), code) for code in LANGUAGES]
    else:
        choices = [(value.replace("-", "–"), value) for value in QUIET_HOURS]
        choices.append((t("tg_btn_off", language), "off"))
    buttons = [Button(label, callback_data=data("set", name, value)) for label, value in choices]
    return Markup(_rows(buttons, 3 if name != "tz" else 2))
