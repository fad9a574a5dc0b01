"""Words a reader scrolls through on /latest page 1 (five stories): before (every key point open,
`render_html`) and after (first point open, the rest in an expandable quotation, `render_page`).

    .venv/bin/python benchmarks/page_words.py

Stories: the repository's seeds plus tests/data/story_articles, ingested into a temporary store.
"visible words" leaves out the text inside collapsed `<blockquote expandable>` quotations.
"""
from __future__ import annotations

import html
import re
import shutil
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.cli.main import main as digestbot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.digest.compose import latest_digest  # noqa: E402
from bot.digest.page import render_page  # noqa: E402
from bot.digest.render import render_html  # noqa: E402
from bot.services import open_services  # noqa: E402

FOLDED = re.compile(r"<blockquote expandable>.*?</blockquote>", re.S)


def words(message: str, visible_only: bool) -> int:
    if visible_only:
        message = FOLDED.sub(" ", message)
    return len(html.unescape(re.sub(r"<[^>]+>", " ", message)).split())


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="page-words-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "seeds", root / "seeds")
        shutil.copytree(REPO / "tests/data/story_articles", root / "seeds" / "more")
        shutil.copytree(REPO / "digests", root / "digests")
        options = ["--data-dir", str(root / "data"), "--seeds", str(root / "seeds"), "--digests", str(root / "digests")]
        with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
            assert digestbot([*options, "ingest"]) == 0
        settings = Settings(data_dir=root / "data", seeds_dir=root / "seeds", digests_dir=root / "digests")
        with open_services(settings) as services:
            page = latest_digest(services.library.catalog, "en", 0, 5)
            print(f"/latest page 1: {sum(len(s.stories) for s in page.sections)} stories")
            print("| render | messages | characters | words | visible words (collapsed quotes closed) |")
            print("|---|---:|---:|---:|---:|")
            for name, messages in (("before: every point open", render_html(page)),
                                   ("after: first point open, rest expandable", render_page(page))):
                print(f"| {name} | {len(messages)} | {sum(len(m) for m in messages)} | "
                      f"{sum(words(m, False) for m in messages)} | {sum(words(m, True) for m in messages)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
