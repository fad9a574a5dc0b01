"""Where the tests' own inputs live. No test reads the shipped seeds/ or digests/:
a maintainer adding an article or a theme there must not break the suite (`digestbot check`
validates the shipped files instead). tests/data/seeds and tests/data/digests are frozen
copies of the five seeds and eight themes the golden previews were pinned on."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "tests" / "data"
SEEDS = DATA / "seeds"
DIGESTS = DATA / "digests"
