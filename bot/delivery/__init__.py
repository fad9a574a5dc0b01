"""Delivery (adapter): the due pass (no PTB), the persistent outbox sender and its policy."""
