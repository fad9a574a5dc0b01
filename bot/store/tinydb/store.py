"""`TinyStore`: the bot's state in TinyDB, one crash-safe JSON file per table.

Files under data_dir: articles.json, subscribers.json, meta.json, and the outbox's
outbox.json, push_texts.json, deliveries.json (see `bot.store.tinydb.outbox`), each with its
append-only journal (`articles.journal`, ...; see `bot.store.tinydb.files`). Every file is
read once at open (or, `defer_people=True`, subscribers and the outbox at their first use or
`warm_up`, see `TinyStore`); reads come from memory; every write method does one journal
append (one fsync) per file it touches, of the records it changed, and is durable
when it returns. One lock serialises all methods, so
the asyncio thread and an ingest worker thread can share a store.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Mapping, cast

from bot.errors import StoreError
from bot.models import Article, OutgoingDigest, Push, Subscriber
from bot.store.api import SCHEMA_VERSION
from bot.store.codec import article_from_doc, article_to_doc, subscriber_from_row, subscriber_row
from bot.store.tinydb.digests import prepare_digests
from bot.store.tinydb.due_index import DueIndex
from bot.store.tinydb.files import Compaction, KeyedDB, KeyedTable, RecordCodec, open_table
from bot.store.tinydb.sealed import remove_stale_temp_files
from bot.store.tinydb.journal import encode_record
from bot.store.tinydb.lock import WriterLock
from bot.store.tinydb.outbox import Outbox, check_statuses, prepare_pushes
from bot.store.tinydb.people import People, open_people

logger = logging.getLogger(__name__)

DELIVERY_RETENTION = 14 * 86400.0   # seconds a delivery record (and a failed push) is kept
ARTICLE_CODEC = RecordCodec(article_to_doc, article_from_doc, "article")
SUBSCRIBER_CODEC = RecordCodec(subscriber_row, subscriber_from_row, "subscriber",   # rows since schema 4
                               is_outdated=lambda doc: type(doc) is dict, whole_table=True,
                               reuse_members=True)


def _private_directory(path: Path) -> None:
    """Create the data directory 0700, or tighten an existing one we own: it holds chat ids."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777
        if mode & 0o077 and path.stat().st_uid == os.getuid():
            os.chmod(path, 0o700)
            logger.info("data directory %s was readable by others (%o); now 0700", path, mode)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {path}: {exc.strerror}") from exc


class TinyStore:
    """Implements `bot.store.api.Store` on TinyDB (see the module doc).

    `defer_people`: meta and articles are read at open; subscribers and the outbox (1.4 s of
    CPU at 100,000 subscribers) at their first use, or by `warm_up` (`digestbot run` calls it
    right after polling starts). A method that needs them waits until they are read (no write
    goes to a table that is not loaded); until then their files and journals are untouched, so a
    crash loses nothing. A broken file raises its StoreError at that first use instead of at open.
    """

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time,
                 delivery_retention: float = DELIVERY_RETENTION, compaction: Compaction = Compaction(),
                 defer_people: bool = False):
        self.data_dir = Path(data_dir)
        self._lock = threading.RLock()
        self._people_lock = threading.Lock()   # taken after self._lock, never before it
        self._people_loaded: People | None = None
        self._closed = False
        self._clock, self._delivery_retention = clock, delivery_retention
        _private_directory(self.data_dir)
        self._writer = WriterLock(self.data_dir)
        self._writer.acquire()          # one writer per DATA_DIR (see bot.store.tinydb.lock)
        try:
            self._open_tables(compaction)
            if not defer_people:
                self._people()
        except BaseException:
            self._writer.release()
            raise

    def _open_tables(self, compaction: Compaction) -> None:
        remove_stale_temp_files(self.data_dir)
        self._dbs: list[KeyedDB] = []
        self._compaction = compaction
        self._meta = self._open("meta")
        self._check_schema()
        # articles and subscribers are kept once, as models (the table's own memory): not as
        # documents beside them
        self._articles_table = self._open("articles", ARTICLE_CODEC)
        logger.info("store opened: %d articles", len(self._articles))

    def warm_up(self) -> None:
        """Read the deferred tables now (blocking: call it in a thread), unless closed."""
        with self._people_lock:
            if not self._closed:
                self._people_unlocked()

    def _people(self) -> People:
        people = self._people_loaded
        if people is None:
            with self._people_lock:
                people = self._people_unlocked()
        return people

    def _people_unlocked(self) -> People:
        if self._people_loaded is None:
            self._people_loaded = open_people(self.data_dir, self._compaction, self._clock,
                                              self._delivery_retention, SUBSCRIBER_CODEC)
            logger.info("store opened: %d subscribers", len(self._people_loaded.subscribers))
        return self._people_loaded

    @property
    def _subscribers_table(self) -> KeyedTable:
        return self._people().table

    @property
    def _subscribers(self) -> dict[int, Subscriber]:
        return self._people().subscribers

    @property
    def _due(self) -> DueIndex:
        return self._people().due

    @property
    def _outbox(self) -> Outbox:
        return self._people().outbox

    @property
    def _articles(self) -> Mapping[str, Article]:
        return cast(Mapping[str, Article], self._articles_table.docs())

    def _open(self, name: str, codec: RecordCodec | None = None):
        db, table = open_table(self.data_dir / f"{name}.json", name, self._compaction, codec)
        self._dbs.append(db)
        return table

    def _check_schema(self) -> None:
        stored = self._meta.docs().get("schema_version", {}).get("value")
        if stored is None or (isinstance(stored, int) and stored < SCHEMA_VERSION):
            self._meta.apply({"schema_version": {"value": SCHEMA_VERSION}})   # older files are read as they are
        elif not isinstance(stored, int) or stored > SCHEMA_VERSION:
            raise StoreError(
                f"{self.data_dir} holds data of schema version {stored}, newer than this bot "
                f"understands ({SCHEMA_VERSION}); upgrade the bot, or set DATA_DIR to another directory")

    def _guard(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    # -- articles --------------------------------------------------------------

    def all_articles(self, include_retired: bool = False) -> list[Article]:
        with self._lock:
            self._guard()
            return [a for a in self._articles.values() if include_retired or not a.is_retired]

    def get_article(self, article_id: str) -> Article | None:
        with self._lock:
            self._guard()
            return self._articles.get(article_id)

    def save_articles(self, articles: Iterable[Article]) -> None:
        with self._lock:
            self._guard()
            batch = {a.id: a for a in articles}
            if batch:
                self._articles_table.apply(batch)
                logger.info("saved %d articles", len(batch))


    # -- subscribers -----------------------------------------------------------

    def get_subscriber(self, chat_id: int) -> Subscriber | None:
        with self._lock:
            self._guard()
            return self._subscribers.get(chat_id)

    def save_subscriber(self, subscriber: Subscriber) -> None:
        self.save_subscribers([subscriber])

    def save_subscribers(self, subscribers: Iterable[Subscriber]) -> None:
        batch = {s.chat_id: s for s in subscribers}
        batch_by_key = {str(key): s for key, s in batch.items()}
        # encoded outside the lock (readers go on meanwhile): a due-pass slice of 250 takes ~1.5 ms
        docs = {key: encode_record(key, subscriber_row(s)) for key, s in batch_by_key.items()}
        with self._lock:
            self._guard()
            if batch:
                self._subscribers_table.apply(batch_by_key, docs=docs)
                self._subscribers.update(batch)
                self._due.update(batch.values())

    def all_subscribers(self, active_only: bool = True) -> list[Subscriber]:
        with self._lock:
            self._guard()
            return [s for s in self._subscribers.values() if s.is_active or not active_only]

    def move_subscriber(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription, pending pushes and deliveries follow."""
        with self._lock:
            self._guard()
            if old_chat_id == new_chat_id:
                return
            self._outbox.move_chat(old_chat_id, new_chat_id)
            old = self._subscribers.get(old_chat_id)
            if old is None:
                return
            chat_type = "supergroup" if old.chat_type == "group" else old.chat_type
            moved = replace(old, chat_id=new_chat_id, chat_type=chat_type)
            self._subscribers_table.apply({str(new_chat_id): moved}, [str(old_chat_id)])
            del self._subscribers[old_chat_id]
            self._subscribers[new_chat_id] = moved
            self._due.remove(old_chat_id)
            self._due.update([moved])
            logger.info("moved subscriber %s to %s", old_chat_id, new_chat_id)

    def due_subscribers(self, now: float, limit: int = 1000) -> list[Subscriber]:
        with self._lock:
            self._guard()
            return [self._subscribers[chat_id] for chat_id in self._due.due(now, limit)]

    # -- outbox ----------------------------------------------------------------

    def enqueue_pushes(self, pushes: Iterable[Push]) -> int:
        pushes = list(pushes)
        check_statuses(pushes)
        prepared = prepare_pushes(pushes)   # hashed and encoded outside the lock: readers go on
        with self._lock:
            self._guard()
            return self._outbox.enqueue(pushes, prepared)

    def enqueue_digests(self, digests: Iterable[OutgoingDigest]) -> int:
        prepared = prepare_digests(digests)   # hashed and encoded outside the lock: readers go on
        with self._lock:
            self._guard()
            return self._outbox.enqueue_digests(prepared)

    def pending_pushes(self, now: float, limit: int) -> list[Push]:
        with self._lock:
            self._guard()
            return self._outbox.pending(now, limit)

    def update_pushes(self, pushes: Iterable[Push]) -> None:
        pushes = list(pushes)
        check_statuses(pushes)
        with self._lock:
            self._guard()
            self._outbox.update(pushes)

    def drop_pushes_for(self, chat_id: int, reason: str) -> int:
        with self._lock:
            self._guard()
            return self._outbox.drop_for(chat_id, reason)

    def push_counts(self) -> dict[str, int]:
        with self._lock:
            self._guard()
            return self._outbox.counts()

    # -- meta ------------------------------------------------------------------

    def get_meta(self, key: str, default: object = None) -> object:
        with self._lock:
            self._guard()
            doc = self._meta.get(doc_id=key)
            return default if doc is None else json.loads(json.dumps(doc["value"]))

    def set_meta(self, key: str, value: object) -> None:
        try:
            value = json.loads(json.dumps(value))   # stored as JSON: what a reload returns
        except (TypeError, ValueError) as exc:
            raise StoreError(f"meta value for {key!r} is not JSON-serializable: {exc}") from exc
        with self._lock:
            self._guard()
            self._meta.apply({key: {"value": value}})

    def write_counts(self) -> dict[str, int]:
        """File name -> acknowledged writes (journal appends) since the store was opened (diagnostics)."""
        with self._lock:
            return {db.storage.path.name: db.storage.writes for db in self._all_dbs()}

    def compact(self) -> None:
        """Rewrite every table file that has a journal, the way a due compaction does: a snapshot
        and the journal moved aside under the lock, the file written from the snapshot outside it.
        One file after the other, each under the lock on its own: a command waits for one file's
        snapshot, not all of them, and a journal is moved aside while no other file of this store is
        being written (its directory fsync comes after the lock, see `Journal.rotate`)."""
        with self._lock:
            self._guard()
            dbs = self._all_dbs()
        for db in dbs:
            with self._lock:
                self._guard()
                thread = db.storage.compact_in_background()
            if thread is not None:
                thread.join()

    def compaction_counts(self) -> dict[str, int]:
        """File name -> how many times it was rewritten from its journal since the store was opened
        (after any compaction running in the background has finished)."""
        with self._lock:
            for db in self._all_dbs():
                db.storage.wait_for_compaction()
            return {db.storage.path.name: db.storage.compactions for db in self._all_dbs()}

    def disk_trouble(self) -> str:
        """What keeps failing when the store writes its files (a full disk), "" when all is well."""
        with self._lock:
            return next((db.storage.backoff.problem for db in self._all_dbs() if db.storage.backoff.problem), "")

    def _all_dbs(self) -> list:
        """The open table files (deferred ones once they are read)."""
        people = self._people_loaded
        return self._dbs + ([] if people is None else [people.db, *people.outbox.dbs])

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                with self._people_lock:    # a warm-up running in a thread finishes first
                    people = self._people_loaded
                    if people is not None:
                        people.outbox.close()
                        people.db.close()
                for db in self._dbs:
                    db.close()
            finally:
                self._writer.release()
