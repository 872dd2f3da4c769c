"""The numbers the rules are tuned by, with the defaults DOMAIN.md names; the server reads them
from its settings and hands them in, so the rules themselves stay pure."""

from dataclasses import dataclass

DEFAULT_AUTO_WITHDRAW_DAYS = 60
DEFAULT_MAX_VALIDITY_START_DAYS = 90
DEFAULT_MIN_VALIDITY_MONTHS = 1
DEFAULT_MAX_VALIDITY_MONTHS = 36
DEFAULT_MAX_VALID_FROM_LAG_DAYS = 30


@dataclass(frozen=True)
class RequestRules:
    #: A request left rejected this many days is withdrawn by the scheduled job.
    auto_withdraw_days: int = DEFAULT_AUTO_WITHDRAW_DAYS
    #: The validity may start at most this many days after the (re)submission.
    max_validity_start_days: int = DEFAULT_MAX_VALIDITY_START_DAYS
    #: What the certification authority issues: a certificate's shortest and longest validity.
    min_validity_months: int = DEFAULT_MIN_VALIDITY_MONTHS
    max_validity_months: int = DEFAULT_MAX_VALIDITY_MONTHS
    #: The reviewer's validFrom may come at most this many days after the requested start.
    max_valid_from_lag_days: int = DEFAULT_MAX_VALID_FROM_LAG_DAYS

    def __post_init__(self) -> None:
        if min(
            self.auto_withdraw_days,
            self.max_validity_start_days,
            self.max_valid_from_lag_days,
        ) < 0 or not (1 <= self.min_validity_months <= self.max_validity_months):
            raise ValueError("request rules: days must be >= 0 and 1 <= min months <= max months")
