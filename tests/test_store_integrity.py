"""Damage the store can detect: bit flips in table files, journals cut short, a full disk, file modes.

Every damaged file is named, never read as data; a journal cut before its last line says
what was lost; a disk that refuses writes is retried with back-off and logged once a minute.
"""
from __future__ import annotations

import json
import random
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.models import Subscriber
from bot.store.api import SCHEMA_VERSION
from bot.store.tinydb.sealed import table_json
from bot.store.tinydb.store import TinyStore
from tests.support.factories import make_article

TRIALS = 200


def snapshot(store: TinyStore) -> tuple:
    return (sorted(store.all_subscribers(active_only=False), key=lambda s: s.chat_id),
            sorted(store.all_articles(include_retired=True), key=lambda a: a.id))


@pytest.fixture(scope="module")
def closed_store(tmp_path_factory) -> tuple[Path, tuple]:
    """A closed store (every table compacted into its file) with subscribers and articles."""
    data_dir = tmp_path_factory.mktemp("store") / "data"
    store = TinyStore(data_dir)
    store.save_subscribers([Subscriber(chat_id=i, themes=("lima_group", "oas"), language="es") for i in range(40)])
    store.save_articles([make_article(f"a{i}", title=f"Lima Group meeting {i}") for i in range(10)])
    expected = snapshot(store)
    store.close()
    return data_dir, expected


@pytest.mark.parametrize("name", ["subscribers.json", "articles.json"])
def test_a_random_bit_flip_in_a_table_file_is_always_detected_and_named(closed_store, tmp_path, name):
    data_dir, expected = closed_store
    original = (data_dir / name).read_bytes()
    rng = random.Random(name)
    refused, silently_changed = 0, 0
    for trial in range(TRIALS):
        trial_dir = tmp_path / f"t{trial}"
        shutil.copytree(data_dir, trial_dir)
        damaged = bytearray(original)
        bit = rng.randrange(len(damaged) * 8)
        damaged[bit // 8] ^= 1 << (bit % 8)
        (trial_dir / name).write_bytes(bytes(damaged))
        try:
            store = TinyStore(trial_dir)
        except StoreError as exc:
            assert name in str(exc)
            refused += 1
        else:
            silently_changed += snapshot(store) != expected
            store.close()
        shutil.rmtree(trial_dir)
    assert (refused, silently_changed) == (TRIALS, 0)


def test_a_table_file_without_a_checksum_line_from_schema_1_is_read_and_sealed(closed_store, tmp_path):
    data_dir, expected = closed_store
    old = tmp_path / "old"
    shutil.copytree(data_dir, old)
    for path in old.glob("*.json"):   # the version-1 format: the JSON alone
        path.write_text(json.dumps(table_json(path)))
    store = TinyStore(old)
    assert snapshot(store) == expected and store.get_meta("schema_version") == SCHEMA_VERSION
    store.close()
    assert (old / "subscribers.json").read_bytes().splitlines()[-1].startswith(b"#table crc32=")


def fifty_writes(data_dir: Path) -> Path:
    """A crashed copy's journal holding 50 acknowledged writes (the store is never closed)."""
    store = TinyStore(data_dir)
    store.save_subscriber(Subscriber(chat_id=-1))   # the first write creates the table file
    for chat_id in range(50):
        store.save_subscriber(Subscriber(chat_id=chat_id))
    crashed = data_dir.parent / "crashed"
    shutil.copytree(data_dir, crashed)
    store.close()
    return crashed / "subscribers.journal"


def test_a_journal_cut_before_its_last_line_says_loudly_what_was_lost(tmp_path):
    journal = fifty_writes(tmp_path / "data")
    lines = journal.read_bytes().split(b"\n")   # the header, then one line per write
    cut = sum(len(line) + 1 for line in lines[:10]) + len(lines[10]) // 2   # the middle of write 10
    journal.write_bytes(journal.read_bytes()[:cut])
    with pytest.raises(StoreError) as caught:
        TinyStore(journal.parent)
    message = str(caught.value)
    assert "subscribers.journal is damaged" in message and "41 acknowledged writes are lost" in message
    assert "backup" in message


def test_a_journal_whose_last_acknowledged_write_is_cut_is_not_taken_for_a_crash(tmp_path):
    journal = fifty_writes(tmp_path / "data")
    journal.write_bytes(journal.read_bytes()[:-20])
    with pytest.raises(StoreError, match="1 acknowledged writes are lost"):
        TinyStore(journal.parent)


def test_store_files_are_private_to_the_bot(tmp_path):
    store = TinyStore(tmp_path / "data")
    store.save_subscriber(Subscriber(chat_id=1))
    store.save_subscriber(Subscriber(chat_id=2))
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "data").iterdir()}
    assert "subscribers.journal" in modes and set(modes.values()) == {0o600}
    store.close()


def test_an_existing_open_data_directory_is_tightened(tmp_path):
    (tmp_path / "data").mkdir(mode=0o755)
    TinyStore(tmp_path / "data").close()
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


FULL_DISK = textwrap.dedent("""
    import logging, resource, signal, sys
    from pathlib import Path
    from bot.errors import StoreError
    from bot.models import Subscriber
    from bot.store.tinydb.store import TinyStore
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(levelname)s %(message)s")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write past the limit fails with EFBIG, like ENOSPC
    store = TinyStore(Path(sys.argv[1]))
    store.save_subscribers([Subscriber(chat_id=i, themes=("lima_group",)) for i in range(3000)])
    limit = (Path(sys.argv[1]) / "subscribers.json").stat().st_size // 8
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))   # the disk is now "full"
    failed = 0
    for i in range(3000):   # the journal grows past the compaction point, then past the limit
        try:
            store.save_subscriber(Subscriber(chat_id=i, language="es"))
        except StoreError:
            failed += 1
    print("TROUBLE", bool(store.disk_trouble()), "FAILED", failed)
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    store.save_subscriber(Subscriber(chat_id=5, language="pt"))
    print("RECOVERED", not store.disk_trouble())
    store.close()
""")


def test_a_full_disk_backs_off_logs_once_and_loses_no_acknowledged_write(tmp_path):
    run = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path / "data")],
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Traceback" not in out + run.stderr
    assert "TROUBLE True" in out and "RECOVERED True" in out
    failed = int(out.split("FAILED ")[1].split()[0])
    assert 0 < failed < 3000
    failures_logged = [line for line in out.splitlines() if "failed" in line and "FAILED" not in line]
    assert len(failures_logged) == 1 and "subscribers.json" in failures_logged[0]   # once a minute
    store = TinyStore(tmp_path / "data")
    by_id = {s.chat_id: s for s in store.all_subscribers()}
    acknowledged = 3000 - failed
    assert [by_id[i].language for i in range(acknowledged)] == ["pt" if i == 5 else "es" for i in range(acknowledged)]
    store.close()


async def test_a_full_disk_tells_the_user_why_and_the_admins_once(ingested_dirs):
    from tests.conftest import ADMIN_ID, start_harness, stop_harness, telegram_settings

    harness = await start_harness(telegram_settings(ingested_dirs))
    journal = ingested_dirs.data / "subscribers.journal"
    journal.unlink(missing_ok=True)
    journal.symlink_to("/dev/full")   # every append to it fails with ENOSPC, from the kernel
    [reply] = await harness.send("/subscribe oas", chat_id=4, user_id=4)
    assert "disk is full" in reply.text
    job = harness.app.job_queue.get_jobs_by_name("warn_admins_of_store_trouble")[0]
    await job.run(harness.app)
    await job.run(harness.app)
    told = [c for c in harness.transport.of("sendMessage") if int(c.params["chat_id"]) == ADMIN_ID]
    assert len(told) == 1 and "No space left on device" in told[0].text
    journal.unlink()
    await harness.send("/subscribe oas", chat_id=4, user_id=4)
    await job.run(harness.app)
    told = [c for c in harness.transport.of("sendMessage") if int(c.params["chat_id"]) == ADMIN_ID]
    assert len(told) == 2 and "again" in told[1].text
    assert len(harness.errors) == 1 and isinstance(harness.errors[0], StoreError)
    await stop_harness(harness)
