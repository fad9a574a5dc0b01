"""The outbox sender against the local Bot API stand-in: once each, in every window under the limits."""
from __future__ import annotations

import time

import pytest

from bot.models import Subscriber
from bot.store.tinydb.store import TinyStore
from tests.support.standin import Faults, StandIn
from tests.support.delivery import (
    delivered_texts,
    fast_settings,
    make_push,
    running_sender,
    sendmessage_windows_ok,
)


@pytest.fixture
def store(tmp_path):
    store = TinyStore(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def standin():
    with StandIn() as api:
        yield api


async def test_every_push_is_delivered_once_and_recorded_as_a_delivery(store, standin):
    settings = fast_settings()
    pushes = [make_push(chat) for chat in range(1, 41)]
    async with running_sender(standin, store, settings, pushes) as sender:
        await sender.wait_idle(timeout=10)
    assert standin.count_per_chat() == {chat: 1 for chat in range(1, 41)}
    assert store.push_counts()["sent"] == 40
    assert store.push_counts()["pending"] == 0


async def test_sender_stays_under_the_configured_rate_in_every_window(store, standin):
    settings = fast_settings(send_rate=20.0)
    pushes = [make_push(chat) for chat in range(1, 61)]
    async with running_sender(standin, store, settings, pushes) as sender:
        await sender.wait_idle(timeout=15)
    assert sendmessage_windows_ok(standin, settings) == []


async def test_200_subscribers_with_20_percent_429s_each_get_exactly_one_within_every_window(store, standin):
    standin.faults = Faults(rate_429=0.2, retry_after=0.05, seed=7)   # fractional retry_after keeps it quick
    settings = fast_settings(send_rate=100.0)
    groups = list(range(-1020, -1000))
    chats = list(range(1, 181)) + groups
    pushes = [make_push(chat) for chat in chats] + [make_push(chat, part=1) for chat in groups[:5]]
    async with running_sender(standin, store, settings, pushes) as sender:
        await sender.wait_idle(timeout=40)
    counts = standin.count_per_chat()
    assert {chat: counts.get(chat, 0) for chat in chats} == {
        chat: 2 if chat in groups[:5] else 1 for chat in chats}
    assert len(standin.of("sendMessage", status=429)) > 20
    assert sender.stats.rate_limited == len(standin.of("sendMessage", status=429))
    assert sendmessage_windows_ok(standin, settings) == []


async def test_parts_of_one_digest_arrive_in_order_at_most_one_a_second(store, standin):
    standin.faults = Faults(rate_500=0.3, seed=3)
    settings = fast_settings()
    pushes = [make_push(42, part=part, text=f"part {part}") for part in range(3)]
    async with running_sender(standin, store, settings, pushes, backoff_base=0.05) as sender:
        await sender.wait_idle(timeout=20)
    assert delivered_texts(standin, 42) == ["part 0", "part 1", "part 2"]
    assert sendmessage_windows_ok(standin, settings) == []


async def test_server_errors_are_retried_with_backoff_until_delivered(store, standin):
    standin.faults = Faults(rate_500=0.3, seed=11)
    pushes = [make_push(chat) for chat in range(1, 21)]
    async with running_sender(standin, store, fast_settings(), pushes, backoff_base=0.05) as sender:
        await sender.wait_idle(timeout=20)
    assert standin.count_per_chat() == {chat: 1 for chat in range(1, 21)}
    assert len(standin.of("sendMessage", status=500)) >= 2
    assert sender.stats.retried == len(standin.of("sendMessage", status=500))


async def test_a_push_that_keeps_failing_is_given_up_after_send_give_up_seconds(store, standin):
    standin.faults = Faults(rate_500=1.0)
    settings = fast_settings(send_give_up_seconds=1.0)
    async with running_sender(standin, store, settings, backoff_base=0.05) as sender:
        store.enqueue_pushes([make_push(5, created_at=time.time())])
        sender.wake()
        await sender.wait_idle(timeout=10)
    attempts = standin.of("sendMessage", status=500)
    assert 2 <= len(attempts) <= 3          # retries to one chat still wait out its 1/s window
    assert store.push_counts()["failed"] == 1
    assert store.push_counts()["pending"] == 0


async def test_blocked_user_is_deactivated_and_their_pushes_dropped(store, standin):
    standin.faults = Faults(blocked={7}, not_found={8})
    store.save_subscribers([Subscriber(chat_id=c, themes=("oas",)) for c in (7, 8, 9)])
    pushes = [make_push(7, part=0), make_push(7, part=1), make_push(8), make_push(9)]
    async with running_sender(standin, store, fast_settings(), pushes) as sender:
        await sender.wait_idle(timeout=10)
    assert not store.get_subscriber(7).is_active
    assert not store.get_subscriber(8).is_active
    assert store.get_subscriber(9).is_active
    assert len(standin.of("sendMessage", status=403)) == 1      # part 1 is dropped, never tried
    assert store.push_counts()["dropped"] == 3
    assert delivered_texts(standin, 9) != []


async def test_group_migration_is_followed_and_the_digest_resent_to_the_supergroup(store, standin):
    standin.faults = Faults(migrated={-500: -100500})
    store.save_subscriber(Subscriber(chat_id=-500, themes=("oas",), chat_type="group"))
    pushes = [make_push(-500, part=0, text="part 0"), make_push(-500, part=1, text="part 1")]
    async with running_sender(standin, store, fast_settings(), pushes) as sender:
        await sender.wait_idle(timeout=10)
    assert store.get_subscriber(-500) is None
    assert store.get_subscriber(-100500).chat_type == "supergroup"
    assert delivered_texts(standin, -100500) == ["part 0", "part 1"]
    assert store.push_counts()["sent"] == 2 and store.push_counts()["pending"] == 0


async def test_pushes_flushed_before_a_restart_are_not_sent_again(tmp_path, standin):
    settings = fast_settings()
    first = TinyStore(tmp_path / "data")
    async with running_sender(standin, first, settings, [make_push(chat) for chat in range(1, 21)]) as sender:
        await sender.wait_idle(timeout=10)
    first.close()
    second = TinyStore(tmp_path / "data")
    second.enqueue_pushes([make_push(chat) for chat in range(1, 21)])   # a re-run of the same digest
    async with running_sender(standin, second, settings) as sender:
        await sender.wait_idle(timeout=10)
    second.close()
    assert standin.count_per_chat() == {chat: 1 for chat in range(1, 21)}
