"""/latest page 1 is one message: each story's first key point open, the rest in an expandable quote."""
from __future__ import annotations

import re

from bot.digest.catalog import Catalog
from bot.models import Article, KeyPoint
from tests.conftest import start_harness, stop_harness, telegram_settings

TOPICS = ["fisheries quota", "copper exports", "border bridge", "vaccine shipment", "river dredging",
          "airline routes", "coffee tariffs", "satellite launch"]
SENTENCES = ("Officials said the {topic} talks would continue next week with technical teams from both sides.",
             "The opposition criticised the {topic} plan as rushed and asked congress for a full hearing.",
             "Analysts expect the {topic} agreement to cost about two hundred million dollars over five years.",
             "A spokesperson for the ministry declined to say when the {topic} text would be published.",
             "Neighbouring governments welcomed the {topic} initiative and offered to send observers.")


def sentence(n: int, k: int) -> str:
    return SENTENCES[k].format(topic=TOPICS[n])


def long_article(n: int) -> Article:
    points = tuple(KeyPoint(sentence(n, k)) for k in range(5))
    return Article(id=f"p{n}", path=f"p{n}.txt", content_hash=str(n), title=f"Talks on {TOPICS[n]}, round {n}",
                   body=" ".join(p.text for p in points), language="en", key_points=points,
                   published=f"2021-08-{n + 1:02d}", outlet=f"Outlet {n}", first_seen=1.6e9 + n)


async def test_latest_page_is_one_message_with_the_first_point_open_and_the_rest_expandable(ingested_dirs):
    harness = await start_harness(telegram_settings(ingested_dirs, stories_per_page=5))
    try:
        library = harness.services.library
        library.catalog = Catalog.build([long_article(n) for n in range(8)], library.themes)
        [page] = await harness.send("/latest")
        assert page.text.count("<blockquote expandable>") == 5
        visible = re.sub(r"<blockquote expandable>.*?</blockquote>", "", page.text, flags=re.S)
        for n in range(3, 8):                               # the five newest stories, each visible
            assert f"round {n}" in visible and sentence(n, 0) in visible
            assert sentence(n, 1) not in visible and sentence(n, 1) in page.text
        assert harness.errors == []
    finally:
        await stop_harness(harness)


async def test_stories_have_short_ids_and_old_ids_still_work(telegram_bot):
    from bot.digest.ids import short_story_id

    [page] = await telegram_bot.send("/latest")
    shown = re.findall(r"<code>/story (\S+)</code>", page.text)
    assert shown and all(len(story_id) == 8 for story_id in shown)
    [by_short] = await telegram_bot.send(f"/story {shown[0]}")
    story = next(s for s in telegram_bot.services.library.catalog.stories if short_story_id(s.id) == shown[0])
    [by_long] = await telegram_bot.send(f"/story {story.id}")
    assert by_short.text == by_long.text and story.title.split()[0] in by_short.text
