"""`python -m bench.writer`: the 'written' changes of the steady-rate subscriptions benchmark, made
by a process of their own.

The benchmark's process also holds the subscribers' sockets; at tens of thousands of messages a
second, reading them left the changes it wrote on the same event loop late (the rate fell to
26-57 changes/s instead of 100). Here they keep their schedule whatever the readers do.

Reads a JSON object on stdin (`database_url`, `redis_url`, `prefix`, `request_ids`, `rate`,
`start`: a `time.perf_counter()` instant, the same monotonic clock in every process of the host);
writes `{request_id: [sent, committed]}` (perf_counter instants) on stdout.
"""

import sys

import orjson
import uvloop

from bench.data import tortoise
from bench.subscriptions import direct_changes, in_this_process


async def write_at_rate(
    database_url: str,
    redis_url: str,
    prefix: str,
    request_ids: list[str],
    rate: float,
    start: float,
) -> dict[str, tuple[float, float]]:
    async with tortoise(database_url):
        change, close = await direct_changes(redis_url, prefix)
        try:
            times = await in_this_process(change, start)(request_ids, rate)
        finally:
            await close()
    return times


def main() -> None:
    job = orjson.loads(sys.stdin.buffer.read())
    times = uvloop.run(
        write_at_rate(
            job["database_url"],
            job["redis_url"],
            job["prefix"],
            job["request_ids"],
            job["rate"],
            job["start"],
        )
    )
    sys.stdout.buffer.write(orjson.dumps(times))


if __name__ == "__main__":
    main()
