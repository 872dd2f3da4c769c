"""The operator's email outbox: list and retry (ADMIN only)."""
