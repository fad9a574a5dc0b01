"""Test helpers (no tests here): transports, the Bot API stand-in, factories, fixture paths."""
