"""A benchmark corpus of >= 1,000 article files, built from real article text.

Sources: the repository's seeds/, and the evaluation articles in ../shared/eval
(cnn_world, bbc_politics, spanish_pages), or their copies under tests/data/ when
../shared is absent. Each source article is written `copies` times; copy k gets a
`source: Mirror k` header, so every file's hash differs and each copy belongs to
another outlet (copies never look like one outlet's repeated boilerplate).

    python benchmarks/corpus.py DIR [--copies 3]
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval"
FALLBACK_EVAL = REPO / "tests" / "data" / "eval"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    language: str      # "en" or "es", from the source folder


def source_folders() -> list[tuple[Path, str]]:
    """(folder of .txt articles, language) for every source that exists here."""
    shared = SHARED_EVAL.is_dir()
    eval_dir = SHARED_EVAL if shared else FALLBACK_EVAL
    spanish = SHARED_EVAL / "spanish_pages" if shared else REPO / "tests" / "data" / "spanish_pages"
    folders = [(REPO / "seeds", "en"), (eval_dir / "cnn_world" / "articles", "en"),
               (eval_dir / "bbc_politics" / "articles", "en"), (spanish, "es")]
    return [(folder, language) for folder, language in folders if folder.is_dir()]


def build_corpus(target: Path, copies: int = 3) -> list[CorpusFile]:
    """Write the corpus under `target` (one sub-folder per copy); the files written."""
    written: list[CorpusFile] = []
    for folder, language in source_folders():
        label = folder.parent.name if folder.name == "articles" else folder.name   # cnn_world/articles -> cnn_world
        for source in sorted(folder.glob("*.txt")):
            text = source.read_text(encoding="utf-8")
            for copy in range(copies):
                path = target / f"mirror{copy}" / f"{label}_{source.name}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"source: Mirror {copy}\n{text}", encoding="utf-8")
                written.append(CorpusFile(path, language))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path, help="empty folder to write the corpus into")
    parser.add_argument("--copies", type=int, default=3, help="copies of each source article (default 3)")
    args = parser.parse_args()
    files = build_corpus(args.target, args.copies)
    print(f"wrote {len(files)} article files under {args.target}")


if __name__ == "__main__":
    main()
