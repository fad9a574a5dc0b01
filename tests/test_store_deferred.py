"""`TinyStore(defer_people=True)` (what `digestbot run` opens): subscribers and the outbox are read
at their first use or by `warm_up`, not at open; every method waits for them, nothing is lost."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.models import Push, Subscriber
from bot.store.tinydb.store import TinyStore
from tests.test_store_journal import state

PEOPLE_FILES = ("subscribers", "outbox", "push_texts", "deliveries")


def filled(data_dir: Path) -> TinyStore:
    """A store with a subscriber and a pending push in its table files, and one more of each in the journals only."""
    store = TinyStore(data_dir)
    store.save_subscribers([Subscriber(chat_id=1, next_due_at=10.0)])
    store.enqueue_pushes([Push(id="1:d:0", chat_id=1, text="<b>one</b>", digest_key="d", created_at=1.0)])
    store.compact()
    store.save_subscribers([Subscriber(chat_id=2, next_due_at=20.0, themes=("oas",))])
    store.enqueue_pushes([Push(id="2:d:0", chat_id=2, text="<b>two</b>", digest_key="d", created_at=2.0)])
    store.set_meta("counter", 7)
    return store


def killed_copy(store: TinyStore, dest: Path) -> Path:
    """The files of an idle `store` as they are now, as if its process had been killed (not opened)."""
    with store._lock:
        shutil.copytree(store.data_dir, dest)
    return dest


def people_bytes(data_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for name in PEOPLE_FILES for path in data_dir.glob(f"{name}.*")}


def test_a_deferred_store_reads_subscribers_and_pushes_at_their_first_use(tmp_path):
    source = filled(tmp_path / "source")
    crashed = killed_copy(source, tmp_path / "crashed")   # the journals hold writes nobody compacted
    expected = state(source)
    source.close()
    lazy = TinyStore(crashed, defer_people=True)
    assert lazy._people_loaded is None
    assert lazy.get_meta("counter") == 7     # meta and articles are read at open
    assert lazy.get_subscriber(2) == Subscriber(chat_id=2, next_due_at=20.0, themes=("oas",))
    assert [s.chat_id for s in lazy.due_subscribers(15.0)] == [1]
    assert state(lazy) == expected
    lazy.close()


def test_the_deferred_tables_stay_untouched_until_used_and_a_crash_before_loses_nothing(tmp_path):
    store = filled(tmp_path / "data")
    expected = state(store)
    crashed = killed_copy(store, tmp_path / "crashed")   # some writes only in the journals
    store.close()
    before = people_bytes(crashed)
    assert any(name.endswith(".journal") and len(data) > 64 for name, data in before.items())
    lazy = TinyStore(tmp_path / "crashed", defer_people=True)
    lazy.set_meta("other", 1)
    lazy.close()     # never used: its journals are neither replayed nor emptied
    assert people_bytes(tmp_path / "crashed") == before
    reopened = TinyStore(tmp_path / "crashed")
    assert state(reopened) == expected
    reopened.close()


def test_commands_that_read_while_the_warm_up_runs_get_what_is_stored(tmp_path):
    filled(tmp_path / "data").close()
    for _ in range(5):
        lazy = TinyStore(tmp_path / "data", defer_people=True)
        warm = threading.Thread(target=lazy.warm_up)
        warm.start()
        seen = [lazy.get_subscriber(1), lazy.get_subscriber(2)]
        lazy.save_subscriber(Subscriber(chat_id=3))
        warm.join()
        assert [s is not None for s in seen] == [True, True]
        assert {s.chat_id for s in lazy.all_subscribers()} == {1, 2, 3}
        lazy.close()
    assert TinyStore(tmp_path / "data").get_subscriber(3) == Subscriber(chat_id=3)


def test_a_broken_subscriber_file_is_named_at_first_use_and_the_store_still_closes(tmp_path):
    filled(tmp_path / "data").close()
    (tmp_path / "data" / "subscribers.json").write_text('{"subscribers": {"1": [1, "oops"')
    lazy = TinyStore(tmp_path / "data", defer_people=True)
    assert lazy.get_meta("counter") == 7
    for _ in range(2):    # the same clear answer again, not a half-open table
        with pytest.raises(StoreError, match="subscribers.json"):
            lazy.get_subscriber(1)
    with pytest.raises(StoreError, match="subscribers.json"):
        lazy.warm_up()
    lazy.close()
    with pytest.raises(StoreError, match="subscribers.json"):
        TinyStore(tmp_path / "data")


def test_warm_up_after_close_reads_nothing(tmp_path):
    filled(tmp_path / "data").close()
    lazy = TinyStore(tmp_path / "data", defer_people=True)
    lazy.close()
    lazy.warm_up()
    assert lazy._people_loaded is None
    with pytest.raises(StoreError, match="closed"):
        lazy.get_subscriber(1)
