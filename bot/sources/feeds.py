"""Feeds -> entries, with fastfeedparser (RSS 0.9x/1.0/2.0, Atom, JSON Feed; lxml underneath).

Never hand-written XML parsing. fastfeedparser's lxml parsers do not resolve entities
(no billion laughs, no external entities) and never touch the network when given bytes;
documents are size-capped by the HTTP client before they get here. A feed that is not
UTF-8 while claiming to be is read as cp1252. Entries are keyed by their canonical link
(tracking parameters stripped), else by their guid within the feed, else by their text.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import fastfeedparser
from courlan import normalize_url
from lxml import etree

from bot.errors import SourceError

logger = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
              "application/rdf+xml", "application/xml", "text/xml")


class FeedError(SourceError):
    """A response that is not a readable feed (the message says what it is instead)."""


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as the feed tells it."""

    key: str                 # what identifies the article: canonical link, or guid/text within the feed
    link: str                # canonical link, "" when the entry has none
    guid: str
    title: str
    published: str           # ISO date or ""
    timestamp: float         # publication (or update) time, 0.0 when the entry has no date
    summary_html: str
    content_html: str
    author: str
    fingerprint: str         # changes when what the feed says about the entry changes


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: tuple[FeedEntry, ...]     # newest first, at most max_entries, each key once
    total: int                         # entries in the document
    duplicates: int                    # entries dropped because their key came earlier
    ttl_minutes: float = 0.0           # RSS <ttl>: the feed asks not to be polled more often
    notes: tuple[str, ...] = ()


def canonical_url(url: str, base: str = "") -> str:
    """An absolute URL, normalised (case, default port), tracking parameters and fragment dropped; "" if none."""
    url = (url or "").strip()
    if not url:
        return ""
    url = urljoin(base, url) if base else url
    if urlsplit(url).scheme not in ("http", "https"):
        return ""
    try:
        url = normalize_url(url)
    except (ValueError, AttributeError):
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def url_key(url: str) -> str:
    """The same article whatever the scheme or a leading www.: "example.org/a?id=3"."""
    parts = urlsplit(canonical_url(url))
    if not parts.netloc:
        return ""
    host = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    return host + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")


def article_id_for(key: str) -> str:
    """The stored id of a fetched article: "web_" and 16 hex digits of its key."""
    return "web_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _repair_encoding(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Bytes that claim UTF-8 (or nothing) but are not: read as cp1252, handed on as UTF-8."""
    head = data[:200].lower()
    if data.lstrip()[:1] == b"{" or (b"encoding=" in head and not re.search(rb"encoding=.utf-?8", head)):
        return data, ()
    try:
        data.decode("utf-8")
        return data, ()
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8"), ("not valid UTF-8: read as cp1252",)


def _ttl_minutes(data: bytes) -> float:
    """RSS <channel><ttl>, read with lxml (entities unresolved), stopping at the first item."""
    if data.lstrip()[:1] == b"{":
        return 0.0
    try:
        for event, element in etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False,
                                              no_network=True, recover=True, huge_tree=False):
            name = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if event == "start" and name in ("item", "entry"):
                return 0.0
            if event == "end" and name == "ttl":
                text = (element.text or "").strip()
                return float(text) if text.isdigit() else 0.0
    except etree.LxmlError:
        return 0.0
    return 0.0


def _timestamp(value: object) -> tuple[str, float]:
    if not isinstance(value, str) or not value:
        return "", 0.0
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return "", 0.0
    return when.date().isoformat(), when.timestamp() if when.tzinfo else 0.0


def _html_of(entry: dict) -> tuple[str, str]:
    content = entry.get("content") or []
    content_html = "\n".join(str(part.get("value") or "") for part in content if isinstance(part, dict))
    summary = entry.get("description") or entry.get("summary") or ""
    return str(summary), content_html


def make_entry(raw: dict, feed_url: str) -> FeedEntry:
    """One fastfeedparser entry as a FeedEntry."""
    link = canonical_url(str(raw.get("link") or ""), feed_url)
    guid = str(raw.get("id") or "").strip()
    title = " ".join(str(raw.get("title") or "").split())
    published, timestamp = _timestamp(raw.get("published") or raw.get("updated"))
    summary, content = _html_of(raw)
    said = "\x1f".join((link, guid, title, published, summary, content))
    fingerprint = hashlib.sha256(said.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    if link:
        key = url_key(link)
    elif guid:
        key = f"guid:{url_key(feed_url)}#{guid}"
    else:
        key = f"text:{url_key(feed_url)}#{fingerprint}"
    return FeedEntry(key=key, link=link, guid=guid, title=title, published=published, timestamp=timestamp,
                     summary_html=summary, content_html=content, author=str(raw.get("author") or ""),
                     fingerprint=fingerprint)


def parse_feed(data: bytes, feed_url: str, *, max_entries: int = 50) -> ParsedFeed:
    """A feed document -> its newest `max_entries` entries; FeedError saying what the document is instead."""
    if not data.strip():
        raise FeedError("the response is empty, not a feed")
    data, notes = _repair_encoding(data)
    try:
        parsed = fastfeedparser.parse(data)
    except Exception as exc:   # the library raises ValueError, and others on odd JSON; all mean "not a feed"
        raise FeedError(_not_a_feed(data, feed_url, exc)) from None
    raw_entries = [e for e in parsed.get("entries") or [] if isinstance(e, dict)]
    entries: dict[str, FeedEntry] = {}
    for raw in raw_entries:
        entry = make_entry(raw, feed_url)
        entries.setdefault(entry.key, entry)
    ordered = sorted(entries.values(), key=lambda e: -e.timestamp)
    feed = parsed.get("feed") or {}
    return ParsedFeed(title=" ".join(str(feed.get("title") or "").split()), entries=tuple(ordered[:max_entries]),
                      total=len(raw_entries), duplicates=len(raw_entries) - len(entries),
                      ttl_minutes=_ttl_minutes(data), notes=notes)


def _not_a_feed(data: bytes, feed_url: str, exc: Exception) -> str:
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "the URL serves a PDF, not a feed"
    if b"<html" in head or b"<!doctype html" in head:
        found = discover_feeds(data.decode("utf-8", "replace"), feed_url)
        hint = f"; it links to the feed {found[0]}" if found else ""
        return f"the URL serves an HTML page, not a feed{hint}"
    return f"not a feed ({str(exc)[:160]})"


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if tag == "link" and "alternate" in rel and kind in FEED_TYPES and values.get("href"):
            self.links.append((kind, values["href"]))


def discover_feeds(html: str, page_url: str) -> list[str]:
    """The feeds a page announces with <link rel="alternate" type="application/rss+xml" …>, in page order."""
    parser = _AlternateLinks()
    try:
        parser.feed(html[:2_000_000])
        parser.close()
    except Exception:   # html.parser is lenient; a page it still trips on announces nothing
        return []
    found = [canonical_url(href, page_url) for _kind, href in parser.links]
    return list(dict.fromkeys(url for url in found if url))
