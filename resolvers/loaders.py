"""DataLoaders, created per request (per event for subscriptions): nested fields never cost N+1."""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

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
    def __init__(self) -> None:
        self.company: DataLoader[int, Company | None] = _one(lambda ids: reads.by_ids(Company, ids))
        self.request: DataLoader[int, CertificateRequest | None] = _one(
            lambda ids: reads.by_ids(CertificateRequest, ids)
        )
        self.certificate: DataLoader[int, Certificate | None] = _one(
            lambda ids: reads.by_ids(Certificate, ids)
        )
        self.certificate_by_request: DataLoader[int, Certificate | None] = _one(
            reads.certificate_by_request
        )
        self.certificates_by_company: DataLoader[int, list[Certificate]] = _many(
            reads.certificates_by_company
        )
        self.documents_by_request: DataLoader[int, list[RequestDocument]] = _many(
            reads.current_documents_by_request
        )
        self.history_by_request: DataLoader[int, list[RequestStatusChange]] = _many(
            reads.history_by_request
        )
        self.request_in_review: DataLoader[int, bool | None] = _one(
            reads.request_in_review_by_company
        )
        self.history_by_certificate: DataLoader[int, list[CertificateStatusChange]] = _many(
            reads.history_by_certificate
        )
        self.reminders_by_certificate: DataLoader[int, list[CertificateReminder]] = _many(
            reads.reminders_by_certificate
        )
