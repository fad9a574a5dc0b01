"""Diplomacy Digest: Latin American diplomacy news as sourced key points and themed digests."""

__version__ = "0.1.0"
