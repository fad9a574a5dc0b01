"""Live sources end to end: a real HTTP server on 127.0.0.1, the real pipeline, a real TinyDB store."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.library.fetch import run_fetch
from bot.library.source_status import load_states
from bot.library.ingest import run_ingest
from bot.sources.config import Source
from bot.store.tinydb.store import TinyStore
from tests.support.feedserver import FeedServer, Item, article_page, atom, json_feed, real_page, rss

NOW = time.time()
HOUR = 3600.0
LONG = ("The regional bloc met in Lima to discuss the crisis. " * 12).strip()


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def store(tmp_path):
    opened = TinyStore(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", fetch_timeout_seconds=1.0, fetch_total_seconds=2.0,
                    max_fetch_bytes=300_000, fetch_max_entries=20)


def serve_feed(server: FeedServer, path: str, numbers: list[int], kind=rss, host="127.0.0.1", **route) -> str:
    """A feed at `path` whose entries link to article pages /a/<n> (served too)."""
    items = [Item(f"Story {n}", server.url(f"/a/{n}", host) + "?utm_source=feed&utm_medium=rss",
                  guid=f"story-{n}", published=NOW - n * HOUR, summary=f"Summary of story {n}.") for n in numbers]
    for n in numbers:
        server.route(f"/a/{n}", article_page(n))
    server.route(path, kind(items), content_type="application/xml", **route)
    return server.url(path)


def fetch(store, sources, settings, **options):
    return run_fetch(store, sources, [], settings, now=options.pop("now", NOW), **options)


def test_a_first_fetch_adds_every_entry_of_rss_atom_and_json_feeds_once(server, store, settings):
    sources = [Source("rss", serve_feed(server, "/rss.xml", [1, 2, 3])),
               Source("atom", serve_feed(server, "/atom.xml", [4, 5], kind=atom)),
               Source("json", serve_feed(server, "/feed.json", [6, 7], kind=json_feed))]
    report = fetch(store, sources, settings)
    assert [s.status for s in report.sources] == ["fetched"] * 3
    assert len(report.added) == len(set(report.added)) == 7
    articles = store.all_articles()
    assert sorted(a.title for a in articles) == [f"Story {n}" for n in range(1, 8)]
    assert all(a.source and a.url.endswith(tuple(f"/a/{n}" for n in range(1, 8))) for a in articles)
    assert all("utm_" not in a.url and len(a.key_points) >= 3 for a in articles)
    assert {a.source for a in articles} == {"rss", "atom", "json"}


def test_a_second_fetch_sends_conditional_requests_and_adds_nothing(server, store, settings):
    etag_feed = serve_feed(server, "/etag.xml", [1, 2], etag='"v1"')
    dated_feed = serve_feed(server, "/dated.xml", [3], kind=atom, last_modified="Tue, 03 Aug 2021 10:00:00 GMT")
    sources = [Source("etag", etag_feed), Source("dated", dated_feed)]
    assert len(fetch(store, sources, settings).added) == 3
    pages_before = sum(len(server.requests_to(f"/a/{n}")) for n in (1, 2, 3))
    writes = store.write_counts()

    report = fetch(store, sources, settings, force=True)

    assert [s.status for s in report.sources] == ["not modified", "not modified"]
    assert not report.added and not report.updated
    assert server.requests_to("/etag.xml")[-1].headers["if-none-match"] == '"v1"'
    assert server.requests_to("/dated.xml")[-1].headers["if-modified-since"] == "Tue, 03 Aug 2021 10:00:00 GMT"
    assert sum(len(server.requests_to(f"/a/{n}")) for n in (1, 2, 3)) == pages_before
    assert store.write_counts()["articles.json"] == writes["articles.json"]


def test_an_unchanged_feed_without_validators_fetches_no_page_again(server, store, settings):
    sources = [Source("plain", serve_feed(server, "/plain.xml", [1, 2]))]
    fetch(store, sources, settings)
    report = fetch(store, sources, settings, force=True)
    assert report.sources[0].status == "fetched" and report.sources[0].unchanged == 2
    assert not report.added and len(server.requests_to("/a/1")) == 1


def test_a_changed_entry_updates_its_article(server, store, settings):
    sources = [Source("news", serve_feed(server, "/news.xml", [1, 2], etag='"v1"'))]
    first = fetch(store, sources, settings)
    original = store.get_article(first.added[0])
    items = [Item("Story 1, corrected", server.url("/a/1"), guid="story-1", published=NOW - HOUR),
             Item("Story 2", server.url("/a/2") + "?utm_source=feed&utm_medium=rss", guid="story-2",
                  published=NOW - 2 * HOUR, summary="Summary of story 2.")]
    server.route("/news.xml", rss(items), content_type="application/xml", etag='"v2"')

    report = fetch(store, sources, settings, force=True, now=NOW + 60)

    assert report.updated == (original.id,) and not report.added
    changed = store.get_article(original.id)
    assert changed.title == "Story 1, corrected" and changed.first_seen == original.first_seen
    assert len(store.all_articles()) == 2


def test_the_same_article_reached_by_two_feeds_is_stored_once(server, store, settings):
    one = serve_feed(server, "/one.xml", [1, 2])
    other = serve_feed(server, "/other.xml", [2, 3])      # story 2 in both, with tracking parameters
    first = fetch(store, [Source("one", one), Source("other", other)], settings)
    assert len(first.added) == 3 and len(store.all_articles()) == 3
    assert len(server.requests_to("/a/2")) == 1
    # a third feed, later, linking to the same page over another host name: still the same article
    server.route("/third.xml", rss([Item("Story 2 again", server.url("/a/2"), published=NOW)]),
                 content_type="application/xml")
    later = fetch(store, [Source("third", server.url("/third.xml"))], settings)
    assert not later.added and later.sources[0].unchanged == 1 and len(store.all_articles()) == 3


def test_a_seed_file_and_a_feed_entry_with_the_same_url_are_one_article(server, store, settings, tmp_path):
    feed = serve_feed(server, "/feed.xml", [1, 2])
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = "\n\n".join(__import__("tests.support.feedserver", fromlist=["x"]).article_text(1))
    (seeds / "story1.txt").write_text(f"title: Story 1\nurl: {server.url('/a/1')}\n\n{body}\n", encoding="utf-8")
    run_ingest(store, seeds, [], workers=1, now=NOW)

    report = fetch(store, [Source("feed", feed)], settings)

    assert len(report.added) == 1 and len(store.all_articles()) == 2
    assert {a.id for a in store.all_articles()} >= {"story1"}
    # and a seed file added after the fetch replaces the fetched copy (which the seed scan retires)
    (seeds / "story2.txt").write_text(f"url: {server.url('/a/2')}\n\n{body}\n", encoding="utf-8")
    ingest = run_ingest(store, seeds, [], workers=1, now=NOW)
    assert ingest.retired == report.added and len(store.all_articles()) == 2


def test_sourced_articles_are_never_retired_by_a_seed_scan(server, store, settings, tmp_path):
    fetch(store, [Source("feed", serve_feed(server, "/feed.xml", [1]))], settings)
    (tmp_path / "seeds").mkdir()
    report = run_ingest(store, tmp_path / "seeds", [], workers=1, now=NOW)
    assert not report.retired and len(store.all_articles()) == 1


def test_fetched_articles_age_out_by_the_retention_setting(server, store, settings):
    items = [Item("Fresh", server.url("/a/1"), published=NOW - HOUR),
             Item("Ancient", server.url("/a/2"), published=NOW - 90 * 86400)]
    server.route("/a/1", article_page(1))
    server.route("/a/2", article_page(2))
    server.route("/mixed.xml", rss(items), content_type="application/rss+xml")
    sources = [Source("mixed", server.url("/mixed.xml"))]
    report = fetch(store, sources, settings)
    assert len(report.added) == 1 and "1 entries older than SOURCE_RETENTION_DAYS: skipped" in report.sources[0].notes
    later = fetch(store, sources, settings, force=True, now=NOW + 31 * 86400)
    assert later.retired == report.added and not store.all_articles()


def test_a_failing_source_is_reported_and_the_others_are_fetched(server, store, settings):
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' +
            "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) +
            ']><rss version="2.0"><channel><title>&i;</title><item><title>&i;</title>'
            f'<link>{server.url("/a/9")}</link></item></channel></rss>')
    server.route("/a/9", article_page(9))
    routes = {
        "/500.xml": dict(status=500), "/429.xml": dict(status=429, headers={"Retry-After": "7200"}),
        "/stall.xml": dict(body=rss([]), stall=3.0), "/drip.xml": dict(body=rss([]) * 3, drip=0.01),
        "/broken.xml": dict(body="<rss><channel><title>x</tit"), "/page.xml": dict(body=article_page(5)),
        "/doc.xml": dict(body=b"%PDF-1.4 binary", content_type="application/pdf"),
        "/huge.xml": dict(body=b"<rss>" + b" " * 400_000 + b"</rss>"), "/bomb.xml": dict(body=bomb),
    }
    for path, options in routes.items():
        server.route(path, options.pop("body", ""), **options)
    sources = [Source(path, server.url(path, "localhost" if path == "/429.xml" else "127.0.0.1")) for path in routes]
    sources.append(Source("good", serve_feed(server, "/g.xml", [1])))     # 429 holds back its host only

    report = fetch(store, sources, settings)

    by_name = {s.name: s for s in report.sources}
    assert by_name["good"].status == "fetched" and len(by_name["good"].added) == 1
    errors = {name: result.error for name, result in by_name.items() if name != "good"}
    assert "HTTP 500" in errors["/500.xml"] and "HTTP 429" in errors["/429.xml"]
    assert "timed out" in errors["/stall.xml"] and "within 2s" in errors["/drip.xml"]
    assert "HTML page, not a feed" in errors["/page.xml"] and "PDF" in errors["/doc.xml"]
    assert "300,000" in errors["/huge.xml"]
    assert "the feed has no entries" in " ".join(by_name["/broken.xml"].notes)    # recovered, and said so
    bombed = by_name["/bomb.xml"]      # entities are never expanded: a failure or a harmless entry
    assert bombed.status == "failed" or all(len(store.get_article(i).title) < 200 for i in bombed.added)
    assert all(by_name[name].status == "failed" for name in routes if name not in ("/bomb.xml", "/broken.xml"))
    states = load_states(store, sources)
    assert states["/429.xml"].next_attempt >= NOW + 7200
    assert states["/500.xml"].failures == 1 and states["/500.xml"].last_error == errors["/500.xml"]


def test_a_failing_source_backs_off_exponentially_and_is_reported_once_after_a_day(server, store, settings):
    server.route("/down.xml", "", status=503)
    sources = [Source("down", server.url("/down.xml"), interval_minutes=60)]
    waits, alerts = [], []
    now = NOW
    for _ in range(6):
        report = fetch(store, sources, settings, now=now)
        alerts.append(report.alerts)
        state = load_states(store, sources)["down"]
        waits.append(state.next_attempt - now)
        skipped = fetch(store, sources, settings, now=now + 1)     # not due yet: not even asked
        assert skipped.sources[0].status == "waiting"
        now = state.next_attempt
    assert waits == [HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 24 * HOUR]
    assert len(server.requests_to("/down.xml")) == 6
    assert [bool(a) for a in alerts] == [False, False, False, False, False, True]   # 31 h failing: once
    assert alerts[-1][0][0] == "down" and "HTTP 503" in alerts[-1][0][1]


def test_entries_without_dates_or_links_and_duplicate_guids_are_handled(server, store, settings):
    items = [Item("No link", guid="only-guid", summary=LONG), Item("No date", server.url("/a/1")),
             Item("Duplicate", server.url("/a/2"), guid="d"), Item("Duplicate again", server.url("/a/2"), guid="d")]
    server.route("/a/1", article_page(1))
    server.route("/a/2", article_page(2))
    server.route("/odd.xml", rss(items), content_type="application/rss+xml")
    report = fetch(store, [Source("odd", server.url("/odd.xml"))], settings)
    result = report.sources[0]
    assert len(result.added) == 3 and not result.rejected
    assert "1 entries repeat an earlier entry's link or guid: skipped" in result.notes
    no_link = next(a for a in store.all_articles() if a.title == "No link")
    assert no_link.notes and "the entry has no link" in no_link.notes[0]


def test_a_page_that_cannot_be_fetched_falls_back_to_the_feed_text_and_says_so(server, store, settings):
    items = [Item("Gone", server.url("/a/gone"), summary=LONG, published=NOW),
             Item("A PDF", server.url("/a/pdf"), summary=LONG + " PDF.", published=NOW),
             Item("Short", server.url("/a/short-gone"), summary="Too short.", published=NOW)]
    server.route("/a/pdf", b"%PDF-1.4", content_type="application/pdf")
    server.route("/fallback.xml", rss(items), content_type="application/rss+xml")
    report = fetch(store, [Source("fb", server.url("/fallback.xml"))], settings)
    notes = {a.title: a.notes[0] for a in store.all_articles()}
    assert "HTTP 404" in notes["Gone"] and "not HTML (application/pdf)" in notes["A PDF"]
    assert len(report.sources[0].rejected) == 1 and "HTTP 404" in report.sources[0].rejected[0].reason


def test_real_news_pages_are_extracted_through_the_html_path(server, store, settings):
    names = ["004", "009", "012"]
    for name in names:
        server.route(f"/real/{name}", real_page(name))
    items = [Item(f"Real {name}", server.url(f"/real/{name}"), published=NOW) for name in names]
    server.route("/real.xml", atom(items), content_type="application/atom+xml")
    report = fetch(store, [Source("real", server.url("/real.xml"), outlet="Real News")], settings)
    assert len(report.added) == 3, report.sources
    for article in store.all_articles():
        assert article.outlet == "Real News" and len(article.body.split()) > 100 and article.key_points


def test_a_ten_thousand_entry_feed_costs_only_the_newest_entries(server, store, settings):
    items = [Item(f"Entry {n}", server.url(f"/many/{n}"), published=NOW - n, summary=LONG) for n in range(10_000)]
    server.route("/many.xml", rss(items), content_type="application/rss+xml")
    report = fetch(store, [Source("many", server.url("/many.xml"))], replace(settings, max_fetch_bytes=10_000_000,
                                                                          fetch_max_entries=5))
    assert len(report.added) == 5
    assert "10000 entries: took the newest 5 (FETCH_MAX_ENTRIES)" in report.sources[0].notes
    assert sum(1 for r in server.requests if r.path.startswith("/many/")) == 5


def test_redirects_to_another_host_are_followed_and_noted(server, store, settings):
    feed = serve_feed(server, "/moved.xml", [1], host="localhost")
    server.route("/old.xml", "", status=301, headers={"Location": feed.replace("127.0.0.1", "localhost")})
    report = fetch(store, [Source("moved", server.url("/old.xml"))], settings)
    assert len(report.added) == 1
    assert "redirected from 127.0.0.1 to localhost" in report.sources[0].notes


def test_requests_in_flight_per_host_never_exceed_the_limit(server, store, settings):
    sources = [Source(f"f{n}", serve_feed(server, f"/f{n}.xml", [n * 10 + k for k in range(3)])) for n in range(4)]
    for route in list(server.routes.values()):
        route.stall = 0.05
    fetch(store, sources, replace(settings, fetch_per_host=2, fetch_in_flight=8))
    assert server.max_in_flight == 2 and server.max_in_flight_by_host == {"127.0.0.1": 2}


def test_include_and_exclude_words_choose_the_entries(server, store, settings):
    items = [Item("OEA condena el golpe", server.url("/a/1"), published=NOW),
             Item("La OEA y el fútbol", server.url("/a/2"), published=NOW),
             Item("Nada que ver", server.url("/a/3"), published=NOW)]
    for n in (1, 2, 3):
        server.route(f"/a/{n}", article_page(n))
    server.route("/words.xml", rss(items), content_type="application/rss+xml")
    source = Source("words", server.url("/words.xml"), include=("oea",), exclude=("Futbol",))
    report = fetch(store, [source], settings)
    assert [store.get_article(i).title for i in report.added] == ["OEA condena el golpe"]


def test_a_dry_run_changes_nothing(server, store, settings):
    sources = [Source("feed", serve_feed(server, "/feed.xml", [1, 2], etag='"v1"'))]
    report = fetch(store, sources, settings, dry_run=True)
    assert len(report.added) == 2 and not store.all_articles()
    assert load_states(store, sources)["feed"].etag == ""


def test_a_pass_is_one_article_write_and_what_fails_leaves_nothing(server, store, settings):
    items = [Item("Good", server.url("/a/1"), published=NOW), Item("Empty", server.url("/a/empty"), published=NOW)]
    server.route("/a/1", article_page(1))
    server.route("/a/empty", "<html><body><p>Nothing.</p></body></html>")
    server.route("/half.xml", rss(items), content_type="application/rss+xml")
    server.route("/down.xml", "", status=502)
    before = store.write_counts().get("articles.json", 0)
    report = fetch(store, [Source("half", server.url("/half.xml")), Source("down", server.url("/down.xml"))],
                   settings)
    assert store.write_counts()["articles.json"] == before + 1
    assert [a.title for a in store.all_articles()] == ["Good"]
    assert len(report.sources[0].rejected) == 1 and report.sources[1].status == "failed"


def test_a_compressed_bomb_is_cut_off_at_the_size_limit(server, store, settings):
    import gzip

    server.route("/zip.xml", gzip.compress(b"<rss>" + b" " * 5_000_000 + b"</rss>"),
                 headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml")
    report = fetch(store, [Source("zip", server.url("/zip.xml"))], settings)
    assert report.sources[0].status == "failed" and "300,000 byte limit" in report.sources[0].error


def test_a_redirect_loop_is_a_clear_error(server, store, settings):
    server.route("/loop.xml", "", status=302, headers={"Location": "/loop.xml"})
    report = fetch(store, [Source("loop", server.url("/loop.xml"))], settings)
    assert report.sources[0].error == "more than 5 redirects"


def test_a_page_source_is_one_article_updated_when_the_page_changes(server, store, settings):
    server.route("/statement", article_page(1, title="Statement on the OAS"))
    source = Source("statement", server.url("/statement"), kind="page")
    first = fetch(store, [source], settings)
    assert len(first.added) == 1 and store.get_article(first.added[0]).title == "Statement on the OAS"
    assert fetch(store, [source], settings, force=True).sources[0].unchanged == 1
    server.route("/statement", article_page(2, title="Statement on the OAS, revised"))
    later = fetch(store, [source], settings, force=True)
    assert later.updated == first.added and store.get_article(first.added[0]).title.endswith("revised")


def test_the_feeds_ttl_sets_the_next_poll(server, store, settings):
    server.route("/ttl.xml", rss([], ttl=240), content_type="application/rss+xml")
    sources = [Source("ttl", server.url("/ttl.xml"), interval_minutes=30)]
    fetch(store, sources, settings)
    assert load_states(store, sources)["ttl"].next_attempt == NOW + 240 * 60
