"""The operator's commands: backup and restore (a busy store loses nothing), migrate to PostgreSQL, JSON logs."""
from __future__ import annotations

import io
import json
import logging
import math
import tarfile
import threading
from dataclasses import replace


from bot.cli.main import configure_logging, main
from bot.cli.redact import Redactor
from bot.models import Subscriber
from bot.store.api import SCHEMA_VERSION
from bot.store.postgres.store import PgStore
from bot.store.tinydb.backup import write_backup
from bot.store.tinydb.store import TinyStore
from tests.test_store_contract import article, push


def filled_store(data_dir) -> TinyStore:
    store = TinyStore(data_dir)
    store.save_articles([article("a1"), article("a2", title="Castillo in Lima", is_retired=True)])
    store.save_subscribers([Subscriber(chat_id=7, themes=("lima_group",), next_due_at=100.0),
                            Subscriber(chat_id=-100, chat_type="supergroup", is_active=False)])
    store.enqueue_pushes([push(7), push(7, part=1), push(8, text="<i>ñandú</i>")])
    store.update_pushes([replace(push(8, text="<i>ñandú</i>"), attempts=2, not_before=500.0, error="500")])
    store.set_meta("preview", {"lima_group": ["a1"]})
    return store


def contents(store) -> tuple:
    return (store.all_articles(include_retired=True), store.all_subscribers(active_only=False),
            store.pending_pushes(math.inf, 1000), store.get_meta("preview"))


def test_backup_then_restore_gives_back_an_identical_store(tmp_path, cli_env, capsys, restore_logging):
    store = filled_store(tmp_path / "data")
    expected = contents(store)
    assert main(["--data-dir", str(tmp_path / "data"), "backup", str(tmp_path / "b.tar.gz")]) == 0
    store.close()
    assert "2 articles, 2 subscribers, 3 pending pushes" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "restored"), "restore", str(tmp_path / "b.tar.gz")]) == 0
    restored = TinyStore(tmp_path / "restored")
    assert contents(restored) == expected
    restored.close()


def test_a_backup_of_a_busy_store_restores_a_whole_moment_with_every_write_acknowledged_before_it(tmp_path):
    store = TinyStore(tmp_path / "data")
    acknowledged, stop = [0], threading.Event()

    def write_forever():
        n = 0
        while not stop.is_set():   # subscriber n, then push n: a consistent copy never has push n alone
            store.save_subscriber(Subscriber(chat_id=n, next_due_at=float(n)))
            store.enqueue_pushes([push(n, created_at=float(n))])
            n += 1
            acknowledged[0] = n

    writer = threading.Thread(target=write_forever)
    writer.start()
    try:
        while acknowledged[0] < 200:
            stop.wait(0.01)
        before = acknowledged[0]
        report = write_backup(tmp_path / "data", tmp_path / "busy.tar.gz")
    finally:
        stop.set()
        writer.join()
        store.close()
    assert main(["--data-dir", str(tmp_path / "restored"), "restore", str(tmp_path / "busy.tar.gz")]) == 0
    restored = TinyStore(tmp_path / "restored")
    subscribers = sorted(s.chat_id for s in restored.all_subscribers())
    pushed = sorted(p.chat_id for p in restored.pending_pushes(math.inf, 10**6))
    restored.close()
    assert subscribers == list(range(len(subscribers))) and len(subscribers) >= before
    assert pushed == list(range(len(pushed))) and len(subscribers) - len(pushed) in (0, 1)
    assert report.subscribers == len(subscribers)


def test_restore_refuses_a_store_that_is_not_empty_and_a_newer_schema(tmp_path, cli_env, capsys, restore_logging):
    filled_store(tmp_path / "data").close()
    write_backup(tmp_path / "data", tmp_path / "b.tar.gz")
    assert main(["--data-dir", str(tmp_path / "data"), "restore", str(tmp_path / "b.tar.gz")]) == 1
    assert "is not empty" in capsys.readouterr().err
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(newer, "w:gz") as tar:
        data = json.dumps({"format": "digestbot-backup", "schema_version": SCHEMA_VERSION + 1}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assert main(["--data-dir", str(tmp_path / "empty"), "restore", str(newer)]) == 1
    assert f"schema version {SCHEMA_VERSION + 1}, newer" in capsys.readouterr().err


def test_migrate_copies_a_tinydb_store_into_an_empty_postgresql_database_once(
        tmp_path, cli_env, capsys, restore_logging, postgres_url):
    store = filled_store(tmp_path / "data")
    expected = contents(store)
    store.close()
    cli_env.setenv("DATABASE_URL", postgres_url)
    assert main(["migrate", "--from", str(tmp_path / "data")]) == 0
    assert "copied 2 articles, 2 subscribers, 3 pending pushes" in capsys.readouterr().out
    target = PgStore(postgres_url)
    assert contents(target) == expected
    target.close()
    assert main(["migrate", "--from", str(tmp_path / "data")]) == 1
    assert "already holds" in capsys.readouterr().err


def test_json_logs_are_one_object_per_line_without_the_token(capsys, restore_logging):
    token = "123456789:AAExampleExampleExampleExampleExample"
    configure_logging(logging.INFO, Redactor((token,)), "json")
    logging.getLogger("bot.test").warning("calling https://api.telegram.org/bot%s/getMe", token)
    try:
        raise RuntimeError(f"boom {token}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("failed")
    lines = capsys.readouterr().err.strip().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["level"] for e in entries] == ["WARNING", "ERROR"]
    assert "traceback" in entries[1] and token not in "".join(lines)
    assert entries[0]["logger"] == "bot.test"
