"""The rules of the domain, with no I/O: what may happen to a request or a certificate, and why not.

Nothing here imports the database, the network or the clock: callers pass the instant they
stand at, so every rule can be tested at any date.
"""
