"""Live sources -> articles in the store: poll over HTTP, then the seed pipeline, then one write.

`poll_sources` does the network part (no store lock needed; run it in a worker thread: it
runs its own event loop). `store_fetched` turns the candidates into articles through the
same stages as seed files and saves every article change of the pass in ONE store write,
then each source's state (validators, backoff, seen entries); a crash in between only
means the next poll sees some entries again and finds their articles stored. Fetched
articles older than SOURCE_RETENTION_DAYS are retired in the same write. `run_fetch` is both.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Sequence

import httpx

from bot.config import Settings
from bot.library.fetched import draft, make_article, summarize_drafts
from bot.library.ingest import run_jobs
from bot.library.source_status import load_states
from bot.models import Article, Rejection, Theme
from bot.sources.config import Source
from bot.sources.feeds import url_key
from bot.sources.gather import Gathered, Poll, Rules
from bot.sources.http import Politeness, PoliteClient
from bot.sources.state import STATE_PREFIX, FetchReport, SourceResult, SourceState
from bot.store.api import Store

logger = logging.getLogger(__name__)


def politeness_of(settings: Settings) -> Politeness:
    return Politeness(user_agent=settings.fetch_user_agent, timeout=settings.fetch_timeout_seconds,
                      total=settings.fetch_total_seconds, max_bytes=settings.max_fetch_bytes,
                      per_host=settings.fetch_per_host, in_flight=settings.fetch_in_flight)


def rules_of(settings: Settings, now: float) -> Rules:
    return Rules(interval=settings.fetch_interval_minutes * 60.0, max_entries=settings.fetch_max_entries,
                 oldest=now - settings.source_retention_days * 86400.0,
                 max_backoff=settings.fetch_max_backoff_hours * 3600.0)


def known_keys(articles: Sequence[Article]) -> dict[str, str]:
    """Canonical URL key -> stored article id (retired ones too); a seed file's id wins over a fetched one."""
    known: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.source == ""):   # seeds last: they overwrite
        key = url_key(article.url) if article.url else ""
        if key:
            known[key] = article.id
    return known


def poll_sources(store: Store, sources: Sequence[Source], settings: Settings, *, now: float | None = None,
                 force: bool = False, transport: httpx.AsyncBaseTransport | None = None) -> list[Gathered]:
    """The HTTP half of a pass (blocking: runs its own event loop; call it from a worker thread)."""
    now = time.time() if now is None else now
    states = load_states(store, sources)
    known = known_keys(store.all_articles(include_retired=True))

    async def run() -> list[Gathered]:
        async with PoliteClient(politeness_of(settings), transport=transport) as client:
            return await Poll(client, known, rules_of(settings, now), now).run(list(sources), states, force)

    return asyncio.run(run())


def store_fetched(store: Store, gathered: Sequence[Gathered], themes: Sequence[Theme], settings: Settings, *,
                  now: float | None = None, dry_run: bool = False, workers: int | None = None) -> FetchReport:
    """The pipeline half: candidates -> articles -> one store write, then the sources' states."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    drafts = [draft(g, c) for g in gathered for c in g.candidates]
    outcomes = run_jobs(drafts, themes, workers, task=summarize_drafts)
    stored = {a.id: a for a in store.all_articles(include_retired=True)}
    saves: list[Article] = []
    results: list[SourceResult] = []
    states: dict[str, SourceState] = {}
    for g in gathered:
        added: list[str] = []
        updated: list[str] = []
        rejected: list[Rejection] = []
        seen = dict(g.state.seen)
        for candidate in g.candidates:
            result, old = outcomes[candidate.article_id], stored.get(candidate.article_id)
            if old is not None and not old.source:
                continue                   # a seed file has this URL: the seed file wins
            if result.problem:
                why = result.problem + (f" ({result.note})" if result.note else "")
                rejected.append(Rejection(candidate.entry.link or candidate.entry.key, why))
                if candidate.page is not None and candidate.page.error:
                    seen.pop(candidate.article_id, None)    # the page may come back: try again next poll
                continue
            saves.append(make_article(g, candidate, result, old, now))
            (updated if old is not None else added).append(candidate.article_id)
        results.append(SourceResult(g.source.name, g.source.url, g.status, tuple(added), tuple(updated),
                                    g.unchanged, tuple(rejected), g.error, tuple(g.notes)))
        if g.status != "waiting":          # a source not polled this time keeps its state as it is
            states[g.source.name] = replace(g.state, seen=seen)
    retired = aged_out(stored.values(), now - settings.source_retention_days * 86400.0, now)
    alerts, states = _alerts(gathered, states, now, settings.source_alert_hours * 3600.0)
    if not dry_run:
        store.save_articles(saves + retired)
        for name, state in states.items():
            store.set_meta(STATE_PREFIX + name, state.to_doc())
    report = FetchReport(tuple(results), tuple(a.id for a in retired), alerts,
                         time.perf_counter() - started, is_dry_run=dry_run)
    logger.info("fetch: %d sources, %d added, %d updated, %d failed, %d retired in %.2fs",
                len(results), len(report.added), len(report.updated), len(report.failed), len(retired),
                report.seconds)
    return report


def run_fetch(store: Store, sources: Sequence[Source], themes: Sequence[Theme], settings: Settings, *,
              now: float | None = None, force: bool = False, dry_run: bool = False,
              transport: httpx.AsyncBaseTransport | None = None) -> FetchReport:
    """One whole pass (blocking): poll, then store. `dry_run` changes nothing (`digestbot sources check`)."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    gathered = poll_sources(store, sources, settings, now=now, force=force, transport=transport)
    report = store_fetched(store, gathered, themes, settings, now=now, dry_run=dry_run)
    return replace(report, seconds=time.perf_counter() - started)


def _age_reference(article: Article) -> float:
    try:
        day = date.fromisoformat(article.published)
    except ValueError:
        return article.first_seen
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def aged_out(articles, oldest: float, now: float) -> list[Article]:
    """Fetched, live articles published (else first seen) before `oldest`, retired."""
    return [replace(a, is_retired=True, updated_at=now) for a in articles
            if a.source and not a.is_retired and _age_reference(a) < oldest]


def _alerts(gathered: Sequence[Gathered], states: dict[str, SourceState], now: float, after: float):
    """Sources failing for `after` seconds and not yet reported: reported now, once."""
    alerts = []
    for g in gathered:
        state = states.get(g.source.name)
        if state is None:
            continue
        if state.failing_since and not state.is_alerted and now - state.failing_since >= after:
            alerts.append((g.source.name, state.last_error))
            states[g.source.name] = replace(state, is_alerted=True)
    return tuple(alerts), states
