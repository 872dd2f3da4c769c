"""Issued certificates: their nested fields, state changes and live changes."""
