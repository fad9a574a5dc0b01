"""Seeds -> articles in the store, incrementally (by content hash), off the event loop.

Unchanged files (same path, same hash) are not decoded, cleaned or summarized again; when
the theme set changed since the last ingest, their themes are re-matched on the
stored title and body (cheap). Changed and new files are cleaned, summarized and
matched, in a process pool when there are many. A deleted file's article is
retired (hidden, kept). Every article change of one ingest is ONE store write, so
a crash mid-ingest leaves the previous state. A file that fails is a Rejection
naming it and why; the rest goes on.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from bot.extract.clean import body_problem, clean_text, outlet_of, repeated_lines
from bot.errors import ConfigError
from bot.keypoints.points import extract_key_points
from bot.tokenizer import split_sentences
from bot.models import Article, CleanText, IngestReport, KeyPoint, Rejection, SeedFile, Theme
from bot.sources.feeds import url_key
from bot.library.rejections import remember, remembered, skip_remembered
from bot.library.theme_files import THEMES_META_KEY, themes_fingerprint
from bot.library.workers import die_with_owner
from bot.sources.seeds import article_id, read_seed, read_seeds
from bot.store.api import Store
from bot.themes.match import match_themes

logger = logging.getLogger(__name__)

POOL_MIN_FILES = 20          # fewer changed files than this are processed in this process
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    """One changed file to clean, summarize and match."""

    path: str
    text: str
    boilerplate: frozenset[str]


@dataclass(frozen=True)
class Result:
    """A job's outcome: the clean text, key points and themes, or why the file was rejected."""

    path: str
    clean: CleanText | None = None
    key_points: tuple[KeyPoint, ...] = ()
    themes: tuple[tuple[str, float], ...] = ()
    note: str = ""          # where the text came from when it is not the obvious place (fetched pages)
    problem: str = ""


def summarize_file(job: Job, themes: Sequence[Theme]) -> Result:
    """Clean one file, extract its key points and match its themes; never raises."""
    try:
        clean = clean_text(job.text, path=job.path, boilerplate=job.boilerplate, today=dt.date.today())
        problem = body_problem(clean)
        if problem:
            return Result(job.path, problem=problem)
        points = extract_key_points(clean.body, clean.language) or first_sentences(clean.body, clean.language)
        if not points:
            return Result(job.path, problem="no sentence of the body can be a key point")
        return Result(job.path, clean, points, match_themes(clean.title, clean.body, themes))
    except Exception as exc:   # one broken file must not stop the ingest: it becomes a Rejection
        logger.warning("processing %s failed: %s", job.path, exc.__class__.__name__, exc_info=True)
        return Result(job.path, problem=f"processing failed ({exc.__class__.__name__}: {exc})")


FIRST_SENTENCES_CHARS = 5_000   # the first sentences are in the first few paragraphs: never split the whole body


def first_sentences(body: str, language: str, n: int = 3) -> tuple[KeyPoint, ...]:
    """The body's first sentences as key points: a list, a brief or a caption-like page has no better ones."""
    sentences = [s for s in split_sentences(body[:FIRST_SENTENCES_CHARS], language) if len(s.split()) >= 3]
    return tuple(KeyPoint(s, why="first sentences (too few candidates to rank)") for s in sentences[:n])


def summarize_batch(jobs: list[Job], themes: Sequence[Theme]) -> list[Result]:
    """The process-pool task: a few files at a time, to keep inter-process traffic low."""
    return [summarize_file(job, themes) for job in jobs]


def run_ingest(store: Store, seeds_dir: Path, themes: Sequence[Theme], *, max_bytes: int = 2_000_000,
               progress: Progress | None = None, workers: int | None = None,
               now: float | None = None) -> IngestReport:
    """Read `seeds_dir` into `store` (see the module doc); blocking, call it off the event loop."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise ConfigError(f"seeds directory not found: {seeds_dir}; set SEEDS_DIR to the folder of article files")
    everything = store.all_articles(include_retired=True)
    stored = {a.id: a for a in everything if not a.source}       # fetched articles are not the seeds' to retire
    seeds, rejected = read_seeds(seeds_dir, max_bytes, known_hashes={a.path: a.content_hash for a in stored.values()})
    seeds, rejected = _drop_duplicate_ids(seeds, rejected)
    changed: list[SeedFile] = []
    unchanged: list[SeedFile] = []
    for seed in seeds:
        (changed if _needs_work(seed, stored.get(article_id(seed.path))) else unchanged).append(seed)
    memo = remembered(store)
    changed, known_bad = skip_remembered(changed, memo)
    rejected += known_bad
    total = len(seeds)
    if progress:
        progress(len(unchanged) + len(known_bad), total)
    jobs = plan_jobs(changed, unchanged, stored, lambda seed: _decoded_text(seeds_dir, seed, max_bytes))
    results = run_jobs(jobs, themes, workers,
                       lambda done: progress and progress(len(unchanged) + len(known_bad) + done, total))
    fingerprint = themes_fingerprint(themes)
    rematch = store.get_meta(THEMES_META_KEY) != fingerprint
    plan = _Plan(now, themes, stored)
    plan.take_unchanged(unchanged, rematch)
    plan.take_results(changed, results)
    plan.retire_missing({article_id(s.path) for s in seeds} | {article_id(r.path) for r in rejected})
    plan.retire_fetched_copies([a for a in everything if a.source])
    store.save_articles(plan.saves)
    remember(store, memo, changed, {path: r.problem for path, r in results.items()}, {s.path for s in seeds})
    if rematch:
        store.set_meta(THEMES_META_KEY, fingerprint)
    report = plan.report(rejected, time.perf_counter() - started)
    logger.info("ingest: %d added, %d updated, %d unchanged, %d retired, %d rejected in %.2fs",
                len(report.added), len(report.updated), len(report.unchanged), len(report.retired),
                len(report.rejected), report.seconds)
    return report


def _needs_work(seed: SeedFile, old: Article | None) -> bool:
    return old is None or old.content_hash != seed.content_hash


def _drop_duplicate_ids(seeds: list[SeedFile], rejected: list[Rejection]):
    """`a.txt` and `a.md` would be the same article: the first (by path) wins."""
    kept: dict[str, SeedFile] = {}
    rejected = list(rejected)
    for seed in seeds:
        first = kept.setdefault(article_id(seed.path), seed)
        if first is not seed:
            rejected.append(Rejection(seed.path, f"same article id as {first.path}; rename one of them"))
    return list(kept.values()), rejected


def _decoded_text(seeds_dir: Path, seed: SeedFile, max_bytes: int) -> str:
    """The text of a seed that read_seeds left undecoded (unchanged); "" if it no longer reads."""
    if seed.text:
        return seed.text
    result = read_seed(seeds_dir / seed.path, seed.path, max_bytes, root=seeds_dir)
    return result.text if isinstance(result, SeedFile) else ""


def plan_jobs(changed: list[SeedFile], unchanged: Sequence[SeedFile] = (),
              stored: dict[str, Article] | None = None,
              text_of: Callable[[SeedFile], str] = lambda seed: seed.text) -> list[Job]:
    """Jobs for the changed files, with the lines repeated across each outlet's files as boilerplate.

    An unchanged file is decoded (`text_of`) only when a changed file shares its outlet
    (`digestbot check` passes every file as changed).
    """
    stored = stored or {}
    outlets = {seed.path: outlet_of(seed.text) for seed in changed}
    wanted = {outlet for outlet in outlets.values() if outlet}
    texts_by_outlet: dict[str, list[str]] = defaultdict(list)
    for seed in changed:
        texts_by_outlet[outlets[seed.path]].append(seed.text)
    for seed in unchanged:   # an unchanged file's outlet is the stored one: no need to read it again
        outlet = stored[article_id(seed.path)].outlet
        if outlet in wanted:
            texts_by_outlet[outlet].append(text_of(seed))
    boilerplate = {outlet: repeated_lines(texts) for outlet, texts in texts_by_outlet.items() if outlet}
    return [Job(seed.path, seed.text, boilerplate.get(outlets[seed.path], frozenset())) for seed in changed]


Task = Callable[[list[Any], Sequence[Theme]], list[Result]]   # a batch of jobs (each with a .path) -> Results


def run_jobs(jobs: Sequence[Any], themes: Sequence[Theme], workers: int | None,
             advance: Callable[[int], object] = lambda done: None, *, task: Task = summarize_batch,
             ) -> dict[str, Result]:
    """Each job's Result by path: in a process pool when there are many, else here.

    `task` is a module-level function (picklable) turning a batch of jobs into Results;
    by default `summarize_batch` (seed files); fetched pages pass their own.
    """
    workers = (os.cpu_count() or 1) if workers is None else workers
    results: dict[str, Result] = {}
    if workers > 1 and len(jobs) >= POOL_MIN_FILES:
        _run_in_pool(jobs, themes, workers, results, advance, task)
    for job in jobs:   # serial: everything when few files, and whatever a broken pool left undone
        if job.path not in results:
            results[job.path] = task([job], themes)[0]
            advance(len(results))
    return results


def _run_in_pool(jobs: Sequence[Any], themes: Sequence[Theme], workers: int, results: dict[str, Result],
                 advance: Callable[[int], object], task: Task) -> None:
    size = max(1, min(16, len(jobs) // (workers * 4)))
    batches = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
    logger.info("ingest: %d files in %d batches on %d worker processes", len(jobs), len(batches), workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                             initializer=die_with_owner, initargs=(os.getpid(),)) as pool:
        futures: list[Future] = [pool.submit(task, batch, themes) for batch in batches]
        try:
            for future in as_completed(futures):
                for result in future.result():
                    results[result.path] = result
                advance(len(results))
        except BrokenProcessPool:
            logger.warning("ingest: a worker process died; finishing %d files here", len(jobs) - len(results))


def _pool_context() -> BaseContext:
    """Workers forked from a forkserver that has imported this module (and the main script) once.

    Not plain fork: the ingest runs in a thread of a process that has other threads (the bot's).
    Not spawn: every worker of every ingest would import numpy, sumy and the rest again.
    """
    context = get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__])
    return context


class _Plan:
    """The article changes of one ingest, collected for one store write."""

    def __init__(self, now: float, themes: Sequence[Theme], stored: dict[str, Article]):
        self.now, self.themes, self.stored = now, themes, stored
        self.saves: list[Article] = []
        self.added: list[str] = []
        self.updated: list[str] = []
        self.unchanged: list[str] = []
        self.retired: list[str] = []
        self.rejected: list[Rejection] = []
        self.notes: list[tuple[str, str]] = []

    def take_unchanged(self, seeds: Iterable[SeedFile], rematch: bool) -> None:
        for seed in seeds:
            article = self.stored[article_id(seed.path)]
            new = replace(article, is_retired=False, updated_at=self.now) if article.is_retired else article
            if rematch or article.is_retired:
                new = replace(new, themes=match_themes(new.title, new.body, self.themes))
            if new != article:
                self.saves.append(new)
            (self.updated if article.is_retired else self.unchanged).append(article.id)

    def take_results(self, seeds: Iterable[SeedFile], results: dict[str, Result]) -> None:
        for seed in seeds:
            result = results[seed.path]
            old = self.stored.get(article_id(seed.path))
            if result.problem:
                kept = " (the previous version is kept)" if old and not old.is_retired else ""
                self.rejected.append(Rejection(seed.path, result.problem + kept))
                continue
            self.saves.append(self._article(seed, result, old))
            (self.added if old is None else self.updated).append(article_id(seed.path))
            notes = seed.notes + (result.clean.notes if result.clean else ())
            self.notes.extend((seed.path, note) for note in notes)

    def retire_missing(self, present: set[str]) -> None:
        for article in self.stored.values():
            if article.id not in present and not article.is_retired:
                self.saves.append(replace(article, is_retired=True, updated_at=self.now))
                self.retired.append(article.id)

    def retire_fetched_copies(self, fetched: Iterable[Article]) -> None:
        """A live source's article that is also a seed file (same canonical URL): the seed file wins."""
        seed_urls = {url_key(a.url) for a in self.stored.values() if a.url and not a.is_retired}
        seed_urls |= {url_key(a.url) for a in self.saves if a.url and not a.is_retired}
        seed_urls.discard("")
        for article in fetched:
            if not article.is_retired and url_key(article.url) in seed_urls:
                self.saves.append(replace(article, is_retired=True, updated_at=self.now))
                self.retired.append(article.id)

    def _article(self, seed: SeedFile, result: Result, old: Article | None) -> Article:
        clean = result.clean
        assert clean is not None, "only accepted results (with a clean text) become articles"
        return Article(
            id=article_id(seed.path), path=seed.path, content_hash=seed.content_hash, title=clean.title,
            body=clean.body, language=clean.language, key_points=result.key_points, themes=result.themes,
            published=clean.published, outlet=clean.outlet, author=clean.author, url=clean.url,
            foreign_passages=clean.foreign_passages, notes=seed.notes + clean.notes,
            first_seen=old.first_seen if old else self.now, updated_at=self.now, is_retired=False)

    def report(self, rejected: list[Rejection], seconds: float) -> IngestReport:
        return IngestReport(added=tuple(self.added), updated=tuple(self.updated), unchanged=tuple(self.unchanged),
                            retired=tuple(self.retired), rejected=tuple(rejected) + tuple(self.rejected),
                            notes=tuple(self.notes), seconds=seconds)
