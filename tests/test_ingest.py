"""run_ingest on real seed files, the real cleaner, summarizer and matcher, and a TinyStore in tmp_path."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bot.sources.seeds

from bot.errors import ConfigError
from bot.library.ingest import Job, run_ingest, summarize_batch
from bot.store.tinydb.store import TinyStore
from bot.library.theme_files import load_themes
from tests.support.paths import DIGESTS, SEEDS

REPO = Path(__file__).resolve().parent.parent
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
T1, T2, T3 = 1_000_000.0, 2_000_000.0, 3_000_000.0

PARAGRAPHS = [
    "Peru's foreign minister met envoys of the Lima Group on Monday to discuss the crisis in Venezuela.",
    "The ministers agreed to ask the Organization of American States for a special session next month.",
    "Officials from Colombia and Chile said the group would keep pressing for free and fair elections.",
    "Critics in Lima argued that the bloc had lost its purpose after several members left it last year.",
    "The talks ended with a joint statement that called for dialogue and for the release of prisoners.",
    "Analysts expect the next meeting to take place in Brasilia before the end of the current quarter.",
]


@pytest.fixture(scope="module")
def themes():
    loaded, problems = load_themes(DIGESTS)
    assert not problems
    return loaded


@pytest.fixture
def seeds(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def store(tmp_path):
    opened = TinyStore(tmp_path / "data")
    yield opened
    opened.close()


def outlet_article(outlet: str, number: int, insert: str = "") -> str:
    """A synthetic article of `outlet` whose paragraphs differ by file; `insert` goes in the middle."""
    body = [f"{p[:-1]}, sources number {number} said." for p in PARAGRAPHS[number % 3:]] + PARAGRAPHS[:number % 3]
    if insert:
        body.insert(3, insert)
    return (f"title: Lima Group talks, part {number}\nsource: {outlet}\ndate: 2021-08-0{number % 9 + 1}\n\n"
            + "\n\n".join(body) + "\n")


def test_a_first_ingest_adds_every_seed_with_key_points_and_themes(store, seeds, themes):
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    assert sorted(report.added) == SEED_IDS and not report.rejected
    for article in store.all_articles():
        assert 3 <= len(article.key_points) <= 5
        assert all(point.text in article.body for point in article.key_points)
        assert article.themes and article.first_seen == article.updated_at == T1


def test_unchanged_files_are_not_cleaned_or_summarized_again(store, seeds, themes):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    before = store.write_counts()["articles.json"]
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert sorted(report.unchanged) == SEED_IDS
    assert report.added == report.updated == report.retired == ()
    assert {a.updated_at for a in store.all_articles()} == {T1}
    assert store.write_counts()["articles.json"] == before   # nothing to save: the file is not rewritten


def test_a_changed_file_replaces_its_article_and_keeps_first_seen(store, seeds, themes):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    path = seeds / f"{SEED_IDS[3]}.txt"
    text = path.read_text()
    cut = text.index("\n\n", text.index("The United States will not promote"))
    path.write_text(text[:cut] + "\n\nThe OAS will meet again in Washington on Friday to review the case." + text[cut:])
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert report.updated == (SEED_IDS[3],) and len(report.unchanged) == 4
    article = store.get_article(SEED_IDS[3])
    assert (article.first_seen, article.updated_at) == (T1, T2)
    assert "meet again in Washington" in article.body


def test_a_deleted_file_is_retired_hidden_and_kept(store, seeds, themes):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    (seeds / f"{SEED_IDS[0]}.txt").unlink()
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert report.retired == (SEED_IDS[0],)
    assert SEED_IDS[0] not in {a.id for a in store.all_articles()}
    assert store.get_article(SEED_IDS[0]).is_retired
    shutil.copy(SEEDS / f"{SEED_IDS[0]}.txt", seeds)
    report = run_ingest(store, seeds, themes, now=T3, workers=1)
    assert report.updated == (SEED_IDS[0],) and not store.get_article(SEED_IDS[0]).is_retired


def test_a_rejected_file_leaves_nothing_in_the_store(store, seeds, themes):
    (seeds / "empty.txt").write_text("")
    (seeds / "short.txt").write_text("title: Lima\n\nThe Lima Group met.\n")
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    reasons = {r.path: r.reason for r in report.rejected}
    assert reasons["empty.txt"] == "file is empty"
    assert "no article text" in reasons["short.txt"]
    assert store.get_article("empty") is None and store.get_article("short") is None
    assert sorted(report.added) == SEED_IDS


def test_a_file_that_turns_bad_keeps_its_previous_version(store, seeds, themes):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    (seeds / f"{SEED_IDS[1]}.txt").write_text("Too short now.\n")
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert [r.path for r in report.rejected] == [f"{SEED_IDS[1]}.txt"]
    assert "previous version is kept" in report.rejected[0].reason
    assert store.get_article(SEED_IDS[1]).updated_at == T1 and not report.retired


def test_a_broken_file_is_reported_by_name_and_reason_while_the_rest_goes_on(store, seeds, themes):
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    assert [(r.path, r.reason) for r in report.rejected] == [("binary.txt", "binary file (not text)")]
    assert sorted(report.added) == SEED_IDS


def test_an_exception_while_processing_one_file_becomes_its_rejection(themes):
    good = Job("good.txt", outlet_article("Example News", 1), frozenset())
    broken = Job("broken.txt", None, frozenset())   # clean_text raises on it
    results = summarize_batch([broken, good], themes)
    assert results[0].path == "broken.txt" and results[0].problem.startswith("processing failed (")
    assert results[1].key_points and not results[1].problem


def test_lines_repeated_across_one_outlets_files_are_removed_as_boilerplate(store, tmp_path, themes):
    seeds = tmp_path / "outlet_seeds"
    seeds.mkdir()
    repeated = "Our reporters in the Andes work with local partners to verify each account that we publish."
    for number in range(3):
        (seeds / f"andes_{number}.txt").write_text(outlet_article("Andes Wire", number, repeated))
    (seeds / "other.txt").write_text(outlet_article("Pacific Post", 4, repeated))
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    assert len(report.added) == 4
    assert all(repeated not in store.get_article(f"andes_{n}").body for n in range(3))
    assert repeated in store.get_article("other").body    # one file of its outlet: not repeated


def test_a_theme_change_rematches_stored_bodies_without_resummarizing(store, seeds, themes):
    only_castillo = [t for t in themes if t.command == "castillo"]
    run_ingest(store, seeds, only_castillo, now=T1, workers=1)
    first = {a.id: a for a in store.all_articles()}
    assert {c for a in first.values() for c in a.theme_names} == {"castillo"}
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert sorted(report.unchanged) == SEED_IDS
    for article in store.all_articles():
        assert article.key_points == first[article.id].key_points and article.updated_at == T1
    assert {"lima_group", "venezuela"} <= {c for a in store.all_articles() for c in a.theme_names}


def test_an_ingest_is_one_store_write_for_all_its_articles(store, seeds, themes):
    before = store.write_counts()["articles.json"]
    run_ingest(store, seeds, themes, now=T1, workers=1)
    assert store.write_counts()["articles.json"] == before + 1


def test_two_files_with_the_same_id_keep_the_first(store, seeds, themes):
    shutil.copy(seeds / f"{SEED_IDS[2]}.txt", seeds / f"{SEED_IDS[2]}.md")
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    assert [r.path for r in report.rejected] == [f"{SEED_IDS[2]}.txt"]
    assert "same article id" in report.rejected[0].reason
    assert store.get_article(SEED_IDS[2]).path == f"{SEED_IDS[2]}.md"


def test_decode_notes_are_reported_per_file(store, tmp_path, themes):
    seeds = tmp_path / "cp1252"
    seeds.mkdir()
    (seeds / "pena.txt").write_bytes(outlet_article("Andes Wire", 2).replace("Lima", "Peña").encode("cp1252"))
    report = run_ingest(store, seeds, themes, now=T1, workers=1)
    assert report.notes == (("pena.txt", "decoded as cp1252"),)
    assert "Peña" in store.get_article("pena").body


def test_a_missing_seeds_directory_is_an_error_and_retires_nothing(store, seeds, themes):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    with pytest.raises(ConfigError, match="seeds directory not found"):
        run_ingest(store, seeds.parent / "nope", themes, now=T2, workers=1)
    assert len(store.all_articles()) == len(SEED_IDS)


def test_progress_counts_up_to_every_file(store, seeds, themes):
    calls = []
    run_ingest(store, seeds, themes, now=T1, workers=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)


@pytest.mark.slow
def test_the_process_pool_gives_the_same_articles_as_the_serial_path(tmp_path, themes):
    seeds = tmp_path / "many"
    shutil.copytree(SEEDS, seeds)
    for source in sorted((REPO / "tests" / "data" / "story_articles").glob("*.txt")):
        shutil.copy(source, seeds)
    results = []
    for workers in (2, 1):
        store = TinyStore(tmp_path / f"data{workers}")
        report = run_ingest(store, seeds, themes, now=T1, workers=workers)
        assert len(report.added) + len(report.rejected) >= 20 and len(report.added) >= 18
        results.append((report.added, report.rejected, store.all_articles()))
        store.close()
    assert results[0] == results[1]


def test_a_reingest_of_unchanged_files_decodes_none_of_them(store, seeds, themes, monkeypatch):
    run_ingest(store, seeds, themes, now=T1, workers=1)
    decoded = []
    monkeypatch.setattr(bot.sources.seeds, "decode_bytes", lambda data: decoded.append(data) or ("", ()))
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert sorted(report.unchanged) == SEED_IDS and decoded == []


def test_a_changed_file_still_loses_lines_its_unchanged_siblings_repeat(store, tmp_path, themes):
    seeds = tmp_path / "outlet_seeds"
    seeds.mkdir()
    repeated = "Our reporters in the Andes work with local partners to verify each account that we publish."
    for number in range(3):
        (seeds / f"andes_{number}.txt").write_text(outlet_article("Andes Wire", number, repeated))
    run_ingest(store, seeds, themes, now=T1, workers=1)
    (seeds / "andes_1.txt").write_text(outlet_article("Andes Wire", 7, repeated))
    report = run_ingest(store, seeds, themes, now=T2, workers=1)
    assert report.updated == ("andes_1",) and sorted(report.unchanged) == ["andes_0", "andes_2"]
    assert repeated not in store.get_article("andes_1").body
