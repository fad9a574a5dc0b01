"""kill -9 in the middle of a broadcast, then a restart: everyone gets the digest, the
only repeats are what was in flight or sent-but-not-yet-written at the kill.

The sender runs in a child process (`python -m tests.test_delivery_kill DATA_DIR URL RATE`):
a real TinyStore, a real PTB bot, the real Sender, over HTTP to the stand-in in this process.
"""
from __future__ import annotations

import pytest
import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.delivery.policy import SenderOptions
from bot.store.tinydb.store import TinyStore
from tests.support.standin import StandIn
from tests.support.delivery import fast_settings, make_push, plain_application, sendmessage_windows_ok

REPO = Path(__file__).resolve().parent.parent
CHATS = range(1, 401)
RATE = 100.0


def start_sender_process(data_dir: Path, standin: StandIn) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.test_delivery_kill", str(data_dir), standin.base_url,
                             str(RATE)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_9_mid_broadcast_then_restart_delivers_the_rest_exactly_once(tmp_path):
    data_dir = tmp_path / "data"
    store = TinyStore(data_dir)
    store.enqueue_pushes([make_push(chat) for chat in CHATS])
    store.close()
    with StandIn() as standin:
        child = start_sender_process(data_dir, standin)
        try:
            standin.wait_for(lambda s: len(s.of("sendMessage")) >= 150, timeout=60)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        at_kill = len(standin.of("sendMessage"))
        restarted = start_sender_process(data_dir, standin)
        _, errors = restarted.communicate(timeout=90)
        assert restarted.returncode == 0, errors.decode()[-2000:]
        counts = standin.count_per_chat()
        problems = sendmessage_windows_ok(standin, fast_settings(send_rate=RATE))
    duplicates = sum(count - 1 for count in counts.values())
    print(f"kill -9 after {at_kill} sends: {duplicates} repeated (bound {SenderOptions().duplicate_bound(RATE)})")
    assert at_kill < len(CHATS)                                  # it was killed mid-broadcast
    assert sorted(counts) == list(CHATS)                         # everyone got the digest
    assert duplicates <= SenderOptions().duplicate_bound(RATE), duplicates
    assert problems == []
    reopened = TinyStore(data_dir)
    assert reopened.push_counts()["pending"] == 0
    assert reopened.push_counts()["sent"] == len(CHATS)
    reopened.close()


async def drain(data_dir: Path, base_url: str, rate: float) -> None:
    """The child: send everything pending, then exit."""
    from bot.delivery.sender import Sender

    standin_url = base_url
    settings = fast_settings(send_rate=rate, telegram_api_base_url=standin_url)
    store = TinyStore(data_dir)

    class Remote:                       # plain_application wants something with .base_url
        base_url = standin_url

    application = plain_application(Remote)
    async with application:
        sender = Sender(application.bot, store, settings)
        task = asyncio.create_task(sender.run())
        await sender.wait_idle(timeout=80)
        sender.stop()
        await task
    store.close()


if __name__ == "__main__":
    asyncio.run(drain(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
