"""bot.sources.seeds: real files in a temporary seeds directory."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.extract.clean import clean_text
from bot.models import Rejection
from bot.sources.seeds import _is_binary, article_id, decode_bytes, read_seeds
from tests.support.paths import SEEDS

ARTICLE = ("Peru's foreign minister announced on Tuesday that the country would withdraw from the Lima Group. "
           "He said that Peru would work for the integration of Latin America without ideological distinctions.\n")


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reasons(rejections: list[Rejection]) -> dict[str, str]:
    return {r.path: r.reason for r in rejections}


def test_the_five_real_seeds_are_read_without_rejections():
    seeds, rejections = read_seeds(SEEDS)
    assert rejections == []
    assert [s.path for s in seeds] == sorted(p.name for p in SEEDS.glob("*.txt"))
    first = seeds[0]
    assert first.content_hash == hashlib.sha256((SEEDS / first.path).read_bytes()).hexdigest()
    assert first.notes == () and "Hector Bejar" in first.text


def test_nested_directories_are_read_sorted_with_relative_slash_paths(tmp_path):
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "2023/peru/boluarte.md", ARTICLE)
    write(tmp_path, "2021/a.html", f"<p>{ARTICLE}</p>")
    seeds, rejections = read_seeds(tmp_path)
    assert [s.path for s in seeds] == ["2021/a.html", "2023/peru/boluarte.md", "b.txt"]
    assert rejections == []


def test_other_types_are_named_as_unsupported_and_hidden_files_are_ignored(tmp_path):
    write(tmp_path, "notes.pdf", b"%PDF-1.4")
    write(tmp_path, "brief.docx", b"PK\x03\x04")
    write(tmp_path, "photo.jpg", b"\xff\xd8\xff")
    write(tmp_path, ".draft.txt", ARTICLE)
    write(tmp_path, ".git/HEAD.txt", ARTICLE)
    write(tmp_path, "README", ARTICLE)
    (tmp_path / "folder.txt").mkdir()
    seeds, rejections = read_seeds(tmp_path)
    assert seeds == []
    assert {r.path: r.reason.split(":")[0] for r in rejections} == {
        "README": "unsupported type (no extension)", "brief.docx": "unsupported type .docx",
        "notes.pdf": "unsupported type .pdf", "photo.jpg": "unsupported type .jpg"}


def test_article_id_is_the_relative_path_without_extension():
    assert article_id("000_f18ac61ab55c5c62.txt") == "000_f18ac61ab55c5c62"
    assert article_id("2023/peru/boluarte.md") == "2023/peru/boluarte"
    assert article_id("a.b/c.d.html") == "a.b/c.d"


def test_empty_and_whitespace_only_files_are_rejected_with_reasons(tmp_path):
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.md", " \n\t\r\n  \n")
    write(tmp_path, "ok.txt", ARTICLE)
    seeds, rejections = read_seeds(tmp_path)
    assert [s.path for s in seeds] == ["ok.txt"]
    assert reasons(rejections) == {"blank.md": "file has only whitespace", "empty.txt": "file is empty"}


def test_binary_files_are_rejected(tmp_path):
    write(tmp_path, "nul.txt", b"Peru\x00\x01\x02 Lima")
    write(tmp_path, "controls.txt", bytes(range(1, 9)) * 50 + b"text")
    assert reasons(read_seeds(tmp_path)[1]) == {"controls.txt": "binary file (not text)",
                                                "nul.txt": "binary file (not text)"}


def test_oversize_file_is_rejected_naming_its_size_and_the_limit(tmp_path):
    write(tmp_path, "big.txt", "a" * 3_100_000)
    write(tmp_path, "small.txt", "b" * 1_500)
    assert reasons(read_seeds(tmp_path)[1]) == {
        "big.txt": "file is 3.1 MB, over the 2.0 MB limit (MAX_SEED_BYTES)"}
    assert reasons(read_seeds(tmp_path, max_bytes=1_000)[1])["small.txt"] == \
        "file is 1.5 KB, over the 1.0 KB limit (MAX_SEED_BYTES)"


def test_unreadable_file_is_rejected_and_reading_continues(tmp_path):
    locked = write(tmp_path, "locked.txt", ARTICLE)
    write(tmp_path, "ok.txt", ARTICLE)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        seeds, rejections = read_seeds(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [s.path for s in seeds] == ["ok.txt"]
    assert reasons(rejections) == {"locked.txt": "permission denied (the file is not readable)"}


def test_broken_symlink_is_rejected(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert reasons(read_seeds(tmp_path)[1]) == {
        "gone.txt": "broken symbolic link (its target does not exist)"}


def test_utf8_with_bom_decodes_without_notes():
    assert decode_bytes("\ufeffPerú".encode("utf-8")) == ("Perú", ())


def test_cp1252_file_is_decoded_and_noted(tmp_path):
    write(tmp_path, "old.txt", "Béjar said “yes” – Perú".encode("cp1252") + b"\n" + ARTICLE.encode())
    seeds, _ = read_seeds(tmp_path)
    assert seeds[0].text.startswith("Béjar said “yes” – Perú")
    assert seeds[0].notes == ("decoded as cp1252",)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    text, notes = decode_bytes(b"Per\xfa \x81")
    assert text.startswith("Perú") and notes == ("decoded as latin-1",)


def test_mojibake_is_repaired_and_noted(tmp_path):
    write(tmp_path, "moji.txt", "Keiko PeÃ±a said â€œnoâ€\x9d to the OEA.\n" + ARTICLE)
    seeds, _ = read_seeds(tmp_path)
    assert seeds[0].text.startswith("Keiko Peña said “no” to the OEA.")
    assert "repaired mojibake" in seeds[0].notes


def test_html_seed_becomes_header_lines_and_paragraphs_without_scripts_or_menus(tmp_path):
    page = """<!doctype html><html lang="es"><head><title>Perú deja el Grupo de Lima</title>
    <meta property="og:url" content="https://example.pe/peru-grupo-lima">
    <meta name="author" content="Ana Pérez"><meta property="article:published_time" content="2021-08-06T19:03:00-05:00">
    <style>p { color: red }</style><script>trackVisitor();</script></head>
    <body><nav><a href="/">Inicio</a> <a href="/politica">Política</a></nav>
    <article><h1>Perú deja el Grupo de Lima</h1>
    <p>El canciller del Perú anunció el martes que el país se retirará del Grupo de Lima, que apoyó a la oposición venezolana.</p>
    <p>Según el ministro, la política exterior del gobierno buscará la integración de América Latina sin distinciones ideológicas.</p>
    </article><footer>© 2021 Todos los derechos reservados</footer></body></html>"""
    write(tmp_path, "page.html", page)
    seeds, _ = read_seeds(tmp_path)
    text = seeds[0].text
    assert "trackVisitor" not in text and "color: red" not in text and "Inicio" not in text and "©" not in text
    clean = clean_text(text)
    assert (clean.title, clean.url, clean.author, clean.published, clean.language) == (
        "Perú deja el Grupo de Lima", "https://example.pe/peru-grupo-lima", "Ana Pérez", "2021-08-06", "es")
    assert clean.body.split("\n\n")[0].startswith("El canciller del Perú anunció el martes")
    assert len(clean.body.split("\n\n")) == 2


def test_html_with_only_markup_is_rejected(tmp_path):
    write(tmp_path, "empty.html", "<html><head><script>x()</script></head><body> </body></html>")
    assert reasons(read_seeds(tmp_path)[1]) == {"empty.html": "file has no text (only markup)"}


def test_a_file_with_a_known_hash_comes_back_undecoded_and_others_are_read(tmp_path):
    write(tmp_path, "same.txt", "Keiko PeÃ±a said no.\n" + ARTICLE)
    write(tmp_path, "changed.txt", ARTICLE)
    first, _ = read_seeds(tmp_path)
    known = {seed.path: seed.content_hash for seed in first}
    write(tmp_path, "changed.txt", ARTICLE + "A new paragraph.\n")
    seeds, rejections = read_seeds(tmp_path, known_hashes=known)
    by_path = {seed.path: seed for seed in seeds}
    assert rejections == [] and set(by_path) == {"same.txt", "changed.txt"}
    assert (by_path["same.txt"].text, by_path["same.txt"].notes) == ("", ())
    assert by_path["same.txt"].content_hash == known["same.txt"]
    assert by_path["changed.txt"].text.endswith("A new paragraph.\n")
    assert by_path["changed.txt"].content_hash != known["changed.txt"]


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=300).filter(lambda data: b"\x00" not in data))
def test_binary_detection_counts_control_bytes_other_than_tab_newline_formfeed_return(data):
    controls = sum(1 for byte in data if byte < 32 and byte not in (9, 10, 12, 13))
    assert _is_binary(data) == (controls > 0.10 * len(data))
    assert _is_binary(data + b"\x00")
