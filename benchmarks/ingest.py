"""Ingest speed: a full ingest of >= 1,000 files against a plain sumy LexRank loop, and a re-ingest.

In one run, over the same corpus (benchmarks/corpus.py):
1. a plain loop: PlaintextParser(text, bot.tokenizer.PunktTokenizer) -> LexRankSummarizer(Stemmer),
   4 sentences, one process - what "just summarize every file" costs;
2. run_ingest into a fresh TinyStore: read, clean, key points, themes, one store write
   (a process pool when there is more than one CPU);
3. run_ingest again over the unchanged corpus (nothing to clean or summarize).
Targets: (2) at most the time of (1); (3) under 5% of (2).

    python benchmarks/ingest.py [--copies 3] [--workers N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import REPO, CorpusFile, build_corpus  # noqa: E402
from bot.library.ingest import run_ingest  # noqa: E402
from bot.nlp import LANGUAGE_NAMES  # noqa: E402
from bot.tokenizer import PunktTokenizer  # noqa: E402
from bot.store.tinydb.store import TinyStore  # noqa: E402
from bot.library.theme_files import load_themes  # noqa: E402


def lexrank_loop(files: list[CorpusFile]) -> float:
    """Seconds for the plain LexRank loop over every file (4 sentences each)."""
    summarizers = {}
    for code in ("en", "es"):
        summarizer = LexRankSummarizer(Stemmer(LANGUAGE_NAMES[code]))
        summarizer.stop_words = get_stop_words(LANGUAGE_NAMES[code])
        summarizers[code] = (summarizer, PunktTokenizer(code))
    started = time.perf_counter()
    for item in files:
        summarizer, tokenizer = summarizers[item.language]
        parser = PlaintextParser.from_string(item.path.read_text(encoding="utf-8"), tokenizer)
        summarizer(parser.document, 4)
    return time.perf_counter() - started


def measure(copies: int, workers: int | None) -> dict[str, object]:
    themes, problems = load_themes(REPO / "digests")
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        corpus = Path(tmp) / "seeds"
        files = build_corpus(corpus, copies)
        lexrank = lexrank_loop(files)
        store = TinyStore(Path(tmp) / "data")
        started = time.perf_counter()
        full = run_ingest(store, corpus, themes, workers=workers)
        full_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = run_ingest(store, corpus, themes, workers=workers)
        again_seconds = time.perf_counter() - started
        store.close()
    return {
        "files": len(files), "cpus": os.cpu_count(), "workers": workers or os.cpu_count(),
        "themes": len(themes), "theme_problems": len(problems),
        "lexrank_seconds": round(lexrank, 3),
        "ingest_seconds": round(full_seconds, 3),
        "ingest_to_lexrank": round(full_seconds / lexrank, 3),
        "ingested": len(full.added), "rejected": len(full.rejected),
        "reingest_seconds": round(again_seconds, 3),
        "reingest_to_ingest": round(again_seconds / full_seconds, 4),
        "reingest_unchanged": len(again.unchanged),
    }


def print_table(r: dict[str, object]) -> None:
    per_file = lambda seconds: f"{1000 * seconds / r['files']:7.1f} ms"   # noqa: E731
    print(f"corpus: {r['files']} files, {r['cpus']} CPUs, {r['workers']} ingest workers, {r['themes']} themes")
    print(f"{'step':<28}{'seconds':>9}{'per file':>12}   ratio")
    print(f"{'plain LexRank loop':<28}{r['lexrank_seconds']:>9.2f}{per_file(r['lexrank_seconds']):>12}")
    print(f"{'full ingest':<28}{r['ingest_seconds']:>9.2f}{per_file(r['ingest_seconds']):>12}"
          f"   {r['ingest_to_lexrank']:.2f} x LexRank (target <= 1.00)")
    print(f"{'re-ingest, unchanged':<28}{r['reingest_seconds']:>9.2f}{per_file(r['reingest_seconds']):>12}"
          f"   {100 * r['reingest_to_ingest']:.1f}% of full ingest (target < 5%)")
    print(f"ingested {r['ingested']}, rejected {r['rejected']}; re-ingest found {r['reingest_unchanged']} unchanged")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=3, help="copies of each source article (default 3: ~1,100 files)")
    parser.add_argument("--workers", type=int, default=None, help="ingest worker processes (default: CPU count)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(args.copies, args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
