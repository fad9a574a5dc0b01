"""English and Spanish UI strings, dates, and language choice. Pure: no I/O.

To add a string, append a key to STRINGS with an "en" text (and "es" when you
have one); fields are filled with str.format: t("sources_count", "es", count=3).
"""
from __future__ import annotations

import logging
import re
from datetime import date

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    # --- digest and render labels ---
    "latest_title": {"en": "Latest stories", "es": "Últimas noticias"},
    "search_title": {"en": "Search: {query}", "es": "Búsqueda: {query}"},
    "new_in_your_themes": {"en": "New in your themes", "es": "Novedades en tus temas"},
    "new_in_your_themes_capped": {
        "en": "New in your themes: the newest {shown} of {total} stories (the rest: /latest)",
        "es": "Novedades en tus temas: las {shown} más recientes de {total} (el resto: /latest)",
    },
    "sources": {"en": "Sources", "es": "Fuentes"},
    "source": {"en": "Source", "es": "Fuente"},
    "no_news": {"en": "Nothing new in your themes since your last digest.",
                "es": "Nada nuevo en tus temas desde tu último resumen."},
    "sources_count": {"en": "({count} sources)", "es": "({count} fuentes)"},
    "read_at": {"en": "Read at", "es": "Leer en"},
    "more": {"en": "More", "es": "Más"},
    "no_stories": {"en": "No stories found.", "es": "No se encontraron noticias."},
    "no_results": {
        "en": "No stories match “{query}”.",
        "es": "Ninguna noticia coincide con «{query}».",
    },
    "continued": {"en": "(continued)", "es": "(continuación)"},
    "context": {"en": "Background", "es": "Contexto"},
    # --- Telegram UI strings (welcome, help, errors) are appended below ---
    # Telegram UI (bot/telegram): Telegram HTML templates; fields are escaped by the caller.
    "tg_welcome": {
        "en": "<b>Diplomacy Digest</b>\nKey points from Latin American diplomacy news — the Lima Group, "
              "the OAS, Peru, Venezuela and more — each a quote with its outlet linked.\n\n"
              "Tap a theme below, /subscribe for a regular digest, or /help for every command.",
        "es": "<b>Resumen diplomático</b>\nLos puntos clave de las noticias de diplomacia latinoamericana "
              "— el Grupo de Lima, la OEA, Perú, Venezuela y más —, cada uno una cita con su medio enlazado.\n\n"
              "Toca un tema, usa /subscribe para recibir un resumen periódico o /help para ver los comandos.",
    },
    "tg_help_commands": {"en": "<b>Commands</b>", "es": "<b>Comandos</b>"},
    "tg_help_themes": {"en": "<b>Themes</b>", "es": "<b>Temas</b>"},
    "tg_help_admin": {"en": "<b>Admin</b>", "es": "<b>Administración</b>"},
    "tg_help_inline": {"en": "In any chat: @{bot} words — share a story.",
                       "es": "En cualquier chat: @{bot} palabras — comparte una noticia."},
    "tg_cmd_start": {"en": "what this bot does", "es": "qué hace este bot"},
    "tg_cmd_help": {"en": "this list", "es": "esta lista"},
    "tg_cmd_topics": {"en": "themes and story counts", "es": "temas y número de noticias"},
    "tg_cmd_latest": {"en": "the newest stories", "es": "las noticias más recientes"},
    "tg_cmd_story": {"en": "one story in full", "es": "una noticia completa"},
    "tg_cmd_search": {"en": "search the stories", "es": "buscar en las noticias"},
    "tg_cmd_subscribe": {"en": "get a digest of a theme", "es": "recibir un resumen de un tema"},
    "tg_cmd_unsubscribe": {"en": "stop a theme, or all", "es": "dejar un tema, o todos"},
    "tg_cmd_mysubs": {"en": "your themes and schedule", "es": "tus temas y horario"},
    "tg_cmd_settings": {"en": "time, time zone, frequency, language, quiet hours",
                        "es": "hora, zona horaria, frecuencia, idioma, horas de silencio"},
    "tg_cmd_stats": {"en": "counts and errors", "es": "cifras y errores"},
    "tg_cmd_reload": {"en": "re-read seeds and themes", "es": "releer artículos y temas"},
    "tg_cmd_preview": {"en": "preview a theme's digest", "es": "vista previa del resumen de un tema"},
    "tg_cmd_sources": {"en": "live sources: last success, errors, articles",
                       "es": "fuentes en vivo: último éxito, errores, artículos"},
    # live sources (/sources, and the once-a-day alert to admins)
    "tg_sources_header": {"en": "<b>Live sources</b> ({count})", "es": "<b>Fuentes en vivo</b> ({count})"},
    "tg_sources_none": {"en": "No live sources: add some to {file} (`digestbot sources add URL`).",
                        "es": "No hay fuentes en vivo: añádelas a {file} (`digestbot sources add URL`)."},
    "tg_source_line": {"en": "<b>{name}</b> [{kind}] · {articles} articles · last success {success}",
                       "es": "<b>{name}</b> [{kind}] · {articles} artículos · último éxito {success}"},
    "tg_source_error": {"en": "  ✗ {error} (since {since})", "es": "  ✗ {error} (desde {since})"},
    "tg_source_never": {"en": "never", "es": "nunca"},
    "tg_sources_bad_file": {"en": "The sources file cannot be read: {error}",
                            "es": "No se puede leer el archivo de fuentes: {error}"},
    "tg_source_alert": {"en": "⚠ The source <b>{name}</b> has been failing for {hours} hours: {error}",
                        "es": "⚠ La fuente <b>{name}</b> lleva {hours} horas fallando: {error}"},
    "tg_topics_page": {"en": "Themes {first}–{last} of {total}", "es": "Temas {first}–{last} de {total}"},
    "tg_help_more_themes": {"en": "… and {count} more: /topics", "es": "… y {count} más: /topics"},
    "tg_btn_all_topics": {"en": "All {count} topics", "es": "Los {count} temas"},
    "tg_topics_header": {"en": "<b>Themes</b> (stories)", "es": "<b>Temas</b> (noticias)"},
    "tg_topic_line": {"en": "/{command} — {title} ({count})", "es": "/{command} — {title} ({count})"},
    "tg_no_themes": {"en": "No themes yet.", "es": "Aún no hay temas."},
    "tg_usage": {"en": "Usage: {usage}", "es": "Uso: {usage}"},
    "tg_no_story": {"en": "No story with id {id}. Ids appear under each story.",
                    "es": "No hay ninguna noticia con id {id}. El id aparece bajo cada noticia."},
    "tg_try_themes": {"en": "Try a theme: {themes}", "es": "Prueba un tema: {themes}"},
    "tg_unknown_command": {"en": "I don't know /{command}. /help lists the commands, /topics the themes.",
                           "es": "No conozco /{command}. /help muestra los comandos y /topics los temas."},
    "tg_plain_text": {"en": "Send a command: /latest, /search lima, or /help for all of them.",
                      "es": "Envía un comando: /latest, /search lima, o /help para verlos todos."},
    "tg_choose_theme": {"en": "Which theme?", "es": "¿Qué tema?"},
    "tg_subscribed": {"en": "✓ Subscribed to {title}. Digest: {schedule}. Change it with /settings.",
                      "es": "✓ Suscrito a {title}. Resumen: {schedule}. Cámbialo con /settings."},
    "tg_already": {"en": "You already get {title}.", "es": "Ya recibes {title}."},
    "tg_unsubscribed": {"en": "✓ Unsubscribed from {title}.", "es": "✓ Suscripción a {title} cancelada."},
    "tg_unsubscribed_all": {"en": "✓ Unsubscribed from everything. No more digests.",
                            "es": "✓ Cancelaste todas las suscripciones. No recibirás más resúmenes."},
    "tg_not_subscribed": {"en": "You don't get {title}.", "es": "No recibes {title}."},
    "tg_mysubs": {"en": "<b>Your themes</b>: {themes}\nDigest: {schedule}\nLanguage: {lang_name}\nQuiet hours: {quiet}",
                  "es": "<b>Tus temas</b>: {themes}\nResumen: {schedule}\nIdioma: {lang_name}\nHoras de silencio: {quiet}"},
    "tg_no_subs": {"en": "You have no subscriptions. /subscribe to start.",
                   "es": "No tienes suscripciones. Usa /subscribe para empezar."},
    "tg_daily": {"en": "daily at {time} ({zone})", "es": "diario a las {time} ({zone})"},
    "tg_weekly": {"en": "every {weekday} at {time} ({zone})", "es": "cada {weekday} a las {time} ({zone})"},
    "tg_instant": {"en": "as soon as stories arrive", "es": "en cuanto llegan noticias"},
    "tg_weekdays": {"en": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
                    "es": "lunes,martes,miércoles,jueves,viernes,sábado,domingo"},
    "tg_none": {"en": "none", "es": "ninguna"},
    "tg_settings": {"en": "<b>Settings</b>\nDigest: {schedule}\nLanguage: {lang_name}\nQuiet hours: {quiet}\n\nWhat do you want to change?",
                    "es": "<b>Ajustes</b>\nResumen: {schedule}\nIdioma: {lang_name}\nHoras de silencio: {quiet}\n\n¿Qué quieres cambiar?"},
    "tg_btn_time": {"en": "🕗 Time", "es": "🕗 Hora"},
    "tg_btn_tz": {"en": "🌎 Time zone", "es": "🌎 Zona horaria"},
    "tg_btn_freq": {"en": "📅 Frequency", "es": "📅 Frecuencia"},
    "tg_btn_lang": {"en": "💬 Language", "es": "💬 Idioma"},
    "tg_btn_quiet": {"en": "🌙 Quiet hours", "es": "🌙 Horas de silencio"},
    "tg_btn_daily": {"en": "Daily", "es": "Diario"},
    "tg_btn_weekly": {"en": "Weekly", "es": "Semanal"},
    "tg_btn_instant": {"en": "Instant", "es": "Al instante"},
    "tg_btn_off": {"en": "Off", "es": "Sin silencio"},
    "tg_pick_time": {"en": "At what time? (or send /settings time HH:MM)",
                     "es": "¿A qué hora? (o envía /settings time HH:MM)"},
    "tg_pick_tz": {"en": "Which time zone? (or send /settings tz Area/City)",
                   "es": "¿Qué zona horaria? (o envía /settings tz Área/Ciudad)"},
    "tg_pick_freq": {"en": "How often?", "es": "¿Con qué frecuencia?"},
    "tg_pick_weekday": {"en": "On which day?", "es": "¿Qué día?"},
    "tg_pick_lang": {"en": "Which language?", "es": "¿Qué idioma?"},
    "tg_pick_quiet": {"en": "No digests during… (or send /settings quiet 22:00-07:00)",
                      "es": "Sin resúmenes entre… (o envía /settings quiet 22:00-07:00)"},
    "tg_saved": {"en": "✓ Saved. Digest: {schedule}. Language: {lang_name}. Quiet hours: {quiet}.",
                 "es": "✓ Guardado. Resumen: {schedule}. Idioma: {lang_name}. Horas de silencio: {quiet}."},
    "tg_bad_value": {"en": "“{value}” is not a valid {setting}. {hint}",
                     "es": "«{value}» no es un valor válido para {setting}. {hint}"},
    "tg_not_allowed": {"en": "Sorry, that command is not allowed.", "es": "Lo siento, ese comando no está permitido."},
    "tg_stats": {"en": "<b>Stats</b>\nArticles: {articles}\nStories: {stories}\nThemes: {themes}\n"
                       "Subscribers: {active} active, {total} in all\nDeliveries: {deliveries}\nErrors since start: {errors}",
                 "es": "<b>Estadísticas</b>\nArtículos: {articles}\nNoticias: {stories}\nTemas: {themes}\n"
                       "Suscriptores: {active} activos, {total} en total\nEnvíos: {deliveries}\nErrores desde el inicio: {errors}"},
    "tg_reload_busy": {"en": "A reload is already under way, and another is queued after it; "
                             "its report will follow.",
                       "es": "Ya hay una recarga en curso y otra en cola después; su informe llegará."},
    "tg_reloading": {"en": "Reloading seeds and themes…", "es": "Recargando artículos y temas…"},
    "tg_reloaded": {"en": "✓ Reloaded in {seconds}s: {added} added, {updated} updated, {unchanged} unchanged, "
                          "{retired} retired, {rejected} rejected. {themes} themes.",
                    "es": "✓ Recargado en {seconds}s: {added} nuevos, {updated} actualizados, {unchanged} sin cambios, "
                          "{retired} retirados, {rejected} rechazados. {themes} temas."},
    "tg_rejected": {"en": "✗ {path}: {reason}", "es": "✗ {path}: {reason}"},
    "tg_store_full": {"en": "Sorry, the bot cannot save anything right now (its disk is full or failing). "
                             "The admins have been told; please try again later.",
                      "es": "Lo siento, el bot no puede guardar nada en este momento (su disco está lleno o "
                            "falla). Ya se avisó a los administradores; inténtalo más tarde."},
    "tg_admin_store_trouble": {"en": "⚠️ The store cannot write its files: {problem}\nWrites are retried with "
                                     "back-off; users are told to try later. Free some space in DATA_DIR.",
                               "es": "⚠️ El almacén no puede escribir sus archivos: {problem}\nSe reintenta "
                                     "con espera creciente; a los usuarios se les pide volver más tarde. "
                                     "Libera espacio en DATA_DIR."},
    "tg_admin_store_ok": {"en": "✅ The store writes its files again.",
                          "es": "✅ El almacén vuelve a escribir sus archivos."},
    "tg_error": {"en": "Sorry, something went wrong. It has been logged; please try again.",
                 "es": "Lo siento, algo falló. Quedó registrado; inténtalo de nuevo."},
    "tg_btn_subscribe": {"en": "🔔 Subscribe", "es": "🔔 Suscribirse"},
    "tg_btn_share": {"en": "↗ Share", "es": "↗ Compartir"},
    # --- groups, channels, returning chats, buttons, admin replies ---
    "tg_description": {
        "en": "Key points from Latin American diplomacy news — the Lima Group, the OAS, Peru, Venezuela, "
              "CELAC and more — with their sources, by theme, and a digest at the time you choose. "
              "Send /start.",
        "es": "Los puntos clave de las noticias de la diplomacia latinoamericana — el Grupo de Lima, la OEA, "
              "Perú, Venezuela, la CELAC y más — con sus fuentes, por tema, y un resumen a la hora que elijas. "
              "Envía /start.",
    },
    "tg_short_description": {"en": "Latin American diplomacy news: key points, sources, daily digests.",
                             "es": "Diplomacia latinoamericana: puntos clave, fuentes y resúmenes diarios."},
    "tg_usage_subscribe": {"en": "/subscribe <theme>  — {themes}  (a channel: /subscribe @channel <theme>)",
                           "es": "/subscribe <tema>  — {themes}  (un canal: /subscribe @canal <tema>)"},
    "tg_usage_settings": {
        "en": "/settings time 07:30 | tz America/Lima | freq daily|weekly monday|instant | lang en|es | quiet 22:00-07:00|off",
        "es": "/settings time 07:30 | tz America/Lima | freq daily|weekly lunes|instant | lang en|es | quiet 22:00-07:00|off"},
    "tg_usage_story": {"en": "/story <id>", "es": "/story <id>"},
    "tg_usage_search": {"en": "/search <words>", "es": "/search <palabras>"},
    "tg_usage_preview": {"en": "/preview <theme>", "es": "/preview <tema>"},
    "tg_setting_time": {"en": "time", "es": "hora"},
    "tg_setting_tz": {"en": "time zone", "es": "zona horaria"},
    "tg_setting_wd": {"en": "weekday", "es": "día de la semana"},
    "tg_setting_quiet": {"en": "quiet hours", "es": "horas de silencio"},
    "tg_setting_freq": {"en": "frequency", "es": "frecuencia"},
    "tg_setting_lang": {"en": "language", "es": "idioma"},
    "tg_setting_setting": {"en": "setting", "es": "ajuste"},
    "tg_hint_time": {"en": "Use HH:MM, e.g. 07:30.", "es": "Usa HH:MM, por ejemplo 07:30."},
    "tg_hint_tz": {"en": "Use an IANA name such as America/Lima.", "es": "Usa un nombre IANA como America/Lima."},
    "tg_hint_wd": {"en": "Use monday … sunday.", "es": "Usa lunes … domingo."},
    "tg_hint_quiet": {"en": "Use HH:MM-HH:MM, e.g. 22:00-07:00, or off.",
                      "es": "Usa HH:MM-HH:MM, por ejemplo 22:00-07:00, u off."},
    "tg_hint_freq": {"en": "Use daily, weekly or instant.", "es": "Usa daily (diario), weekly (semanal) o instant."},
    "tg_hint_lang": {"en": "Use en or es.", "es": "Usa en o es."},
    "tg_hint_setting": {"en": "Use time, tz, freq, lang or quiet.", "es": "Usa time, tz, freq, lang o quiet."},
    "tg_group_admins_only": {"en": "Only this group's admins can change its digest.",
                             "es": "Solo los administradores de este grupo pueden cambiar su resumen."},
    "tg_welcome_back": {"en": "Welcome back! Digests to this chat were paused on {when} ({reason}); "
                              "they are on again: {schedule}.",
                        "es": "¡Bienvenido de nuevo! Los resúmenes a este chat estaban en pausa desde el {when} "
                              "({reason}); vuelven a estar activos: {schedule}."},
    "tg_paused": {"en": "⏸ Paused since {when}: {reason}. Any command from this chat resumes it.",
                  "es": "⏸ En pausa desde el {when}: {reason}. Cualquier comando en este chat lo reanuda."},
    "tg_reason_unreachable": {"en": "Telegram said the chat could not be reached — blocked or removed",
                              "es": "Telegram indicó que no se podía llegar al chat: bloqueado o eliminado"},
    "tg_reason_unknown": {"en": "no reason recorded", "es": "sin motivo registrado"},
    "tg_button_inline": {"en": "Open the bot's chat to use this button.",
                         "es": "Abre el chat del bot para usar este botón."},
    "tg_button_expired": {"en": "This button has expired — send /start",
                          "es": "Este botón ya no es válido — envía /start"},
    "tg_page_shown": {"en": "That page is already shown above.", "es": "Esa página ya se muestra arriba."},
    "tg_channel_subscribed": {"en": "✓ {channel} gets {title}. Digests are posted there: {schedule}.",
                              "es": "✓ {channel} recibe {title}. Los resúmenes se publican allí: {schedule}."},
    "tg_channel_unsubscribed": {"en": "✓ {channel}: {title} removed.", "es": "✓ {channel}: se quitó {title}."},
    "tg_channel_not_found": {"en": "I can't find {channel}: add me to the channel as an admin, then try again.",
                             "es": "No encuentro {channel}: agrégame al canal como administrador y vuelve a intentarlo."},
    "tg_channel_not_admin": {"en": "Only admins of {channel} can change its digest.",
                             "es": "Solo los administradores de {channel} pueden cambiar su resumen."},
    "tg_channel_cannot_post": {"en": "I can't post in {channel}: make me an admin allowed to post messages.",
                               "es": "No puedo publicar en {channel}: hazme administrador con permiso para publicar."},
    "tg_push_now": {"en": "push_now: {digests} digests, {pushes} messages queued, {empty} with nothing new.",
                    "es": "push_now: {digests} resúmenes, {pushes} mensajes en cola, {empty} sin novedades."},
    "tg_slow_down": {"en": "You're sending commands faster than I can answer; I'll answer the latest ones.",
                     "es": "Envías comandos más rápido de lo que puedo responder; responderé los últimos."},
}

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun",
           "jul", "ago", "sept", "oct", "nov", "dic"),
}


def t(key: str, language: str, **fields: object) -> str:
    """The text of `key` in `language`, else English, else the key itself; fields via str.format."""
    texts = STRINGS.get(key)
    if not texts:
        return key
    template = texts.get(language) or texts.get("en") or key
    if not fields:
        return template
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        logger.warning("i18n: cannot fill %r (%s) with %s", key, language, sorted(fields))
        return template


ARTICLE_LANGUAGES = {
    "en": {"en": "English", "es": "Spanish", "pt": "Portuguese"},
    "es": {"en": "inglés", "es": "español", "pt": "portugués"},
}


def language_name(code: str, language: str) -> str:
    """An article's language as shown to a reader: ('pt', 'en') -> 'Portuguese', ('pt', 'es') -> 'portugués'."""
    return ARTICLE_LANGUAGES.get(language, ARTICLE_LANGUAGES["en"]).get(code, code)


def own_name(code: str) -> str:
    """A reader language named in itself, as the settings show it: 'en' -> 'English', 'es' -> 'Español'."""
    name = ARTICLE_LANGUAGES.get(code, {}).get(code, "")
    return name[:1].upper() + name[1:] if name else code


def format_date(iso: str, language: str) -> str:
    """'2021-08-06' -> '6 Aug 2021' (en) or '6 ago 2021' (es); '2021-08' -> 'Aug 2021'; '' stays ''.

    Anything unparseable is returned as is.
    """
    if not iso:
        return ""
    months = _MONTHS.get(language, _MONTHS["en"])
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", iso):
        return f"{months[int(iso[5:]) - 1]} {iso[:4]}"
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {months[day.month - 1]} {day.year}"


def pick_language(telegram_language_code: str | None, default: str) -> str:
    """'es-PE' -> 'es', 'en-US' -> 'en'; anything else -> default (itself 'en' unless 'es')."""
    fallback = default if default in LANGUAGES else "en"
    if not telegram_language_code:
        return fallback
    code = telegram_language_code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else fallback
