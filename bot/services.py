"""What the Telegram adapter, the scheduler and the sender share at run time."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from bot.config import Settings
from bot.library.library import Library
from bot.store.api import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], float] = field(default=time.time)
