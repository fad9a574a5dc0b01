"""A cache of rendered pages: a catalog never changes after it is built, so a page
(theme, offset, language) rendered once stays right until the library swaps catalogs."""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
MAX_PAGES = 2048


class PageCache:
    """Rendered output keyed by what was asked; emptied when the catalog object changes."""

    def __init__(self, limit: int = MAX_PAGES):
        self.limit = limit
        self._catalog: object = None
        self._pages: dict[Hashable, object] = {}

    def get(self, catalog: object, key: Hashable, build: Callable[[], T]) -> T:
        if catalog is not self._catalog:
            self._catalog, self._pages = catalog, {}
        if key not in self._pages:
            if len(self._pages) >= self.limit:
                self._pages.pop(next(iter(self._pages)))
            self._pages[key] = build()
        return self._pages[key]  # type: ignore[return-value]
