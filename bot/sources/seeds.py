"""The seed-file adapter: find article files under seeds/, decode them, reject what cannot be read.

`.txt` and `.md` files are read as text; `.html`/`.htm` files go through
bot.extract.html (trafilatura) and become header lines (title:, date:, url:, source:,
author:, language:) and the article's paragraphs, which bot.extract.clean honours.
A file whose raw bytes hash to the hash the caller already knows for its path is
not decoded at all (decoding, mojibake repair and HTML parsing are most of the cost).
"""
from __future__ import annotations

import codecs
import hashlib
import logging
import os
import posixpath
from pathlib import Path
from typing import Mapping

import ftfy

from bot.extract.html import extract_html, html_as_text
from bot.models import Rejection, SeedFile
from bot.sources.files import read_limited

logger = logging.getLogger(__name__)

SEED_EXTENSIONS = (".txt", ".md", ".html", ".htm")
HTML_EXTENSIONS = (".html", ".htm")
MAX_SEED_BYTES = 2_000_000
CONTROL_RATIO = 0.10          # more control characters than this: not text
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))   # all but tab, LF, FF, CR


def html_to_text(html: str) -> str:
    """An HTML page as header lines (title:, date:, url:, source:, author:, language:) and its article's paragraphs."""
    return html_as_text(extract_html(html))


def display_name(rel_path: str) -> str:
    """A path as text that is always valid UTF-8 (undecodable bytes of a file name become U+FFFD)."""
    return rel_path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def article_id(rel_path: str) -> str:
    """The article id: the relative path without its extension, "/" kept ("2023/peru/a.txt" -> "2023/peru/a")."""
    return posixpath.splitext(rel_path.replace("\\", "/"))[0]


def decode_bytes(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes -> text: UTF-8 (BOM stripped), else cp1252, else latin-1; mojibake repaired with ftfy."""
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(_UTF16_BOMS) and _decodes_as_utf16(data):
        return data.decode("utf-16"), ("decoded as UTF-16",)
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


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decodes_as_utf16(data: bytes) -> bool:
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return False
    return True


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.1f} KB"
    return f"{count} bytes"


def _is_binary(data: bytes) -> bool:
    if data.startswith(_UTF16_BOMS):
        return not _decodes_as_utf16(data)
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > CONTROL_RATIO * len(sample)


def _read_bytes(path: Path, max_bytes: int, root: Path) -> bytes | str:
    """The file's bytes, or a one-sentence reason why it cannot be used."""
    data = read_limited(path, root, max_bytes)
    if isinstance(data, str):
        return data
    if len(data) > max_bytes:
        try:
            size = _size(os.stat(path).st_size)
        except OSError:
            size = f"over {_size(max_bytes)}"
        return f"file is {size}, over the {_size(max_bytes)} limit (MAX_SEED_BYTES)"
    if not data:
        return "file is empty"
    if _is_binary(data):
        return "binary file (not text)"
    return data


def read_seed(path: Path, rel_path: str, max_bytes: int = MAX_SEED_BYTES,
              known_hash: str | None = None, *, root: Path | None = None) -> SeedFile | Rejection:
    """One seed file as a SeedFile, or a Rejection with the reason.

    Only a regular file inside `root` (the seeds folder; default: the file's own folder) is
    read (see bot.sources.files). When its content hash is `known_hash`, the file is not
    decoded: the SeedFile's text is "".
    """
    if rel_path != display_name(rel_path):
        return Rejection(display_name(rel_path), "file name is not valid UTF-8; rename the file")
    data = _read_bytes(path, max_bytes, path.parent if root is None else root)
    if isinstance(data, str):
        return Rejection(rel_path, data)
    content_hash = hashlib.sha256(data).hexdigest()
    if content_hash == known_hash:
        return SeedFile(rel_path, "", content_hash)
    text, notes = decode_bytes(data)
    is_html = rel_path.lower().endswith(HTML_EXTENSIONS)
    if is_html:
        text = html_to_text(text)
    if not text.strip():
        reason = "file has no text (only markup)" if is_html else "file has only whitespace"
        return Rejection(rel_path, reason)
    return SeedFile(rel_path, text, content_hash, notes)


def _seed_paths(seeds_dir: Path) -> list[tuple[str, Path]]:
    """(relative "/"-path, path) of every file, hidden files and folders skipped, sorted."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(seeds_dir):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if name.startswith("."):
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
        if not rel_path.lower().endswith(SEED_EXTENSIONS):     # named in the report, never skipped silently
            suffix = display_name(Path(rel_path).suffix) or "(no extension)"
            rejections.append(Rejection(display_name(rel_path), f"unsupported type {suffix}"
                                                                ": save the article as .txt, .md or .html"))
            continue
        result = read_seed(path, rel_path, max_bytes, known_hashes.get(rel_path), root=Path(seeds_dir))
        if isinstance(result, Rejection):
            logger.info("rejected seed %s: %s", rel_path, result.reason)
            rejections.append(result)
        else:
            seeds.append(result)
    logger.info("read %d seed files, rejected %d", len(seeds), len(rejections))
    return seeds, rejections
