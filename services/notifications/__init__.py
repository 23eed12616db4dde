"""In-app notifications: one row per recipient, written in the transaction of what caused it."""
