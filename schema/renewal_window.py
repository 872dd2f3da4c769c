"""The suggested renewal window of a certificate, as an API type."""

from datetime import datetime

import strawberry

from domain.renewal_window import RenewalWindow as Window


@strawberry.type(
    description="A window in which to renew, in the manner of ACME ARI (RFC 9773): from the "
    "opening of the renewal month to RENEWAL_WINDOW_END_DAYS days before expiry."
)
class RenewalWindow:
    start: datetime = strawberry.field(
        description="From when to renew: a renewal may be submitted."
    )
    end: datetime = strawberry.field(description="Renew before this, to have time for the review.")

    @classmethod
    def from_domain(cls, window: Window) -> "RenewalWindow":
        return cls(start=window.start, end=window.end)
