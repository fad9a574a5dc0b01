"""The `digestbot` command line: one module per group of subcommands; `main(argv) -> int`."""
from bot.cli.main import main

__all__ = ["main"]
