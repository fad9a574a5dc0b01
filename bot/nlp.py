"""Language helpers shared by the pure stages: language codes and text folding.

Sentence and word splitting (punkt, nltk: a third of a second to import) live in
`bot.tokenizer`, which only extraction, key points and ingest import: the bot's run path
(stories, themes, the catalog) never loads nltk."""
from __future__ import annotations

import re
import unicodedata

LANGUAGE_NAMES = {"en": "english", "es": "spanish", "pt": "portuguese"}


def language_code(language: str) -> str:
    """'english' / 'en' / 'EN' -> 'en'; unknown languages raise ValueError."""
    value = language.strip().lower()
    for code, name in LANGUAGE_NAMES.items():
        if value in (code, name):
            return code
    raise ValueError(f"unsupported language: {language!r} (use en, es or pt)")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Béjar' -> 'bejar', 'OEA' -> 'oea'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fast_fold(text: str) -> str:
    """`fold` for long texts: the same result for Latin scripts, many times faster."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
