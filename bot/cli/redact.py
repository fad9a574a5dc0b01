"""Secrets never printed: the bot token (and the webhook secret) masked in every log line,
traceback and error line, whatever the error (PTB's InvalidToken message holds the token).

Redaction is applied to the whole formatted record, traceback included, at the one
logging handler the CLI installs, and to the CLI's own error lines.
"""
from __future__ import annotations

import logging
import json
import re

MASK = "<redacted>"
# anything shaped like a bot token (digits:35 url-safe characters), even one we were not told about
TOKEN_SHAPE = re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{30,}")


class Redactor:
    """Masks the given secrets, the secret half of a token, and anything shaped like a token."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        parts = set()
        for secret in secrets:
            if secret:
                parts.add(secret)
                _, _, tail = secret.partition(":")
                if len(tail) >= 4:
                    parts.add(tail)
        self._secrets = sorted(parts, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return TOKEN_SHAPE.sub(MASK, text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose output (message, arguments and traceback) has the secrets masked."""

    def __init__(self, fmt: str, redactor: Redactor):
        super().__init__(fmt)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor(super().format(record))


class JsonLinesFormatter(RedactingFormatter):
    """LOG_FORMAT=json: one JSON object per line (time, level, logger, message, traceback), secrets masked."""

    def __init__(self, redactor: Redactor):
        super().__init__("%(message)s", redactor)

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return self.redactor(json.dumps(entry, ensure_ascii=False))
