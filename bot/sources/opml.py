"""OPML import and export of the sources list (how feed readers hand subscriptions over).

Read with defusedxml (no entity expansion, no external entities, no DTD tricks); written
with the standard library's ElementTree. Every `<outline xmlUrl=…>` at any depth is a feed;
its `text`/`title` is the name. `htmlUrl` without `xmlUrl` is skipped (a site, not a feed).
"""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ElementTree
from typing import Sequence

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from bot.errors import SourceError
from bot.sources.config import LANGUAGES, Source, check_url

logger = logging.getLogger(__name__)


def read_opml(data: bytes, path: str = "OPML") -> tuple[list[Source], list[str]]:
    """The feeds in an OPML document, and one line per outline that was skipped (and why)."""
    try:
        root = SafeElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise SourceError(f"{path}: refused: the document uses {exc.__class__.__name__} (entities or a DTD)") from None
    except ElementTree.ParseError as exc:
        raise SourceError(f"{path}: not valid XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise SourceError(f"{path}: not an OPML file (its root element is <{root.tag}>)")
    sources: list[Source] = []
    skipped: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        name = (outline.get("text") or outline.get("title") or "").strip()
        if not url:
            if outline.get("htmlUrl"):
                skipped.append(f"{name or outline.get('htmlUrl')}: a web site without a feed URL (xmlUrl)")
            continue
        try:
            url = check_url(url)
        except SourceError as exc:
            skipped.append(f"{name or url}: {exc}")
            continue
        language = (outline.get("language") or "")[:2].lower()
        sources.append(Source(name=name or url, url=url, kind="feed",
                              language=language if language in LANGUAGES else ""))
    return sources, skipped


def write_opml(sources: Sequence[Source], title: str = "Diplomacy Digest sources") -> str:
    """An OPML 2.0 document of the feed sources (pages are not feeds: left out)."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    for source in sources:
        if source.kind != "feed":
            continue
        attributes = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.url}
        if source.language:
            attributes["language"] = source.language
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
