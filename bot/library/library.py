"""The run-time holder of the current themes and Catalog, shared by the bot and the CLI.

`catalog` and `themes` are plain attribute reads (the objects are immutable and
swapped whole), so handlers on the event loop never wait. `ingest_and_rebuild`
is blocking: run it in a thread (`await asyncio.to_thread(library.ingest_and_rebuild)`).
"""
from __future__ import annotations

import logging
import threading
from types import ModuleType
from typing import Callable, Sequence

import httpx

from bot.digest.catalog import Catalog
from bot.config import Settings
from bot.heap import freeze_survivors
from bot.models import IngestReport, Theme
from bot.sources.config import Source, load_sources
from bot.sources.state import FetchReport
from bot.store.api import ARTICLES_VERSION_KEY, Store
from bot.library.saved_catalog import catalog_fingerprint, load_catalog, save_catalog
from bot.library.theme_files import THEMES_META_KEY, load_themes, themes_fingerprint, themes_signature

logger = logging.getLogger(__name__)

Listener = Callable[[IngestReport, Catalog], object]


class Library:
    """Themes from digests/, articles from the store, and the Catalog built from both."""

    def __init__(self, settings: Settings, store: Store, *, defer_build: bool = False):
        """Load the themes and the catalog: the saved one when nothing changed since it was built,
        else a new build now, or (`defer_build`, for `digestbot run`) an empty catalog until
        `ingest_and_rebuild` builds it in the background (`is_ready` says which)."""
        self.settings = settings
        self.store = store
        self._ingest_lock = threading.Lock()     # two ingests never overlap
        self._fetch_lock = threading.Lock()      # two fetch passes never overlap
        self._swap_lock = threading.RLock()      # themes and catalog change together
        self._listeners: list[Listener] = []
        self.problems: list[str] = []
        self.themes: list[Theme] = []
        self.catalog: Catalog = Catalog.build([], [])
        self._signature: tuple = ()
        self._articles_version: object = None   # the shared store's articles version the catalog was built at
        self.is_ready = False    # the catalog holds every stored article (due passes wait for it)
        with self._swap_lock:
            self._load_themes()
            if self._load_saved():
                if not defer_build:
                    self.catalog = self.catalog.with_search_index()
            else:
                if defer_build:   # the themes now (menus, theme commands); their stories once built
                    self.catalog = Catalog.build([], self.themes)
                else:
                    self._rebuild()

    def add_listener(self, fn: Listener) -> None:
        """Call `fn(report, catalog)` after every ingest (in the ingest's thread)."""
        self._listeners.append(fn)

    def themes_changed(self) -> bool:
        """Whether a theme file was added, changed or removed since the last load (cheap)."""
        return themes_signature(self.settings.digests_dir) != self._signature

    def refresh_themes_if_changed(self) -> bool:
        """Reload digests/ when a theme file was added, changed or removed; True when it did.

        Unchanged, this is one directory listing and a stat per file.
        """
        if not self.themes_changed():
            return False
        with self._swap_lock:
            if not self.themes_changed():
                return False
            self._load_themes()
            self._rebuild()
        return True

    def ingest_and_rebuild(self) -> IngestReport:
        """Ingest seeds/, swap in the new catalog, then tell the listeners. Blocking."""
        with self._ingest_lock:
            self.refresh_themes_if_changed()
            report = _intake().run_ingest(self.store, self.settings.seeds_dir, self.themes,
                                max_bytes=self.settings.max_seed_bytes)
            if report.added or report.updated or report.retired or not self.is_ready:
                with self._swap_lock:
                    self._rebuild()
            elif not self.catalog.is_searchable:   # a saved catalog at start-up: its search index now
                catalog = self.catalog.with_search_index()
                with self._swap_lock:
                    if self.catalog.stories is catalog.stories:
                        self.catalog = catalog
            self._tell_listeners(report)
            return report

    def fetch_and_rebuild(self, sources: Sequence[Source] | None = None, *, force: bool = False,
                          transport: httpx.AsyncBaseTransport | None = None) -> FetchReport:
        """Poll the live sources (SOURCES_FILE), store what is new, swap in the catalog, tell the listeners.

        Blocking (call it in a thread). The HTTP part runs without the ingest lock, so a
        /reload is not kept waiting by a slow source; storing runs under it.
        """
        sources = load_sources(self.settings.sources_file) if sources is None else sources
        if not sources:
            return FetchReport()
        with self._fetch_lock:
            gathered = _intake().poll_sources(self.store, sources, self.settings, force=force, transport=transport)
            with self._ingest_lock:
                self.refresh_themes_if_changed()
                report = _intake().store_fetched(self.store, gathered, self.themes, self.settings)
                if report.added or report.updated or report.retired:
                    with self._swap_lock:
                        self._rebuild()
                    self._tell_listeners(report.as_ingest_report())
            return report

    def _tell_listeners(self, report: IngestReport) -> None:
        catalog = self.catalog
        for listener in list(self._listeners):
            try:
                listener(report, catalog)
            except Exception:   # one failing listener must not hide the report from the others
                logger.exception("ingest listener %s failed", getattr(listener, "__qualname__", listener))

    def _load_themes(self) -> None:
        self._signature = themes_signature(self.settings.digests_dir)
        themes, problems = load_themes(self.settings.digests_dir)
        self.problems = problems
        self.themes = themes
        for problem in problems:
            logger.warning("theme file problem: %s", problem)

    def rebuild_if_store_changed(self) -> bool:
        """Rebuild when another process wrote articles to a shared store (its articles version moved). Blocking.

        A store only this process writes keeps no version: this is one meta read, and False.
        A process that does not ingest (a web, scheduler or sender role) builds its first catalog here.
        """
        if self.is_ready and self.store.get_meta(ARTICLES_VERSION_KEY) == self._articles_version:
            return False
        with self._swap_lock:
            self._rebuild()
        return True

    def _rebuild(self) -> None:
        """A new catalog from the store's live articles, matched against the current themes."""
        self._articles_version = self.store.get_meta(ARTICLES_VERSION_KEY)
        themes = self.themes
        articles = self.store.all_articles()
        if self.store.get_meta(THEMES_META_KEY) != themes_fingerprint(themes):
            articles = _intake().rematch_themes(articles, themes)    # in memory; the next ingest stores it
            self.catalog = Catalog.build(articles, themes)
        else:   # only the stories the changed articles reach are grouped again
            self.catalog = self.catalog.update(articles, themes)
        self.is_ready = True
        freeze_survivors()   # the new catalog is long-lived: keep full collections short (see bot.heap)
        logger.info("catalog: %d articles, %d stories, %d themes",
                    self.catalog.article_count, len(self.catalog.stories), len(themes))
        save_catalog(self.settings.data_dir, catalog_fingerprint(articles, themes), self.catalog)

    def _load_saved(self) -> bool:
        """Use the saved catalog when it was built from exactly the stored articles and these themes."""
        if self.store.get_meta(THEMES_META_KEY) != themes_fingerprint(self.themes):
            return False
        version = self.store.get_meta(ARTICLES_VERSION_KEY)
        articles = self.store.all_articles()
        catalog = load_catalog(self.settings.data_dir, catalog_fingerprint(articles, self.themes),
                               articles, self.themes)
        if catalog is None:
            return False
        self.catalog, self.is_ready, self._articles_version = catalog, True, version
        logger.info("catalog: %d articles, %d stories (saved, nothing changed)",
                    catalog.article_count, len(catalog.stories))
        return True



def _intake() -> ModuleType:
    """`bot.library.intake`, imported the first time it is used (the one deferred import of the
    library, named in tests/test_architecture.py): ingest, fetch and theme re-matching load the
    extraction and key-point stack (~0.8 s of imports), which `digestbot run` needs only after its
    first poll, when the start-up ingest runs in the background."""
    from bot.library import intake
    return intake
