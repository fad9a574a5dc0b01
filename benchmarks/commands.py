"""Time to answer each command in-process at 10,000 articles and 10,000 subscribers.

The real PTB Application over the recording transport (no network): each row is
`await app.process_update(update)` for a real Update, p50 and p99 over many runs,
beside the time to build and render the same digest alone (the core's share).
Target: p99 <= 20 ms per command.

    .venv/bin/python benchmarks/commands.py [--articles 10000] [--subscribers 10000] [--runs 200]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.digest import render  # noqa: E402
from bot.digest import compose as digest
from bot.config import Settings  # noqa: E402
from bot.models import Article, KeyPoint, Subscriber  # noqa: E402
from bot.telegram.console import updates  # noqa: E402

WORDS = ("Lima Group Venezuela OAS Peru Castillo Béjar Boluarte CELAC UNASUR Maduro Guaidó "
         "elections sanctions ministers summit declaration withdrawal Bogota Caracas Brasilia "
         "dialogue migrants border trade embassy ambassador resolution vote").split()
FILLER = ("the talks minister said government region week officials meeting statement border trade "
          "president congress vote agreement support crisis negotiations delegation foreign policy").split()
OUTLETS = ("Andina", "El Comercio", "La República", "Reuters", "EFE", "AP", "RPP", "Infobae")


def synthetic_articles(count: int, commands: list[str], rng: random.Random) -> list[Article]:
    articles = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, 6)) + f" {n}"
        points = tuple(KeyPoint(" ".join(rng.sample(WORDS, 12)) + f" ({n}.{k}).") for k in range(4))
        themes = tuple((c, 1.0) for c in rng.sample(commands, 2))
        articles.append(Article(
            id=f"{n // 1000:02d}/{n:05d}", path=f"{n}.txt", content_hash=f"{n:064x}", title=title,
            body=" ".join([p.text for p in points] + rng.choices(FILLER, k=250)), language=rng.choice(("en", "es")), key_points=points,
            themes=themes, published=f"20{rng.randint(18, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            outlet=rng.choice(OUTLETS), url=f"https://news.example/{n}", first_seen=1.6e9 + n))
    return articles


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def build(args, work: Path):
    from bot.services import open_services
    from bot.store.tinydb.store import TinyStore
    from bot.telegram.app import build_application
    from bot.library.theme_files import load_themes
    from tests.support.recording import RecordingRequest

    shutil.copytree(ROOT / "digests", work / "digests")
    (work / "seeds").mkdir()
    settings = Settings(telegram_bot_token="1:BENCH", data_dir=work / "data", seeds_dir=work / "seeds",
                        digests_dir=work / "digests", admin_ids=frozenset({1}),
                        # handler time, not Telegram's pacing: replies share the 25/s flood budget in production
                        send_rate=100_000.0, private_chat_rate=100_000.0, group_rate_per_minute=10_000_000)
    rng = random.Random(7)
    commands = [t.command for t in load_themes(settings.digests_dir)[0]]
    store = TinyStore(settings.data_dir)
    store.save_articles(synthetic_articles(args.articles, commands, rng))
    store.save_subscribers(Subscriber(chat_id=10_000 + n, themes=tuple(rng.sample(commands, 2)),
                                      language=rng.choice(("en", "es"))) for n in range(args.subscribers))
    started = time.perf_counter()
    services = open_services(settings, store=store)     # builds the catalog from the store
    library = services.library
    print(f"catalog: {library.catalog.article_count} articles, {len(library.catalog.stories)} stories, "
          f"built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    transport = RecordingRequest()
    transport.api.convert_text = False   # time the bot, not the stand-in's HTML-to-text
    app = build_application(services, request=transport, updater=False)
    await app.initialize()
    return app, library, rng


def cases(library, story_id: str):
    """(label, what the user does, the core work alone or None)."""
    catalog, per_page = library.catalog, 5
    return [
        ("/start", "/start", None),
        ("/help", "/help", None),
        ("/topics", "/topics", None),
        ("/lima_group", "/lima_group", lambda: render.render_html(digest.theme_digest(catalog, "lima_group", "en", 0, per_page))),
        ("More (page 3)", "!more:lima_group:10", lambda: render.render_html(digest.theme_digest(catalog, "lima_group", "en", 10, per_page))),
        ("/latest", "/latest", lambda: render.render_html(digest.latest_digest(catalog, "en", 0, per_page))),
        ("/story ID", f"/story {story_id}", lambda: render.render_html(digest.story_digest(catalog, story_id, "en"))),
        ("/search lima venezuela", "/search lima venezuela", lambda: render.render_html(digest.search_digest(catalog, "lima venezuela", "en"))),
        ("/search oea (synonyms)", "/search oea", lambda: render.render_html(digest.search_digest(catalog, "oea", "en"))),
        ("/search grupo de lima", "/search grupo de lima", lambda: render.render_html(digest.search_digest(catalog, "grupo de lima", "en"))),
        ("/search (no hit)", "/search zzzqqq", lambda: render.render_html(digest.search_digest(catalog, "zzzqqq", "en"))),
        ("/subscribe oas", "/subscribe oas", None),
        ("/mysubs", "/mysubs", None),
        ("/settings", "/settings", None),
        ("set:tz button", "!set:tz:America/Bogota", None),
        ("unknown command", "/frobnicate", None),
        ("inline 'lima' (a page)", "@lima", lambda: [render.render_story_card(s, "en") for s in catalog.search("lima", 50)[:10]]),
    ]


def update_for(app, action: str, update_id: int, chat_id: int) -> Update:
    if action.startswith("!"):
        on = {"message_id": 1, "date": 0, "chat": updates.chat(chat_id), "text": "…"}
        payload = updates.button(update_id, action[1:], on, user_id=chat_id)
    elif action.startswith("@"):
        payload = updates.inline(update_id, action[1:], user_id=chat_id)
    else:
        payload = updates.message(update_id, action, chat_id=chat_id, user_id=chat_id)
    return Update.de_json(payload, app.bot)


async def measure(args) -> list[tuple[str, float, float, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app, library, rng = await build(args, Path(tmp))
        story_id = library.catalog.stories[len(library.catalog.stories) // 2].id
        update_id = 0
        for label, action, core in cases(library, story_id):
            handled, alone = [], []
            for _ in range(args.runs):
                update_id += 1
                update = update_for(app, action, update_id, 10_000 + rng.randrange(args.subscribers))
                started = time.perf_counter()
                await app.process_update(update)
                handled.append(time.perf_counter() - started)
                if core is not None:
                    started = time.perf_counter()
                    core()
                    alone.append(time.perf_counter() - started)
            rows.append((label, percentile(handled, .5), percentile(handled, .99),
                         percentile(alone, .5) if alone else float("nan"),
                         percentile(alone, .99) if alone else float("nan")))
        await app.shutdown()
        app.bot_data["services"].store.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rows = asyncio.run(measure(args))
    print(f"\n{args.articles} articles, {args.subscribers} subscribers, {args.runs} runs each (ms)")
    print(f"{'command':<24}{'p50':>8}{'p99':>8}   {'render p50':>10}{'render p99':>11}   target p99<=20")
    for label, p50, p99, r50, r99 in rows:
        core = f"{r50:>10.2f}{r99:>11.2f}" if r50 == r50 else f"{'-':>10}{'-':>11}"
        print(f"{label:<24}{p50:>8.2f}{p99:>8.2f}   {core}   {'ok' if p99 <= 20 else 'SLOW'}")
    return 0 if all(row[2] <= 20 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
