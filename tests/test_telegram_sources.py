"""The bot and the live sources: the poll job off the event loop, /sources, the once-a-day alert, instant pushes."""
from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.models import Subscriber
from tests.conftest import ADMIN_ID, CliDirs, start_harness, stop_harness, telegram_settings
from tests.support.feedserver import FeedServer, Item, article_page, rss

FIXTURE_THEMES = Path(__file__).resolve().parent / "data" / "fetch" / "digests"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def dirs(tmp_path) -> CliDirs:
    made = CliDirs(data=tmp_path / "data", seeds=tmp_path / "seeds", digests=tmp_path / "digests")
    made.seeds.mkdir()
    shutil.copytree(FIXTURE_THEMES, made.digests)
    return made


def write_sources(path: Path, sources: dict[str, str]) -> None:
    path.write_text("".join(f'[[source]]\nname = "{name}"\nurl = "{url}"\n\n' for name, url in sources.items()),
                    encoding="utf-8")


async def harness_for(dirs: CliDirs, sources: dict[str, str], **settings):
    sources_file = dirs.data.parent / "sources.toml"
    write_sources(sources_file, sources)
    return await start_harness(telegram_settings(dirs, sources_file=sources_file, fetch_timeout_seconds=2.0,
                                                 fetch_total_seconds=20.0, **settings))


def serve_feed(server: FeedServer, path: str, numbers: list[int], gate: threading.Event | None = None) -> str:
    for n in numbers:
        server.route(f"/a/{n}", article_page(n))
    items = [Item(f"Story {n}", server.url(f"/a/{n}"), published=time.time() - n * 60) for n in numbers]
    server.route(path, rss(items), content_type="application/rss+xml", gate=gate)
    return server.url(path)


def fetch_job(harness):
    return harness.app.job_queue.get_jobs_by_name("fetch_sources")[0]


async def test_the_bot_answers_a_command_while_a_fetch_runs(server, dirs):
    gate = threading.Event()
    harness = await harness_for(dirs, {"slow": serve_feed(server, "/slow.xml", [1, 2], gate=gate)})
    try:
        fetching = asyncio.create_task(fetch_job(harness).run(harness.app))
        while not server.requests_to("/slow.xml"):           # the fetch is waiting on the server now
            await asyncio.sleep(0.01)
        replies = await harness.send("/start")
        assert replies and "Diplomacy Digest" in replies[0].text
        assert not fetching.done()
        gate.set()
        await fetching
        assert len(harness.services.store.all_articles()) == 2
        assert harness.services.library.catalog.article_count == 2
    finally:
        gate.set()
        await stop_harness(harness)
    assert harness.errors == []


async def test_sources_shows_each_source_to_admins_only(server, dirs):
    server.route("/down.xml", "", status=500)
    harness = await harness_for(dirs, {"wire": serve_feed(server, "/wire.xml", [1, 2, 3]),
                                       "down": server.url("/down.xml")})
    try:
        await fetch_job(harness).run(harness.app)
        replies = await harness.send("/sources", user_id=ADMIN_ID)
        text = replies[0].text
        assert "<b>wire</b> [feed] · 3 articles · last success 20" in text
        assert "<b>down</b> [feed] · 0 articles · last success never" in text and "✗ HTTP 500" in text
        refused = await harness.send("/sources", user_id=12345)
        assert "not allowed" in refused[0].text and "wire" not in refused[0].text
    finally:
        await stop_harness(harness)
    assert harness.errors == []


async def test_a_source_failing_for_a_day_is_reported_to_the_admins_once(server, dirs):
    server.route("/down.xml", "", status=503)
    harness = await harness_for(dirs, {"down": server.url("/down.xml")},
                                source_alert_hours=0.0, fetch_interval_minutes=0.0)
    try:
        for _ in range(3):
            await fetch_job(harness).run(harness.app)
        alerts = [c for c in harness.transport.of("sendMessage") if "failing" in c.text]
        assert len(server.requests_to("/down.xml")) == 3
        assert len(alerts) == 1 and int(alerts[0].params["chat_id"]) == ADMIN_ID and "HTTP 503" in alerts[0].text
    finally:
        await stop_harness(harness)
    assert harness.errors == []


async def test_new_fetched_stories_reach_instant_subscribers_at_once(server, dirs):
    harness = await harness_for(dirs, {"wire": serve_feed(server, "/wire.xml", [1, 2])})
    try:
        store = harness.services.store
        store.save_subscriber(Subscriber(chat_id=555, themes=("blocs",), frequency="instant",
                                         next_due_at=float("inf")))
        await fetch_job(harness).run(harness.app)
        pushes = [p for p in store.pending_pushes(time.time() + 1, 50) if p.chat_id == 555]
        assert pushes and "<b>Story " in pushes[0].text and pushes[0].digest_key.startswith("instant-")
    finally:
        await stop_harness(harness)
    assert harness.errors == []


async def test_no_sources_file_means_no_fetch_and_no_error(dirs):
    harness = await start_harness(telegram_settings(dirs))
    try:
        await fetch_job(harness).run(harness.app)
        replies = await harness.send("/sources", user_id=ADMIN_ID)
        assert "No live sources" in replies[0].text
    finally:
        await stop_harness(harness)
    assert harness.errors == []
