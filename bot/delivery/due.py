"""The due pass: which subscribers are due, their digests built and enqueued (no PTB).

One periodic job, `send_due_digests`, asks the store for subscribers whose
`next_due_at` has passed (an in-memory index) and, a chunk at a time in a worker
thread, builds each one's digest, enqueues its parts as pushes and advances the
subscriber — pushes first, then subscribers, so a crash in between re-runs the
same slot with the same push ids (skipped by the store) and loses nothing.
There is no APScheduler job per subscriber: thousands of those due in one minute
would block the loop and be skipped as misfires.

Instant subscribers get one message per ingest (a Library listener). The PTB side
(the periodic job, /push_now, the sender task's lifetime) is `bot.telegram.jobs`.
"""
from __future__ import annotations

import asyncio
import html
import hashlib
import logging
import math
from bisect import bisect_right
from dataclasses import dataclass, field, fields, replace
from itertools import repeat
from operator import attrgetter, call

from bot.delivery.sender import Sender
from bot.digest.compose import subscriber_digest
from bot.digest.i18n import t
from bot.models import Digest, OutgoingDigest, Subscriber
from bot.digest.render import StoryBlocks, render_html
from bot.heap import FOREGROUND, freeze_survivors
from bot.services import Services
from bot.schedule.timing import DuePlan, digest_key, next_due_at, plan_due, quiet_until

logger = logging.getLogger(__name__)

_FIELDS = tuple(f.name for f in fields(Subscriber))
_VALUES = attrgetter(*_FIELDS)
_SETTERS = tuple(getattr(Subscriber, name).__set__ for name in _FIELDS)   # the slots' own setters
_SET_LAST, _SET_NEXT = _SETTERS[_FIELDS.index("last_digest_at")], _SETTERS[_FIELDS.index("next_due_at")]
# store writes of a chunk, sliced: each holds the store's lock (commands wait on it) for what it writes,
# and a chunk of 500 subscribers is ~2,500 pushes (a 30-story digest is several messages)
PUSH_SLICE = 500   # messages (parts of digests) a write: ~100 digests, a few ms under the lock
SUBSCRIBER_SLICE = 250
MAX_RENDERED = 20_000   # distinct digests (and theme sets) kept during one pass


@dataclass
class PassReport:
    """What one due pass did."""

    due: int = 0
    digests: int = 0       # subscribers who got a digest (or a "no news" line)
    empty: int = 0         # nothing new: nothing sent
    skipped: int = 0       # missed beyond the grace window, or slot already served
    pushes: int = 0        # messages enqueued (new ones; a re-run adds none)
    failed: set[int] = field(default_factory=set)


def outgoing(subscriber: Subscriber, key: str, parts: list[str], now: float) -> OutgoingDigest:
    """The outbox's record of one digest; its pushes' ids are push_id(chat, key, part), so
    enqueueing it again is harmless."""
    not_before = quiet_until(subscriber, now)
    return OutgoingDigest(subscriber.chat_id, key, tuple(parts), subscriber.thread_id, now,
                          not_before if not_before > now else 0.0)


def with_schedule(subscriber: Subscriber, last_digest_at: float, next_due_at: float) -> Subscriber:
    """`replace(subscriber, last_digest_at=..., next_due_at=...)`, fast (a due pass advances every due
    subscriber): each slot set once, not through the frozen class's __init__ (5 us, was 8 us)."""
    advanced = object.__new__(Subscriber)
    any(map(call, _SETTERS, repeat(advanced), _VALUES(subscriber)))
    _SET_LAST(advanced, last_digest_at)
    _SET_NEXT(advanced, next_due_at)
    return advanced


class DigestScheduler:
    """Builds and enqueues subscriber digests; shared by the tick, /push_now and ingests."""

    def __init__(self, services: Services, sender: Sender, chunk_size: int = 500):
        self.services = services
        self.sender = sender
        self.chunk_size = chunk_size
        self._lock = asyncio.Lock()
        self._rendered: dict[tuple, list[str]] = {}   # one pass: same themes, language and stories, same digest
        self._plans: dict[tuple, tuple[DuePlan, str]] = {}   # one pass: same schedule, same slot and key
        self._seen: dict[tuple, list[float]] = {}   # one pass: a theme set's first-seen times, sorted
        # one pass: id(catalog) -> (the catalog, its stories' rendered blocks); holding each catalog the
        # pass used keeps its id from being reused by a newer one while these caches are keyed on it
        self._blocks: dict[int, tuple[object, StoryBlocks]] = {}

    def _digest_parts(self, catalog, subscriber: Subscriber, now: float) -> list[str]:
        """The rendered digest, built once per pass for all subscribers with the same themes, language
        and new stories (their count since the watermark picks them: a slice of one time-ordered list)."""
        key = (subscriber.themes, subscriber.language, self._new_count(catalog, subscriber, now), now, id(catalog))
        parts = self._rendered.get(key)
        if parts is None:
            if len(self._rendered) >= MAX_RENDERED:
                self._rendered.clear()
            held = self._blocks.get(id(catalog))
            if held is None or held[0] is not catalog:
                held = self._blocks[id(catalog)] = (catalog, {})
            parts = self._rendered[key] = self._parts(subscriber_digest(catalog, subscriber, now), subscriber, held[1])
        return parts

    def _new_count(self, catalog, subscriber: Subscriber, now: float) -> int:
        """How many stories of the subscriber's themes were first seen after its last digest and by `now`
        (what `new_stories` picks): a bisection in the themes' sorted first-seen times."""
        key = (subscriber.themes, now, id(catalog))
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) >= MAX_RENDERED:
                self._seen.clear()
            firsts = {story.id: story.first_seen for story in catalog.new_since(frozenset(subscriber.themes), -math.inf)}
            seen = self._seen[key] = sorted(f for f in firsts.values() if f <= now)
        return len(seen) - bisect_right(seen, subscriber.last_digest_at)

    def _parts(self, digest: Digest | None, subscriber: Subscriber, blocks: StoryBlocks) -> list[str]:
        if digest is not None:
            return render_html(digest, blocks)
        if self.services.settings.send_no_news:
            return [html.escape(t("no_news", subscriber.language))]
        return []

    def _plan_one(self, catalog, subscriber: Subscriber, now: float, everyone: bool):
        """(its digest for the outbox or None, updated subscriber, outcome) for one subscriber."""
        if subscriber.next_due_at <= now:
            plan, key = self._plan_slot(subscriber, now)
            if not plan.is_sendable or plan.slot <= subscriber.last_digest_at:
                return None, with_schedule(subscriber, subscriber.last_digest_at, plan.next_due), "skipped"
            next_due = plan.next_due
        elif everyone:   # /push_now: what is new since their last digest, schedule unchanged
            # the exact watermark: two passes within one second must not share a key (and lose a story)
            key, next_due = f"now-since-{subscriber.last_digest_at:.6f}", subscriber.next_due_at
        else:
            return None, subscriber, "skipped"
        parts = self._digest_parts(catalog, subscriber, now)
        updated = with_schedule(subscriber, covered_until(catalog, subscriber, now), next_due)
        return (outgoing(subscriber, key, parts, now) if parts else None), updated, ("digests" if parts else "empty")

    def _plan_slot(self, subscriber: Subscriber, now: float) -> tuple[DuePlan, str]:
        """plan_due (sendable: within the grace window) and the digest key, once per schedule and pass;
        the caller compares the slot with the subscriber's own last digest."""
        schedule = (subscriber.timezone, subscriber.time_of_day, subscriber.frequency, subscriber.weekday,
                    subscriber.quiet_start, subscriber.quiet_end, now)
        found = self._plans.get(schedule)
        if found is None:
            anyone = replace(subscriber, last_digest_at=-math.inf)
            plan = plan_due(anyone, now, self.services.settings.grace_hours * 3600.0)
            found = self._plans[schedule] = (plan, digest_key(anyone, plan.slot))
        return found

    def process_chunk(self, subscribers: list[Subscriber], now: float, everyone: bool, report: PassReport) -> None:
        """In a worker thread: build the chunk's digests, enqueue them, then advance the subscribers."""
        catalog = self.services.library.catalog
        digests: list[OutgoingDigest] = []
        updated: list[Subscriber] = []
        for subscriber in subscribers:
            FOREGROUND.step_aside()   # commands first (bot.heap)
            try:
                digest, advanced, outcome = self._plan_one(catalog, subscriber, now, everyone)
            except Exception:
                logger.error("digest for chat %s failed; retried next tick", subscriber.chat_id, exc_info=True)
                report.failed.add(subscriber.chat_id)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if digest is not None:
                digests.append(digest)
            if advanced is not subscriber:
                updated.append(advanced)
        report.due += len(subscribers)
        report.pushes += self._enqueue(digests)
        updated = self._still_current(updated, {s.chat_id: s for s in subscribers}, now)
        for start in range(0, len(updated), SUBSCRIBER_SLICE):
            FOREGROUND.step_aside()
            self.services.store.save_subscribers(updated[start:start + SUBSCRIBER_SLICE])

    def _enqueue(self, digests: list[OutgoingDigest]) -> int:
        """The chunk's digests, a slice of about PUSH_SLICE messages at a time."""
        added, batch, size = 0, [], 0
        for number, digest in enumerate(digests, 1):
            batch.append(digest)
            size += len(digest.parts)
            if size >= PUSH_SLICE or number == len(digests):
                FOREGROUND.step_aside()
                added += self.services.store.enqueue_digests(batch)
                batch, size = [], 0
        return added

    def _still_current(self, updated: list[Subscriber], originals: dict[int, Subscriber],
                       now: float) -> list[Subscriber]:
        """Advanced subscribers, re-based on any change a handler saved meanwhile (never resurrecting one).
        The store serves the records it holds, so an unchanged one is the very object the pass read."""
        result = []
        for advanced in updated:
            current = self.services.store.get_subscriber(advanced.chat_id)
            if current is None or not current.is_active:
                continue
            if current is not originals[advanced.chat_id] and current != originals[advanced.chat_id]:
                next_due = advanced.next_due_at if _same_schedule(current, originals[advanced.chat_id]) \
                    else next_due_at(current, now)
                advanced = replace(current, last_digest_at=advanced.last_digest_at, next_due_at=next_due)
            result.append(advanced)
        return result

    async def run_pass(self, everyone: bool = False) -> PassReport:
        """Enqueue the digests of every due subscriber (every active one when `everyone`)."""
        if not self.services.library.is_ready:   # an empty catalog would make every digest empty
            logger.info("due pass waits for the catalog to be built")
            return PassReport()
        async with self._lock:
            store, now, report = self.services.store, self.services.clock(), PassReport()
            if everyone:
                subscribers = await asyncio.to_thread(store.all_subscribers)
                chunks = [subscribers[i:i + self.chunk_size] for i in range(0, len(subscribers), self.chunk_size)]
            while True:
                if everyone:
                    chunk = chunks.pop(0) if chunks else []
                else:
                    due = await asyncio.to_thread(store.due_subscribers, now, self.chunk_size + len(report.failed))
                    chunk = [s for s in due if s.chat_id not in report.failed]
                if not chunk:
                    break
                await asyncio.to_thread(self.process_chunk, chunk, now, everyone, report)
                freeze_survivors()   # the records this chunk replaced: full collections stay short (bot.heap)
                self.sender.wake()
                await asyncio.sleep(0)
            self._rendered.clear()
            self._plans.clear()
            self._seen.clear()
            self._blocks.clear()
            if report.due:
                logger.info("due pass: %d due, %d digests, %d empty, %d skipped, %d pushes, %d failed",
                            report.due, report.digests, report.empty, report.skipped, report.pushes,
                            len(report.failed))
            return report

    def enqueue_instant(self, ingest_report, catalog) -> int:
        """Library listener (any thread): new stories go to instant subscribers, one message per ingest."""
        if not ingest_report.new_ids:
            return 0
        store, now = self.services.store, self.services.clock()
        digests: list[OutgoingDigest] = []
        updated: list[Subscriber] = []
        for subscriber in store.all_subscribers():
            if subscriber.frequency != "instant":
                continue
            digest = subscriber_digest(catalog, subscriber, now)
            if digest is None:
                continue
            ids = ",".join(sorted(story.id for story in digest.stories))
            key = "instant-" + hashlib.sha1(ids.encode()).hexdigest()[:12]
            digests.append(outgoing(subscriber, key, render_html(digest), now))
            updated.append(replace(subscriber, last_digest_at=covered_until(catalog, subscriber, now)))
        added = store.enqueue_digests(digests) if digests else 0
        if updated:
            store.save_subscribers(updated)
            logger.info("instant: %d subscribers, %d new pushes", len(updated), added)
        self.sender.wake_threadsafe()
        return added


def covered_until(catalog, subscriber: Subscriber, now: float) -> float:
    """The subscriber's new last_digest_at: what this catalog holds, not the clock.

    Setting it to `now` would lose the stories of an ingest that started before the
    pass and finished after it (first seen before `now`, missing from this catalog).
    """
    return max(subscriber.last_digest_at, min(now, catalog.watermark))


def _same_schedule(a: Subscriber, b: Subscriber) -> bool:
    fields = ("timezone", "time_of_day", "frequency", "weekday", "quiet_start", "quiet_end")
    return all(getattr(a, name) == getattr(b, name) for name in fields)
