"""What the test suite and the benchmarks share (never imported by the service): throw-away
databases, SQL statement counting, a local SMTP server, a free port. `bench/` must not import
`tests/`; both import this."""
