"""The saved catalog: a restart with nothing changed serves the last build's stories at once;
any change, or a damaged file, means a build (never stale stories)."""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.library.ingest import THEMES_META_KEY, themes_fingerprint
from bot.library.library import Library
from bot.library.saved_catalog import CACHE_NAME
from bot.library.theme_files import load_themes
from bot.store.tinydb.store import TinyStore
from tests.support.factories import make_article

THEME = '''command = "oas"
terms = ["OAS", "OEA"]
[title]
en = "OAS"
es = "OEA"
'''


def shape(catalog) -> list:
    return list(catalog.stories)   # every field of every story (its articles are the store's own)


@pytest.fixture
def settings(tmp_path) -> Settings:
    (tmp_path / "digests").mkdir()
    (tmp_path / "digests" / "oas.toml").write_text(THEME, encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    return Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds", digests_dir=tmp_path / "digests")


@pytest.fixture
def store(settings):
    opened = TinyStore(settings.data_dir)
    opened.save_articles(
        make_article(f"a{n}", title=f"OAS assembly {n % 3} votes on Venezuela", themes=("oas",),
                     body=f"The OAS general assembly {n % 3} met in Lima. Ministers voted on Venezuela {n % 3}.",
                     key_points=(f"The OAS assembly {n % 3} voted on Venezuela.",), published=f"2024-05-0{1 + n % 3}",
                     outlet=f"Outlet {n}", first_seen=1000.0 + n)
        for n in range(9))
    opened.set_meta(THEMES_META_KEY, themes_fingerprint(load_themes(settings.digests_dir)[0]))
    yield opened
    opened.close()


def test_a_restart_with_nothing_changed_serves_the_saved_catalog_without_building(settings, store, caplog):
    built = Library(settings, store)
    assert (settings.data_dir / CACHE_NAME).exists() and built.is_ready
    with caplog.at_level(logging.INFO, logger="bot.library"):
        restarted = Library(settings, store, defer_build=True)   # digestbot run: the search index comes later
    assert restarted.is_ready and not restarted.catalog.is_searchable
    assert shape(restarted.catalog) == shape(built.catalog) and len(built.catalog.stories) >= 1
    assert restarted.catalog.stories_for("oas") and not restarted.catalog.search("venezuela")
    searchable = restarted.catalog.with_search_index()
    assert searchable.search("venezuela") == built.catalog.search("venezuela") != []
    assert "saved, nothing changed" in caplog.text
    assert Library(settings, store).catalog.search("venezuela") == built.catalog.search("venezuela")


def test_a_changed_article_makes_the_saved_catalog_stale(settings, store):
    Library(settings, store)
    changed = replace(store.get_article("a4"), title="OAS assembly 1 elects a new secretary", content_hash="new")
    store.save_articles([changed])
    deferred = Library(settings, store, defer_build=True)
    assert not deferred.is_ready and deferred.catalog.article_count == 0   # built by the first ingest instead
    rebuilt = Library(settings, store)
    assert rebuilt.is_ready
    assert any(a.title.endswith("new secretary") for a in rebuilt.catalog.story("a4").articles)


def test_a_damaged_saved_catalog_is_built_again_not_trusted(settings, store, caplog):
    first = shape(Library(settings, store).catalog)
    (settings.data_dir / CACHE_NAME).write_text('{"fingerprint": ', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.library"):
        again = Library(settings, store)
    assert shape(again.catalog) == first
    assert "cannot read the saved catalog" in caplog.text
