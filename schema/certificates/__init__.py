"""Issued certificates and their history: types, inputs, payloads and their root fields."""
