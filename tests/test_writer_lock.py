"""One writer per DATA_DIR: a second writer is refused at once, readers still read, nothing is lost."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.errors import StoreError
from bot.models import Subscriber
from bot.store.tinydb.store import TinyStore
from tests.support.paths import REPO_ROOT

HOLDER = """
import sys
from bot.models import Subscriber
from bot.store.tinydb.store import TinyStore
store = TinyStore(sys.argv[1])
store.save_subscribers([Subscriber(chat_id=n, themes=("oas",), is_active=True) for n in range(1, 96)])
print("READY", flush=True)
sys.stdin.readline()
store.save_subscriber(Subscriber(chat_id=96, themes=("oas",), is_active=True))
store.close()
"""


@pytest.fixture
def holder(ingested_dirs):
    """A separate process that holds the store open for writing (as `digestbot run` does)."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(ingested_dirs.data)], cwd=REPO_ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "READY"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_second_writer_is_refused_at_once_with_the_holder_and_what_to_do(holder, ingested_dirs, digestbot):
    result = digestbot("ingest")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert f"process {holder.pid}" in lines[0] and "/reload" in lines[0]


def test_read_only_commands_work_while_a_writer_holds_the_store(holder, digestbot):
    listed = digestbot("articles")
    assert listed.code == 0, listed.err
    assert len(listed.out.strip().splitlines()) >= 5
    first_id = listed.out.split()[0]
    assert digestbot("show", first_id).code == 0
    assert digestbot("preview", "lima_group").code == 0
    exported = digestbot("export")
    assert exported.code == 0 and first_id in exported.out


def test_nothing_acknowledged_is_lost_when_a_second_writer_tries(holder, ingested_dirs):
    with pytest.raises(StoreError, match="in use by process"):
        TinyStore(ingested_dirs.data)
    holder.communicate("go\n", timeout=30)
    assert holder.returncode == 0
    store = TinyStore(ingested_dirs.data)
    try:
        assert {s.chat_id for s in store.all_subscribers()} == set(range(1, 97))
    finally:
        store.close()


@pytest.mark.slow
def test_the_lock_goes_with_the_store_close_and_with_a_killed_process(tmp_path):
    first = TinyStore(tmp_path)
    first.close()
    second = TinyStore(tmp_path)          # closed: free again
    second.save_subscriber(Subscriber(chat_id=1))
    second.close()
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=REPO_ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "READY"
    process.kill()
    process.wait()
    third = TinyStore(tmp_path)           # kill -9 leaves no stale lock
    assert len(third.all_subscribers(active_only=False)) == 95
    third.close()
