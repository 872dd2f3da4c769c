"""Benchmarks of the real server (`certs serve`) on realistic data: `python -m bench` (`make bench`).

Not timed tests: numbers depend on the machine. The suite asserts what is a count (SQL statements
per reviewer-queue page); this package measures what is a time, and prints tables.
"""
