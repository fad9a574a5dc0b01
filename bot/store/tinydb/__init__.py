"""The embedded TinyDB backend: one JSON file per table, an append-only journal, crash-safe writes."""
