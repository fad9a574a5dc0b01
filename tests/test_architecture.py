"""The tree tells the pipeline: pure stages touch nothing outside, imports run with the flow, no cycles.

Rules are by folder, so a new module is checked the moment it exists:
- a module in a pure package never imports `telegram`, `tinydb`, `apscheduler`, `httpx`,
  `os`, `pathlib`, ... and never calls `open`; it imports only the base and the pure
  packages upstream of it;
- every `bot` module imports only packages of its own rank or lower (LAYERS), never a
  sibling of the same rank;
- the import graph of `bot` (function-level imports included) has no cycle.
The checker is run on small synthetic trees too, to show that it does fail.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

# package (first component under bot/) -> rank; a module may import its own package and lower ranks.
LAYERS = {
    "__init__": 0, "models": 0, "errors": 0, "nlp": 0,
    "heap": 0,      # interpreter settings (GIL switch interval, gc.freeze): the due pass, library and app call it
    "metrics": 0,   # counters only (prometheus-client, nothing of ours): delivery, library, telegram record into it
    "tokenizer": 1,   # punkt and nltk (slow to import): extraction, key points and ingest, never the run path
    "extract": 2, "keypoints": 3, "themes": 4, "stories": 5, "digest": 6, "schedule": 6,
    "config": 7, "sources": 8, "store": 8,
    "library": 9, "services": 10, "delivery": 11, "telegram": 12, "cli": 13, "__main__": 14,
}
PURE = {"models", "errors", "nlp", "tokenizer", "extract", "keypoints", "themes", "stories", "digest", "schedule"}
FORBIDDEN_MODULES = {"telegram", "tinydb", "apscheduler", "httpx", "os", "pathlib", "dotenv",
                     "subprocess", "socket", "psycopg", "shutil", "tempfile"}
FORBIDDEN_CALLS = {"open"}
# module -> the bot modules it may import inside a function; every other import is at the top.
LAZY_IMPORTS = {
    "bot.cli.main": {"bot.telegram.runner"},   # `digestbot check`, `ingest`, ... never load python-telegram-bot
    # `digestbot run` imports every subcommand's module through the parser: the commands that extract
    # (check, ingest, sources add/check/fetch) load the extraction stack (~1 s of imports) when they run
    "bot.cli.check": {"bot.cli.common_terms", "bot.library.ingest", "bot.sources.seeds"},
    "bot.cli.ingest": {"bot.library.ingest"},
    "bot.cli.sources": {"bot.library.fetch", "bot.sources.discover"},
    "bot.services": {"bot.store.postgres.store"},   # the PostgreSQL driver loads only when DATABASE_URL is set
    # ingest, fetch and theme re-matching (nltk, sumy, trafilatura: ~0.8 s of imports) load when the library
    # first ingests, after `digestbot run`'s first poll, not before it
    "bot.library.library": {"bot.library.intake"},
    # numpy (0.1-0.2 s) loads in `digestbot run`'s warm-up after the first poll (or at the first ranking), not before it
    "bot.digest.search": {"numpy"},
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file for every module under root (root's name is the top package)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def package_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_names(tree: ast.AST, top: str, known: set[str]) -> tuple[set[str], set[str]]:
    """(outside top-level modules, imported modules of our package resolved to the longest known name)."""
    outside, ours = set(), set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                       for alias in node.names]
        for target in targets:
            if target.split(".")[0] != top:
                outside.add(target.split(".")[0])
                continue
            parts = target.split(".")
            for end in range(len(parts), 0, -1):
                if ".".join(parts[:end]) in known:
                    ours.add(".".join(parts[:end]))
                    break
    return outside, ours


def graph(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    return {name: imported_names(ast.parse(path.read_text(encoding="utf-8")), root.name, known)[1] - {name}
            for name, path in mods.items()}


def flow_violations(root: Path, layers: dict[str, int]) -> list[str]:
    problems = []
    for name, targets in graph(root).items():
        own = package_of(name)
        if own not in layers:
            problems.append(f"{name}: package {own!r} has no place in LAYERS")
            continue
        for target in targets:
            other = package_of(target)
            if other == own or other == "__init__" and target == root.name:
                continue
            if other not in layers or layers[other] > layers[own] or (layers[other] == layers[own]):
                problems.append(f"{name} imports {target} (against the flow)")
    return problems


def purity_violations(root: Path, pure: set[str]) -> list[str]:
    problems = []
    mods = modules(root)
    for name, path in mods.items():
        if package_of(name) not in pure:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        outside, _ = imported_names(tree, root.name, set(mods))
        if outside & FORBIDDEN_MODULES:
            problems.append(f"{name} imports {sorted(outside & FORBIDDEN_MODULES)}")
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        if calls & FORBIDDEN_CALLS:
            problems.append(f"{name} calls {sorted(calls & FORBIDDEN_CALLS)}")
    return problems


def lazy_imports(root: Path, allowed: dict[str, set[str]]) -> list[str]:
    """Imports inside a function (of our package or any other), except the ones `allowed` names."""
    problems = []
    mods = modules(root)
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            outside, ours = imported_names(ast.Module(body=function.body, type_ignores=[]), root.name, set(mods))
            for target in sorted((outside | ours) - allowed.get(name, set())):
                problems.append(f"{name}.{function.name} imports {target} inside the function")
    return problems


def cycles(root: Path) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan, iterative enough for us)."""
    edges = graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


# --- the real tree -----------------------------------------------------------------------------

def test_every_module_of_bot_imports_with_the_flow():
    assert flow_violations(BOT, LAYERS) == []


def test_pure_packages_import_no_adapter_library_and_read_no_files():
    assert purity_violations(BOT, PURE) == []


def test_bot_has_no_import_cycle():
    assert cycles(BOT) == []


def test_bot_modules_import_at_the_top_except_the_lazy_telegram_runner():
    assert lazy_imports(BOT, LAZY_IMPORTS) == []


# what `digestbot run` must not load before its first poll (a second of imports at start-up):
# the extraction, key-point and summarizer stack loads with the first ingest (bot.library.intake), numpy
# with it or the first search; `python -m bot run` goes through bot.cli.main, which imports every subcommand
INGEST_STACK = ("nltk", "sumy", "trafilatura", "lxml", "dateparser", "py3langid", "punkt", "numpy",
                "bot.library.intake")


def test_the_run_path_does_not_import_the_ingest_stack():
    code = ("import sys; import bot.cli.main, bot.telegram.runner, bot.services; "
            f"print(sorted({{m.split('.')[0] if not m.startswith('bot.') else m for m in sys.modules}} & {set(INGEST_STACK)!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=BOT.parent)
    assert done.stdout.strip() == "[]"


def test_the_package_has_no_module_named_telegram_that_shadows_the_library():
    assert not (BOT / "telegram.py").exists()


@pytest.mark.parametrize("package", sorted(p for p in LAYERS if not p.startswith("__")))
def test_every_room_of_the_design_exists(package):
    assert (BOT / package).is_dir() or (BOT / f"{package}.py").exists()


# --- the checker fails when it should --------------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "bot"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_checker_flags_an_import_against_the_flow(tmp_path):
    root = _tree(tmp_path, {"extract/__init__.py": "", "extract/clean.py": "from bot.digest import render\n",
                            "digest/__init__.py": "", "digest/render.py": "from bot.extract import clean\n"})
    assert flow_violations(root, LAYERS) == ["bot.extract.clean imports bot.digest.render (against the flow)"]


def test_checker_flags_a_sibling_import_of_the_same_rank(tmp_path):
    root = _tree(tmp_path, {"digest/__init__.py": "", "digest/a.py": "import bot.schedule.timing\n",
                            "schedule/__init__.py": "", "schedule/timing.py": ""})
    assert flow_violations(root, LAYERS) == ["bot.digest.a imports bot.schedule.timing (against the flow)"]


def test_checker_flags_an_impure_module_in_a_pure_package(tmp_path):
    root = _tree(tmp_path, {"stories/__init__.py": "", "stories/group.py": "import tinydb\nopen('x')\n",
                            "telegram/__init__.py": "", "telegram/app.py": "import telegram\n"})
    assert purity_violations(root, PURE) == ["bot.stories.group imports ['tinydb']",
                                             "bot.stories.group calls ['open']"]


def test_checker_finds_a_cycle_even_through_a_function_level_import(tmp_path):
    root = _tree(tmp_path, {"telegram/__init__.py": "", "telegram/app.py": "from bot.telegram.admin import x\n",
                            "telegram/admin.py": "def x():\n    from bot.telegram.app import y\n"})
    assert cycles(root) == [["bot.telegram.admin", "bot.telegram.app"]]


def test_checker_flags_a_function_level_import(tmp_path):
    root = _tree(tmp_path, {"cli/__init__.py": "", "cli/main.py": "def run():\n    from bot.telegram import runner\n",
                            "cli/export.py": "def export():\n    if True:\n        import bot.library.ingest\n",
                            "cli/other.py": "def other():\n    import json\n",
                            "telegram/__init__.py": "", "telegram/runner.py": "",
                            "library/__init__.py": "", "library/ingest.py": ""})
    assert lazy_imports(root, LAZY_IMPORTS) == ["bot.cli.export.export imports bot.library.ingest inside the function",
                                                "bot.cli.other.other imports json inside the function"]
    assert lazy_imports(root, {}) == ["bot.cli.export.export imports bot.library.ingest inside the function",
                                      "bot.cli.main.run imports bot.telegram.runner inside the function",
                                      "bot.cli.other.other imports json inside the function"]
