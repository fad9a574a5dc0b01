"""One poll of the live sources over HTTP: feeds fetched, entries chosen, their pages fetched.

No store and no pipeline here: the caller passes what it already holds (`known`: entry
key -> stored article id, and each source's `SourceState`) and gets back, per source,
the candidates to turn into articles and the source's new state. Sources are polled
concurrently; the client keeps the per-host and overall limits.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Mapping

from bot.nlp import fold
from bot.sources.config import Source
from bot.sources.feeds import FeedEntry, FeedError, article_id_for, canonical_url, parse_feed, url_key
from bot.sources.http import Fetched, PoliteClient
from bot.sources.state import SourceState

logger = logging.getLogger(__name__)

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Rules:
    """The pass's limits (from Settings)."""

    interval: float = 3600.0            # seconds between polls by default
    max_entries: int = 50
    oldest: float = 0.0                 # entries published before this epoch are skipped (retention)
    max_backoff: float = 86400.0


@dataclass(frozen=True)
class Candidate:
    """A new or changed entry (or page) to turn into an article."""

    article_id: str
    entry: FeedEntry
    page: Fetched | None                # the entry's page, None when it has no link
    is_update: bool = False


@dataclass
class Gathered:
    """One source after a poll: the candidates, its next state, and lines for the report."""

    source: Source
    state: SourceState
    status: str = "fetched"
    error: str = ""
    feed_title: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)


def is_wanted(source: Source, entry: FeedEntry) -> bool:
    """The source's include/exclude words, whole words, accents and case ignored, on title and summary."""
    if not (source.include or source.exclude):
        return True
    text = f" {' '.join(fold(entry.title + ' ' + entry.summary_html).split())} "
    has = lambda word: f" {' '.join(fold(word).split())} " in text   # noqa: E731
    return (not source.include or any(map(has, source.include))) and not any(map(has, source.exclude))


class Poll:
    """One pass over the sources with one client (see the module doc)."""

    def __init__(self, client: PoliteClient, known: Mapping[str, str], rules: Rules, now: float):
        self.client, self.known, self.rules, self.now = client, known, rules, now
        self.known_ids = set(known.values())
        self._claimed: dict[str, str] = {}        # article id -> source that fetches it in this pass

    async def run(self, sources: list[Source], states: Mapping[str, SourceState],
                  force: bool = False) -> list[Gathered]:
        jobs = [self.poll(source, states.get(source.name, SourceState()).for_url(source.url), force)
                for source in sources]
        return list(await asyncio.gather(*jobs))

    async def poll(self, source: Source, state: SourceState, force: bool) -> Gathered:
        if not force and state.next_attempt > self.now:
            return Gathered(source, state, status="waiting")
        fetched = await self.client.get(source.url, etag=state.etag, last_modified=state.last_modified,
                                        accept=PAGE_ACCEPT if source.kind == "page" else FEED_ACCEPT)
        gathered = Gathered(source, replace(state, last_attempt=self.now))
        if len(set(fetched.hosts)) > 1:
            gathered.notes.append(f"redirected from {fetched.hosts[0]} to {fetched.hosts[-1]}")
        if fetched.error:
            return self.failed(gathered, fetched.error, fetched.retry_after)
        gathered.state = replace(gathered.state, etag=fetched.etag or state.etag,
                                 last_modified=fetched.last_modified or state.last_modified)
        if fetched.is_not_modified:
            return self.succeeded(gathered, "not modified", 0.0)
        try:
            if source.kind == "page":
                self.take_page(gathered, fetched)
                return self.succeeded(gathered, "fetched", 0.0)
            parsed = parse_feed(fetched.body, fetched.final_url or source.url, max_entries=self.rules.max_entries)
        except FeedError as exc:
            return self.failed(replace_validators(gathered), str(exc), 0.0)
        gathered.feed_title = parsed.title
        gathered.notes.extend(parsed.notes)
        if parsed.total > len(parsed.entries) + parsed.duplicates:
            gathered.notes.append(f"{parsed.total} entries: took the newest {len(parsed.entries)} (FETCH_MAX_ENTRIES)")
        if not parsed.total:
            gathered.notes.append("the feed has no entries (is the URL right?)")
        if parsed.duplicates:
            gathered.notes.append(f"{parsed.duplicates} entries repeat an earlier entry's link or guid: skipped")
        await self.take_entries(gathered, parsed.entries)
        return self.succeeded(gathered, "fetched", parsed.ttl_minutes * 60.0)

    def take_page(self, gathered: Gathered, fetched: Fetched) -> None:
        """A `page` source: the page itself is the one entry; its bytes are its fingerprint."""
        link = canonical_url(fetched.final_url or gathered.source.url)
        fingerprint = hashlib.sha256(fetched.body).hexdigest()[:24]
        entry = FeedEntry(key=url_key(link), link=link, guid="", title="", published="", timestamp=0.0,
                          summary_html="", content_html="", author="", fingerprint=fingerprint)
        article_id = self.known.get(entry.key) or article_id_for(entry.key)
        if gathered.state.seen.get(article_id) == fingerprint:
            gathered.unchanged += 1
            return
        gathered.candidates.append(Candidate(article_id, entry, fetched, is_update=article_id in self.known_ids))
        gathered.state = replace(gathered.state, seen={article_id: fingerprint})

    async def take_entries(self, gathered: Gathered, entries: tuple[FeedEntry, ...]) -> None:
        """Choose the new and changed entries and fetch their pages; the others only update `seen`."""
        seen_before, seen, chosen = gathered.state.seen, {}, []
        skipped = {"filtered out by include/exclude": 0, "older than SOURCE_RETENTION_DAYS": 0}
        for entry in entries:
            if not is_wanted(gathered.source, entry):
                skipped["filtered out by include/exclude"] += 1
                continue
            if entry.timestamp and entry.timestamp < self.rules.oldest:
                skipped["older than SOURCE_RETENTION_DAYS"] += 1
                continue
            article_id = self.known.get(entry.key) or article_id_for(entry.key)
            seen[article_id] = entry.fingerprint
            if seen_before.get(article_id) == entry.fingerprint:
                gathered.unchanged += 1
            elif article_id not in seen_before and article_id in self.known_ids:
                gathered.unchanged += 1           # stored already (a seed file, or another source)
            elif self._claimed.setdefault(article_id, gathered.source.name) != gathered.source.name:
                gathered.unchanged += 1           # another source fetches it in this very pass
            else:
                chosen.append((article_id, entry, article_id in seen_before))
        gathered.notes.extend(f"{count} entries {why}: skipped" for why, count in skipped.items() if count)
        pages = await asyncio.gather(*(self.page(entry) for _id, entry, _update in chosen))
        gathered.candidates = [Candidate(article_id, entry, page, is_update)
                               for (article_id, entry, is_update), page in zip(chosen, pages)]
        gathered.state = replace(gathered.state, seen=seen)

    async def page(self, entry: FeedEntry) -> Fetched | None:
        return await self.client.get(entry.link, accept=PAGE_ACCEPT) if entry.link else None

    def succeeded(self, gathered: Gathered, status: str, ttl: float) -> Gathered:
        interval = max(gathered.source.interval_minutes * 60.0 or self.rules.interval, ttl)
        gathered.status = status
        gathered.state = replace(gathered.state, last_success=self.now, last_error="", failing_since=0.0,
                                 failures=0, is_alerted=False, next_attempt=self.now + interval)
        return gathered

    def failed(self, gathered: Gathered, error: str, retry_after: float) -> Gathered:
        """Exponential backoff per source: interval, 2x, 4x … up to FETCH_MAX_BACKOFF_HOURS, Retry-After first."""
        state = gathered.state
        failures = state.failures + 1
        interval = gathered.source.interval_minutes * 60.0 or self.rules.interval
        delay = min(interval * 2 ** (failures - 1), self.rules.max_backoff)
        delay = max(delay, min(retry_after, self.rules.max_backoff))
        gathered.status, gathered.error = "failed", error
        gathered.state = replace(state, last_error=error, failures=failures,
                                 failing_since=state.failing_since or self.now, next_attempt=self.now + delay)
        logger.info("source %s failed (%d in a row): %s", gathered.source.name, failures, error)
        return gathered


def replace_validators(gathered: Gathered) -> Gathered:
    """A response we could not use must not be answered 304 next time: forget its ETag/Last-Modified."""
    gathered.state = replace(gathered.state, etag="", last_modified="")
    return gathered
