"""Feed parsing, URLs and sources.toml: the pure-ish parts of the live sources, on bytes and text."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bot.errors import SourceError
from bot.sources.config import Source, add_sources, load_sources, parse_sources, remove_source
from bot.sources.feeds import FeedError, canonical_url, discover_feeds, parse_feed, url_key
from bot.sources.http import retry_after_seconds
from tests.support.feedserver import Item, atom, json_feed, rss

REPO = Path(__file__).resolve().parent.parent


def test_tracking_parameters_fragments_case_and_default_ports_do_not_make_another_article():
    same = ["https://www.Example.org:443/news/a?utm_source=rss&utm_medium=feed&id=3#comments",
            "http://example.org/news/a?id=3&fbclid=XYZ", "https://example.org/news/a/?id=3&gclid=1"]
    assert len({url_key(url) for url in same}) == 1
    assert url_key("https://example.org/news/b?id=3") != url_key(same[0])
    assert canonical_url("/a/1?utm_campaign=x", "http://example.org/feed") == "http://example.org/a/1"
    assert canonical_url("javascript:alert(1)") == canonical_url("mailto:x@example.org") == ""


def test_rss_atom_and_json_feed_give_the_same_entries():
    items = [Item("One", "http://example.org/1", guid="1", published=1_700_000_000, summary="<p>First</p>"),
             Item("Two", "http://example.org/2", guid="2", published=1_700_100_000)]
    parsed = [parse_feed(kind(items).encode(), "http://example.org/feed") for kind in (rss, atom, json_feed)]
    for feed in parsed:
        assert [(e.title, e.link, e.published) for e in feed.entries] == [
            ("Two", "http://example.org/2", "2023-11-16"), ("One", "http://example.org/1", "2023-11-14")]


def test_external_entities_are_never_read():
    document = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<rss version="2.0"><channel><title>t</title><item><title>a &x; b</title>'
                b'<link>http://example.org/1</link></item></channel></rss>')
    try:
        feed = parse_feed(document, "http://example.org/feed")
    except FeedError:
        return
    assert "root:" not in feed.entries[0].title


def test_a_feed_that_says_utf8_but_is_cp1252_is_read_as_cp1252_and_says_so():
    document = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Perú</title>'
                '<item><title>Canciller de Perú</title><link>http://example.org/1</link></item></channel></rss>')
    feed = parse_feed(document.encode("cp1252"), "http://example.org/feed")
    assert feed.entries[0].title == "Canciller de Perú" and feed.notes == ("not valid UTF-8: read as cp1252",)


def test_the_feeds_ttl_is_read_and_a_page_announcing_a_feed_is_named():
    assert parse_feed(rss([Item("a", "http://e.org/1")], ttl=180).encode(), "http://e.org/f").ttl_minutes == 180
    page = '<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head></html>'
    assert discover_feeds(page, "https://e.org/news/") == ["https://e.org/atom.xml"]
    with pytest.raises(FeedError, match="HTML page, not a feed; it links to the feed https://e.org/atom.xml"):
        parse_feed(page.encode(), "https://e.org/news/")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(lambda text: f"<rss><channel>{text}".encode()))
def test_any_bytes_are_a_feed_or_a_clear_feed_error(data):
    try:
        feed = parse_feed(data, "http://example.org/feed")
    except FeedError as exc:
        assert str(exc)
        return
    assert all(entry.key for entry in feed.entries)


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = time.time()
    assert retry_after_seconds("120", now) == 120.0
    assert 3590 <= retry_after_seconds(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 3600)), now) <= 3600
    assert retry_after_seconds("soon", now) == retry_after_seconds("", now) == 0.0


@pytest.mark.parametrize("text, message", [
    ('[[source]]\nname = "a"\n', "url is required"),
    ('[[source]]\nurl = "ftp://e.org/f"\n', "not an http(s) URL"),
    ('[[source]]\nurl = "https://e.org/f"\nkind = "sitemap"\n', "not supported yet"),
    ('[[source]]\nurl = "https://e.org/f"\nlanguage = "fr"\n', "language must be en, es or pt"),
    ('[[source]]\nurl = "https://e.org/f"\ninclude = "OAS"\n', "include must be a list of words"),
    ('[[source]]\nurl = "https://e.org/f"\ncolour = "red"\n', "unknown field 'colour'"),
    ('[[source]]\nurl = "https://e.org/f"\n[[source]]\nurl = "https://e.org/f"\n', "two sources are named"),
    ('[[source]\nurl = "x"\n', "not valid TOML"),
])
def test_a_bad_sources_file_is_one_clear_line(text, message):
    with pytest.raises(SourceError, match=re.escape(message)):
        parse_sources(text, "sources.toml")


def test_add_and_remove_keep_the_files_comments(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('# my sources\n[[source]]\nname = "A"  # the first\nurl = "https://a.org/feed"\n', encoding="utf-8")
    added = add_sources(path, [Source("A", "https://b.org/feed", language="es"), Source("C", "https://a.org/feed")])
    assert [s.name for s in added] == ["A (2)"]          # a taken name gets a number; a listed URL is skipped
    remove_source(path, "a (2)")
    text = path.read_text(encoding="utf-8")
    assert "# my sources" in text and "# the first" in text and "b.org" not in text
    with pytest.raises(SourceError, match="no source named 'zzz'"):
        remove_source(path, "zzz")


def test_the_shipped_sources_file_is_valid():
    assert all(source.url.startswith("https://") for source in load_sources(REPO / "sources.toml"))


def test_an_article_stored_before_live_sources_existed_reads_as_a_seed_file():
    from bot.store.codec import article_from_doc, article_to_doc
    from tests.support.factories import make_article

    old_doc = article_to_doc(make_article("2021/peru/a"))
    del old_doc["source"]
    assert article_from_doc(old_doc).source == ""
    assert article_from_doc(article_to_doc(make_article("web_1", source="Wire"))).source == "Wire"
