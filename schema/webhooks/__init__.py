"""Webhooks: endpoints that receive signed requests, and their deliveries."""
