"""Key points: a clean article body → 3–5 verbatim sentences that state the news (pure).

`key_points(text, language, n)` is the stable callable the summary scorer uses.
"""
from bot.keypoints.points import extract_key_points, key_points

__all__ = ["extract_key_points", "key_points"]
