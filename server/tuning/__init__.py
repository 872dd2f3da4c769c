"""Performance work that leans on the internals of libraries (README, Performance), and the guard
that keeps it honest: the server refuses to start on a version of those libraries that the work
was not checked against."""
