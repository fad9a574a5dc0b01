"""Sender outcomes not yet in the store, and the one flush that writes them.

A flush runs in a worker thread. Moves go first: `move_subscriber` renames the
pushes of a migrated chat, and the outcomes that follow already use the new ids.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from bot.models import Push
from bot.store.api import Store


@dataclass
class Outcomes:
    pushes: dict[str, Push] = field(default_factory=dict)   # id -> latest state (sent, failed, retry ...)
    moves: list[tuple[int, int]] = field(default_factory=list)   # (old chat id, new chat id)
    gone: dict[int, str] = field(default_factory=dict)       # chat id -> why it is unavailable

    def __bool__(self) -> bool:
        return bool(self.pushes or self.moves or self.gone)

    def sent_count(self) -> int:
        return sum(1 for push in self.pushes.values() if push.status == "sent")

    def merged_with(self, newer: "Outcomes") -> "Outcomes":
        """These (unwritten) outcomes with `newer` ones on top."""
        return Outcomes({**self.pushes, **newer.pushes}, self.moves + newer.moves, {**self.gone, **newer.gone})


def write_outcomes(store: Store, batch: Outcomes) -> None:
    """One flush: moves, then push states (sent ones become deliveries), then gone chats."""
    for old, new in batch.moves:
        store.move_subscriber(old, new)
    if batch.pushes:
        store.update_pushes(batch.pushes.values())
    if batch.gone:
        now = time.time()
        inactive = [replace(s, is_active=False, paused_at=now, paused_reason=batch.gone[s.chat_id])
                    for s in map(store.get_subscriber, batch.gone) if s is not None and s.is_active]
        if inactive:
            store.save_subscribers(inactive)
        for chat_id, reason in batch.gone.items():
            store.drop_pushes_for(chat_id, reason)
