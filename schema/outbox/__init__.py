"""The operator's view of the email outbox."""
