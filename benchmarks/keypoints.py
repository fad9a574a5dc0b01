"""Key-point extraction speed: ours vs sumy LexRank on the same articles, same run.

    .venv/bin/python benchmarks/keypoints.py [--limit N]

Prints ms/article for `extract_key_points` and for sumy's LexRank (same
offline Punkt tokenizer, same sentence count), their ratio, the slowest
article, and the time for synthetic 200- and 2,000-sentence articles. Article
bodies come from tests/data/eval (cleaned once, untimed), so both methods get
the same text.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sumy.nlp.stemmers import Stemmer  # noqa: E402
from sumy.parsers.plaintext import PlaintextParser  # noqa: E402
from sumy.summarizers.lex_rank import LexRankSummarizer  # noqa: E402
from sumy.utils import get_stop_words  # noqa: E402

from bot.extract.clean import clean_text  # noqa: E402
from bot.keypoints.points import extract_key_points  # noqa: E402
from bot.tokenizer import PunktTokenizer  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval"


def load_bodies(limit: int | None) -> list[tuple[str, str]]:
    paths = sorted((EVAL / "cnn_world" / "articles").glob("*.txt")) + sorted((EVAL / "bbc_politics" / "articles").glob("*.txt"))
    paths = paths[:limit] if limit else paths
    return [(f"{p.parent.parent.name}/{p.stem}", clean_text(p.read_text(encoding="utf-8")).body) for p in paths]


def lexrank(body: str, n: int = 4) -> list[str]:
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    document = PlaintextParser.from_string(body, PunktTokenizer("en")).document
    return [str(s) for s in summarizer(document, n)]


def ours(body: str, n: int = 4) -> list[str]:
    return [p.text for p in extract_key_points(body, "en", n)]


def timed(fn, body: str) -> float:
    start = time.perf_counter()
    fn(body)
    return (time.perf_counter() - start) * 1000


def synthetic(sentences: int) -> str:
    topics = ["Lima Group", "OAS", "CELAC", "Mercosur", "UNASUR", "Pacific Alliance", "Andean Community"]
    lines = [f"The {topics[i % 7]} ministers met in city number {i} and agreed on point {i * 7 % 13} "
             f"of the agenda on trade, migration and democracy." for i in range(sentences)]
    return "\n\n".join(" ".join(lines[i:i + 3]) for i in range(0, sentences, 3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N articles")
    args = parser.parse_args(argv)
    bodies = load_bodies(args.limit)
    ours(bodies[0][1]); lexrank(bodies[0][1])                 # warm-up: models, caches
    ours_ms = [timed(ours, body) for _, body in bodies]
    lex_ms = [timed(lexrank, body) for _, body in bodies]
    mean_ours, mean_lex = statistics.fmean(ours_ms), statistics.fmean(lex_ms)
    slowest = max(range(len(bodies)), key=ours_ms.__getitem__)
    print(f"articles: {len(bodies)} (cnn_world + bbc_politics, cleaned bodies)")
    print(f"ours    : {mean_ours:7.1f} ms/article (median {statistics.median(ours_ms):.1f})")
    print(f"lexrank : {mean_lex:7.1f} ms/article (median {statistics.median(lex_ms):.1f})")
    print(f"ratio   : {mean_ours / mean_lex:7.2f} (ours / lexrank)")
    print(f"slowest : {ours_ms[slowest]:7.1f} ms ({bodies[slowest][0]})")
    for size in (200, 2000):
        body = synthetic(size)
        ours(body)
        best = min(timed(ours, body) for _ in range(3))
        print(f"synthetic {size:>5} sentences: {best:7.1f} ms (best of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
