"""The PostgreSQL store: `PgStore` behind the same `bot.store.api.Store` protocol as TinyDB."""
