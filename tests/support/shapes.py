"""Adversarial file shapes and a harness that measures one seed file's full processing.

Shared by tests/test_adversarial.py (small sizes, bounds per MB) and benchmarks/adversarial.py
(full sizes, beside a plain well-formed article). Each shape is measured in a child forked
from a warmed-up parent (imports done, the tokenizer and stemmers loaded by one plain
article), so the figures are the file's own: wall time, and the growth of the child's peak
resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss` after minus before).

    .venv/bin/python -m tests.support.shapes SIZE SHAPE [SHAPE ...]   # JSON lines on stdout
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
PLAIN = REPO / "tests" / "data" / "story_articles" / "argentina_leaves_lima_group.txt"


def repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def plain_article(size: int) -> str:
    """A well-formed article, its paragraphs repeated with numbers to `size` (the baseline)."""
    text = PLAIN.read_text(encoding="utf-8")
    header, _, body = text.partition("\n\n")
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    out, n = [header, ""], 0
    while sum(map(len, out)) < size:
        out.append(paragraphs[n % len(paragraphs)].replace(".", f" ({n}).", 1))
        n += 1
    return "\n\n".join(out)[:size]


WARM_PAGE = ('<html lang="en"><head><title>The OAS meets</title><meta property="og:title" content="The OAS meets">'
             '<meta name="author" content="A. Writer"><meta property="article:published_time" content="2021-08-05">'
             '</head><body><article>' + "<p>The foreign ministers of the OAS met in Lima on Friday to talk.</p>" * 30
             + "</article></body></html>")


# name -> (file suffix, build(size) -> text); sizes are characters (ASCII: bytes)
SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "plain_article": (".txt", plain_article),
    "one_huge_paragraph": (".txt", lambda n: repeat("Sentence 1 about the OAS in Lima. ", n)),
    "header_spaces": (".txt", lambda n: "title: x" + " " * n + "y\n\nThe OAS met in Lima.\n"),
    "date_spaces": (".txt", lambda n: "date: 2021" + " " * n + "y\n\nThe OAS met in Lima.\n"),
    "titles_and_initials": (".txt", lambda n: repeat("Rev. A. B. Dr. ", n)),
    "short_lines": (".txt", lambda n: repeat("word\n", n)),
    "short_paragraphs": (".txt", lambda n: repeat("The OAS and the Lima Group met in Lima.\n\n", n)),
    "one_char_run": (".txt", lambda n: "a" * n),
    "newlines_only_then_text": (".txt", lambda n: "\n" * n + "The OAS met in Lima."),
    "open_bold_markers": (".md", lambda n: repeat("**a ", n)),
    "open_emphasis": (".md", lambda n: repeat("*a b ", n)),
    "nested_brackets": (".md", lambda n: repeat("[", n // 2) + repeat("](", n // 2)),
    "caps_runs": (".txt", lambda n: repeat("A. B C D E F G H ", n)),
    "urls": (".txt", lambda n: repeat("https://t.co/x pic.twitter.com/y ", n)),
    "html_unclosed_p": (".html", lambda n: "<html><body>" + repeat("<p>word ", n)),
    "html_deep_div": (".html", lambda n: repeat("<div>", n) + "The OAS met in Lima."),
    "html_many_tiny_divs": (".html", lambda n: "<html><body>" + repeat("<div><p>x</p></div>", n)),
    "html_unclosed_nav": (".html", lambda n: repeat("<nav><p>x ", n)),
    "html_og_title_spaces": (".html", lambda n: '<html><head><meta property="og:title" content="x'
                             + " " * n + 'y"></head><body><p>The OAS met.</p></body></html>'),
    "html_unclosed_comment": (".html", lambda n: "<p>The OAS met.</p><!--" + repeat("x ", n)),
    "html_open_tags": (".html", lambda n: repeat("<a<b ", n)),
}


def _themes():
    from tests.support.factories import make_theme

    return [make_theme("oas", terms=("OAS", "OEA")), make_theme("lima_group", terms=("Lima Group", "Grupo de Lima")),
            make_theme("word", terms=("word", "a", "the", "x"))]


def process_file(folder: Path, name: str, text: str) -> str:
    """One seed file through everything an ingest does to it: read, decode, clean, key points, themes."""
    from bot.library.ingest import Job, summarize_file
    from bot.sources.seeds import read_seed

    path = folder / name
    path.write_text(text, encoding="utf-8")
    seed = read_seed(path, name, max_bytes=4_000_000)
    if not hasattr(seed, "text"):
        return f"rejected: {seed.reason}"
    result = summarize_file(Job(name, seed.text, frozenset()), _themes())
    return result.problem or f"{len(result.key_points)} key points"


def measure_in_child(shape: str, size: int, folder: Path) -> dict:
    """Fork; the child builds and processes the shape and reports seconds and peak memory growth."""
    suffix, build = SHAPES[shape]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child
        os.close(read_fd)
        text = build(size)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = process_file(folder, f"{shape}{suffix}", text)
        seconds = time.perf_counter() - started
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        os.write(write_fd, json.dumps({"shape": shape, "bytes": len(text.encode()), "seconds": seconds,
                                       "peak_mb": grown_kb / 1024, "outcome": outcome}).encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def main(argv: list[str]) -> None:
    size, shapes = int(argv[0]), argv[1:] or list(SHAPES)
    with tempfile.TemporaryDirectory() as tmp:
        process_file(Path(tmp), "warm.txt", plain_article(20_000))   # load models and caches once
        process_file(Path(tmp), "warm.html", WARM_PAGE)
        for shape in shapes:
            print(json.dumps(measure_in_child(shape, size, Path(tmp))), flush=True)


def run_shapes(size: int, shapes: list[str], timeout: float) -> list[dict]:
    """Measure `shapes` at `size` in a fresh interpreter (one warm-up, one forked child per shape)."""
    run = subprocess.run([sys.executable, "-m", "tests.support.shapes", str(size), *shapes],
                         capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if run.returncode:
        raise RuntimeError(run.stderr[-2000:])
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


if __name__ == "__main__":
    main(sys.argv[1:])
