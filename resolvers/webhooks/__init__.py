"""Webhooks: register, list and switch endpoints; list and redeliver deliveries."""
