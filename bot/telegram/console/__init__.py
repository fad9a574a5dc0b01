"""The offline console (`digestbot chat`): the real Application over an in-memory Bot API."""
