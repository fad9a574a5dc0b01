"""No file shape makes processing one seed super-linear: adversarial shapes, bounds per MB.

Every shape of tests/support/shapes.py (long runs of one character, one huge paragraph, a
header line of 100,000 spaces, millions of short lines, unclosed and stray tags, open
markdown markers, ...) goes through read -> clean -> key points -> themes in a forked
child, at a small size, beside a plain well-formed article of the same size measured in
the same run. Each must stay within a few times the plain article's time per MB, and its
peak memory growth (getrusage in the child, not a mock) within a bound per MB. Before
the caps, a header of 100 KB of spaces took 66 s and one 100 KB paragraph 0.33 GB.
The full sizes are in benchmarks/adversarial.py.
"""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.shapes import SHAPES, process_file, run_shapes

SIZE = 100_000                 # bytes per shape here; benchmarks/adversarial.py runs 2 MB
TIME_FACTOR, TIME_SLACK = 4.0, 20.0       # s/MB allowed: 4 x the plain article's, + 20
MEMORY_FACTOR, MEMORY_SLACK = 2.0, 150.0  # MB of peak growth per MB of file: 2 x plain, + 150
MEMORY_FIXED = 60.0    # MB any one page may take whatever its size (trafilatura's metadata pass: ~37)


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    return {row["shape"]: row for row in run_shapes(SIZE, list(SHAPES), timeout=600)}


@pytest.mark.slow
@pytest.mark.parametrize("shape", [name for name in SHAPES if name != "plain_article"])
def test_every_shape_stays_within_time_and_memory_bounds_per_mb(measured, shape):
    plain, row = measured["plain_article"], measured[shape]
    megabytes = row["bytes"] / 1e6
    seconds_per_mb = row["seconds"] / megabytes
    memory_per_mb = max(0.0, row["peak_mb"] - MEMORY_FIXED) / megabytes
    assert seconds_per_mb <= TIME_FACTOR * plain["seconds"] / (plain["bytes"] / 1e6) + TIME_SLACK, row
    assert memory_per_mb <= MEMORY_FACTOR * plain["peak_mb"] / (plain["bytes"] / 1e6) + MEMORY_SLACK, row
    assert row["outcome"]   # an article or a named rejection, never an exception


ATOMS = ("a", " ", "\n", "\n\n", ".", "Rev. ", "Dr. A. ", "title: ", "date: ", "**", "*", "_", "[", "](",
         "<p>", "<", "<!--", "<script>", "http://x.co/", "pic.twitter.com/", "OAS ", "Lima Group ",
         "The OAS met in Lima on Friday. ", "(AP Photo) ", "\t", "\u00a0", "—", "ñ", "\u200b")


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(ATOMS), st.integers(1, 3000)), min_size=1, max_size=6),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_mixture_of_hostile_atoms_becomes_an_article_or_a_rejection_quickly(tmp_path_factory, parts, suffix):
    text = "".join(atom * count for atom, count in parts)[:50_000]
    started = time.perf_counter()
    outcome = process_file(tmp_path_factory.mktemp("mix"), f"mix{suffix}", text or "x")
    assert outcome
    assert time.perf_counter() - started < 30.0   # 50 KB: a bound, not a speed figure (that is in benchmarks/)
