"""Schedule: when a subscriber is due, per-chat queues and Telegram's rate-limit windows. Pure."""
