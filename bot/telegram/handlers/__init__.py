"""Telegram handlers, one module per group of commands; each ~15 lines: parse, call the core, reply."""
