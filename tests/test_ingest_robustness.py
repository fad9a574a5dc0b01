"""The ingest under stress: rejected files are remembered by content hash, and worker
processes die with the process that started them (kill -9 leaves no orphan)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.library.ingest import run_ingest
from bot.library.rejections import UNCHANGED
from bot.store.tinydb.store import TinyStore
from tests.support.shapes import plain_article

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "tests" / "data" / "story_articles" / "argentina_leaves_lima_group.txt"


def test_a_rejected_file_is_not_processed_again_until_it_changes(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ARTICLE, seeds / "good.txt")
    (seeds / "short.txt").write_text("title: A note\n\nThe OAS met.\n")
    store = TinyStore(tmp_path / "data")
    first = {r.path: r.reason for r in run_ingest(store, seeds, [], workers=1).rejected}
    second = {r.path: r.reason for r in run_ingest(store, seeds, [], workers=1).rejected}
    assert second == {"short.txt": first["short.txt"] + UNCHANGED}
    (seeds / "short.txt").write_text("title: A note\n\nThe OAS met again.\n")
    third = {r.path: r.reason for r in run_ingest(store, seeds, [], workers=1).rejected}
    assert "4 words" in third["short.txt"] and not third["short.txt"].endswith(UNCHANGED)   # processed again
    (seeds / "short.txt").unlink()
    run_ingest(store, seeds, [], workers=1)
    assert store.get_meta("rejected_seeds") == {}
    store.close()


def marked(mark: str) -> list[int]:
    """Pids of live processes whose environment carries `mark` (the ingest and everything it started)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if mark.encode() in environ and state != "Z":
                pids.append(int(entry))
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_an_ingest_leaves_no_worker_process_behind(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = plain_article(150_000)
    for n in range(48):   # enough files for the process pool, each slow enough to be mid-work at the kill
        (seeds / f"a{n:02d}.txt").write_text(text.replace("Argentina", f"Argentina {n}"))
    (tmp_path / "digests").mkdir()
    mark = f"DIGESTBOT_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    ingest = subprocess.Popen([sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "data"),
                               "--seeds", str(seeds), "--digests", str(tmp_path / "digests"), "ingest"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(marked(mark)) < 4 and time.monotonic() < deadline:   # main, forkserver, workers
            time.sleep(0.2)
        assert len(marked(mark)) >= 4, "the pool never started"
        time.sleep(1.0)
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait()
        deadline = time.monotonic() + 4.0   # well under the time one batch of files takes
        while marked(mark) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marked(mark) == []
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)
