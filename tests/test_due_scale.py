"""The due pass's shortcuts at scale give exactly what the plain per-record path gives.

- push journal members encoded a shared part at a time (bot/store/tinydb/members.py) are byte
  for byte `encode_record(key, doc)` of the whole document, on random pushes;
- `with_schedule` is `dataclasses.replace` of the two schedule fields;
- a pass over a random population enqueues for each subscriber exactly the parts of its own
  digest, built alone (`subscriber_digest` + `render_html`).
"""
from __future__ import annotations

import math
import random
import shutil
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.due import PassReport, with_schedule
from bot.digest.compose import subscriber_digest
from bot.digest.render import render_html
from bot.models import Push, Subscriber, pending_push
from bot.services import open_services
from bot.store.codec import push_to_doc, text_key
from bot.store.tinydb.journal import encode_record
from bot.store.tinydb.members import push_members
from bot.store.tinydb.sealed import read_json_file
from bot.telegram.app import build_application
from bot.telegram.jobs import SCHEDULER
from tests.conftest import copy_repo_inputs
from tests.support.delivery import fast_settings

numbers = st.one_of(st.floats(allow_nan=True), st.integers(-2**40, 2**40), st.booleans())
names = st.text(max_size=12)

pushes = st.builds(
    Push, id=names, chat_id=st.one_of(st.integers(-2**50, 2**50), st.booleans()),
    text=st.sampled_from(["<b>one</b>", "two ñ", ""]), digest_key=st.sampled_from(["2026-11-25T08:00/daily", "é\n"]),
    part=st.integers(0, 3), thread_id=st.one_of(st.none(), st.integers(1, 9)), created_at=numbers,
    attempts=st.integers(0, 2), not_before=numbers, status=st.sampled_from(["pending", "failed"]), error=names)

subscribers = st.builds(
    Subscriber, chat_id=st.one_of(st.integers(-2**50, 2**50), st.booleans()),
    themes=st.lists(st.sampled_from(["oas", "lima_group", "celac", "ñ"]), max_size=3).map(tuple),
    language=st.sampled_from(["en", "es"]), quiet_start=st.sampled_from(["", "22:00"]),
    thread_id=st.one_of(st.none(), st.integers(1, 9)), is_active=st.booleans(), last_digest_at=numbers,
    next_due_at=st.one_of(numbers, st.just(math.inf)), created_at=numbers, paused_at=numbers, paused_reason=names)


@settings(max_examples=300, deadline=None)
@given(st.lists(pushes, max_size=12), st.integers(1, 4))
def test_push_members_are_the_whole_documents_encoded(batch, copies):
    # the same digest part for several chats: what the shortcut shares
    batch = batch + [replace(push, id=f"{push.id}#{n}", chat_id=n) for push in batch for n in range(copies)]
    expected = {}
    for push in batch:
        if push.id in expected:   # one id twice: the first is what the outbox enqueues
            continue
        doc = push_to_doc(push, text_key(push.text))
        expected[push.id] = (doc, encode_record(push.id, doc))
    got = push_members(batch)
    assert got == expected
    assert {push_id: list(doc) for push_id, (doc, _) in got.items()} == \
        {push_id: list(doc) for push_id, (doc, _) in expected.items()}


@given(pushes.map(lambda push: replace(push, attempts=0, status="pending", error="")))
def test_pending_push_is_the_push_its_fields_make(push):
    got = pending_push(push.id, push.chat_id, push.text, push.digest_key, push.part, push.thread_id,
                       push.created_at, push.not_before)
    assert type(got) is Push and repr(got) == repr(push)   # (repr: NaN is not equal to itself)
    assert list(vars(got)) == list(vars(push))
    if not (math.isnan(push.created_at) or math.isnan(push.not_before)):
        assert got == push and hash(got) == hash(push)


@given(subscribers, numbers, numbers)
def test_with_schedule_is_replace_of_the_two_schedule_fields(subscriber, last, due):
    got, expected = with_schedule(subscriber, last, due), replace(subscriber, last_digest_at=last, next_due_at=due)
    assert repr(got) == repr(expected)   # (repr: NaN is not equal to itself)


def test_a_pass_gives_every_subscriber_its_own_digest_exactly(tmp_path, ingested_store):
    dirs = copy_repo_inputs(tmp_path)
    shutil.copytree(ingested_store, dirs.data)
    now = 1_900_000_000.0   # 17:46 UTC: the 17:00 and 17:30 slots are due
    services = open_services(fast_settings(send_no_news=False, data_dir=dirs.data, seeds_dir=dirs.seeds, digests_dir=dirs.digests),
                             clock=lambda: now)
    try:
        catalog = services.library.catalog
        themes = [theme.command for theme in services.library.themes]
        seen = sorted({story.first_seen for story in catalog.stories})
        rng = random.Random(5)
        population = [Subscriber(chat_id=100 + n, themes=tuple(rng.sample(themes, rng.randint(1, 3))),
                                 language=rng.choice(("en", "es")), thread_id=rng.choice((None, 7)),
                                 last_digest_at=rng.choice([0.0, *seen[:3], seen[-1], rng.uniform(seen[0], seen[-1]),
                                                            math.nan]), next_due_at=now - 60,
                                 time_of_day=rng.choice(("17:00", "17:30")), timezone="UTC")
                      for n in range(300)]
        services.store.save_subscribers(population)
        scheduler = build_application(services, updater=False).bot_data[SCHEDULER]
        report = PassReport()
        scheduler.process_chunk(services.store.due_subscribers(now, 1000), now, True, report)
        enqueued: dict[int, list[Push]] = {}
        for push in services.store.pending_pushes(now + 10 * 86400, 100_000):
            enqueued.setdefault(push.chat_id, []).append(push)
        built = 0
        for subscriber in population:
            digest = subscriber_digest(catalog, subscriber, now)
            expected = render_html(digest) if digest is not None else []
            parts = sorted(enqueued.get(subscriber.chat_id, []), key=lambda push: push.part)
            assert [push.text for push in parts] == expected, subscriber
            assert all(push.thread_id == subscriber.thread_id for push in parts)
            built += bool(expected)
        assert report.digests == built > 50 and report.due == 300
        services.store.compact()   # the pass wrote each digest as one record (bot/store/tinydb/digests.py)
        outbox, _ = read_json_file(dirs.data / "outbox.json")
        assert outbox is not None and (len(outbox["digests"]), len(outbox.get("outbox", {}))) == (built, 0)
    finally:
        services.close()
