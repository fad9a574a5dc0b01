"""What the /sources command and `digestbot sources` show of the live sources: their saved
polling state and their articles in the store. Light: the fetching itself (`bot.library.fetch`,
with the extraction stack) is not imported by the bot's run path for this."""
from __future__ import annotations

from typing import Sequence

from bot.sources.config import Source
from bot.sources.state import STATE_PREFIX, SourceState
from bot.store.api import Store


def load_states(store: Store, sources: Sequence[Source]) -> dict[str, SourceState]:
    return {s.name: SourceState.from_doc(store.get_meta(STATE_PREFIX + s.name)) for s in sources}


def source_counts(store: Store) -> dict[str, int]:
    """Source name -> its live (not retired) articles in the store."""
    counts: dict[str, int] = {}
    for article in store.all_articles():
        if article.source:
            counts[article.source] = counts.get(article.source, 0) + 1
    return counts
