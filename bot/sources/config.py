"""sources.toml: the live sources (feeds and pages) the bot fetches, read and edited in place.

    [[source]]
    name = "Andina"                     # unique; defaults to the URL's host
    url = "https://andina.pe/rss/politica.xml"
    kind = "feed"                       # feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed) | page (one web page)
    language = "es"                     # optional: en | es | pt (else detected)
    outlet = "Andina"                   # optional: the outlet name shown in digests (else the feed's title)
    interval_minutes = 60               # optional: poll interval (else FETCH_INTERVAL_MINUTES)
    include = ["OEA", "Cancillería"]    # optional: an entry must mention one of these (title or summary)
    exclude = ["fútbol"]                # optional: an entry mentioning one of these is skipped

Edits (`digestbot sources add/remove/import`) go through tomlkit, so comments and layout stay.
"""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import tomlkit

from bot.errors import SourceError

logger = logging.getLogger(__name__)

KINDS = ("feed", "page")
LANGUAGES = ("", "en", "es", "pt")
_FIELDS = {"name", "url", "kind", "language", "outlet", "interval_minutes", "include", "exclude"}


@dataclass(frozen=True)
class Source:
    """One live source."""

    name: str
    url: str
    kind: str = "feed"
    language: str = ""
    outlet: str = ""
    interval_minutes: float = 0.0        # 0: FETCH_INTERVAL_MINUTES
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def check_url(url: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL with a host; else SourceError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) URL: {url!r}")
    return url


def _words(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(word, str) and word.strip() for word in value):
        raise SourceError(f"{where}: {key} must be a list of words, e.g. {key} = [\"OEA\", \"OAS\"]")
    return tuple(word.strip() for word in value)


def source_from_table(table: dict[str, Any], where: str) -> Source:
    """One [[source]] table as a Source; SourceError naming `where` and the field."""
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise SourceError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(_FIELDS))})")
    if not isinstance(table.get("url"), str):
        raise SourceError(f"{where}: url is required, e.g. url = \"https://example.org/feed.xml\"")
    try:
        url = check_url(table["url"])
    except SourceError as exc:
        raise SourceError(f"{where}: {exc}") from None
    kind = table.get("kind", "feed")
    if kind == "sitemap":
        raise SourceError(f"{where}: kind \"sitemap\" is not supported yet; list the site's feed or pages")
    if kind not in KINDS:
        raise SourceError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    language = table.get("language", "")
    if language not in LANGUAGES:
        raise SourceError(f"{where}: language must be en, es or pt, got {language!r}")
    interval = table.get("interval_minutes", 0)
    if not isinstance(interval, (int, float)) or isinstance(interval, bool) or interval < 0:
        raise SourceError(f"{where}: interval_minutes must be a positive number of minutes")
    name = table.get("name") or urlsplit(url).hostname or url
    outlet = table.get("outlet", "")
    if not isinstance(name, str) or not isinstance(outlet, str):
        raise SourceError(f"{where}: name and outlet must be text")
    return Source(name=name.strip(), url=url, kind=kind, language=language, outlet=outlet.strip(),
                  interval_minutes=float(interval), include=_words(table.get("include"), where, "include"),
                  exclude=_words(table.get("exclude"), where, "exclude"))


def parse_sources(text: str, path: str = "sources.toml") -> list[Source]:
    """The sources of a sources.toml text; SourceError naming the file, line or entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourceError(f"{path}: sources are [[source]] tables")
    sources = [source_from_table(table, f"{path}: source {number}") for number, table in enumerate(tables, 1)]
    _check_unique(sources, path)
    return sources


def _check_unique(sources: Iterable[Source], path: str) -> None:
    names: set[str] = set()
    urls: set[str] = set()
    for source in sources:
        if source.name.casefold() in names:
            raise SourceError(f"{path}: two sources are named {source.name!r}; names must be unique")
        if source.url in urls:
            raise SourceError(f"{path}: {source.url} is listed twice")
        names.add(source.name.casefold())
        urls.add(source.url)


def load_sources(path: Path) -> list[Source]:
    """The sources in `path`; none when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        logger.debug("no sources file at %s: no live sources", path)
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    return parse_sources(text, str(path))


def _document(path: Path) -> tomlkit.TOMLDocument:
    if not path.is_file():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:   # tomlkit raises its own ParseError family
        raise SourceError(f"{path}: not valid TOML: {exc}") from None


def _table_of(source: Source) -> tomlkit.items.Table:
    table = tomlkit.table()
    table["name"] = source.name
    table["url"] = source.url
    table["kind"] = source.kind
    for key in ("language", "outlet"):
        if getattr(source, key):
            table[key] = getattr(source, key)
    if source.interval_minutes:
        table["interval_minutes"] = source.interval_minutes
    for key in ("include", "exclude"):
        if getattr(source, key):
            table[key] = list(getattr(source, key))
    return table


def _write(path: Path, document: tomlkit.TOMLDocument) -> None:
    text = tomlkit.dumps(document)
    parse_sources(text, str(path))             # never write a file we could not read back
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def add_sources(path: Path, new: Iterable[Source]) -> list[Source]:
    """Append sources to the file (comments kept); returns those added, skipping URLs already listed."""
    path = Path(path)
    existing = load_sources(path)
    urls = {source.url for source in existing}
    names = {source.name.casefold() for source in existing}
    document = _document(path)
    tables = document.get("source")
    if tables is None:
        tables = tomlkit.aot()
        document.append("source", tables)
    added = []
    for source in new:
        if source.url in urls:
            continue
        name, number = source.name, 2
        while name.casefold() in names:
            name, number = f"{source.name} ({number})", number + 1
        source = Source(**{**source.__dict__, "name": name})
        tables.append(_table_of(source))
        urls.add(source.url)
        names.add(name.casefold())
        added.append(source)
    if added:
        _write(path, document)
    return added


def remove_source(path: Path, name_or_url: str) -> Source:
    """Remove the source with this name (any case) or URL; SourceError when there is none."""
    path = Path(path)
    sources = load_sources(path)
    wanted = name_or_url.strip()
    for index, source in enumerate(sources):
        if source.name.casefold() == wanted.casefold() or source.url == wanted:
            document = _document(path)
            del document["source"][index]
            _write(path, document)
            return source
    raise SourceError(f"no source named {wanted!r} in {path} — `digestbot sources list` shows them")

