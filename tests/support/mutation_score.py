"""`make mutation`'s last line: the mutation score of a mutmut run, from its CI/CD stats file.

A mutant counts as detected when a test failed on it (killed) or it never finished (timeout: the
change turned a loop into an endless one, which the run stopped). Everything else (survived, no
tests, suspicious, ...) counts against the score; docs/testing.md lists each survivor and why it
is equivalent.
"""

import json
import sys
from pathlib import Path


def score(stats: dict[str, int]) -> tuple[int, int]:
    """(detected, total) mutants."""
    return stats["killed"] + stats["timeout"], stats["total"]


def main(path: str) -> int:
    stats = json.loads(Path(path).read_text(encoding="utf-8"))
    detected, total = score(stats)
    percent = 100 * detected / total if total else 0.0
    print(
        f"mutation score: {percent:.1f} % ({detected} of {total} mutants detected: "
        f"{stats['killed']} killed, {stats['timeout']} timed out; {stats['survived']} survived, "
        f"{stats['no_tests']} without tests)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
