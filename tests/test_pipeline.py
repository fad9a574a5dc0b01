"""Properties of the whole pipeline: every file becomes an article or a clear rejection,
and no article is lost between the store, the stories and the rendered digest."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from bot.digest.catalog import Catalog
from bot.digest.compose import latest_digest
from bot.library.ingest import run_ingest
from bot.digest.render import render_html, render_text
from bot.sources.seeds import article_id
from bot.store.tinydb.store import TinyStore
from bot.library.theme_files import load_themes
from bot.digest.ids import short_story_id
from tests.support.telegram_html import parse_telegram_html
from tests.support.paths import DIGESTS, SEEDS

THEMES, _ = load_themes(DIGESTS)
SEED_LINES = [line for path in sorted(SEEDS.glob("*.txt"))
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

page_text = st.one_of(
    st.lists(st.sampled_from(SEED_LINES), min_size=1, max_size=25).map("\n\n".join),
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
files = st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), page_text, min_size=1, max_size=5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files)
def test_every_file_becomes_an_article_or_a_named_rejection_and_no_article_is_lost(pages):
    with tempfile.TemporaryDirectory() as tmp:
        seeds, data = Path(tmp, "seeds"), Path(tmp, "data")
        seeds.mkdir()
        for name, text in pages.items():
            (seeds / f"{name}.txt").write_text(text, encoding="utf-8")
        store = TinyStore(data)
        report = run_ingest(store, seeds, THEMES, workers=1)
        rejected = {r.path for r in report.rejected}
        assert all(r.reason.strip() for r in report.rejected)
        assert set(report.added) | {article_id(p) for p in rejected} == set(pages)
        stored = {a.id for a in store.all_articles()}
        assert stored == set(report.added)
        store.close()

        catalog = Catalog.build(TinyStore(data).all_articles(), THEMES)
        assert {a.id for s in catalog.stories for a in s.articles} == stored
        digest = latest_digest(catalog, "en", limit=len(catalog.stories) or 1)
        text = render_text(digest)
        parts = render_html(digest)
        for part in parts:
            parse_telegram_html(part)
        for story in catalog.stories:
            assert f"/story {story.id}" in text
            assert any(short_story_id(story.id) in part for part in parts)
