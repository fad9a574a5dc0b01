"""Replies share the flood budget with pushes: measured by the stand-in, window by window,
with the real Application polling it over HTTP."""
from __future__ import annotations

import shutil

import pytest

from tests.support.flood import many_users, one_group, one_user, run_scenario
from tests.support.standin import Faults, StandIn

pytestmark = pytest.mark.slow


def scenario(ingested_dirs, tmp_path, sends, faults=None, **options):
    data = tmp_path / "flood-data"
    shutil.copytree(ingested_dirs.data, data)
    with StandIn(faults=faults) as standin:
        import asyncio
        result = asyncio.run(run_scenario(standin, data, (ingested_dirs.seeds, ingested_dirs.digests), sends,
                                          **options))
    return standin, result


def test_sixty_users_at_once_are_all_answered_within_every_window(ingested_dirs, tmp_path):
    _, result = scenario(ingested_dirs, tmp_path, many_users(60), settle=0.5)
    assert result.answered == 60 and result.windows_over == 0, result
    assert result.most_per_second <= 30          # Telegram: 30 a second (we aim at SEND_RATE, 25)


def test_one_user_flooding_gets_answers_and_one_slow_down_not_a_backlog(ingested_dirs, tmp_path):
    standin, result = scenario(ingested_dirs, tmp_path, one_user(30), settle=4.0)
    assert result.windows_over == 0, result
    texts = [c.text for c in standin.messages_to(77)]
    assert sum("faster than I can answer" in t for t in texts) == 1
    assert 2 <= len(texts) <= 10


def test_a_group_flooding_stays_under_twenty_a_minute(ingested_dirs, tmp_path):
    standin, result = scenario(ingested_dirs, tmp_path, one_group(30), settle=4.0)
    assert result.windows_over == 0, result
    texts = [c.text for c in standin.messages_to(-100777)]
    assert 2 <= len(texts) <= 20 and sum("faster than I can answer" in t for t in texts) == 1


def test_replies_are_retried_under_429_and_500_so_every_user_is_answered(ingested_dirs, tmp_path):
    faults = Faults(rate_429=0.2, retry_after=1, rate_500=0.15, seed=3)
    standin, result = scenario(ingested_dirs, tmp_path, many_users(30, "/help"), faults=faults, settle=0.5)
    assert result.answered == 30 and result.apologies == 0, result
    assert standin.of("sendMessage", status=429) and standin.of("sendMessage", status=500)


def test_a_reply_goes_ahead_of_a_broadcast_in_progress(ingested_dirs, tmp_path):
    import time

    from bot.models import Push

    pushes = [Push(id=f"{5000 + n}:bench:0", chat_id=5000 + n, text=f"digest {n}", digest_key="bench",
                   created_at=time.time()) for n in range(150)]
    standin, result = scenario(ingested_dirs, tmp_path, [(77, 77, "/help")], pushes=pushes, sends_after=2.0,
                               settle=3.0)
    assert result.answered == 1 and result.windows_over == 0, result
    [answer] = standin.messages_to(77)
    pushes_after = [c for c in standin.of("sendMessage") if c.chat_id >= 5000 and c.at > answer.at]
    first_push = min(c.at for c in standin.of("sendMessage") if c.chat_id >= 5000)
    assert answer.at - first_push < 4.0 and len(pushes_after) > 20     # answered mid-broadcast, not after it
