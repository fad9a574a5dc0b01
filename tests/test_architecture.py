"""The core stays pure: the stages from clean to render never touch the outside world."""
import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
PURE = ["models", "nlp", "clean", "keypoints", "themes", "stories", "catalog", "digest", "render", "i18n", "timing"]
FORBIDDEN_MODULES = {"telegram", "tinydb", "apscheduler", "httpx", "os", "pathlib", "dotenv", "subprocess", "socket"}
FORBIDDEN_CALLS = {"open"}


def _pure_modules() -> list[Path]:
    found = []
    for name in PURE:
        found.extend(sorted(BOT.glob(f"{name}.py")) + sorted(BOT.glob(f"{name}_*.py")))
    return found


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _imported_bot_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("bot."))
    return names


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: p.name)
def test_pure_module_imports_no_adapter_library_and_reads_no_files(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not (_imports(tree) & FORBIDDEN_MODULES), f"{path.name} imports {_imports(tree) & FORBIDDEN_MODULES}"
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not (calls & FORBIDDEN_CALLS), f"{path.name} calls {calls & FORBIDDEN_CALLS}"


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: p.name)
def test_pure_module_depends_only_on_other_pure_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {p.stem for p in _pure_modules()} | {"errors"}
    assert _imported_bot_modules(tree) <= allowed, f"{path.name} imports {_imported_bot_modules(tree) - allowed}"


def test_the_package_has_no_module_named_telegram_that_shadows_the_library():
    assert not (BOT / "telegram.py").exists()


def test_every_pure_stage_of_the_design_exists():
    missing = [name for name in PURE if not (BOT / f"{name}.py").exists()]
    assert not missing
