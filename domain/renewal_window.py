"""The suggested renewal window, in the manner of ACME ARI (RFC 9773): when a client should renew.

It opens with the renewal month (`domain.renewal.renewable_from`: one calendar month before
expiry, the instant a renewal may be submitted) and ends a configurable number of days before
expiry, leaving time for the partner's review (two business days) and for installing the new
certificate. A front end reads it with the certificate; nothing to poll. A revoked certificate,
or one already renewed, has no window: there is nothing to renew.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.enums import CertificateStatus
from domain.renewal import renewable_from

DEFAULT_RENEWAL_WINDOW_END_DAYS = 7
"""Days before expiry at which the suggested window ends (RENEWAL_WINDOW_END_DAYS)."""


@dataclass(frozen=True)
class RenewalWindow:
    start: datetime
    end: datetime


def suggested_renewal_window(
    status: CertificateStatus,
    replaced_by_id: int | None,
    valid_until: datetime,
    end_days: int = DEFAULT_RENEWAL_WINDOW_END_DAYS,
) -> RenewalWindow | None:
    """[renewal month opens, `end_days` before expiry]; never ends before it starts (a window
    shorter than `end_days` ends at its start); None for a revoked or already renewed one."""
    if end_days < 0:
        raise ValueError("end_days must not be negative")
    if status is CertificateStatus.REVOKED or replaced_by_id is not None:
        return None
    start = renewable_from(valid_until)
    end = max(start, valid_until - timedelta(days=end_days))
    return RenewalWindow(start=start, end=end)
