"""The library's heavy half: ingesting seeds/, fetching the live sources, matching articles to
themes again. Its imports (extraction, key points, theme matching: nltk, sumy, trafilatura,
lxml, dateparser; about 0.8 s) are what the bot's first poll does not need, so `Library`
loads this module the first time it ingests, fetches or re-matches (see `Library._intake`),
in the background after the first poll; the CLI's ingest commands import it as usual.
"""
from __future__ import annotations

from dataclasses import replace

from bot.library.fetch import poll_sources, store_fetched
from bot.library.ingest import run_ingest
from bot.models import Article, Theme
from bot.themes.match import match_themes

__all__ = ["poll_sources", "rematch_themes", "run_ingest", "store_fetched"]


def rematch_themes(articles: list[Article], themes: list[Theme]) -> list[Article]:
    """The articles with their themes matched again (a new or changed theme file)."""
    return [replace(a, themes=match_themes(a.title, a.body, themes)) for a in articles]
