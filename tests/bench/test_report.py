"""The benchmark's ratio cells: what a reader of its tables takes for the measurements' summary."""

import pytest

from bench.load import LoadResult, round_ratios
from bench.report import ratio, spread


def test_a_ratio_has_two_decimals_and_a_dash_when_the_divisor_measured_nothing() -> None:
    assert ratio(192.6, 241.8) == "0.80"
    assert ratio(5.0, 0.0) == "—"


def test_a_spread_is_the_median_then_the_range() -> None:
    assert spread([0.86, 0.74, 0.80]) == "0.80 (0.74–0.86)"
    assert spread([0.70, 0.90, 0.80, 0.60]) == "0.75 (0.60–0.90)"  # even count: the middle two
    assert spread([0.5]) == "0.50 (0.50–0.50)"
    assert spread([]) == "—"


def test_round_ratios_pair_each_round_and_leave_out_one_that_measured_nothing() -> None:
    def part(requests: int, cpu: float | None) -> LoadResult:
        return LoadResult(clients=1, seconds=2.0, latencies=[0.01] * requests, server_cpu=cpu)

    graphql = [part(400, 2.0), part(300, 1.8), part(0, 0.0), part(350, None)]
    plain = [part(500, 2.0), part(600, 2.4), part(500, 2.0), part(500, 2.0)]
    assert round_ratios(graphql, plain, lambda r: r.rps) == [0.8, 0.5, 0.7]
    # CPU per request: plain's over GraphQL's, the rounds without a CPU reading left out.
    cpu = round_ratios(plain, graphql, lambda r: r.cpu_ms_per_request)
    assert cpu == pytest.approx([4.0 / 5.0, 4.0 / 6.0])
