"""The benchmark's ratio cells: what a reader of its tables takes for the measurements' summary."""

from bench.report import ratio, spread


def test_a_ratio_has_two_decimals_and_a_dash_when_the_divisor_measured_nothing() -> None:
    assert ratio(192.6, 241.8) == "0.80"
    assert ratio(5.0, 0.0) == "—"


def test_a_spread_is_the_median_then_the_range() -> None:
    assert spread([0.86, 0.74, 0.80]) == "0.80 (0.74–0.86)"
    assert spread([0.70, 0.90, 0.80, 0.60]) == "0.75 (0.60–0.90)"  # even count: the middle two
    assert spread([0.5]) == "0.50 (0.50–0.50)"
    assert spread([]) == "—"
