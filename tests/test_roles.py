"""Roles on one PostgreSQL: real `digestbot run --role ...` processes against the Bot API stand-in.

- two senders: only the elected one sends; killed (-9) mid-broadcast, the other takes over,
  every push arrives, and repeats stay within the bound documented for one sender;
- a web replica answers about an article another process (`digestbot ingest`) stored.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.delivery.policy import SenderOptions
from bot.store.postgres.store import PgStore
from tests.support.standin import StandIn
from tests.test_bot_process import bot_env
from tests.test_store_contract import push

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
STORY = REPO / "tests" / "data" / "story_articles" / "argentina_leaves_lima_group.txt"
THEME = '''command = "lima_group"
terms = ["Lima Group", "Grupo de Lima"]
[title]
en = "Lima Group"
es = "Grupo de Lima"
[description]
en = "The Lima Group"
es = "El Grupo de Lima"
'''


def start(role: str, env: dict, log: Path, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--role", role], cwd=tmp_path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def folders(tmp_path: Path) -> dict[str, str]:
    for name in ("seeds", "digests", "data"):
        (tmp_path / name).mkdir(exist_ok=True)
    (tmp_path / "digests" / "lima_group.toml").write_text(THEME, encoding="utf-8")
    return {"SEEDS_DIR": str(tmp_path / "seeds"), "DIGESTS_DIR": str(tmp_path / "digests"),
            "DATA_DIR": str(tmp_path / "data"), "SOURCES_FILE": str(tmp_path / "no-sources.toml")}


def test_two_senders_never_send_a_push_twice_beyond_the_bound_and_the_second_takes_over(tmp_path, postgres_url):
    chats = 200
    store = PgStore(postgres_url)
    store.enqueue_pushes([push(chat, created_at=float(chat)) for chat in range(1, chats + 1)])
    with StandIn() as standin:
        env = bot_env(standin, DATABASE_URL=postgres_url, SEND_RATE="25", **folders(tmp_path))
        logs = [tmp_path / "sender-a.log", tmp_path / "sender-b.log"]
        senders = [start("sender", env, log, tmp_path) for log in logs]
        try:
            standin.wait_for(lambda s: len(s.of("sendMessage")) >= 50, 60)
            leader = next(i for i, log in enumerate(logs) if "elected as the sender" in log.read_text())
            senders[leader].kill()                      # kill -9 mid-broadcast
            senders[leader].wait(timeout=10)
            standin.wait_for(lambda s: len(s.count_per_chat()) == chats, 90)
            deadline = time.monotonic() + 30
            while store.push_counts()["pending"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "elected as the sender" in logs[1 - leader].read_text()
        finally:
            for process in senders:
                stop(process)
        counts = standin.count_per_chat()
    assert set(counts) == set(range(1, chats + 1))               # nothing lost
    repeats = sum(n - 1 for n in counts.values())
    print(f"repeats after the kill: {repeats}")
    assert repeats <= SenderOptions().duplicate_bound(25.0)     # the bound for one sender killed once
    assert store.push_counts()["pending"] == 0
    store.close()


def test_a_web_replica_answers_about_an_article_another_process_ingested(tmp_path, postgres_url):
    env_dirs = folders(tmp_path)
    with StandIn() as standin:
        env = bot_env(standin, DATABASE_URL=postgres_url, **env_dirs)
        web = start("web", env, tmp_path / "web.log", tmp_path)
        try:
            standin.wait_for(lambda s: s.of("getUpdates", None), 30)
            shutil.copy(STORY, tmp_path / "seeds" / STORY.name)
            ingest = subprocess.run([sys.executable, "-m", "bot", "ingest"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=120)
            assert ingest.returncode == 0, ingest.stderr[-2000:]
            answer = ""
            for attempt in range(20):
                before = len(standin.messages_to(42))
                standin.send_text(42, "/lima_group")
                answer = standin.wait_for(lambda s: s.messages_to(42)[before:], 15)[0].text
                if "Argentina" in answer:
                    break
                time.sleep(0.5)
            assert "Argentina formally withdraws from the Lima Group" in answer
        finally:
            stop(web)
    assert "Traceback" not in (tmp_path / "web.log").read_text()
