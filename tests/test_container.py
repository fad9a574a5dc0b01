"""What the container runs, tested without a container engine: the wheel, installed into a clean
virtual environment, gives the image's entry command, and its HEALTHCHECK command passes against it."""
from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.support.paths import DIGESTS
from tests.support.standin import StandIn
from tests.test_bot_process import TOKEN, _free_port

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


def test_the_dockerfile_is_multi_stage_non_root_venv_only_with_a_healthcheck():
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM ", text, re.M)
    final = text.split("\nFROM ")[-1]
    assert len(stages) >= 2 and "COPY --from=build /opt/venv /opt/venv" in final
    assert re.search(r"^USER (?!root)\w+", final, re.M) and "HEALTHCHECK" in final
    assert "COPY bot" not in final   # the package is in the venv, not the source tree
    compose = (REPO / "compose.yaml").read_text()
    assert "profiles: [postgres]" in compose
    for volume in ("/data", "/app/seeds", "/app/digests", "/app/sources.toml"):
        assert volume in compose


def test_the_wheel_in_a_clean_venv_runs_the_entry_command_and_passes_the_healthcheck(tmp_path):
    offline = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *offline, "-q",
                    "-w", str(tmp_path / "dist"), str(REPO)], check=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("diplomacy_digest-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    # the dependencies come from this environment (no downloads); the package only from the wheel
    site = next(venv.glob("lib/python*/site-packages"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, timeout=300)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python, work = venv / "bin" / "python", tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "PYTHON"))}
    where = subprocess.run([str(python), "-c", "import bot; print(bot.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(site))
    entry = [str(python), "-c", "import sys; from bot.cli import main; sys.exit(main())"]
    helped = subprocess.run([*entry, "--help"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "digestbot" in helped.stdout
    port = _free_port()
    with StandIn() as standin:
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url, METRICS_PORT=str(port),
                   METRICS_LISTEN="127.0.0.1", DATA_DIR=str(work / "data"), SEEDS_DIR=str(work / "seeds"),
                   DIGESTS_DIR=str(DIGESTS), SOURCES_FILE=str(work / "none.toml"))
        (work / "seeds").mkdir()
        bot = subprocess.Popen([*entry, "run"], cwd=work, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            standin.wait_for(lambda s: s.of("getUpdates", None), 60)
            check = None
            for _ in range(100):
                check = subprocess.run([*entry, "healthcheck"], cwd=work, env=env, capture_output=True,
                                       text=True, timeout=30)
                if check.returncode == 0:
                    break
            assert check is not None and check.returncode == 0, check.stderr
            assert check.stdout.strip() == "ready"
        finally:
            bot.send_signal(signal.SIGTERM)
            _, err = bot.communicate(timeout=30)
    assert bot.returncode == 0, err[-2000:]
