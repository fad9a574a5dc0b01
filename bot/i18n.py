"""English and Spanish UI strings, dates, and language choice. Pure: no I/O.

To add a string, append a key to STRINGS with an "en" text (and "es" when you
have one); fields are filled with str.format: t("sources_count", "es", count=3).
"""
from __future__ import annotations

import logging
from datetime import date

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    # --- digest and render labels ---
    "digest_title": {"en": "Diplomacy Digest", "es": "Resumen diplomático"},
    "theme_digest_title": {"en": "{title}: latest stories", "es": "{title}: últimas noticias"},
    "latest_title": {"en": "Latest stories", "es": "Últimas noticias"},
    "search_title": {"en": "Search: {query}", "es": "Búsqueda: {query}"},
    "story_title": {"en": "Story", "es": "Noticia"},
    "new_in_your_themes": {"en": "New in your themes", "es": "Novedades en tus temas"},
    "sources": {"en": "Sources", "es": "Fuentes"},
    "source": {"en": "Source", "es": "Fuente"},
    "sources_count": {"en": "({count} sources)", "es": "({count} fuentes)"},
    "read_at": {"en": "Read at", "es": "Leer en"},
    "more": {"en": "More", "es": "Más"},
    "more_stories": {
        "en": "…and {count} more stories.",
        "es": "…y {count} noticias más.",
    },
    "no_stories": {"en": "No stories yet.", "es": "Aún no hay noticias."},
    "no_results": {
        "en": "No stories match “{query}”.",
        "es": "Ninguna noticia coincide con «{query}».",
    },
    "story_ref": {"en": "Story {id}", "es": "Noticia {id}"},
    "story_hint": {"en": "Full story: /story {id}", "es": "Noticia completa: /story {id}"},
    "continued": {"en": "(continued)", "es": "(continuación)"},
    "truncated": {"en": "…", "es": "…"},
    "context": {"en": "Background", "es": "Contexto"},
    "undated": {"en": "undated", "es": "sin fecha"},
    # --- Telegram UI strings (welcome, help, errors) are appended below ---
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


def format_date(iso: str, language: str) -> str:
    """'2021-08-06' -> '6 Aug 2021' (en) or '6 ago 2021' (es); '' stays ''; unparseable is returned as is."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    months = _MONTHS.get(language, _MONTHS["en"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def pick_language(telegram_language_code: str | None, default: str) -> str:
    """'es-PE' -> 'es', 'en-US' -> 'en'; anything else -> default (itself 'en' unless 'es')."""
    fallback = default if default in LANGUAGES else "en"
    if not telegram_language_code:
        return fallback
    code = telegram_language_code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else fallback
