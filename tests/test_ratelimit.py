"""The strict limiter: never more than N in ANY window, paced, with per-chat and per-group windows."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from bot.schedule.queues import ChatQueues
from bot.schedule.ratelimit import Limits, SendLimiter, SlidingWindow
from tests.support.standin import most_in_any_window
from tests.support.delivery import make_push


def drive(limiter: SendLimiter, chats: list[int], until: float = 30.0) -> list[tuple[float, int]]:
    """Send to `chats` round-robin as fast as the limiter allows (simulated time); returns (time, chat)."""
    now, sent, pending = 0.0, [], list(chats)
    while pending and now < until:
        chat = pending[0]
        wait = max(limiter.overall_delay(now), limiter.chat_delay(chat, now))
        if wait > 0:
            now += wait
            continue
        limiter.record(chat, now)
        sent.append((now, chat))
        pending.pop(0)
    return sent


def test_a_window_admits_its_limit_then_waits_for_the_oldest_to_expire():
    window = SlidingWindow(3, 1.0)
    for at in (0.0, 0.1, 0.2):
        assert window.delay(at) == 0.0
        window.record(at)
    assert window.delay(0.5) == 0.5
    assert window.delay(1.0) == 0.0


def test_a_burst_after_idle_is_paced_not_released_at_once():
    limiter = SendLimiter(Limits(overall_per_second=25, margin=0.05))
    sent = drive(limiter, list(range(1, 101)))
    times = [at for at, _ in sent]
    assert most_in_any_window(times, 1.0) <= 25
    assert most_in_any_window(times, 0.2) <= 6          # even, never a clump of 25
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.9 * 25


def test_after_a_429_pause_sending_resumes_paced_not_all_at_once():
    limiter = SendLimiter(Limits(overall_per_second=30))
    drive(limiter, list(range(1, 31)))
    limiter.pause_until(5.0)
    assert limiter.overall_delay(4.0) == 1.0
    sent = drive(limiter, list(range(100, 160)), until=60)
    times = [at for at, _ in sent]
    assert times[0] >= 5.0
    assert most_in_any_window(times, 1.0) <= 30


def test_one_chat_gets_at_most_one_message_a_second_and_a_group_twenty_a_minute():
    limiter = SendLimiter(Limits(overall_per_second=100, chat_per_second=1, group_per_minute=20))
    sent = drive(limiter, [7] * 5 + [-100] * 25, until=200)
    private = [at for at, chat in sent if chat == 7]
    group = [at for at, chat in sent if chat == -100]
    assert most_in_any_window(private, 1.0) == 1
    assert most_in_any_window(group, 60.0) == 20
    assert len(group) == 25


@settings(max_examples=60, deadline=None)
@given(rate=st.integers(1, 300), chats=st.lists(st.integers(-5, 40), min_size=1, max_size=200),
       pause=st.floats(0, 3))
def test_no_window_ever_exceeds_any_limit(rate, chats, pause):
    limiter = SendLimiter(Limits(overall_per_second=rate, chat_per_second=1, group_per_minute=20))
    limiter.pause_until(pause)
    sent = drive(limiter, chats, until=400)
    assert most_in_any_window([at for at, _ in sent], 1.0) <= rate
    for chat in set(chats):
        times = [at for at, c in sent if c == chat]
        assert most_in_any_window(times, 1.0) <= 1
        if chat < 0:
            assert most_in_any_window(times, 60.0) <= 20


def test_a_chats_messages_leave_in_order_and_a_retry_is_not_overtaken():
    queues = ChatQueues()
    for part in range(3):
        queues.add(make_push(9, part=part), now=0.0)
    queues.add(make_push(10), now=0.0)
    at, chat = queues.peek()
    first = queues.take(chat)
    assert (first.chat_id, first.part) == (9, 0)
    queues.settle(9, now=0.1, retry=first, retry_at=2.0)       # part 0 failed: retry at t=2
    assert queues.peek()[1] == 10                              # other chats go meanwhile
    queues.take(10)
    queues.settle(10, now=0.2)
    assert queues.peek() == (2.0, 9)
    assert queues.take(9).part == 0                            # part 1 never overtakes part 0


def test_a_migrated_chats_queue_moves_to_the_new_id():
    queues = ChatQueues()
    queues.add(make_push(-5, part=0), now=0.0)
    queues.add(make_push(-5, part=1), now=0.0)
    moved = queues.move_chat(-5, -1005, now=0.0)
    assert [(p.id.split(":")[0], p.chat_id) for p in moved] == [("-1005", -1005)] * 2
    assert queues.peek()[1] == -1005 and len(queues) == 2
