"""Library: themes from real digests/*.toml, a real TinyStore and real ingests of the repository's seeds."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.library import Library
from bot.store.tinydb.store import TinyStore
from tests.support.paths import DIGESTS, SEEDS

REPO = Path(__file__).resolve().parent.parent
SEED_COUNT = len(list(SEEDS.glob("*.txt")))


@pytest.fixture
def settings(tmp_path) -> Settings:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(DIGESTS, tmp_path / "digests")
    return Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds", digests_dir=tmp_path / "digests")


@pytest.fixture
def store(settings):
    opened = TinyStore(settings.data_dir)
    yield opened
    opened.close()


def test_a_library_over_an_empty_store_has_themes_and_an_empty_catalog(settings, store):
    library = Library(settings, store)
    assert {t.command for t in library.themes} >= {"lima_group", "castillo", "bejar"}
    assert library.catalog.article_count == 0 and library.catalog.theme("castillo") is not None


def test_an_ingest_swaps_in_a_catalog_of_the_new_articles(settings, store):
    library = Library(settings, store)
    empty = library.catalog
    report = library.ingest_and_rebuild()
    assert len(report.added) == SEED_COUNT
    assert library.catalog is not empty and library.catalog.article_count == SEED_COUNT
    assert library.catalog.stories_for("castillo")


def test_a_restarted_library_builds_its_catalog_from_the_store_without_ingesting(settings, store):
    Library(settings, store).ingest_and_rebuild()
    assert Library(settings, store).catalog.article_count == SEED_COUNT


def test_a_new_theme_file_works_the_moment_it_exists(settings, store):
    held = settings.digests_dir / "castillo.toml"
    text = held.read_text()
    held.unlink()
    library = Library(settings, store)
    library.ingest_and_rebuild()
    assert library.catalog.theme("castillo") is None
    assert library.refresh_themes_if_changed() is False
    held.write_text(text)
    assert library.refresh_themes_if_changed() is True
    assert library.catalog.theme("castillo") is not None
    assert library.catalog.stories_for("castillo"), "stored articles are matched to the new theme at once"


def test_a_changed_theme_file_is_noticed_by_its_signature(settings, store):
    library = Library(settings, store)
    path = settings.digests_dir / "oas.toml"
    path.write_text(path.read_text() + "\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert library.themes_changed() is True
    assert library.refresh_themes_if_changed() is True
    assert library.themes_changed() is False


def test_a_broken_theme_file_is_a_problem_not_a_crash(settings, store):
    (settings.digests_dir / "broken.toml").write_text("command = \n")
    library = Library(settings, store)
    assert any("broken.toml" in problem for problem in library.problems)
    assert library.catalog.theme("lima_group") is not None


def test_listeners_get_the_report_and_the_new_catalog_even_if_one_fails(settings, store):
    library = Library(settings, store)
    seen = []

    def failing(report, catalog):
        raise RuntimeError("listener bug")

    library.add_listener(failing)
    library.add_listener(lambda report, catalog: seen.append((report.added, catalog)))
    report = library.ingest_and_rebuild()
    assert seen == [(report.added, library.catalog)]


def test_two_ingests_at_once_run_one_after_the_other(settings, store):
    library = Library(settings, store)
    windows, reports = [], []

    def slow_listener(report, catalog):
        start = time.monotonic()
        time.sleep(0.05)
        windows.append((start, time.monotonic()))

    library.add_listener(slow_listener)
    threads = [threading.Thread(target=lambda: reports.append(library.ingest_and_rebuild())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((len(r.added), len(r.unchanged)) for r in reports) == [(0, SEED_COUNT), (SEED_COUNT, 0)]
    (first_start, first_end), (second_start, _) = sorted(windows)
    assert first_end <= second_start
