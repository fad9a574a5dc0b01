"""Fit the paragraph classifier (bot/extract/paragraphs.py) on ONE half of the extraction set, report the other.

    .venv/bin/python benchmarks/fit_paragraphs.py [EVAL_DIR]           # fit on odd pages, print both halves
    .venv/bin/python benchmarks/fit_paragraphs.py [EVAL_DIR] --write   # ... and write the weights into paragraphs.py
    .venv/bin/python benchmarks/fit_paragraphs.py --l2 0.1 --write     # what ships: the L2 that scored best end to
                                                                       # end on the odd pages (docs/quality.md)

EVAL_DIR is shared/eval/extraction (default: ../shared/eval/extraction beside the checkout).
Every page's text and markdown renderings are read as bot.extract.clean reads them (header
lines, then bot.extract.lines.read_lines); a line's label is 1 when at least half of its word
4-grams (for a line under four words: the line itself) occur in the page's hand-marked body.
Each line is weighted by its share of the page's words, so that every page counts once, as in
the scorer's per-page averages. The model is a logistic regression on page_features, fitted by
Newton's method with an L2 penalty on standardised features (folded back into plain weights);
the penalty is chosen by two-fold cross-validation inside the odd pages. The thresholds of the selection are then chosen
on the odd pages by a grid over the proxy F1 (the kept lines against the gold body, with the
scorer's metric). The even pages are only reported. The full pipeline's figures come from
shared/eval/score_extraction.py (README, "Extraction quality").
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.extract import paragraphs  # noqa: E402
from bot.extract.bounds import bound_text  # noqa: E402
from bot.extract.line_features import page_features, word_count  # noqa: E402
from bot.extract.lines import Line, read_lines  # noqa: E402
from bot.extract.meta import parse_header  # noqa: E402

WORD = re.compile(r"\w+")
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
GRID = {"RUN_THRESHOLD": (0.3, 0.4, 0.5), "INSIDE_THRESHOLD": (0.2, 0.3, 0.4), "OUTSIDE_THRESHOLD": (0.7, 0.8, 0.9)}


def page_lines(raw: str) -> list[Line]:
    raw_lines = bound_text(raw).split("\n")
    _, used = parse_header(raw_lines)
    return read_lines(raw_lines[used:])


def line_label(text: str, gold_shingles: set[tuple[str, ...]], gold_words: str) -> float:
    words = WORD.findall(text)
    if len(words) < 4:
        return float(bool(words) and f" {' '.join(words)} " in gold_words)
    shingles = {tuple(words[i:i + 4]) for i in range(len(words) - 3)}
    return float(sum(s in gold_shingles for s in shingles) >= 0.5 * len(shingles))


def load(root: Path) -> list[dict]:
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    pages = []
    for page, entry in sorted(gold.items()):
        words = WORD.findall(entry["articleBody"])
        shingles = {tuple(words[i:i + 4]) for i in range(max(len(words) - 3, 0))}
        joined = f" {' '.join(words)} "
        for rendering, suffix in (("text", "txt"), ("markdown", "md")):
            lines = page_lines((root / rendering / f"{page}.{suffix}").read_text(encoding="utf-8"))
            if not lines:
                continue
            counts = np.array([word_count(line.text) + 1 for line in lines], dtype=float)
            pages.append({"page": page, "odd": int(page) % 2 == 1, "rendering": rendering, "lines": lines,
                          "gold": entry["articleBody"], "x": page_features(lines),
                          "y": np.array([line_label(line.text, shingles, joined) for line in lines]),
                          "w": counts / counts.sum()})
    return pages


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by Newton's method; weights on the raw features."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2 * w.sum())
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[:-1] / std
    return weights, float(beta[-1] - weights @ mean)


def scorer(root: Path):
    spec = importlib.util.spec_from_file_location("score_extraction", root.parent / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def proxy_f1(pages: list[dict], se) -> dict[str, float]:
    """The scorer's F1 of the classifier's kept lines alone (before the cleaner's rules), per half."""
    counts = {True: [], False: []}
    for page in pages:
        keep = paragraphs.select_lines(page["p"], page["lines"])
        body = "\n".join(line.text for line, kept in zip(page["lines"], keep) if kept)
        counts[page["odd"]].append(se.page_counts(page["gold"], body))
    return {"odd": se.summary(counts[True])["f1"], "even": se.summary(counts[False])["f1"]}


def fit_on(train: list[dict], pages: list[dict], l2: float) -> dict[str, object]:
    """The model fitted on `train`; every page of `pages` gets its probabilities "p"."""
    x, y, w = (np.vstack([p["x"] for p in train]), np.concatenate([p["y"] for p in train]),
               np.concatenate([p["w"] for p in train]))
    weights, bias = fit_logistic(x, y, w, l2)
    for page in pages:
        page["p"] = 1 / (1 + np.exp(-np.clip(page["x"] @ weights + bias, -30, 30)))
    return {"WEIGHTS": weights, "BIAS": bias}


def choose_thresholds(pages: list[dict], se) -> tuple[float, dict[str, float]]:
    best: tuple[float, dict[str, float]] = (-1.0, {})
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values))
        for name, value in setting.items():
            setattr(paragraphs, name, value)
        score = proxy_f1(pages, se)["odd"]
        if score > best[0]:
            best = (score, setting)
    for name, value in best[1].items():
        setattr(paragraphs, name, value)
    return best


def cross_validate(pages: list[dict], se) -> float:
    """The L2 penalty chosen by two-fold cross-validation inside the odd pages (1 and 3 mod 4)."""
    odd = [page for page in pages if page["odd"]]
    results = {}
    for l2 in L2_GRID:
        scores = []
        for fold in (1, 3):
            train = [page for page in odd if int(page["page"]) % 4 == fold]
            test = [dict(page) for page in odd if int(page["page"]) % 4 != fold]
            fit_on(train, test, l2)
            scores.append(choose_thresholds(test, se)[0])
        results[l2] = sum(scores) / 2
        print(f"cross-validated proxy F1, l2={l2:g}: {results[l2]:.4f}", flush=True)
    return max(results, key=results.__getitem__)


def fit(pages: list[dict], se, l2: float | None) -> dict[str, object]:
    l2 = cross_validate(pages, se) if l2 is None else l2
    print(f"chosen: l2={l2:g}")
    values = fit_on([page for page in pages if page["odd"]], pages, l2)
    return {**choose_thresholds(pages, se)[1], **values}


def fitted_block(values: dict[str, object]) -> str:
    def numbers(array) -> str:
        items = [f"{v:.4f}" for v in array]
        rows = [", ".join(items[i:i + 12]) for i in range(0, len(items), 12)]
        return "np.array((\n    " + ",\n    ".join(rows) + "))"
    lines = [f"{name} = {values[name]}" for name in GRID]
    lines += [f"WEIGHTS = {numbers(values['WEIGHTS'])}", f"BIAS = {values['BIAS']:.4f}",
]
    return "\n".join(lines) + "\n"


def write(block: str) -> None:
    path = ROOT / "bot" / "extract" / "paragraphs.py"
    source = path.read_text(encoding="utf-8")
    start = source.index("\n", source.index("# --- fitted by benchmarks/fit_paragraphs.py")) + 1
    end = source.index("# --- end of fitted values ---")
    path.write_text(source[:start] + block + source[end:], encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval" / "extraction")
    parser.add_argument("--write", action="store_true", help="write the fitted values into bot/extract/paragraphs.py")
    parser.add_argument("--l2", type=float, help="this L2 penalty instead of the cross-validated choice")
    args = parser.parse_args()
    if not (args.root / "gold.json").is_file():
        args.root = ROOT.parents[1] / "shared" / "eval" / "extraction"
    se = scorer(args.root)
    pages = load(args.root)
    values = fit(pages, se, args.l2)
    block = fitted_block(values)
    print(block)
    print("proxy F1 (classifier's lines only):", {k: round(v, 4) for k, v in proxy_f1(pages, se).items()})
    if args.write:
        write(block)
        print("written to bot/extract/paragraphs.py; now run shared/eval/score_extraction.py for the full figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
