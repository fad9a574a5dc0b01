"""`digestbot check`'s warning about theme terms so common that they match most articles.

A term like "the" (or one that folds to a stop word) makes its theme match nearly every
article, so the theme's digest becomes /latest. Each term of each theme is matched alone
against every article that would be ingested; a term that matches more than COMMON_SHARE
of them (with at least MIN_ARTICLES articles) is named with its count.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from bot.models import CleanText, Theme
from bot.themes.match import match_themes

COMMON_SHARE = 0.5
MIN_ARTICLES = 5


def common_term_warnings(themes: Sequence[Theme], articles: Sequence[CleanText]) -> list[str]:
    """One warning per theme term that matches more than half of the articles."""
    if len(articles) < MIN_ARTICLES:
        return []
    warnings = []
    for theme in themes:
        for term in theme.terms:
            alone = replace(theme, terms=(term,))
            count = sum(1 for clean in articles if match_themes(clean.title, clean.body, [alone]))
            if count > COMMON_SHARE * len(articles):
                warnings.append(f"{theme.source or theme.command}: term {term!r} matches {count} of {len(articles)} "
                                f"articles — too common to tell /{theme.command} apart; use a more specific phrase")
    return warnings
