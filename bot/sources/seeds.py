"""The seed-file adapter: find article files under seeds/, decode them, reject what cannot be read.

`.txt` and `.md` files are read as text; `.html` files are turned into text with
header lines (title:, date:, url:, source:, author:, language:) that bot.extract.clean honours.
A file whose raw bytes hash to the hash the caller already knows for its path is
not decoded at all (decoding, mojibake repair and HTML parsing are most of the cost).
"""
from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Mapping

import ftfy

from bot.models import Rejection, SeedFile

logger = logging.getLogger(__name__)

SEED_EXTENSIONS = (".txt", ".md", ".html")
MAX_SEED_BYTES = 2_000_000
CONTROL_RATIO = 0.10          # more control characters than this: not text
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))   # all but tab, LF, FF, CR


_SKIP = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript", "svg",
         "iframe", "template", "button", "select"}
_BLOCKS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
           "h5", "h6", "blockquote", "pre", "table", "tr", "figure", "figcaption", "dd", "dt", "title"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr"}


class _PageText(HTMLParser):
    """Collects paragraph text and the page's metadata (title, canonical URL, author, date)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("meta", "link", "html"):
            self._read_meta(tag, values)
        if tag in _VOID:
            if tag == "br":
                self._current.append("\n")
            return
        if self._skip or tag in _SKIP:
            self._skip.append(tag)
            return
        if tag in _BLOCKS:
            self._flush()
        if tag.startswith("h") and tag[1:].isdigit():
            self._current.append("#" * int(tag[1:]) + " ")
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag == "title":
            self.meta.setdefault("title", " ".join("".join(self._current).split()))
            self._current = []
            self._in_title = False
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def _read_meta(self, tag: str, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or values.get("rel") or "").lower()
        content = values.get("content") or values.get("href") or ""
        wanted = {"og:url": "url", "canonical": "url", "author": "author", "og:title": "title",
                  "article:published_time": "date", "og:site_name": "source"}
        if tag == "html" and values.get("lang"):
            self.meta.setdefault("language", values["lang"][:2].lower())
        elif key in wanted and content.strip():
            self.meta.setdefault(wanted[key], content.strip())

    def _flush(self) -> None:
        text = "".join(self._current)
        self._current = []
        for line in text.split("\n"):
            line = " ".join(line.split())
            if line and line != "#" * len(line.split()[0]):
                self.blocks.append(line)


def html_to_text(html: str) -> str:
    """An HTML page as header lines (title:, url:, author:, date:, source:, language:) and paragraphs."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    parser._flush()
    meta = parser.meta
    if "date" in meta:
        meta["date"] = meta["date"][:10] if re.match(r"\d{4}-\d{2}-\d{2}", meta["date"]) else ""
    if meta.get("language") not in ("en", "es"):
        meta.pop("language", None)
    header = [f"{key}: {value}" for key, value in meta.items() if value]
    body = [block for block in parser.blocks if block.lstrip("# ") != meta.get("title", "")]
    return "\n".join(header) + ("\n\n" if header else "") + "\n\n".join(body)


def article_id(rel_path: str) -> str:
    """The article id: the relative path without its extension, "/" kept ("2023/peru/a.txt" -> "2023/peru/a")."""
    return posixpath.splitext(rel_path.replace("\\", "/"))[0]


def decode_bytes(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes -> text: UTF-8 (BOM stripped), else cp1252, else latin-1; mojibake repaired with ftfy."""
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            notes.append("decoded as cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            notes.append("decoded as latin-1")
    repaired = text if text.isascii() else ftfy.fix_encoding(text)   # mojibake is never pure ASCII
    if repaired != text:
        notes.append("repaired mojibake")
    return repaired, tuple(notes)


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.1f} KB"
    return f"{count} bytes"


def _is_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > CONTROL_RATIO * len(sample)


def _read_bytes(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes, or a one-sentence reason why it cannot be used."""
    if path.is_symlink() and not path.exists():
        return "broken symbolic link (its target does not exist)"
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return f"file is {_size(size)}, over the {_size(max_bytes)} limit (MAX_SEED_BYTES)"
        data = path.read_bytes()
    except PermissionError:
        return "permission denied (the file is not readable)"
    except OSError as error:
        return f"cannot read the file ({error.strerror or error})"
    if len(data) > max_bytes:
        return f"file is {_size(len(data))}, over the {_size(max_bytes)} limit (MAX_SEED_BYTES)"
    if not data:
        return "file is empty"
    if _is_binary(data):
        return "binary file (not text)"
    return data


def read_seed(path: Path, rel_path: str, max_bytes: int = MAX_SEED_BYTES,
              known_hash: str | None = None) -> SeedFile | Rejection:
    """One seed file as a SeedFile, or a Rejection with the reason.

    When its content hash is `known_hash`, the file is not decoded: the SeedFile's text is "".
    """
    data = _read_bytes(path, max_bytes)
    if isinstance(data, str):
        return Rejection(rel_path, data)
    content_hash = hashlib.sha256(data).hexdigest()
    if content_hash == known_hash:
        return SeedFile(rel_path, "", content_hash)
    text, notes = decode_bytes(data)
    if rel_path.lower().endswith(".html"):
        try:
            text = html_to_text(text)
        except Exception as error:  # html.parser is lenient; anything it still trips on is the file's fault
            return Rejection(rel_path, f"cannot parse the HTML ({error})")
    if not text.strip():
        reason = "file has no text (only markup)" if rel_path.lower().endswith(".html") else "file has only whitespace"
        return Rejection(rel_path, reason)
    return SeedFile(rel_path, text, content_hash, notes)


def _seed_paths(seeds_dir: Path) -> list[tuple[str, Path]]:
    """(relative "/"-path, path) of every seed file, hidden files and folders skipped, sorted."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(seeds_dir):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if name.startswith(".") or not name.lower().endswith(SEED_EXTENSIONS):
                continue
            path = Path(folder) / name
            if path.is_dir():
                continue
            found.append((path.relative_to(seeds_dir).as_posix(), path))
    return sorted(found)


def read_seeds(seeds_dir: Path, max_bytes: int = MAX_SEED_BYTES, known_hashes: Mapping[str, str] | None = None,
               ) -> tuple[list[SeedFile], list[Rejection]]:
    """Every .txt/.md/.html file under `seeds_dir` (recursively, sorted by path): read ones and rejected ones.

    `known_hashes` maps relative paths to the content hash the caller already holds the
    article of; a file that still has that hash comes back undecoded, with text "".
    """
    seeds: list[SeedFile] = []
    rejections: list[Rejection] = []
    known_hashes = known_hashes or {}
    for rel_path, path in _seed_paths(Path(seeds_dir)):
        result = read_seed(path, rel_path, max_bytes, known_hashes.get(rel_path))
        if isinstance(result, Rejection):
            logger.info("rejected seed %s: %s", rel_path, result.reason)
            rejections.append(result)
        else:
            seeds.append(result)
    logger.info("read %d seed files, rejected %d", len(seeds), len(rejections))
    return seeds, rejections
