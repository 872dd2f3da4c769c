"""Can the company sign on a date: the rules, against a reference model written from the issue."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import BOGOTA
from domain.certificate_lifecycle import CertificateSnapshot
from domain.coverage import CoverageReason, coverage_on, day_bounds
from domain.enums import CertificateStatus

BASE = date(2026, 1, 1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BOGOTA).astimezone(UTC)


def cert(
    pk: int, start: int, end: int, status: CertificateStatus = CertificateStatus.ACTIVE
) -> CertificateSnapshot:
    """Valid from 00:00 of BASE+start to 00:00 of BASE+end, Bogotá."""
    return CertificateSnapshot(
        id=pk,
        status=status,
        valid_from=midnight(BASE + timedelta(days=start)),
        valid_until=midnight(BASE + timedelta(days=end)),
    )


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


#: The clock in the examples: the morning of BASE, before every example certificate ends.
NOW = midnight(BASE) + timedelta(hours=8)


def test_an_active_certificate_covers_its_days_and_not_its_expiry_day() -> None:
    certificates = [cert(1, 0, 365)]
    assert coverage_on(certificates, day(0), NOW).covered
    assert coverage_on(certificates, day(364), NOW).covered
    expired = coverage_on(certificates, day(365), NOW)
    assert expired.reason is CoverageReason.EXPIRED
    assert expired.message == (
        "No puedes firmar el 01/01/2027: la vigencia de tu certificado termina el "
        "01/01/2027. Solicita la renovación."
    )


def test_a_certificate_that_starts_later_covers_from_its_start() -> None:
    certificates = [cert(1, 10, 375)]
    before = coverage_on(certificates, day(9), NOW)
    assert before.reason is CoverageReason.NOT_YET_STARTED
    assert before.message == ("El 10/01/2026 tu certificado aún no rige: empieza el 11/01/2026.")
    assert coverage_on(certificates, day(10), NOW).covered


def test_a_certificate_starting_during_the_day_covers_it_from_that_hour() -> None:
    start = midnight(day(3)) + timedelta(hours=10)
    certificate = CertificateSnapshot(
        1, CertificateStatus.ACTIVE, start, start + timedelta(days=365)
    )
    coverage = coverage_on([certificate], day(3), NOW)
    assert coverage.covered
    assert coverage.message == (
        "Puedes firmar el 04/01/2026: tu certificado rige desde ese día a las 10:00."
    )


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (
            CertificateStatus.INACTIVE,
            CoverageReason.INACTIVE,
            "No puedes firmar el 06/01/2026: tu certificado está inactivo. Actívalo para firmar.",
        ),
        (
            CertificateStatus.REVOKED,
            CoverageReason.REVOKED,
            "No puedes firmar el 06/01/2026: tu certificado fue revocado. Solicita uno nuevo.",
        ),
    ],
)
def test_a_certificate_that_cannot_sign_says_why(
    status: CertificateStatus, reason: CoverageReason, message: str
) -> None:
    coverage = coverage_on([cert(1, 0, 365, status)], day(5), NOW)
    assert coverage.reason is reason
    assert coverage.message == message
    assert coverage.certificate is not None


def test_no_certificate() -> None:
    coverage = coverage_on([], day(0), NOW)
    assert coverage.reason is CoverageReason.NO_CERTIFICATE
    assert coverage.certificate is None
    assert coverage.message == (
        "La empresa no tiene un certificado digital. Solicítalo para poder firmar."
    )


def test_a_renewal_covers_the_days_its_predecessor_set_aside() -> None:
    certificates = [
        cert(1, 0, 365, CertificateStatus.INACTIVE),  # superseded by the renewal
        cert(2, 340, 705),
    ]
    assert coverage_on(certificates, day(350), NOW).certificate == certificates[1]
    assert coverage_on(certificates, day(100), NOW).reason is CoverageReason.INACTIVE


statuses = st.sampled_from(list(CertificateStatus))
spans = st.tuples(st.integers(0, 60), st.integers(1, 60), statuses)


@given(st.lists(spans, max_size=4), st.integers(-5, 130), st.integers(-5, 130))
def test_covered_exactly_when_the_reference_model_says_so(
    raw: list[tuple[int, int, CertificateStatus]], offset: int, clock_offset: int
) -> None:
    certificates = [cert(i + 1, s, s + length, status) for i, (s, length, status) in enumerate(raw)]
    on = day(offset)
    now = midnight(day(clock_offset)) + timedelta(hours=12)

    def status_now(c: CertificateSnapshot) -> CertificateStatus:
        # Reference (DOMAIN.md, issue 13): revoked and expired are final; past validUntil it is
        # expired; an issued one is active from validFrom; otherwise what is stored.
        if c.status in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
            return c.status
        if now >= c.valid_until:
            return CertificateStatus.EXPIRED
        if c.status is CertificateStatus.ISSUED and now >= c.valid_from:
            return CertificateStatus.ACTIVE
        return c.status

    # Reference (issue 19): a certificate that is ACTIVE or ISSUED now, whose validity
    # includes the day, covers it.
    expected = any(
        status_now(c) in (CertificateStatus.ACTIVE, CertificateStatus.ISSUED)
        and c.valid_from <= midnight(on)
        and midnight(on) < c.valid_until
        for c in certificates
    )
    coverage = coverage_on(certificates, on, now)
    assert coverage.covered is expected
    if expected:
        assert coverage.certificate is not None
        assert coverage.certificate.status in (CertificateStatus.ACTIVE, CertificateStatus.ISSUED)
    elif not certificates:
        assert coverage.reason is CoverageReason.NO_CERTIFICATE
    else:
        assert coverage.reason is not CoverageReason.NO_CERTIFICATE
        assert coverage.certificate is not None
    assert coverage.message


def test_an_issued_certificate_covers_the_days_from_its_valid_from() -> None:
    certificates = [cert(1, 10, 375, CertificateStatus.ISSUED)]
    assert coverage_on(certificates, day(9), NOW).reason is CoverageReason.NOT_YET_STARTED
    assert coverage_on(certificates, day(10), NOW).covered
    assert coverage_on(certificates, day(200), NOW).covered


def test_a_certificate_expired_by_the_clock_does_not_cover_before_the_job_persists_it() -> None:
    stored_active = [cert(1, 0, 30)]
    after_expiry = midnight(day(31))
    # A day inside its validity, asked after it ended: it is Vencido now, as if the job had run.
    coverage = coverage_on(stored_active, day(5), after_expiry)
    assert coverage.reason is CoverageReason.EXPIRED
    assert coverage.message == (
        "No puedes firmar el 06/01/2026: tu certificado está vencido. Solicita la renovación."
    )
    persisted = coverage_on([cert(1, 0, 30, CertificateStatus.EXPIRED)], day(5), after_expiry)
    assert (persisted.reason, persisted.message) == (coverage.reason, coverage.message)


def test_a_certificate_starting_at_midnight_covers_the_whole_day() -> None:
    coverage = coverage_on([cert(1, 3, 368)], day(3), NOW)
    assert (coverage.on, coverage.certificate, coverage.reason, coverage.message) == (
        day(3),
        cert(1, 3, 368),
        None,
        "Puedes firmar el 04/01/2026 con tu certificado digital.",
    )


@pytest.mark.parametrize(("hour", "minute"), [(0, 30), (20, 0), (23, 59)])
def test_the_day_is_bogotas_from_midnight_to_midnight(hour: int, minute: int) -> None:
    start = midnight(day(3)) + timedelta(hours=hour, minutes=minute)
    certificate = CertificateSnapshot(1, CertificateStatus.ACTIVE, start, start + timedelta(days=9))
    coverage = coverage_on([certificate], day(3), NOW)
    assert coverage.certificate == certificate
    assert coverage.message == (
        f"Puedes firmar el 04/01/2026: tu certificado rige desde ese día a las "
        f"{hour:02d}:{minute:02d}."
    )


def test_on_the_day_a_renewal_starts_the_renewal_is_the_one_that_covers_it() -> None:
    start = midnight(day(300)) + timedelta(hours=12)
    old = cert(1, 0, 365)
    renewal = CertificateSnapshot(
        2, CertificateStatus.ISSUED, start, start + timedelta(days=365), None
    )
    coverage = coverage_on([old, renewal], day(300), NOW)
    assert coverage.certificate == renewal
    assert coverage.message == (
        "Puedes firmar el 28/10/2026: tu certificado rige desde ese día a las 12:00."
    )


def test_only_revoked_certificates_starting_later_name_the_first_of_them() -> None:
    certificates = [
        cert(2, 40, 400, CertificateStatus.REVOKED),
        cert(1, 20, 380, CertificateStatus.REVOKED),
    ]
    coverage = coverage_on(certificates, day(5), NOW)
    assert (coverage.on, coverage.certificate, coverage.reason, coverage.message) == (
        day(5),
        certificates[1],
        CoverageReason.REVOKED,
        "No puedes firmar el 06/01/2026: tu certificado fue revocado. Solicita uno nuevo.",
    )


@pytest.mark.parametrize(
    ("certificates", "on", "reason"),
    [
        ([], day(0), CoverageReason.NO_CERTIFICATE),
        ([cert(1, 10, 375)], day(9), CoverageReason.NOT_YET_STARTED),
        ([cert(1, 0, 30, CertificateStatus.EXPIRED)], day(40), CoverageReason.EXPIRED),
        ([cert(1, 0, 30, CertificateStatus.REVOKED)], day(40), CoverageReason.REVOKED),
        ([cert(1, 0, 30, CertificateStatus.INACTIVE)], day(5), CoverageReason.INACTIVE),
        ([cert(1, 0, 30, CertificateStatus.REVOKED)], day(5), CoverageReason.REVOKED),
        ([cert(1, 0, 30, CertificateStatus.EXPIRED)], day(5), CoverageReason.EXPIRED),
    ],
)
def test_the_answer_is_about_the_date_asked(
    certificates: list[CertificateSnapshot], on: date, reason: CoverageReason
) -> None:
    coverage = coverage_on(certificates, on, NOW)
    assert (coverage.on, coverage.reason) == (on, reason)


@pytest.mark.usefixtures("machine_five_hours_behind_utc")
def test_a_days_bounds_are_bogotas_midnights_said_in_utc_whatever_the_machines_zone() -> None:
    start, end = day_bounds(date(2026, 1, 4))
    assert (start.isoformat(), end.isoformat()) == (
        "2026-01-04T05:00:00+00:00",
        "2026-01-05T05:00:00+00:00",
    )
