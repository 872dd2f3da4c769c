"""Limits of the keys the database holds."""

#: Primary keys are 32-bit integers; a larger number can name no row (and would not fit a query).
MAX_PRIMARY_KEY = 2**31 - 1
