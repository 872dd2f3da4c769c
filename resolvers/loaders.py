"""DataLoaders, created per request (per event for subscriptions, shared by its subscribers):
nested fields never cost N+1."""

import weakref
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from models import (
    Certificate,
    CertificateReminder,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestDocument,
    RequestStatusChange,
)
from services import reads

K = TypeVar("K")
V = TypeVar("V")


def _one(fetch: Callable[[Sequence[int]], Awaitable[dict[int, V]]]) -> DataLoader[int, V | None]:
    async def load(keys: list[int]) -> list[V | None]:
        found = await fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _many(
    fetch: Callable[[Sequence[int]], Awaitable[dict[int, list[V]]]],
) -> DataLoader[int, list[V]]:
    async def load(keys: list[int]) -> list[list[V]]:
        found = await fetch(keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """Each loader is made the first time a resolver asks for it: a request, or an idle
    subscription, pays only for the loaders it uses (the tracking query uses three of thirteen)."""

    @cached_property
    def company(self) -> DataLoader[int, Company | None]:
        return _one(lambda ids: reads.by_ids(Company, ids))

    @cached_property
    def request(self) -> DataLoader[int, CertificateRequest | None]:
        return _one(lambda ids: reads.by_ids(CertificateRequest, ids))

    @cached_property
    def certificate(self) -> DataLoader[int, Certificate | None]:
        return _one(lambda ids: reads.by_ids(Certificate, ids))

    @cached_property
    def certificate_by_request(self) -> DataLoader[int, Certificate | None]:
        return _one(reads.certificate_by_request)

    @cached_property
    def certificates_by_company(self) -> DataLoader[int, list[Certificate]]:
        return _many(reads.certificates_by_company)

    @cached_property
    def documents_by_request(self) -> DataLoader[int, list[RequestDocument]]:
        return _many(reads.current_documents_by_request)

    @cached_property
    def history_by_request(self) -> DataLoader[int, list[RequestStatusChange]]:
        return _many(reads.history_by_request)

    @cached_property
    def latest_request_by_company(self) -> DataLoader[int, CertificateRequest | None]:
        return _one(reads.latest_request_by_company)

    @cached_property
    def open_requests_by_company(self) -> DataLoader[int, list[CertificateRequest]]:
        return _many(reads.open_requests_by_company)

    @cached_property
    def revocation_reason(self) -> DataLoader[int, str | None]:
        return _one(reads.revocation_reason_by_certificate)

    @cached_property
    def request_in_review(self) -> DataLoader[int, bool | None]:
        return _one(reads.request_in_review_by_company)

    @cached_property
    def history_by_certificate(self) -> DataLoader[int, list[CertificateStatusChange]]:
        return _many(reads.history_by_certificate)

    @cached_property
    def reminders_by_certificate(self) -> DataLoader[int, list[CertificateReminder]]:
        return _many(reads.reminders_by_certificate)

    @cached_property
    def request_change(self) -> DataLoader[int, RequestStatusChange | None]:
        return _one(lambda ids: reads.by_ids(RequestStatusChange, ids))

    @cached_property
    def certificate_change(self) -> DataLoader[int, CertificateStatusChange | None]:
        return _one(lambda ids: reads.by_ids(CertificateStatusChange, ids))

    @cached_property
    def shared_results(self) -> dict[Hashable, Any]:
        """For an event: the results its subscribers have computed, for those who ask the same
        question of the same payload (`schema.root.SharedEventResultsExecutionContext`)."""
        return {}


#: The loaders of each event object still alive, by the object's identity.
_event_loaders: dict[int, Loaders] = {}


def loaders_for_event(event: object) -> Loaders:
    """The loaders of one published event, shared by every subscription of this process that
    receives it (the bus hands the same object to all of them): a change fanned out to N
    subscribers costs the statements of one, not N times them (docs/performance/history.md).

    Safe to share: loaders read rows by id, with no caller in the key, and each subscriber was
    authorised for the event before it asks. Fresh per event: keyed by the event object, not its
    value (the same change published again is loaded again), and dropped with that object once
    every subscriber has moved on, so nothing loaded outlives the event it was loaded for.
    """
    key = id(event)
    loaders = _event_loaders.get(key)
    if loaders is None:
        loaders = _event_loaders[key] = Loaders()
        weakref.finalize(event, _event_loaders.pop, key, None)
    return loaders
