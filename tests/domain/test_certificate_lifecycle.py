"""The certificate's states: what the company may change, and what only the system does."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from domain.certificate_lifecycle import (
    CERTIFICATE_STATUS_LABELS,
    COMPANY_STATE_CHANGES,
    ISSUER,
    SYSTEM_TRANSITIONS,
    CertificateSnapshot,
    SystemTransition,
    allowed_state_changes,
    can_expire,
    can_supersede,
    certificate_status_label,
    ensure_state_change,
)
from domain.enums import CertificateStatus, ErrorCode
from domain.errors import DomainError
from tests.support.refusals import assert_refusal, refusal
from tests.support.texts import certificate_refusal

ISSUED = CertificateStatus.ISSUED
ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED

# Expires on 15/03/2027 at 00:00 in Bogotá.
VALID_UNTIL = datetime(2027, 3, 15, 5, 0, tzinfo=UTC)
BEFORE = VALID_UNTIL - timedelta(days=100)
AT_EXPIRY = VALID_UNTIL
AFTER = VALID_UNTIL + timedelta(days=3)

COMPANY_ALLOWED = {
    (ACTIVE, INACTIVE),
    (ACTIVE, REVOKED),
    (INACTIVE, ACTIVE),
    (INACTIVE, REVOKED),
}


def change(
    status: CertificateStatus,
    target: CertificateStatus,
    now: datetime = BEFORE,
    reason: str | None = None,
    other_active: bool = False,
) -> str | None:
    return ensure_state_change(status, target, VALID_UNTIL, now, reason, other_active)


def test_labels_and_issuer() -> None:
    assert dict(CERTIFICATE_STATUS_LABELS) == {
        ISSUED: "Emitido",
        ACTIVE: "Activo",
        INACTIVE: "Inactivo",
        REVOKED: "Revocado",
        EXPIRED: "Vencido",
    }
    assert certificate_status_label(EXPIRED) == "Vencido"
    assert ISSUER == "Andes SCD"


def test_company_table() -> None:
    assert dict(COMPANY_STATE_CHANGES) == {
        ISSUED: set(),
        ACTIVE: {INACTIVE, REVOKED},
        INACTIVE: {ACTIVE, REVOKED},
        REVOKED: set(),
        EXPIRED: set(),
    }


class TestAllowedStateChanges:
    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (ISSUED, []),
            (ACTIVE, [INACTIVE, REVOKED]),
            (INACTIVE, [ACTIVE, REVOKED]),
            (REVOKED, []),
            (EXPIRED, []),
        ],
    )
    def test_before_expiry_in_enum_order(
        self, status: CertificateStatus, expected: list[CertificateStatus]
    ) -> None:
        assert allowed_state_changes(status, VALID_UNTIL, BEFORE) == expected

    def test_one_second_before_expiry_still_allowed(self) -> None:
        now = VALID_UNTIL - timedelta(seconds=1)
        assert allowed_state_changes(ACTIVE, VALID_UNTIL, now) == [INACTIVE, REVOKED]

    @pytest.mark.parametrize("status", list(CertificateStatus))
    @pytest.mark.parametrize("now", [AT_EXPIRY, AFTER])
    def test_nothing_once_expired_even_if_not_marked_yet(
        self, status: CertificateStatus, now: datetime
    ) -> None:
        assert allowed_state_changes(status, VALID_UNTIL, now) == []


class TestEnsureStateChange:
    @pytest.mark.parametrize(("status", "target"), sorted(COMPANY_ALLOWED))
    def test_allowed_changes(self, status: CertificateStatus, target: CertificateStatus) -> None:
        reason = "Se perdió el token" if target == REVOKED else None
        assert change(status, target, reason=reason) == reason

    @pytest.mark.parametrize(
        ("status", "target"),
        [
            pair
            for pair in itertools.product(CertificateStatus, CertificateStatus)
            if pair not in COMPANY_ALLOWED
        ],
    )
    def test_every_other_pair_is_refused(
        self, status: CertificateStatus, target: CertificateStatus
    ) -> None:
        with pytest.raises(DomainError) as caught:
            change(status, target, reason="motivo")
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_STATE_TRANSITION,
            message=certificate_refusal(status, target),
        )

    def test_final_states_message(self) -> None:
        with pytest.raises(DomainError) as caught:
            change(REVOKED, ACTIVE)
        assert caught.value.message == (
            "El certificado está en estado «Revocado» y no se puede activar."
        )

    def test_same_state_message(self) -> None:
        with pytest.raises(DomainError) as caught:
            change(ACTIVE, ACTIVE)
        assert caught.value.message == "El certificado ya está en estado «Activo»."

    @pytest.mark.parametrize(
        ("status", "target", "verb"),
        [
            (INACTIVE, ACTIVE, "activar"),
            (ACTIVE, INACTIVE, "inactivar"),
            (ACTIVE, REVOKED, "revocar"),
        ],
    )
    @pytest.mark.parametrize("now", [AT_EXPIRY, AFTER])
    def test_past_expiry_is_refused_even_before_the_job_marks_it(
        self, status: CertificateStatus, target: CertificateStatus, verb: str, now: datetime
    ) -> None:
        with pytest.raises(DomainError) as caught:
            change(status, target, now=now, reason="motivo")
        assert caught.value.code == ErrorCode.INVALID_STATE_TRANSITION
        assert caught.value.message == (
            f"El certificado venció el 15/03/2027 y ya no se puede {verb}."
        )

    @pytest.mark.parametrize("reason", [None, "", "   \n"])
    def test_revocation_needs_a_reason(self, reason: str | None) -> None:
        with pytest.raises(DomainError) as caught:
            change(ACTIVE, REVOKED, reason=reason)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.field == "reason"
        assert caught.value.message == "Indica el motivo de la revocación."

    def test_reason_is_returned_stripped(self) -> None:
        assert change(ACTIVE, REVOKED, reason="  Clave comprometida \n") == "Clave comprometida"

    def test_blank_reason_is_none_when_not_revoking(self) -> None:
        assert change(ACTIVE, INACTIVE, reason="   ") is None
        assert change(ACTIVE, INACTIVE, reason=" Vacaciones ") == "Vacaciones"

    def test_overlong_reason_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            change(ACTIVE, REVOKED, reason="x" * 501)
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_INPUT,
            field="reason",
            message="El motivo no puede tener más de 500 caracteres.",
        )
        assert change(ACTIVE, REVOKED, reason="x" * 500) == "x" * 500

    def test_only_one_active_certificate_per_company(self) -> None:
        with pytest.raises(DomainError) as caught:
            change(INACTIVE, ACTIVE, other_active=True)
        assert caught.value.code == ErrorCode.INVALID_STATE_TRANSITION
        assert caught.value.message == "La empresa ya tiene un certificado activo."

    def test_another_active_certificate_does_not_block_other_changes(self) -> None:
        assert change(INACTIVE, REVOKED, reason="Ya no se usa", other_active=True) == "Ya no se usa"
        assert change(ACTIVE, INACTIVE, other_active=True) is None


class TestSystemTransitions:
    def test_table(self) -> None:
        assert dict(SYSTEM_TRANSITIONS) == {
            SystemTransition.START: (frozenset({ISSUED}), ACTIVE),
            SystemTransition.EXPIRE: (frozenset({ISSUED, ACTIVE, INACTIVE}), EXPIRED),
            SystemTransition.SUPERSEDE: (frozenset({ACTIVE}), INACTIVE),
        }

    @pytest.mark.parametrize(
        ("status", "now", "expected"),
        [
            (ACTIVE, VALID_UNTIL - timedelta(seconds=1), False),
            (ACTIVE, AT_EXPIRY, True),
            (ACTIVE, AFTER, True),
            (INACTIVE, AT_EXPIRY, True),
            (ISSUED, AT_EXPIRY, True),
            (INACTIVE, BEFORE, False),
            (REVOKED, AFTER, False),
            (EXPIRED, AFTER, False),
        ],
    )
    def test_can_expire(self, status: CertificateStatus, now: datetime, expected: bool) -> None:
        assert can_expire(status, VALID_UNTIL, now) is expected

    @pytest.mark.parametrize(
        ("status", "expected"),
        [(ISSUED, False), (ACTIVE, True), (INACTIVE, False), (REVOKED, False), (EXPIRED, False)],
    )
    def test_can_supersede(self, status: CertificateStatus, expected: bool) -> None:
        assert can_supersede(status) is expected


def test_a_reason_too_long_is_refused_with_its_limit_in_the_message() -> None:
    error = refusal(ensure_state_change, ACTIVE, REVOKED, VALID_UNTIL, BEFORE, "x" * 501, False)
    assert_refusal(
        error,
        code=ErrorCode.INVALID_INPUT,
        field="reason",
        message="El motivo no puede tener más de 500 caracteres.",
    )


def test_an_issued_certificate_says_from_when_it_can_be_changed() -> None:
    # Starts on 10/01/2027 in Bogotá (05:00 UTC is midnight there).
    valid_from = datetime(2027, 1, 10, 5, 0, tzinfo=UTC)
    assert_refusal(
        refusal(
            ensure_state_change,
            ISSUED,
            REVOKED,
            VALID_UNTIL,
            BEFORE,
            "Clave comprometida",
            False,
            valid_from=valid_from,
        ),
        code=ErrorCode.INVALID_STATE_TRANSITION,
        message="El certificado empieza a regir el 10/01/2027; hasta entonces no se puede revocar.",
    )


def test_a_snapshot_is_replaced_from_its_renewals_start_on() -> None:
    renewal_starts = BEFORE + timedelta(days=1)
    snapshot = CertificateSnapshot(
        1, ACTIVE, BEFORE - timedelta(days=200), VALID_UNTIL, superseded_at=renewal_starts
    )
    assert not snapshot.replaced(renewal_starts - timedelta(microseconds=1))
    assert snapshot.replaced(renewal_starts)
    assert snapshot.effective(renewal_starts) is INACTIVE
    never = CertificateSnapshot(2, ACTIVE, BEFORE - timedelta(days=200), VALID_UNTIL)
    assert not never.replaced(AFTER)
