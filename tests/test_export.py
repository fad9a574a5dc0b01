"""`digestbot export` and the extraction entry points the evaluation scripts call."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.extract import article_body, article_body_html
from bot.extract.html import extract_html
from tests.support.paths import DIGESTS

STORY_ARTICLES = Path(__file__).parent / "data" / "story_articles"
FIELDS = {"path", "title", "published", "outlet", "language", "themes", "key_points", "body", "story"}
PARAGRAPHS = ("El canciller del Perú, Héctor Béjar, anunció el martes que el país se retirará del Grupo de Lima, "
              "que había apoyado a la oposición venezolana desde su creación en 2017.",
              "Según el ministro, la política exterior del gobierno buscará la integración de América Latina "
              "sin distinciones ideológicas y con respeto a la soberanía de cada país.",
              "La decisión fue criticada por varios congresistas de la oposición, que pidieron al ministro "
              "explicar ante el pleno las razones del cambio de rumbo de la diplomacia peruana.")
PAGE = f"""<!doctype html><html lang="es"><head><title>Perú deja el Grupo de Lima | Diario Ejemplo</title>
<meta property="og:title" content="Perú deja el Grupo de Lima">
<meta property="og:site_name" content="Diario Ejemplo">
<meta property="og:url" content="https://diario.example/2021/08/06/peru-grupo-lima">
<meta property="article:published_time" content="2021-08-06T19:03:00-05:00">
<script>trackVisitor();</script></head>
<body><nav><a href="/">Inicio</a> <a href="/politica">Política</a> <a href="/deportes">Deportes</a></nav>
<article><h1>Perú deja el Grupo de Lima</h1>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</article>
<footer>© 2021 Diario Ejemplo. Todos los derechos reservados.</footer></body></html>"""


def export(tmp_path: Path, capsys, seeds: Path) -> list[dict]:
    options = ["--data-dir", str(tmp_path / "data"), "--seeds", str(seeds), "--digests", str(DIGESTS)]
    assert main([*options, "ingest"]) == 0
    capsys.readouterr()
    assert main([*options, "export"]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_lists_every_stored_article_with_the_fields_the_page_scorer_reads(tmp_path, capsys, cli_env):
    seeds = tmp_path / "seeds"
    shutil.copytree(STORY_ARTICLES, seeds / "wire")
    (seeds / "page.html").write_text(PAGE, encoding="utf-8")
    rows = export(tmp_path, capsys, seeds)
    paths = sorted(p.relative_to(seeds).as_posix() for p in seeds.rglob("*.*"))
    assert sorted(row["path"] for row in rows) == paths
    for row in rows:
        assert set(row) == FIELDS
        assert re.fullmatch(r"(\d{4}-\d{2}(-\d{2})?)?", row["published"])
        assert row["language"] in ("en", "es", "pt") and row["key_points"] and row["body"]
        assert all(point in row["body"] or point.rstrip(".") in row["body"] for point in row["key_points"])
    page = next(row for row in rows if row["path"] == "page.html")
    assert (page["title"], page["published"], page["outlet"]) == ("Perú deja el Grupo de Lima", "2021-08-06",
                                                                  "Diario Ejemplo")
    assert "Inicio" not in page["body"] and "©" not in page["body"]


def test_articles_of_one_story_share_its_story_value_and_others_do_not(tmp_path, capsys, cli_env):
    rows = export(tmp_path, capsys, STORY_ARTICLES)
    stories: dict[str, set[str]] = {}
    for row in rows:
        stories.setdefault(row["story"], set()).add(row["path"])
    assert sum(len(paths) for paths in stories.values()) == len(rows)
    assert 1 < len(stories) <= len(rows)


def test_article_body_html_keeps_the_article_and_drops_menus_scripts_and_footer():
    body = article_body_html(PAGE)
    assert body.split("\n\n") == list(PARAGRAPHS)


def test_extract_html_reads_title_date_site_name_and_url():
    page = extract_html(PAGE)
    assert (page.title, page.published, page.site_name, page.url) == (
        "Perú deja el Grupo de Lima", "2021-08-06", "Diario Ejemplo",
        "https://diario.example/2021/08/06/peru-grupo-lima")


def test_a_future_or_impossible_date_in_the_html_is_no_date():
    future = PAGE.replace("2021-08-06T19:03:00-05:00", "2999-01-01T00:00:00Z").replace("/2021/08/06/", "/")
    impossible = PAGE.replace("2021-08-06T19:03:00-05:00", "2021-02-30T00:00:00Z").replace("/2021/08/06/", "/")
    assert extract_html(future).published == ""
    assert extract_html(impossible).published in ("", "2021-02")


def test_a_bare_html_fragment_still_has_its_text_as_body():
    assert extract_html(f"<p>{PARAGRAPHS[0]}</p>").body == PARAGRAPHS[0]


@pytest.mark.parametrize("page", ["\xa0<!--", "<!-- only a comment -->", "<?xml-stylesheet href='a'?>"])
def test_a_page_that_is_only_a_comment_or_instruction_has_an_empty_body(page):
    assert extract_html(page).body == ""


def test_article_body_of_plain_text_drops_the_menu_and_keeps_the_paragraphs():
    text = "Inicio\nPolítica\nDeportes\n\n" + "\n\n".join(PARAGRAPHS) + "\n\nCompartir en Facebook\n"
    assert article_body(text).split("\n\n") == list(PARAGRAPHS)
