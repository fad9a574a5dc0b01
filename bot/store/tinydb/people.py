"""The tables about chats, which `TinyStore(defer_people=True)` reads at their first use, not at
open: subscribers (kept as models, with their due index) and the outbox."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, cast

from bot.models import Subscriber
from bot.store.tinydb.due_index import DueIndex
from bot.store.tinydb.files import Compaction, KeyedDB, KeyedTable, RecordCodec, open_table
from bot.store.tinydb.outbox import Outbox

logger = logging.getLogger(__name__)



@dataclass
class People:
    db: KeyedDB                          # subscribers.json
    table: KeyedTable
    subscribers: dict[int, Subscriber]   # chat id -> the table's own models
    due: DueIndex
    outbox: Outbox


def open_people(data_dir: Path, compaction: Compaction, clock: Callable[[], float], delivery_retention: float,
                codec: RecordCodec) -> People:
    """Read subscribers.json and the outbox's files (with their journals); nothing stays open on an error."""
    db, table = open_table(data_dir / "subscribers.json", "subscribers",
                           compaction.past_own_size(), codec)   # a due pass saves every due subscriber
    try:
        subscribers = {s.chat_id: s for s in cast(Mapping[str, Subscriber], table.docs()).values()}
        outbox = Outbox(data_dir, clock, delivery_retention, compaction)
    except BaseException:
        db.close()
        raise
    return People(db, table, subscribers, DueIndex(subscribers.values()), outbox)
