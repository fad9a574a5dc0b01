"""The tables about chats, which `TinyStore(defer_people=True)` reads at their first use, not at
open: subscribers (kept as models, with their due index) and the outbox."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, cast

from bot.models import Subscriber
from bot.store.tinydb.due_index import DueIndex
from bot.store.tinydb.files import Compaction, KeyedDB, KeyedTable, RecordCodec, open_table
from bot.store.tinydb.outbox import Outbox

logger = logging.getLogger(__name__)

# A due pass saves every due subscriber: at a quarter of the table, one that advances them all rewrote the
# whole file 3-4 times (3.4 of 6.3 s of CPU at 100,000). Past the table's own size, about once a pass; the
# journal read at open is at most as long as the table file (plus one moved aside, if a rewrite was running).
SUBSCRIBERS_RATIO_SCALE = 4.0


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
                           replace(compaction, ratio=compaction.ratio * SUBSCRIBERS_RATIO_SCALE), codec)
    try:
        subscribers = {s.chat_id: s for s in cast(Mapping[str, Subscriber], table.docs()).values()}
        outbox = Outbox(data_dir, clock, delivery_retention, compaction)
    except BaseException:
        db.close()
        raise
    return People(db, table, subscribers, DueIndex(subscribers.values()), outbox)
