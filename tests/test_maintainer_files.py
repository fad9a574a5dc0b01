"""Maintainers' files: header keys in Spanish and Portuguese, header dates that are not dates or lie
in the future (reported, not used), .htm read as HTML, PDF and Word named as unsupported types."""
from __future__ import annotations

import json
import shutil

BODY = ("El canciller del Perú anunció el martes que el país se retiraría del Grupo de Lima, una instancia "
        "creada en 2017 para tratar la crisis de Venezuela. La decisión fue comunicada a los demás miembros "
        "del grupo en una reunión virtual. Según el ministro, la política exterior del nuevo gobierno buscará "
        "el diálogo con todos los países de la región sin exclusiones. Varios analistas señalaron que la "
        "salida del Perú deja al grupo sin el país que le dio nombre y que su futuro es incierto.\n")


def seeds_only(cli_dirs, files: dict[str, bytes | str]) -> None:
    shutil.rmtree(cli_dirs.seeds)
    cli_dirs.seeds.mkdir()
    for name, content in files.items():
        path = cli_dirs.seeds / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def test_spanish_and_portuguese_header_keys_are_read(cli_dirs, digestbot):
    seeds_only(cli_dirs, {
        "es.txt": "título: Perú deja el Grupo de Lima\nfecha: 2021-08-06\nfuente: Andina\nidioma: es\n"
                  "autor: Ana Pérez\n\n" + BODY,
        "pt.txt": "titulo: Peru deixa o Grupo de Lima\ndata: 6 de agosto de 2021\nfonte: Agência Brasil\n"
                  "língua: es\n\n" + BODY})
    assert digestbot("ingest").code == 0
    es = json.loads(digestbot("show", "es", "--json").out)
    assert es["title"] == "Perú deja el Grupo de Lima" and es["published"] == "2021-08-06"
    assert es["outlet"] == "Andina" and es["author"] == "Ana Pérez" and "título" not in es["title"]
    pt = json.loads(digestbot("show", "pt", "--json").out)
    assert pt["title"] == "Peru deixa o Grupo de Lima" and pt["published"] == "2021-08-06"


def test_a_header_date_that_is_not_a_date_or_in_the_future_is_reported_and_not_used(cli_dirs, digestbot):
    seeds_only(cli_dirs, {"a.txt": "title: A\ndate: yesterday\n\n" + BODY,
                          "b.txt": "title: B\ndate: 2024-13-45\n\n" + BODY,
                          "c.txt": "title: C\ndate: 2999-01-01\n\n" + BODY})
    checked = digestbot("check")
    assert "a.txt: header date 'yesterday' is not a date" in checked.out
    assert "b.txt: header date '2024-13-45' is not a date" in checked.out
    assert "c.txt: header date 2999-01-01 is in the future" in checked.out
    ingested = digestbot("ingest")
    assert ingested.code == 0
    assert "'yesterday' is not a date" in ingested.out and "in the future" in ingested.out
    for article_id in ("a", "b", "c"):
        assert json.loads(digestbot("show", article_id, "--json").out)["published"] == ""


def test_every_file_is_read_or_named_with_its_reason(cli_dirs, digestbot):
    seeds_only(cli_dirs, {"page.htm": "<html><head><title>Peru leaves the Lima Group</title></head><body>"
                                      "<article><h1>Peru leaves the Lima Group</h1><p>" + BODY + "</p></article>"
                                      "</body></html>",
                          "report.pdf": b"%PDF-1.4 ...", "memo.docx": b"PK\x03\x04..."})
    result = digestbot("ingest")
    assert result.code == 0, result.err
    assert "page" in digestbot("articles").out
    assert "report.pdf" in result.out and "memo.docx" in result.out
    assert "unsupported type .pdf" in result.out and "unsupported type .docx" in result.out


async def test_reload_names_unsupported_files_in_its_report(telegram_bot, ingested_dirs):
    from tests.conftest import ADMIN_ID

    (ingested_dirs.seeds / "scan.pdf").write_bytes(b"%PDF-1.4 ...")
    from bot.telegram.reloads import reloads_of

    await telegram_bot.send("/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)
    await reloads_of(telegram_bot.app).wait()            # a reload runs in the background
    assert "scan.pdf: unsupported type .pdf" in telegram_bot.transport.sent[-1].text
