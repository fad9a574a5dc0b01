"""Files in seeds/ that are not ordinary articles: FIFOs, devices, sockets, symlinks out of the
folder, UTF-16, undecodable file names. Each is skipped with its reason (or read, when it
is an article); the ingest never hangs and never reads outside seeds/."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sources.files import read_limited
from bot.sources.seeds import read_seeds

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "tests" / "data" / "story_articles" / "argentina_leaves_lima_group.txt"


@pytest.fixture
def seeds(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "good.txt")
    return folder


def reasons(seeds_dir: Path) -> dict[str, str]:
    found, rejected = read_seeds(seeds_dir)
    assert [seed.path for seed in found] == ["good.txt"] or "good.txt" not in os.listdir(seeds_dir)
    return {r.path: r.reason for r in rejected}


def test_a_fifo_is_skipped_without_blocking(seeds):
    os.mkfifo(seeds / "pipe.txt")
    assert "named pipe" in reasons(seeds)["pipe.txt"]


def test_devices_are_skipped_even_through_a_symlink_and_never_read(seeds):
    (seeds / "zero.txt").symlink_to("/dev/zero")
    (seeds / "random.md").symlink_to("/dev/urandom")
    found = reasons(seeds)
    assert "outside the seeds folder" in found["zero.txt"] and "outside the seeds folder" in found["random.md"]
    assert "character device" in read_limited(Path("/dev/zero"), Path("/dev"), 1000)


def test_a_socket_is_skipped(seeds):
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(seeds / "sock.txt"))
        assert "socket" in reasons(seeds)["sock.txt"]
    finally:
        server.close()


def test_symlinks_are_followed_only_inside_the_seeds_folder(seeds, tmp_path):
    secret = tmp_path / ".env"
    secret.write_text("TELEGRAM_BOT_TOKEN=123:SECRET\n" * 20)
    (seeds / "token.txt").symlink_to(secret)
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "sub").mkdir()
    shutil.copy(ARTICLE, seeds / "sub" / "other.txt")
    (seeds / "alias.txt").symlink_to(seeds / "sub" / "other.txt")
    (seeds / "broken.txt").symlink_to(seeds / "missing.txt")
    found, rejected = read_seeds(seeds)
    why = {r.path: r.reason for r in rejected}
    assert "outside the seeds folder" in why["token.txt"] and "outside the seeds folder" in why["passwd.txt"]
    assert "broken symbolic link" in why["broken.txt"]
    assert sorted(seed.path for seed in found) == ["alias.txt", "good.txt", "sub/other.txt"]
    assert all("SECRET" not in seed.text for seed in found)


def test_reads_stop_at_the_limit_whatever_the_file_says(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 5000)
    assert len(read_limited(big, tmp_path, 1000)) == 1001   # one byte past: enough to say "too big"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_bom_is_decoded(seeds, encoding):
    text = ARTICLE.read_text(encoding="utf-8").replace("Argentina", "Argentína")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (seeds / "wide.txt").write_bytes(data)
    found, rejected = read_seeds(seeds)
    assert rejected == []
    wide = next(seed for seed in found if seed.path == "wide.txt")
    assert wide.text.startswith("title: Argentína formally withdraws") and "decoded as UTF-16" in wide.notes


def run_ingest(seeds: Path, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    digests = tmp_path / "digests"
    digests.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "DATA_DIR", "SEEDS"))}
    return subprocess.run([sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "data"), "--seeds", str(seeds),
                           "--digests", str(digests), "ingest", "--json"],
                          capture_output=True, timeout=timeout, cwd=tmp_path, env=env)


@pytest.mark.slow
def test_ingest_with_a_fifo_and_a_device_link_finishes_and_names_them(seeds, tmp_path):
    os.mkfifo(seeds / "pipe.txt")
    (seeds / "zero.txt").symlink_to("/dev/zero")
    run = run_ingest(seeds, tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["added"] == ["good"]
    assert {r["path"] for r in report["rejected"]} == {"pipe.txt", "zero.txt"}


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_keeps_the_json_report_valid_utf8(seeds, tmp_path):
    shutil.copy(ARTICLE, os.path.join(os.fsencode(seeds), b"caf\xe9.txt"))
    run = run_ingest(seeds, tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.decode("utf-8"))   # strict: raises on invalid UTF-8
    [rejected] = report["rejected"]
    assert rejected["path"] == "caf\ufffd.txt" and "not valid UTF-8" in rejected["reason"]


def test_check_warns_when_a_theme_term_matches_most_articles(tmp_path, capsys, restore_logging):
    from bot.cli.main import main

    seeds, digests = tmp_path / "seeds", tmp_path / "digests"
    seeds.mkdir()
    for path in (REPO / "tests" / "data" / "story_articles").glob("*.txt"):
        if not path.name.endswith("_es.txt"):   # the English ones
            shutil.copy(path, seeds)
    digests.mkdir()
    (digests / "common.toml").write_text('command = "common"\nterms = ["the", "Castillo", "Lima Group"]\n\n'
                                         '[title]\nen = "Common"\n\n[description]\nen = "Too common"\n')
    main(["--data-dir", str(tmp_path / "data"), "--seeds", str(seeds), "--digests", str(digests), "check", "--json"])
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    common = [w for w in warnings if "too common" in w]
    assert len(common) == 1 and "/common" in common[0]
    assert re.search(r"term 'the' matches [5-8] of 8 articles", common[0]), common[0]   # not Castillo, not Lima Group
