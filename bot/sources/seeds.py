"""The seed-file adapter: find article files under seeds/, decode them, reject what cannot be read.

`.txt` and `.md` files are read as text; `.html`/`.htm` files go through
bot.extract.html (trafilatura) and become header lines (title:, date:, url:, source:,
author:, language:) and the article's paragraphs, which bot.extract.clean honours.
A file whose raw bytes hash to the hash the caller already knows for its path is
not decoded at all (decoding, mojibake repair and HTML parsing are most of the cost).
"""
from __future__ import annotations

import hashlib
import logging
import os
import posixpath
from pathlib import Path
from typing import Mapping

import ftfy

from bot.extract.html import extract_html, html_as_text
from bot.models import Rejection, SeedFile

logger = logging.getLogger(__name__)

SEED_EXTENSIONS = (".txt", ".md", ".html", ".htm")
HTML_EXTENSIONS = (".html", ".htm")
MAX_SEED_BYTES = 2_000_000
CONTROL_RATIO = 0.10          # more control characters than this: not text
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))   # all but tab, LF, FF, CR


def html_to_text(html: str) -> str:
    """An HTML page as header lines (title:, date:, url:, source:, author:, language:) and its article's paragraphs."""
    return html_as_text(extract_html(html))


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
            rejections.append(Rejection(rel_path, f"unsupported type {Path(rel_path).suffix or '(no extension)'}"
                                                  ": save the article as .txt, .md or .html"))
            continue
        result = read_seed(path, rel_path, max_bytes, known_hashes.get(rel_path))
        if isinstance(result, Rejection):
            logger.info("rejected seed %s: %s", rel_path, result.reason)
            rejections.append(result)
        else:
            seeds.append(result)
    logger.info("read %d seed files, rejected %d", len(seeds), len(rejections))
    return seeds, rejections
