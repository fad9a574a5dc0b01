"""Key points: whole verbatim sentences, in order, 3-5, no furniture, in the article's language."""
from __future__ import annotations

import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

from bot.extract.clean import clean_text
from bot.keypoints.points import extract_key_points, key_points
from bot.models import KeyPoint
from bot.tokenizer import split_sentences
from tests.support.paths import SEEDS
from tests.support.factories import synthetic_body

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SEED_FILES = sorted(SEEDS.glob("*.*"))
CNN = sorted((DATA / "eval" / "cnn_world" / "articles").glob("*.txt"))
BBC = sorted((DATA / "eval" / "bbc_politics" / "articles").glob("*.txt"))
SPANISH_NEWS = sorted((DATA / "spanish_news").glob("*.txt"))
_PAGES = DATA / "spanish_pages" if (DATA / "spanish_pages").is_dir() else ROOT.parent / "shared" / "eval" / "spanish_pages"
SPANISH_PAGES = sorted(_PAGES.glob("*.txt"))

# Furniture as a reader would spot it; written independently of bot.keypoints.sentences.
FURNITURE = re.compile("|".join([
    r"contributed to this (?:report|story)", r"^watch\b", r"e-mail to a friend", r"^read\b", r"^related\b",
    r"^more on\b", r"»\s*$", r"pic\.twitter\.com", r"https?://", r"\bfoto\s*:", r"\bphoto\s*:", r"cookies",
    r"síguenos", r"suscríbete", r"©", r"todos los derechos", r"te recomendamos", r"puedes ver",
    r"^lee también", r"^lea también", r"\|", r"getty images", r"haz clic", r"\(@\w+\)", r"^category\b",
    r"^published on", r"^by [A-Z]\w+ [A-Z]\w+$", r"\bposan? (?:para|en) la foto", r"comparte",
]), re.IGNORECASE)
DATELINE = re.compile(r"^(?:[\w .,'-]{0,40})\((?:CNN|AP|AFP|EFE|Reuters|ANDINA|Télam)\)|^[A-ZÁÉÍÓÚÑ]{3,}[A-Z ,]*\s*(?:--|\.-|—)")


@lru_cache(maxsize=None)
def points_of(path: Path, language: str) -> tuple[str, tuple[KeyPoint, ...]]:
    body = clean_text(path.read_text(encoding="utf-8")).body
    return body, extract_key_points(body, language, 4)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


# Punkt ends a "sentence" after a title or an initial ("the Rev. | Federico Lombardi said"):
# a point may span such a split, never a real sentence end.
TITLE_SPLIT = re.compile(r"(?:^|[\s(])(?:[A-Z][a-z]{0,4}|No|Nos|vs)\.$")


def is_whole_sentence(point: str, sentences: list[str]) -> bool:
    """The point is one Punkt sentence (or a suffix of one, past a dateline), or sentences
    joined across title splits."""
    point = " ".join(point.split())
    for i, first in enumerate(sentences):
        for j in range(i, min(i + 4, len(sentences))):
            if j > i and not TITLE_SPLIT.search(sentences[j - 1]):
                break
            tail = " ".join(" ".join(sentences[i + 1:j + 1]).split())
            joined = " ".join(" ".join(sentences[i:j + 1]).split())
            if joined.endswith(point) and len(point) > len(tail):
                return True
    return False


def assert_well_formed(body: str, points: tuple[KeyPoint, ...], language: str) -> None:
    sentences = split_sentences(body, language)
    positions = [body.index(p.text) for p in points]          # verbatim, or ValueError
    assert positions == sorted(positions), "points are in article order"
    for point in points:
        assert is_whole_sentence(point.text, sentences), f"not a whole sentence: {point.text!r}"
        assert not FURNITURE.search(point.text), f"furniture: {point.text!r}"
        assert not DATELINE.match(point.text), f"dateline: {point.text!r}"
    for i, a in enumerate(points):
        for b in points[i + 1:]:
            overlap = len(_words(a.text) & _words(b.text)) / len(_words(a.text) | _words(b.text))
            assert overlap < 0.6, f"near-duplicates: {a.text!r} / {b.text!r}"


@pytest.mark.parametrize("path", CNN[::4] + BBC[::6], ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_eval_key_points_are_whole_verbatim_sentences_in_order_without_furniture(path):
    body, points = points_of(path, "en")
    assert 3 <= len(points) <= 5
    assert_well_formed(body, points, "en")


@pytest.mark.slow
def test_no_eval_article_yields_a_furniture_or_dateline_point():
    for path in CNN + BBC:
        _, points = points_of(path, "en")
        bad = [p.text for p in points if FURNITURE.search(p.text) or DATELINE.match(p.text)]
        assert not bad, f"{path.name}: {bad}"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_key_points_carry_no_boilerplate(path):
    clean = clean_text(path.read_text(encoding="utf-8"))
    points = extract_key_points(clean.body, clean.language, 5)
    assert 3 <= len(points) <= 5
    assert_well_formed(clean.body, points, clean.language)


SPANISH_MARKERS = frozenset("el la los las de del que en y por con para se una un su al es lo".split())
ENGLISH_MARKERS = frozenset("the and of to is was with that for on by from has have said it".split())


def _is_spanish(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in SPANISH_MARKERS for w in words) > sum(w in ENGLISH_MARKERS for w in words)


@pytest.mark.parametrize("path", SPANISH_NEWS + SPANISH_PAGES, ids=lambda p: p.stem)
def test_spanish_pages_give_at_least_three_spanish_points_without_boilerplate(path):
    clean = clean_text(path.read_text(encoding="utf-8"))
    points = extract_key_points(clean.body, "es", 4)
    assert len(points) >= 3
    assert_well_formed(clean.body, points, "es")
    assert all(_is_spanish(p.text) for p in points), [p.text for p in points]


def test_a_leading_dateline_is_dropped_and_the_rest_stays_verbatim():
    body = ("Caracas, Venezuela (CNN) -- Venezuela recalled its ambassador to Colombia on Friday after a dispute over the border.\n\n"
            "The foreign minister said the decision was final and that talks would not resume this year.\n\n"
            "Colombia called the move regrettable and asked the Organization of American States to mediate.\n\n"
            "Trade between the neighbours fell by half last year, according to official figures.")
    points = extract_key_points(body, "en", 3)
    assert points[0].text == "Venezuela recalled its ambassador to Colombia on Friday after a dispute over the border."
    assert all(p.text in body for p in points)


def test_attribution_is_never_cut_from_a_quoted_point():
    body = "\n\n".join([
        "Peru withdrew from the Lima Group on Tuesday, ending four years of membership in the regional bloc.",
        '"We will not intervene in the internal affairs of Venezuela," the foreign minister Hector Bejar said.',
        "The group was founded in Lima in 2017 to seek a peaceful exit from the Venezuelan crisis.",
        "Argentina had left the group in March, citing the lack of results of its policy.",
    ])
    quoted = [p.text for p in extract_key_points(body, "en", 4) if p.text.startswith('"')]
    assert all(q.endswith("the foreign minister Hector Bejar said.") for q in quoted)


def test_a_sentence_split_after_a_title_is_joined_again():
    body = "\n\n".join([
        "In response to reporters' questions, Vatican spokesman the Rev. Federico Lombardi said the Pope may visit Cuba.",
        "Pope Francis helped negotiate the diplomatic thaw between Cuba and the United States last year.",
        "The Vatican said the trip to the United States would include stops in Washington and New York.",
    ])
    texts = [p.text for p in extract_key_points(body, "en", 3)]
    assert not any(t.endswith("the Rev.") or t.startswith("Federico") for t in texts)
    assert texts[0].endswith("Federico Lombardi said the Pope may visit Cuba.")


def test_n_is_clamped_to_three_to_five_points():
    body, _ = points_of(CNN[0], "en")
    assert len(extract_key_points(body, "en", 1)) >= 3
    assert len(extract_key_points(body, "en", 50)) <= 5
    assert len(key_points(CNN[0].read_text(encoding="utf-8"), "english", 50)) <= 5


def test_a_very_short_article_gives_what_it_has():
    body = "The OAS General Assembly opened in Lima on Wednesday with forty delegations present."
    assert [p.text for p in extract_key_points(body, "en", 4)] == [body]
    assert extract_key_points("", "en", 4) == ()


def test_every_point_explains_its_score():
    _, points = points_of(CNN[1], "en")
    assert points[0].why.startswith("news lead (first point); ")
    for point in points:
        assert re.fullmatch(r"(?:news lead \(first point\); )?centrality \d\.\d\d \+ position \d\.\d\d \(sentence \d+ of \d+\) − redundancy \d\.\d\d "
                            r"− length/style \d\.\d\d; length \d+ words", point.why), point.why
        assert isinstance(point.score, float)


def test_key_points_accepts_language_names_and_codes_alike():
    text = CNN[2].read_text(encoding="utf-8")
    assert key_points(text, "english", 4) == key_points(text, "en", 4)


def test_key_points_runs_in_a_process_pool():
    text = SPANISH_NEWS[0].read_text(encoding="utf-8")
    pickle.dumps(key_points)
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(key_points, text, "es", 4).result() == key_points(text, "es", 4)


@pytest.mark.parametrize("sentences", [200, 2000])
def test_a_long_article_gets_its_key_points(sentences):
    """How fast: benchmarks/responsiveness.py (200 vs 2,000 sentences)."""
    points = extract_key_points(synthetic_body(sentences), "en", 4)
    assert 3 <= len(points) <= 5 and all(p.text for p in points)
