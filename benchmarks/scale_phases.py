"""The phases of `benchmarks/scale.py`, each run in its own process against one code tree.

    SCALE_CODE=<tree> python benchmarks/scale_phases.py <phase> '<json args>'

The tree (this checkout, or an exported older commit) comes first on sys.path, so the
same phase measures today's code and the baseline alike. Each phase prints one JSON
line of figures on stdout. Only the store, library, scheduler and application entry
points that both trees share are used.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import resource
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

CODE = Path(os.environ.get("SCALE_CODE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(CODE))

DAY = 86400.0
OUTLETS = ("Andina", "El Comercio", "La República", "Reuters", "EFE", "AP", "RPP", "Infobae")
PER_EVENT = 6          # outlets that carry one event on one day
EVENTS_PER_DAY = 8     # 48 articles a day: the same source text comes back after 46 days


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2) if ordered else float("nan")


def _summary(samples: list[float]) -> dict:
    return {"n": len(samples), "p50": _ms(samples, .5), "p99": _ms(samples, .99),
            "max": round(max(samples) * 1000, 2) if samples else float("nan")}


def proto(args: dict) -> dict:
    """Ingest the eval articles once (real cleaning, key points, themes); dump them as documents."""
    from benchmarks.corpus import build_corpus
    from bot.library.ingest import run_ingest
    from bot.library.theme_files import load_themes
    from bot.store.codec import article_to_doc
    from bot.store.tinydb.store import TinyStore

    work = Path(args["work"])
    build_corpus(work / "proto_seeds", copies=1)
    store = TinyStore(work / "proto_data")
    run_ingest(store, work / "proto_seeds", load_themes(Path(args["digests"]))[0])
    docs = [article_to_doc(a) for a in store.all_articles()]
    store.close()
    (work / "proto.json").write_text(json.dumps(docs))
    return {"articles": len(docs)}


def _seed_text(original: str, outlet: str, day: str | None) -> str:
    return f"source: {outlet}\n" + (f"date: {day}\n" if day else "") + original


def replicas(args: dict) -> list:
    """`articles` dated copies of the proto articles, PER_EVENT outlets per event, and their seed files."""
    from datetime import date, timedelta

    from bot.store.codec import article_from_doc
    from bot.sources.seeds import article_id

    work, now, rng = Path(args["work"]), args["now"], random.Random(7)
    protos = [article_from_doc(doc) for doc in json.loads((work / "proto.json").read_text())]
    seeds = Path(args["seeds"])
    out = []
    last_day = (args["articles"] - 1) // PER_EVENT // EVENTS_PER_DAY
    for n in range(args["articles"]):
        event, outlet = divmod(n, PER_EVENT)
        source, day_index = protos[event % len(protos)], event // EVENTS_PER_DAY
        day = None if args.get("undated") else (date(2021, 1, 1) + timedelta(days=day_index)).isoformat()
        name = OUTLETS[outlet % len(OUTLETS)]
        rel = f"outlet{outlet}/e{event:05d}_{Path(source.path).name}"
        data = _seed_text(source.body, name, day).encode()
        (seeds / rel).parent.mkdir(parents=True, exist_ok=True)
        (seeds / rel).write_bytes(data)
        seen = now - (last_day - day_index) * DAY - rng.uniform(0, DAY)
        out.append(replace(source, id=article_id(rel), path=rel, content_hash=hashlib.sha256(data).hexdigest(),
                           outlet=name, published=day or "", first_seen=seen, updated_at=seen))
    return out


def build(args: dict) -> dict:
    """The store: articles, subscribers (due in a few hours) and `days` days of delivered daily digests."""
    from bot.library.ingest import THEMES_META_KEY, themes_fingerprint
    from bot.library.theme_files import load_themes
    from bot.models import Push, Subscriber
    from bot.schedule.timing import next_due_at
    from bot.store.tinydb.store import TinyStore

    started = time.perf_counter()
    now, rng = args["now"], random.Random(11)
    themes = load_themes(Path(args["digests"]))[0]
    commands = sorted({command for a in json.loads((Path(args["work"]) / "proto.json").read_text())
                       for command, _ in a["themes"]})   # themes the corpus has news in
    clock = [now - args["days"] * DAY]
    store = TinyStore(Path(args["data"]), clock=lambda: clock[0])
    store.save_articles(replicas(args))
    store.set_meta(THEMES_META_KEY, themes_fingerprint(themes))
    # a digest covers the last 14 days (the corpus's last 3 days carry no theme): every due pass builds real digests
    due_local = time.strftime("%H:00", time.gmtime(now + 2 * 3600 - 5 * 3600))   # America/Lima = UTC-5
    subscribers = [Subscriber(chat_id=10_000 + n, themes=tuple(rng.sample(commands, rng.randint(1, 3))),
                              language=rng.choice(("en", "es")), timezone="America/Lima",
                              time_of_day=due_local, last_digest_at=now - 14 * DAY, created_at=now - 30 * DAY)
                   for n in range(args["subscribers"])]
    store.save_subscribers(replace(s, next_due_at=next_due_at(s, now)) for s in subscribers)
    texts = [f"<b>Digest {k}</b>\n" + "A key point of the day, quoted from an outlet. " * 40 for k in range(20)]
    for day in range(args["days"]):
        clock[0] = now - (args["days"] - day) * DAY
        key = time.strftime("%Y-%m-%dT08:00/daily", time.gmtime(clock[0]))
        pushes = [Push(id=f"{s.chat_id}:{key}:0", chat_id=s.chat_id, text=texts[s.chat_id % 20], digest_key=key,
                       created_at=clock[0]) for s in subscribers]
        for i in range(0, len(pushes), 5000):
            store.enqueue_pushes(pushes[i:i + 5000])
            store.update_pushes(replace(p, status="sent") for p in pushes[i:i + 5000])
    store.close()
    return {"seconds": round(time.perf_counter() - started, 1),
            "files": {p.name: p.stat().st_size for p in Path(args["data"]).iterdir() if p.is_file()}}


class TimedLock:
    """The store's lock, timed: how long each outermost hold lasts, by the store method that took it.

    Installed in place of `TinyStore._lock` (a re-entrant lock in both trees), so every
    kind of write (and read) reports how long commands could have waited on it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._local = threading.local()
        self.holds: dict[str, list[float]] = {}

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self._local.kind = sys._getframe(2 if sys._getframe(1).f_code.co_name == "__enter__" else 1).f_code.co_name
            self._local.start = time.perf_counter()
        self._local.depth = depth + 1
        return True

    def release(self) -> None:
        self._local.depth -= 1
        if self._local.depth == 0:
            self.holds.setdefault(self._local.kind, []).append(time.perf_counter() - self._local.start)
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def report(self) -> dict:
        """kind -> {n, p50, p99, max} in ms, and clear."""
        out = {kind: _summary(samples) for kind, samples in sorted(self.holds.items())}
        self.holds = {}
        return out


class Probe:
    """Commands fired every `interval` s on the loop; latency from the planned start to the answer."""

    ACTIONS = ("/latest", "/lima_group", "/search lima venezuela", "/mysubs", "/settings", "/subscribe oas")

    def __init__(self, app, subscribers: int, interval: float = 0.05):   # 20/s: under the 30/s reply budget
        from telegram import Update

        from bot.telegram.console import updates
        self.app, self.interval, self.rng = app, interval, random.Random(3)
        self._make = lambda uid, text, chat: Update.de_json(updates.message(uid, text, chat_id=chat, user_id=chat),
                                                            app.bot)
        self.subscribers, self.update_id = subscribers, 0

    async def _one(self, planned: float, samples: list[float]) -> None:
        self.update_id += 1
        chat = 10_000 + self.rng.randrange(self.subscribers)
        update = self._make(self.update_id, self.ACTIONS[self.update_id % len(self.ACTIONS)], chat)
        await self.app.process_update(update)
        samples.append(time.perf_counter() - planned)

    async def during(self, done) -> list[float]:
        """Fire commands until `done()`; at least 50 of them."""
        samples: list[float] = []
        tasks = []
        planned = time.perf_counter()
        while not done() or len(tasks) < 50:
            planned += self.interval
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
            tasks.append(asyncio.ensure_future(self._one(planned, samples)))
        await asyncio.gather(*tasks)
        return samples


async def _commands(args: dict) -> dict:
    from bot.config import Settings
    from bot.library.library import Library
    from bot.services import Services
    from bot.store.tinydb.store import TinyStore
    from bot.telegram.app import build_application
    try:
        from tests.support.recording import RecordingRequest
    except ImportError:   # an older tree (the baseline) kept it at tests/recording.py
        from tests.recording import RecordingRequest  # type: ignore[no-redef]

    settings = Settings(telegram_bot_token="1:BENCH", data_dir=Path(args["data"]), seeds_dir=Path(args["seeds"]),
                        digests_dir=Path(args["digests"]), admin_ids=frozenset({1}),
                        # the recording transport is no Telegram: time the bot, not the flood budget (at 1 a
                        # second per chat, a two-part /search answer waits a second for its second part)
                        send_rate=1000.0, private_chat_rate=1000.0, group_rate_per_minute=60_000)
    out: dict = {}
    started = time.perf_counter()
    store = TinyStore(settings.data_dir)
    out["store_open_s"] = round(time.perf_counter() - started, 2)
    store._lock = lock = TimedLock()   # hold times per kind of store call, phase by phase
    started = time.perf_counter()
    library = Library(settings, store)
    out["library_s"] = round(time.perf_counter() - started, 2)
    clock = lambda: time.time() + 2 * 3600 + 120   # noqa: E731  every subscriber is due
    transport = RecordingRequest()
    transport.api.convert_text = False
    app = build_application(Services(settings, store, library, clock=clock), request=transport, updater=False)
    await app.initialize()
    try:   # what digestbot run's warm-up job does after its first poll: numpy for the first /search
        from bot.digest.search import load_ranking
        load_ranking()
    except ImportError:   # an older tree imported it at start-up
        pass
    probe = Probe(app, args["subscribers"])
    deadline = time.perf_counter() + 3.0
    lock.report()
    out["idle"] = _summary(await probe.during(lambda: time.perf_counter() > deadline))
    out["idle"]["lock"] = lock.report()
    out["due_pass"] = await _during_due_pass(app, probe)
    out["due_pass"]["lock"] = lock.report()
    out["compaction"] = await _during_thread(probe, lambda: _compact(store))
    out["compaction"]["lock"] = lock.report()
    out["ingest"] = await _during_thread(probe, lambda: _ingest(args, library))
    out["ingest"]["lock"] = lock.report()
    await app.shutdown()
    store.close()
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


async def _during_due_pass(app, probe: Probe) -> dict:
    scheduler = app.bot_data["schedule.digests"]
    cpu, wall = time.process_time(), time.perf_counter()
    task = asyncio.ensure_future(scheduler.run_pass())
    samples = await probe.during(task.done)
    report = await task
    return {**_summary(samples), "due": report.due, "pushes": report.pushes, "digests": report.digests,
            "empty": report.empty, "skipped": report.skipped, "failed": len(report.failed),
            "wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2)}


async def _during_thread(probe: Probe, work) -> dict:
    wall = time.perf_counter()
    thread = threading.Thread(target=work)
    thread.start()
    samples = await probe.during(lambda: not thread.is_alive())
    thread.join()
    return {**_summary(samples), "wall_s": round(time.perf_counter() - wall, 2)}


def _compact(store) -> None:
    """Rewrite every table file, the way the store does when a journal grows."""
    compact = getattr(store, "compact", None)
    if compact is not None:
        compact()
        return
    with store._lock:   # today's code: compaction runs inside a write, under the store lock
        for db in store._all_dbs():
            db.storage.compact()


def _ingest(args: dict, library) -> None:
    """Add 50 changed seed files (new dates of known articles) and ingest them."""
    seeds = Path(args["seeds"])
    files = sorted(seeds.rglob("*.txt"))[:50]
    for path in files:
        text = path.read_text(encoding="utf-8")
        (seeds / "fresh" / path.name).parent.mkdir(exist_ok=True)
        (seeds / "fresh" / path.name).write_text(text.replace("date: 2021", "date: 2024", 1), encoding="utf-8")
    library.ingest_and_rebuild()


def commands(args: dict) -> dict:
    """On the event loop digestbot run serves on (a tree that has one: worker threads step aside while it runs)."""
    try:
        from bot.heap import new_event_loop
    except ImportError:   # an older tree: asyncio's own loop
        new_event_loop = None
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(_commands(args))


def catalog(args: dict) -> dict:
    """Seconds to build the catalog (group and index) of `articles` replicas, dated and undated."""
    import tempfile

    from bot.digest.catalog import Catalog
    from bot.library.theme_files import load_themes

    themes = load_themes(Path(args["digests"]))[0]
    out = {}
    for undated in (False, True):
        with tempfile.TemporaryDirectory() as seeds:
            articles = replicas({**args, "seeds": seeds, "undated": undated})
        started = time.process_time()
        built = Catalog.build(articles, themes)
        figures = out["undated" if undated else "dated"] = {"cpu_s": round(time.process_time() - started, 2),
                                                            "stories": len(built.stories)}
        if hasattr(built, "update"):   # this tree: one changed article, the catalog updated from the last one
            middle = len(articles) // 2
            changed = [*articles[:middle], replace(articles[middle], title=articles[middle].title + " (updated)"),
                       *articles[middle + 1:]]
            started = time.process_time()
            updated = built.update(changed, themes)
            figures["update_one_s"] = round(time.process_time() - started, 2)
            figures["regrouped"] = updated.grouping.regrouped
    return out


def due(args: dict) -> dict:
    """CPU of one due pass (`run_pass`) per number of due subscribers, on one catalog of `articles`.

    The articles' store (and its saved catalog) is built once in `work/due_articles`; each size gets a
    copy of it and `n` subscribers due now whose last digest was 14 days ago. `profile` (a path):
    the chunks of the last size run in this thread under cProfile, stats written there."""
    import shutil

    base = Path(args["work"]) / "due_articles"
    if not (base / "data").exists():
        build({**args, "data": str(base / "data"), "seeds": str(base / "seeds"), "subscribers": 0, "days": 0})
    out = {}
    for size in args["sizes"]:
        data = Path(args["work"]) / f"due_{size}"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(base / "data", data)
        out[str(size)] = asyncio.run(_due_once({**args, "data": str(data), "seeds": str(base / "seeds"),
                                                "subscribers": size}, profile=size == args["sizes"][-1]))
        shutil.rmtree(data)
    return out


async def _due_once(args: dict, profile: bool) -> dict:
    from bot.config import Settings
    from bot.library.library import Library
    from bot.models import Subscriber
    from bot.services import Services
    from bot.store.tinydb.store import TinyStore
    from bot.telegram.app import build_application
    try:
        from tests.support.recording import RecordingRequest
    except ImportError:
        from tests.recording import RecordingRequest  # type: ignore[no-redef]

    now, rng = time.time(), random.Random(11)
    settings = Settings(telegram_bot_token="1:BENCH", data_dir=Path(args["data"]), seeds_dir=Path(args["seeds"]),
                        digests_dir=Path(args["digests"]))
    store = TinyStore(settings.data_dir)
    library = Library(settings, store)
    commands = sorted({c for story in library.catalog.stories for c in story.themes})
    due_local = time.strftime("%H:00", time.gmtime(now - 5 * 3600))   # America/Lima (UTC-5): this hour's slot
    store.save_subscribers(Subscriber(chat_id=10_000 + n, themes=tuple(rng.sample(commands, rng.randint(1, 3))),
                                      language=rng.choice(("en", "es")), timezone="America/Lima",
                                      time_of_day=due_local, last_digest_at=now - 14 * DAY, created_at=now - 30 * DAY,
                                      next_due_at=now - 60) for n in range(args["subscribers"]))
    app = build_application(Services(settings, store, library, clock=lambda: now), request=RecordingRequest(),
                            updater=False)
    await app.initialize()
    scheduler = app.bot_data["schedule.digests"]
    cpu, wall = time.process_time(), time.perf_counter()
    if profile and args.get("profile"):
        report = _profiled_pass(scheduler, store, now, args["profile"])
    else:
        report = await scheduler.run_pass()
    out = {"cpu_s": round(time.process_time() - cpu, 2), "wall_s": round(time.perf_counter() - wall, 2),
           "profiled": bool(profile and args.get("profile")),
           "due": report.due, "digests": report.digests, "empty": report.empty, "pushes": report.pushes}
    await app.shutdown()
    store.close()
    return out


def _profiled_pass(scheduler, store, now: float, path: str):
    """The due pass's chunks, in this thread, under cProfile (stats to `path`)."""
    import cProfile

    from bot.delivery.due import PassReport
    report, profiler = PassReport(), cProfile.Profile()
    profiler.enable()
    while True:
        chunk = store.due_subscribers(now, scheduler.chunk_size)
        if not chunk:
            break
        scheduler.process_chunk(chunk, now, False, report)
    profiler.disable()
    profiler.dump_stats(path)
    return report


def subscribers(args: dict) -> dict:
    """CPU of the due pass's subscriber writes for `n` due subscribers, twice over (a pass, then the
    next day's): per chunk of 500, each advanced with `with_schedule`, checked by `_still_current`,
    saved in slices of 250 (`save_subscribers`, rewrites of the file included); and the open of a
    copy taken right after each pass (as a kill -9 leaves it: the journal as long as the policy lets
    it grow), its subscribers read. No digests, no pushes. `sizes`; `work`: a scratch directory."""
    import contextlib
    import shutil
    from types import SimpleNamespace

    from bot.delivery.due import DigestScheduler, with_schedule
    from bot.models import Subscriber
    from bot.store.tinydb.store import TinyStore

    out = {}
    for size in args["sizes"]:
        data = Path(args["work"]) / f"subs_{size}"
        shutil.rmtree(data, ignore_errors=True)
        store = TinyStore(data / "live")
        store.save_subscribers(Subscriber(chat_id=10_000 + n, themes=("peru", "chile")[: 1 + n % 2],
                                          timezone="America/Lima", time_of_day="08:00", created_at=1.6e9,
                                          last_digest_at=1.7e9 - DAY, next_due_at=1.7e9) for n in range(size))
        store.close()
        store = TinyStore(data / "live")
        scheduler = DigestScheduler(SimpleNamespace(store=store), sender=None)   # _still_current reads the store only
        figures = out[str(size)] = {}
        for day in (1, 2):
            now = 1.7e9 + (day - 1) * DAY
            before = dict(store.compaction_counts())
            cpu, wall = time.process_time(), time.perf_counter()
            while True:
                chunk = store.due_subscribers(now, 500)
                if not chunk:
                    break
                advanced = [with_schedule(s, now, s.next_due_at + DAY) for s in chunk]
                advanced = scheduler._still_current(advanced, {s.chat_id: s for s in chunk}, now)
                for start in range(0, len(advanced), 250):
                    store.save_subscribers(advanced[start:start + 250])
            counts = store.compaction_counts()   # a rewrite running in the background has finished
            figures[f"pass{day}"] = {"cpu_s": round(time.process_time() - cpu, 2),
                                     "wall_s": round(time.perf_counter() - wall, 2),
                                     "rewrites": counts["subscribers.json"] - before.get("subscribers.json", 0)}
            copy = data / f"crash{day}"
            with store._lock, contextlib.ExitStack() as held:   # one instant, as a kill -9 leaves it
                for db in store._all_dbs():
                    held.enter_context(db.storage._file_lock)
                shutil.copytree(data / "live", copy)
            journals = sum(len(p.read_bytes()) for p in copy.glob("subscribers.journal*"))
            cpu, wall = time.process_time(), time.perf_counter()
            reopened = TinyStore(copy)
            assert len(reopened.all_subscribers()) == size
            figures[f"open{day}"] = {"cpu_s": round(time.process_time() - cpu, 2),
                                     "wall_s": round(time.perf_counter() - wall, 2),
                                     "journal_mb": round(journals / 1e6, 1)}
            reopened.close()
        store.close()
        shutil.rmtree(data)
    return out


PHASES = {"proto": proto, "build": build, "commands": commands, "catalog": catalog, "due": due, "subscribers": subscribers}

if __name__ == "__main__":
    print(json.dumps(PHASES[sys.argv[1]](json.loads(sys.argv[2]))))
