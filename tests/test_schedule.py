"""Scheduled digests end to end: the real Application and JobQueue, a real store, the stand-in.

Jobs are fired with `await job.run(app)`; time is a settable clock passed in Services.
"""
from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from dataclasses import replace

import pytest
from telegram import Update

from bot.models import Subscriber
from bot.delivery.due import PassReport, outgoing
from bot.telegram.jobs import SCHEDULER, SENDER, SENDER_TASK
from bot.services import Services, open_services
from bot.telegram.app import build_application
from bot.schedule.timing import digest_key, next_due_at
from tests.conftest import copy_repo_inputs
from tests.support.standin import StandIn
from tests.support.delivery import fast_settings

HOUR = 3600.0
ADMIN = 99


class Clock:
    """A settable clock (Services.clock)."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def standin():
    with StandIn() as api:
        yield api


@pytest.fixture
def dirs(tmp_path, ingested_store):
    dirs = copy_repo_inputs(tmp_path)
    shutil.copytree(ingested_store, dirs.data)
    return dirs


@pytest.fixture
def make_services(dirs, standin):
    opened: list[Services] = []

    def make(clock: Clock, **fields) -> Services:
        settings = fast_settings(telegram_api_base_url=standin.base_url, data_dir=dirs.data,
                                 seeds_dir=dirs.seeds, digests_dir=dirs.digests,
                                 admin_ids=frozenset({ADMIN}), tick_seconds=3600.0, **fields)
        opened.append(open_services(settings, clock=clock))
        return opened[-1]

    yield make
    for services in opened:
        services.close()


@contextlib.asynccontextmanager
async def running_bot(services: Services):
    """The real Application (no updater) started, its sender running; errors must stay empty."""
    app = build_application(services, updater=False)
    errors: list[BaseException] = []

    async def record(update, context):
        errors.append(context.error)

    app.add_error_handler(record)
    async with app:
        await app.start()
        for _ in range(200):
            if app.bot_data.get(SENDER_TASK) is not None:
                break
            await asyncio.sleep(0.01)
        try:
            yield app
        finally:
            await app.stop()
    assert errors == []


async def tick(app) -> None:
    """Fire the periodic due tick now, then let the sender drain the outbox."""
    [job] = app.job_queue.get_jobs_by_name("send_due_digests")
    await job.run(app)
    await app.bot_data[SENDER].wait_idle(timeout=15)


def themes_of(services: Services) -> tuple[str, ...]:
    return tuple(theme.command for theme in services.library.themes)


def lima_subscriber(services: Services, chat_id: int, clock: Clock, **fields) -> Subscriber:
    """A daily 08:00 Lima subscriber of two themes (a one-message digest); `fields` override."""
    subscriber = Subscriber(chat_id=chat_id, themes=("oas", "lima_group"), timezone="America/Lima",
                            time_of_day="08:00", created_at=clock.now - 30 * 86400)
    return replace(subscriber, **fields)


def lima_8am_after(moment: float) -> float:
    return next_due_at(Subscriber(chat_id=0, timezone="America/Lima", time_of_day="08:00"), moment)


async def test_a_due_subscriber_gets_exactly_one_digest_even_when_the_tick_runs_twice(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock)
    services.store.save_subscriber(lima_subscriber(services, 1, clock, next_due_at=slot))
    async with running_bot(services) as app:
        await tick(app)
        await tick(app)
    messages = standin.messages_to(1)
    assert len(messages) >= 1
    assert len({m.text for m in messages}) == len(messages)
    subscriber = services.store.get_subscriber(1)
    assert subscriber.last_digest_at == services.library.catalog.watermark  # up to date with what it got
    assert subscriber.next_due_at == slot + 24 * HOUR


async def test_nothing_new_sends_nothing_unless_no_news_lines_are_asked_for(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock, send_no_news=True)
    services.store.save_subscribers([
        lima_subscriber(services, 1, clock, next_due_at=slot, last_digest_at=slot - 10),
        replace(lima_subscriber(services, 2, clock, next_due_at=slot, last_digest_at=slot - 10), language="es"),
    ])
    async with running_bot(services) as app:
        await tick(app)
    assert [m.text for m in standin.messages_to(1)] == ["Nothing new in your themes since your last digest."]
    assert len(standin.messages_to(2)) == 1
    assert services.store.get_subscriber(1).next_due_at == slot + 24 * HOUR


async def test_nothing_new_and_no_news_off_sends_nothing(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock)
    services.store.save_subscriber(lima_subscriber(services, 1, clock, next_due_at=slot, last_digest_at=slot - 10))
    async with running_bot(services) as app:
        await tick(app)
    assert standin.messages_to(1) == []
    assert services.store.get_subscriber(1).next_due_at == slot + 24 * HOUR


async def test_restart_within_grace_sends_the_missed_digest_once_and_beyond_grace_none(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 2 * HOUR)              # the bot was down at 08:00; back at 10:00
    services = make_services(clock)
    services.store.save_subscribers([
        lima_subscriber(services, 1, clock, next_due_at=slot),
        lima_subscriber(services, 2, clock, next_due_at=slot - 24 * HOUR),   # missed yesterday's too
    ])
    async with running_bot(services) as app:
        await tick(app)
    first = {chat: len(standin.messages_to(chat)) for chat in (1, 2)}
    services.store.close()

    clock.now += 300                            # a second restart five minutes later
    again = make_services(clock)
    async with running_bot(again) as app:
        await tick(app)
    assert all(count >= 1 for count in first.values())
    assert {chat: len(standin.messages_to(chat)) for chat in (1, 2)} == first
    assert first[1] == first[2]                 # one digest each, however many slots were missed
    assert again.store.get_subscriber(2).next_due_at == slot + 24 * HOUR


async def test_a_digest_missed_beyond_the_grace_window_is_skipped_and_the_next_comes_on_time(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 7 * HOUR)              # back at 15:00, grace is 6 hours
    services = make_services(clock)
    services.store.save_subscriber(lima_subscriber(services, 1, clock, next_due_at=slot))
    async with running_bot(services) as app:
        await tick(app)
        assert standin.messages_to(1) == []
        clock.now = slot + 24 * HOUR + 5        # the next morning
        await tick(app)
    assert len(standin.messages_to(1)) >= 1
    assert services.store.get_subscriber(1).next_due_at == slot + 48 * HOUR


async def test_a_crash_between_enqueue_and_advancing_the_subscriber_never_sends_twice(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock)
    subscriber = lima_subscriber(services, 1, clock, next_due_at=slot)
    services.store.save_subscriber(subscriber)
    # what the crashed pass had written: the pushes of this slot, not yet the advanced subscriber
    services.store.enqueue_digests([outgoing(subscriber, digest_key(subscriber, slot), ["one", "two"], clock.now)])
    async with running_bot(services) as app:
        await tick(app)
    assert [m.text for m in standin.messages_to(1)] == ["one", "two"]
    assert services.store.get_subscriber(1).next_due_at == slot + 24 * HOUR


async def test_a_digest_due_in_quiet_hours_waits_until_they_end(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 4 * HOUR)              # 12:00 in Lima, within grace, but the chat is quiet 11-13
    services = make_services(clock)
    services.store.save_subscriber(lima_subscriber(services, 1, clock, next_due_at=slot,
                                                   quiet_start="11:00", quiet_end="13:00"))
    async with running_bot(services) as app:
        [job] = app.job_queue.get_jobs_by_name("send_due_digests")
        await job.run(app)
        await asyncio.sleep(0.3)
        assert standin.messages_to(1) == []
        assert services.store.pending_pushes(slot + 5 * HOUR, 10)[0].not_before == slot + 5 * HOUR


NEW_ARTICLE = """OAS General Assembly Opens In Asuncion With Focus On Haiti And Nicaragua

Asuncion, Paraguay. The General Assembly of the Organization of American States (OAS) opened on Wednesday in Asuncion with foreign ministers from thirty countries. The ministers discussed the humanitarian crisis in Haiti and the detention of opposition leaders in Nicaragua. Paraguay's foreign minister said that the region needs a stronger mechanism to protect democratic institutions. The OAS secretary general asked member states to fund a new electoral observation mission for the coming year. Several delegations called for the release of political prisoners in Nicaragua before the end of the session. The assembly is expected to adopt a resolution on Haiti on Friday, after two days of negotiations among the delegations.
"""


async def test_instant_subscribers_get_one_message_per_ingest_with_the_new_stories(make_services, standin, dirs):
    clock = Clock(time.time())
    services = make_services(clock)
    services.store.save_subscriber(Subscriber(chat_id=5, themes=themes_of(services), frequency="instant",
                                              last_digest_at=clock.now, next_due_at=float("inf")))
    (dirs.seeds / "zz_oas_assembly.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    async with running_bot(services) as app:
        clock.now = time.time() + 5
        await asyncio.to_thread(services.library.ingest_and_rebuild)
        await asyncio.to_thread(services.library.ingest_and_rebuild)   # nothing new: nothing more
        await app.bot_data[SENDER].wait_idle(timeout=15)
    assert len(standin.messages_to(5)) == 1


def command(text: str, user_id: int) -> dict:
    return {"update_id": int(time.time() * 1000) % 10**9, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "A"},
        "from": {"id": user_id, "is_bot": False, "first_name": "A"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def test_push_now_is_for_admins_and_sends_each_subscriber_only_what_is_new(make_services, standin):
    clock = Clock(time.time() + 60)
    services = make_services(clock)
    services.store.save_subscribers([
        lima_subscriber(services, 1, clock, next_due_at=clock.now + 5 * HOUR),
        lima_subscriber(services, 2, clock, next_due_at=clock.now + 5 * HOUR, last_digest_at=clock.now - 1),
    ])
    async with running_bot(services) as app:
        await app.process_update(Update.de_json(command("/push_now", 7), app.bot))
        assert standin.messages_to(1) == []
        assert "not allowed" in standin.messages_to(7)[0].text
        await app.process_update(Update.de_json(command("/push_now", ADMIN), app.bot))
        await app.bot_data[SENDER].wait_idle(timeout=15)
        await app.process_update(Update.de_json(command("/push_now", ADMIN), app.bot))
        await app.bot_data[SENDER].wait_idle(timeout=15)
    assert len(standin.messages_to(1)) >= 1
    assert standin.messages_to(2) == []
    assert services.store.get_subscriber(1).next_due_at == clock.now + 5 * HOUR
    assert "push_now" in standin.messages_to(ADMIN)[0].text


async def test_thousands_due_at_once_are_built_without_blocking_the_event_loop(make_services, standin):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock)
    themes = themes_of(services)
    services.store.save_subscribers([
        lima_subscriber(services, chat, clock, next_due_at=slot, themes=themes[: 1 + chat % len(themes)],
                        last_digest_at=float(chat % 97))
        for chat in range(1, 3001)])
    app = build_application(services, updater=False)
    scheduler = app.bot_data[SCHEDULER]
    async with app:
        beats = 0

        async def heartbeat():
            nonlocal beats
            while True:
                await asyncio.sleep(0)
                beats += 1

        beat = asyncio.create_task(heartbeat())
        report = await scheduler.run_pass()
        beat.cancel()
    assert report.due == 3000 and report.digests > 0
    assert services.store.push_counts()["pending"] == report.pushes
    # the loop kept running other tasks during the pass (a pass that blocked it would leave 0 beats);
    # how long the loop waits at most is measured in benchmarks/responsiveness.py
    assert beats > 1


async def test_a_settings_change_saved_during_a_pass_is_kept_and_an_unsubscribe_is_not_undone(make_services):
    slot = lima_8am_after(time.time() + HOUR)
    clock = Clock(slot + 20)
    services = make_services(clock)
    read_by_the_pass = [lima_subscriber(services, 1, clock, next_due_at=slot),
                        lima_subscriber(services, 2, clock, next_due_at=slot)]
    services.store.save_subscribers(read_by_the_pass)
    # while the pass builds digests, chat 1 moves to Madrid and chat 2 unsubscribes
    services.store.save_subscriber(replace(read_by_the_pass[0], timezone="Europe/Madrid"))
    services.store.save_subscriber(replace(read_by_the_pass[1], is_active=False))
    scheduler = build_application(services, updater=False).bot_data[SCHEDULER]
    await asyncio.to_thread(scheduler.process_chunk, read_by_the_pass, clock.now, False, PassReport())
    moved, gone = services.store.get_subscriber(1), services.store.get_subscriber(2)
    assert moved.timezone == "Europe/Madrid"
    assert moved.last_digest_at == services.library.catalog.watermark
    assert moved.next_due_at == next_due_at(moved, clock.now)
    assert not gone.is_active


def test_a_story_from_an_ingest_that_straddles_a_due_pass_arrives_in_the_next_digest():
    """The pass marks the subscriber up to date with what its catalog held, not up to the clock."""
    from bot.digest.catalog import Catalog
    from bot.digest.compose import subscriber_digest
    from bot.delivery.due import covered_until
    from tests.support.factories import make_article

    def article(n: int, first_seen: float):
        return make_article(f"a{n}", title=f"Summit number {n}", themes=("oas",), first_seen=first_seen,
                            key_points=(f"Envoy{n} met Minister{n} about Accord{n}.",), published=f"{1990 + n}-01-01")

    subscriber = Subscriber(chat_id=7, themes=("oas",), last_digest_at=50.0)
    before = Catalog.build([article(1, 100.0), article(2, 200.0)], [])
    pass_time = 1000.0   # an ingest started at 300 and was still running at the pass
    assert len(subscriber_digest(before, subscriber, pass_time).stories) == 2
    after_pass = replace(subscriber, last_digest_at=covered_until(before, subscriber, pass_time))
    assert after_pass.last_digest_at == 200.0
    later = Catalog.build([article(1, 100.0), article(2, 200.0), article(3, 300.0)], [])
    assert [s.id for s in subscriber_digest(later, after_pass, 2000.0).stories] == ["a3"]


def test_the_covered_mark_never_moves_back_for_a_subscriber_who_joined_after_the_last_ingest():
    from bot.digest.catalog import Catalog
    from bot.delivery.due import covered_until
    from tests.support.factories import make_article

    catalog = Catalog.build([make_article("a1", first_seen=100.0)], [])
    joined = Subscriber(chat_id=8, themes=("oas",), last_digest_at=500.0)
    assert covered_until(catalog, joined, 1000.0) == 500.0
    assert covered_until(Catalog.build([], []), Subscriber(chat_id=9, last_digest_at=0.0), 1000.0) == 0.0
