"""The library (orchestration): sources → extract → key points → themes → store, off the
event loop, and the catalog kept current; theme files read from `digests/`."""
