"""`digestbot sources add URL`: is the URL a feed, or a page that announces one?"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.errors import SourceError
from bot.sources.feeds import FeedError, discover_feeds, parse_feed
from bot.sources.gather import FEED_ACCEPT
from bot.sources.http import Fetched, Politeness, PoliteClient
from bot.sources.seeds import decode_bytes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Found:
    """The feed to add: its URL, its title, and how it was found."""

    url: str
    title: str
    how: str          # "a feed" | "announced by the page <url>"


def _check(fetched: Fetched) -> None:
    if fetched.error:
        raise SourceError(f"cannot fetch {fetched.url}: {fetched.error}")


async def _find(url: str, politeness: Politeness) -> Found:
    async with PoliteClient(politeness) as client:
        fetched = await client.get(url, accept=FEED_ACCEPT)
        _check(fetched)
        try:
            feed = parse_feed(fetched.body, fetched.final_url or url, max_entries=1)
            return Found(fetched.final_url or url, feed.title, "a feed")
        except FeedError as not_a_feed:
            page, _notes = decode_bytes(fetched.body)
            candidates = discover_feeds(page, fetched.final_url or url)
            if not candidates:
                raise SourceError(f"{url} is not a feed ({not_a_feed}) and announces none "
                                  "(no <link rel=\"alternate\">); to follow the page itself: --kind page") from None
        for candidate in candidates:
            announced = await client.get(candidate, accept=FEED_ACCEPT)
            if announced.is_ok:
                try:
                    feed = parse_feed(announced.body, announced.final_url or candidate, max_entries=1)
                except FeedError:
                    continue
                return Found(announced.final_url or candidate, feed.title, f"announced by the page {url}")
        raise SourceError(f"the page {url} announces {', '.join(candidates)}, but none of them is a readable feed")


def find_feed(url: str, politeness: Politeness) -> Found:
    """The feed at `url`, or the first readable feed the page at `url` announces; SourceError otherwise."""
    return asyncio.run(_find(url, politeness))
