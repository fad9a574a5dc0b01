"""Digests: the catalog of stories, what a reader or subscriber gets, and its rendering
to Telegram HTML and plain text, in English or Spanish. Pure."""
