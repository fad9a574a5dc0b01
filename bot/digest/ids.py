"""Short story ids for readers: `/story k3f9x2qa` instead of a file name. Pure.

A story's id is its earliest article's id (a path such as `10_oas-will-send-mission-peru`);
readers see eight characters derived from it (40 bits: a clash between two of 20,000
stories has a chance of about 1 in 5,000). The long ids keep working (`Catalog.story`).
"""
from __future__ import annotations

import base64
import hashlib

SHORT_ID_LENGTH = 8


def short_story_id(story_id: str) -> str:
    digest = hashlib.sha1(story_id.encode("utf-8", "surrogatepass")).digest()
    return base64.b32encode(digest).decode("ascii")[:SHORT_ID_LENGTH].lower()
