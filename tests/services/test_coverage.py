"""certificateCoverage's use case reads the status the clock makes, not the stored one."""

from datetime import timedelta

from domain.calendar import format_date_es, local_date
from domain.clock import FixedClock
from domain.coverage import CoverageReason
from domain.enums import CertificateStatus
from models import Certificate, CertificateRequest
from services.coverage import certificate_coverage
from services.dependencies import Dependencies
from tests.support.factories import Caller
from tests.support.use_cases import approve


async def test_an_issued_certificate_covers_the_days_from_its_valid_from(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    submitted: CertificateRequest,
    clock: FixedClock,
) -> None:
    start = clock.now() + timedelta(days=5)
    _, certificate = await approve(deps, reviewer, submitted, "SN-0001", start)
    assert certificate.status is CertificateStatus.ISSUED
    first_day = local_date(start)

    before = await certificate_coverage(
        customer.principal, None, first_day - timedelta(days=1), clock.now()
    )
    assert before.coverage.reason is CoverageReason.NOT_YET_STARTED
    assert before.coverage.message == (
        f"El {format_date_es(first_day - timedelta(days=1))} tu certificado aún no rige: "
        f"empieza el {format_date_es(first_day)}."
    )
    for day in (first_day + timedelta(days=1), first_day + timedelta(days=200)):
        covered = await certificate_coverage(customer.principal, None, day, clock.now())
        assert covered.coverage.covered
        assert covered.certificate is not None
        assert covered.certificate.id == certificate.id


async def test_a_certificate_expired_by_the_clock_does_not_cover_before_the_job_ran(
    customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    inside = local_date(certificate.valid_from) + timedelta(days=30)
    assert (
        await certificate_coverage(customer.principal, None, inside, clock.now())
    ).coverage.covered

    clock.set(certificate.valid_until + timedelta(hours=1))  # the job has not run
    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.ACTIVE
    found = await certificate_coverage(customer.principal, None, inside, clock.now())
    assert found.coverage.reason is CoverageReason.EXPIRED
    assert found.coverage.message == (
        f"No puedes firmar el {format_date_es(inside)}: tu certificado está vencido. "
        "Solicita la renovación."
    )
    assert found.certificate is not None
    assert found.certificate.id == certificate.id
