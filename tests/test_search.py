"""/search over the whole clean text, theme terms as synonyms, ranked by where words occur:
through the real Application, on a catalog of articles made for the test."""
from __future__ import annotations

from bot.digest.catalog import Catalog
from bot.models import Article, KeyPoint

FILLER = "Delegations met on Tuesday to discuss trade, migration and the border. "


def article(n: int, title: str, points: tuple[str, ...], body: str, themes=(), published="2021-08-01") -> Article:
    return Article(id=f"s{n}", path=f"s{n}.txt", content_hash=str(n), title=title, body=body, language="en",
                   key_points=tuple(KeyPoint(p) for p in points), themes=tuple((t, 1.0) for t in themes),
                   published=published, outlet=f"Outlet {n}", first_seen=1.6e9 + n)


ARTICLES = [
    article(1, "Foreign ministers gather in Washington", ("Ministers from the hemisphere gathered.",
            "The meeting lasted two days."),
            FILLER * 3 + "The OAS hosted the session. The OAS secretary spoke. OAS members voted. "
            "An OAS resolution passed. The OAS will meet again." + FILLER * 2),
    article(2, "OAS sends observers to Peru", ("The OAS sent observers.", "They arrive on Friday."),
            FILLER * 4, published="2021-07-01"),
    article(3, "Peru leaves the Grupo de Lima", ("Peru announced it would leave.", "The decision was final."),
            FILLER * 4, themes=("lima_group",)),
    article(4, "Trade talks in Bogota", ("Trade was discussed.", "No agreement was reached."), FILLER * 4),
]


def install(telegram_bot) -> None:
    library = telegram_bot.services.library
    library.catalog = Catalog.build(ARTICLES, library.themes)


async def test_search_finds_an_article_that_names_the_oas_only_in_its_body(telegram_bot):
    install(telegram_bot)
    [sent] = await telegram_bot.send("/search oas")
    assert "Foreign ministers gather in Washington" in sent.text


async def test_a_headline_hit_ranks_before_a_body_hit(telegram_bot):
    install(telegram_bot)
    [sent] = await telegram_bot.send("/search oas")
    assert sent.text.index("OAS sends observers") < sent.text.index("Foreign ministers gather")


async def test_theme_terms_are_synonyms_in_either_language(telegram_bot):
    install(telegram_bot)
    for query in ("/search OEA", "/search Organization of American States"):
        [sent] = await telegram_bot.send(query)
        assert "OAS sends observers to Peru" in sent.text, query
    for query in ("/search grupo de lima", "/search lima group"):
        [sent] = await telegram_bot.send(query)
        assert "Peru leaves the Grupo de Lima" in sent.text, query
        assert "Trade talks in Bogota" not in sent.text


async def test_every_word_must_match_and_no_hit_says_so(telegram_bot):
    install(telegram_bot)
    [sent] = await telegram_bot.send("/search oas bogota")
    assert "No stories" in sent.text or "no results" in sent.text.lower() or "Nothing" in sent.text


def test_the_ranking_is_the_full_ranking_whatever_the_shortcut():
    """The threshold walk returns exactly what scoring every candidate would."""
    import random

    from bot.digest.search import RECENCY, SearchIndex

    rng = random.Random(5)
    words = {w: {p: rng.randint(1, 12) for p in rng.sample(range(3000), rng.randint(50, 2500))}
             for w in ("alpha", "beta", "gamma")}
    index = SearchIndex(size=3000, words=words)
    for query in ("alpha beta", "beta gamma", "alpha beta gamma", "alpha"):
        tables = [words[w] for w in query.split()]
        common = set(tables[0]).intersection(*tables[1:])
        full = sorted(common, key=lambda p: (-(sum(t[p] for t in tables) - RECENCY / 3000 * p), p))[:10]
        assert index.search(query, 10) == full, query
