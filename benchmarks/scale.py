"""One embedded deployment at scale: today's code beside a baseline commit, in the same run.

Builds a store of dated copies of the eval articles under several outlets (see
`benchmarks/corpus.py`; six outlets carry each event on one day), subscribers who are
due within hours, and `--days` days of delivered daily digests; then, for each code
tree (this checkout, and `--baseline`, exported with `git archive`):

- start-up: the real `digestbot run` against the local Bot API stand-in
  (tests/support/standin.py), run twice (the second start is "nothing changed since the last
  run"): seconds to the first getUpdates, and the process's RSS once its start-up
  ingest is done;
- in-process (the real Application over the recording transport): command latency
  from the planned start to the answer (p50/p99/max), idle and while the due pass
  builds and enqueues every subscriber's digest, while every table file is compacted,
  and while 50 changed files are ingested; the due pass's wall time and CPU.

    .venv/bin/python benchmarks/scale.py                      # 5k articles, 20k subscribers (minutes)
    .venv/bin/python benchmarks/scale.py --full               # 20k articles, 100k subscribers
    .venv/bin/python benchmarks/scale.py --undated --articles 5000 --baseline none
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.standin import StandIn  # noqa: E402

BASELINE = "4366d19"   # main before issue 13 ("today's code")
TOKEN = "123456:SCALE-BENCH"


def phase(code: Path, name: str, args: dict) -> dict:
    env = {**os.environ, "SCALE_CODE": str(code), "PYTHONPATH": f"{code}:{ROOT}"}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale_phases.py"), name, json.dumps(args)],
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"phase {name} ({code}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_tree(ref: str, target: Path) -> Path:
    """The tree of `ref`, without touching this checkout."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _rss_mb(pid: int) -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: round(int(fields[key].split()[0]) / 1024) for key in ("VmRSS", "VmHWM")}


def start_once(code: Path, dirs: dict, timeout: float) -> dict:
    """Seconds to the first poll, and RSS after the start-up ingest, of one `digestbot run`."""
    with StandIn() as standin:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(PYTHONPATH=str(code), LOG_LEVEL="INFO", TELEGRAM_BOT_TOKEN=TOKEN,
                   TELEGRAM_API_BASE_URL=standin.base_url,
                   TELEGRAM_API_FILE_URL=standin.base_url.replace("/bot", "/file/bot"),
                   DATA_DIR=dirs["data"], SEEDS_DIR=dirs["seeds"], DIGESTS_DIR=dirs["digests"])
        log = Path(dirs["data"]).parent / "bot.log"
        with open(log, "w") as err:
            started = time.monotonic()
            process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=Path(dirs["data"]).parent,
                                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
            try:
                first = standin.wait_for(lambda s: s.of("getUpdates", None), timeout)[0].at - started
                deadline = time.monotonic() + timeout
                while "ingest:" not in log.read_text() and time.monotonic() < deadline:
                    time.sleep(0.2)
                ready = time.monotonic() - started
                time.sleep(1.0)
                rss = _rss_mb(process.pid)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout)
    return {"first_poll_s": round(first, 2), "ingest_done_s": round(ready, 2), **rss}


def measure(code: Path, label: str, args, work: Path, proto: dict) -> dict:
    base = work / label
    dirs = {"data": str(base / "data"), "seeds": str(base / "seeds"), "digests": str(base / "digests")}
    shutil.copytree(ROOT / "digests", dirs["digests"])
    common = {**proto, **dirs, "articles": args.articles, "subscribers": args.subscribers, "days": args.days,
              "undated": args.undated}
    print(f"[{label}] building the store ...", file=sys.stderr)
    result: dict = {"build": phase(code, "build", common)}
    for run in ("start_first", "start_again"):
        print(f"[{label}] {run} ...", file=sys.stderr)
        result[run] = start_once(code, dirs, args.timeout)
        shutil.copyfile(base / "bot.log", work / f"{label}-{run}.log")
    print(f"[{label}] commands idle / due pass / compaction / ingest ...", file=sys.stderr)
    result["commands"] = phase(code, "commands", common)
    shutil.rmtree(base)
    return result


def report(results: dict[str, dict], args) -> None:
    labels = list(results)
    print(f"\n{args.articles} articles{' (undated)' if args.undated else ''}, {args.subscribers} subscribers, "
          f"{args.days} days of deliveries; columns: {', '.join(labels)}")
    rows = [("store files on disk (MB)", lambda r: round(sum(r["build"]["files"].values()) / 2**20)),
            ("start-up to first poll, first run (s)", lambda r: r["start_first"]["first_poll_s"]),
            ("start-up to first poll, nothing changed (s)", lambda r: r["start_again"]["first_poll_s"]),
            ("start-up ingest done, nothing changed (s)", lambda r: r["start_again"]["ingest_done_s"]),
            ("RSS after start-up (MB)", lambda r: r["start_again"]["VmRSS"]),
            ("peak RSS of the bot (MB)", lambda r: r["start_again"]["VmHWM"]),
            ("store open in-process (s)", lambda r: r["commands"]["store_open_s"]),
            ("catalog (Library) in-process (s)", lambda r: r["commands"]["library_s"]),
            ("due pass: wall (s)", lambda r: r["commands"]["due_pass"]["wall_s"]),
            ("due pass: CPU (s)", lambda r: r["commands"]["due_pass"]["cpu_s"]),
            ("due pass: pushes", lambda r: r["commands"]["due_pass"]["pushes"])]
    for when in ("idle", "due_pass", "compaction", "ingest"):
        for stat in ("p50", "p99", "max"):
            rows.append((f"command {stat} {when} (ms)", lambda r, w=when, s=stat: r["commands"][w][s]))
    rows.append(("compaction wall (s)", lambda r: r["commands"]["compaction"]["wall_s"]))
    rows.append(("ingest of 50 files wall (s)", lambda r: r["commands"]["ingest"]["wall_s"]))
    print(f"{'':<46}" + "".join(f"{label:>14}" for label in labels))
    for name, get in rows:
        print(f"{name:<46}" + "".join(f"{get(results[label])!s:>14}" for label in labels))
    lock_report(results)
    print("\n" + json.dumps(results))


def lock_report(results: dict[str, dict]) -> None:
    """The store lock's hold times (ms) per kind of call and phase: n, p99, max (trees that report them)."""
    print("\nstore lock held, per call (ms): n / p99 / max")
    for label, result in results.items():
        for when in ("idle", "due_pass", "compaction", "ingest"):
            holds = result["commands"][when].get("lock", {})
            cells = [f"{kind} {h['n']}/{h['p99']}/{h['max']}" for kind, h in
                     sorted(holds.items(), key=lambda item: -item[1]["max"])]
            print(f"  {label:<9}{when:<11}" + "; ".join(cells))


def catalog_report(trees: dict[str, Path], args, proto: dict) -> None:
    """CPU seconds of Catalog.build, dated and undated, per size and tree; and (trees that have it)
    of Catalog.update after one changed article ("upd")."""
    print(f"{'articles':>9}{'':>3}" + "".join(f"{label + ' ' + kind:>30}" for label in trees
                                          for kind in ("dated", "undated")))
    for size in (int(n) for n in args.catalog.split(",")):
        row = []
        for label, code in trees.items():
            figures = phase(code, "catalog", {**proto, "articles": size, "digests": str(ROOT / "digests")})
            row += [f"{figures[kind]['cpu_s']}s/{figures[kind]['stories']}st"
                    + (f" upd {figures[kind]['update_one_s']}s" if "update_one_s" in figures[kind] else "")
                    for kind in ("dated", "undated")]
        print(f"{size:>9}{'':>3}" + "".join(f"{cell:>30}" for cell in row), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=14, help="days of delivered daily digests (default 14)")
    parser.add_argument("--full", action="store_true", help="20,000 articles and 100,000 subscribers")
    parser.add_argument("--undated", action="store_true", help="articles without a publication date")
    parser.add_argument("--baseline", default=BASELINE, help=f"git ref to compare with, or 'none' ({BASELINE})")
    parser.add_argument("--catalog", default="", help="only time catalog builds at these sizes (e.g. 2500,5000)")
    parser.add_argument("--only", choices=("baseline", "today"), help="measure one tree only")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if args.full:
        args.articles, args.subscribers = 20_000, 100_000
    work = args.work or Path(tempfile.mkdtemp(prefix="scale-"))
    work.mkdir(parents=True, exist_ok=True)
    proto = {"work": str(work), "now": time.time()}
    if not (work / "proto.json").exists():
        print("ingesting the eval articles once ...", file=sys.stderr)
        phase(ROOT, "proto", {**proto, "digests": str(ROOT / "digests")})
    trees = {"today": ROOT}
    if args.baseline != "none":
        trees = {"baseline": export_tree(args.baseline, work / "baseline_code"), **trees}
    if args.catalog:
        catalog_report(trees, args, proto)
        return 0
    results = {label: measure(code, label, args, work, proto) for label, code in trees.items()
               if args.only in (None, label)}
    shutil.rmtree(work / "baseline_code", ignore_errors=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
