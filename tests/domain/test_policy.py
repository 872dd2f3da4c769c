"""The request rules' settings: days are never negative, and 1 <= shortest <= longest months."""

import re

import pytest

from domain.policy import RequestRules

REFUSED = "request rules: days must be >= 0 and 1 <= min months <= max months"


@pytest.mark.parametrize(
    "rules",
    [
        {},
        {"auto_withdraw_days": 0, "max_validity_start_days": 0, "max_valid_from_lag_days": 0},
        {"min_validity_months": 1, "max_validity_months": 1},
        {"min_validity_months": 12, "max_validity_months": 12},
    ],
)
def test_accepted(rules: dict[str, int]) -> None:
    RequestRules(**rules)


@pytest.mark.parametrize(
    "rules",
    [
        {"auto_withdraw_days": -1},
        {"max_validity_start_days": -1},
        {"max_valid_from_lag_days": -1},
        {"min_validity_months": 0},
        {"min_validity_months": 13, "max_validity_months": 12},
        {"min_validity_months": 0, "max_validity_months": 0},
    ],
)
def test_refused(rules: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=re.escape(REFUSED)) as refused:
        RequestRules(**rules)
    assert str(refused.value) == REFUSED
