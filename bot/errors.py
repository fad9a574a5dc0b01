"""One small hierarchy of domain errors; the CLI turns each into one line and exit 1."""


class DigestError(Exception):
    """Base of every error the bot reports to a maintainer or user."""


class ConfigError(DigestError):
    """A setting is missing or invalid."""


class ThemeError(DigestError):
    """A theme file in digests/ is invalid (the message names the file and line)."""


class StoreError(DigestError):
    """The store cannot be opened, read or written."""


class UnknownItem(DigestError):
    """An article, story or theme that the user asked for does not exist."""


class SourceError(DigestError):
    """sources.toml or an OPML file is invalid, or a source asked for does not exist."""
