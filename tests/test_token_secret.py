"""The token never appears in any output, log line or traceback, whatever the error."""
from __future__ import annotations

import logging
import subprocess
import sys

from bot.cli.redact import MASK, RedactingFormatter, Redactor
from tests.support.standin import StandIn
from tests.test_bot_process import bot_env

REJECTED = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_a_rejected_token_is_never_printed_by_the_real_bot_process(cli_dirs):
    with StandIn() as standin:
        standin.rejected_tokens.add(REJECTED)
        env = {**bot_env(standin), "TELEGRAM_BOT_TOKEN": REJECTED}
        for verbose in ([], ["-v"]):
            result = subprocess.run([sys.executable, "-m", "bot", *verbose, *cli_dirs.options(), "run"],
                                    cwd=cli_dirs.data.parent, env=env, stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, timeout=90)
            printed = result.stdout + result.stderr
            assert result.returncode == 1, printed[-2000:]
            assert "InvalidToken" in printed and "rejected" in printed      # the error is still said
            assert REJECTED not in printed and REJECTED.split(":")[1] not in printed, printed[-3000:]
            assert "AAHdqTcv" not in printed


def test_the_formatter_masks_message_arguments_and_traceback():
    formatter = RedactingFormatter("%(message)s", Redactor(("123456:" + "s" * 35,)))
    try:
        raise ValueError("https://api.telegram.org/bot123456:" + "s" * 35 + "/getMe failed")
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s", ("123456:" + "s" * 35,),
                                   (type(exc), exc, exc.__traceback__))
    text = formatter.format(record)
    assert "s" * 35 not in text and text.count(MASK) >= 2
