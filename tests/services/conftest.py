"""Fixtures for the service-layer tests: the use cases called directly, with real rows.

`deps` (tests/conftest.py) is what the server hands every use case (the fixed clock, a document store under
tmp_path, an in-process bus). The fixtures below go through the use cases themselves
(tests/support/use_cases.py), so every scenario starts from rows the service really writes.
"""

import pytest

from domain.enums import DocumentKind
from models import Certificate, CertificateRequest
from services.dependencies import Dependencies
from tests.support.factories import Caller
from tests.support.use_cases import CommitProbingBus, approve, reject, submit


@pytest.fixture
async def submitted(deps: Dependencies, customer: Caller) -> CertificateRequest:
    """A NEW request of `company`, in review, submitted by `customer` today."""
    return await submit(deps, customer)


@pytest.fixture
async def rejected(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> CertificateRequest:
    """`submitted`, rejected with the RUT flagged."""
    return await reject(
        deps, reviewer, submitted, flagged={DocumentKind.RUT: "Adjunta el RUT de este año."}
    )


@pytest.fixture
async def certificate(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> Certificate:
    """`company`'s ACTIVE certificate, valid for one year from now."""
    _, issued = await approve(deps, reviewer, submitted)
    return issued


@pytest.fixture
def probing_bus(db: str) -> CommitProbingBus:
    return CommitProbingBus(db)
