"""`digestbot sources …` and `digestbot fetch`, in-process, against a local feed server."""
from __future__ import annotations

import json
import time

import pytest

from bot.cli.main import main
from tests.support.feedserver import FeedServer, Item, article_page, rss

NOW = time.time()


@pytest.fixture
def server():
    with FeedServer() as running:
        running.route("/feed.xml", rss([Item(f"Story {n}", running.url(f"/a/{n}"), published=NOW - n * 60)
                                        for n in (1, 2)], title="Diplomacy Wire"),
                      content_type="application/rss+xml", etag='"v1"')
        for n in (1, 2):
            running.route(f"/a/{n}", article_page(n))
        running.route("/politics/", '<html><head><link rel="alternate" type="application/rss+xml" '
                                    'title="RSS" href="/feed.xml"></head><body><p>Front page</p></body></html>')
        running.route("/nofeed/", "<html><body><p>No feed here</p></body></html>")
        yield running


@pytest.fixture
def run(tmp_path, cli_env, capsys, restore_logging):
    (tmp_path / "digests").mkdir()
    options = ["--data-dir", str(tmp_path / "data"), "--digests", str(tmp_path / "digests"),
               "--sources", str(tmp_path / "sources.toml")]

    def digestbot(*args: str):
        code = main([*options, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return digestbot


def test_sources_add_finds_the_feed_a_page_announces(run, server, tmp_path):
    code, out, err = run("sources", "add", server.url("/politics/"), "--language", "en")
    assert code == 0, err
    assert "added 'Diplomacy Wire'" in out and "announced by the page" in out
    text = (tmp_path / "sources.toml").read_text(encoding="utf-8")
    assert server.url("/feed.xml") in text and 'language = "en"' in text
    code, out, err = run("sources", "add", server.url("/feed.xml"))
    assert code == 1 and "already in" in err


def test_sources_add_says_when_a_page_has_no_feed(run, server):
    code, out, err = run("sources", "add", server.url("/nofeed/"))
    assert code == 1 and "announces none" in err and "--kind page" in err
    code, out, err = run("sources", "add", server.url("/nofeed/"), "--kind", "page", "--name", "Front")
    assert code == 0 and "added 'Front'" in out


def test_check_reports_what_would_be_added_and_changes_nothing_then_fetch_adds_it(run, server, tmp_path):
    run("sources", "add", server.url("/feed.xml"), "--name", "wire")
    code, out, err = run("sources", "check")
    assert code == 0 and "would add 2" in out
    assert not (tmp_path / "data" / "articles.json").exists() or "web_" not in \
        (tmp_path / "data" / "articles.json").read_text(encoding="utf-8")
    code, out, err = run("fetch", "--json")
    assert code == 0, err
    assert len(json.loads(out)["added"]) == 2
    code, out, err = run("fetch", "--force")
    assert code == 0 and "wire: not modified" in out
    code, out, err = run("sources", "list")
    assert "wire  [feed]" in out and "articles 2" in out and "last success 20" in out


def test_fetch_exits_1_when_every_source_fails_and_names_the_error(run, server, tmp_path):
    code, out, err = run("fetch")
    assert code == 1 and "no sources in" in err
    server.route("/down.xml", "", status=500)
    code, out, err = run("sources", "add", server.url("/down.xml"))
    assert code == 1 and "HTTP 500" in err
    (tmp_path / "sources.toml").write_text(f'[[source]]\nname = "down"\nurl = "{server.url("/down.xml")}"\n',
                                           encoding="utf-8")
    code, out, err = run("fetch")
    assert code == 1 and "down: failed — HTTP 500" in out
    code, out, err = run("sources", "list")
    assert "last error   HTTP 500" in out


def test_opml_import_and_export_round_trip(run, server, tmp_path):
    opml = tmp_path / "in.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="1.0"><head><title>mine</title></head><body>
        <outline text="News"><outline text="Wire" type="rss" xmlUrl="{server.url('/feed.xml')}"/>
        <outline text="Blog" htmlUrl="https://blog.example.org/"/>
        <outline text="Bad" xmlUrl="ftp://example.org/feed"/></outline></body></opml>""", encoding="utf-8")
    code, out, err = run("sources", "import", str(opml))
    assert code == 0 and "imported 1 of 1 feeds" in out
    assert "Blog: a web site without a feed URL" in out and "Bad: not an http(s) URL" in out
    code, out, err = run("sources", "import", str(opml))
    assert "imported 0 of 1 feeds" in out and "already listed" in out
    code, out, err = run("sources", "export")
    assert code == 0 and f'xmlUrl="{server.url("/feed.xml")}"' in out and 'text="Wire"' in out


def test_hostile_opml_is_refused(run, tmp_path):
    opml = tmp_path / "bomb.opml"
    opml.write_text('<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                    '<opml><body><outline text="&b;" xmlUrl="http://example.org/f"/></body></opml>', encoding="utf-8")
    code, out, err = run("sources", "import", str(opml))
    assert code == 1 and "refused" in err and not (tmp_path / "sources.toml").exists()


def test_a_broken_sources_file_is_one_line_naming_it(run, tmp_path):
    (tmp_path / "sources.toml").write_text('[[source]]\nurl = "https://example.org/feed"\nkind = "podcast"\n',
                                           encoding="utf-8")
    code, out, err = run("sources", "list")
    assert code == 1 and "sources.toml: source 1: kind must be one of feed, page" in err
