"""The domain's enums, exposed to GraphQL under the contract's names.

The classes are the domain's own, registered with Strawberry under the names of the contract, so
a value passes from a row to the API without translation.
"""

import strawberry

from domain.enums import (
    CertificateStatus,
    DocumentKind,
    ErrorCode,
    IdentityDocumentType,
    NoticeCode,
    PersonType,
    Role,
)
from domain.enums import RequestKind as CertificateRequestKind
from domain.enums import RequestStatus as CertificateRequestStatus

#: Descriptions of enum values (for developers), set on Strawberry's definitions after
#: registration, since the domain's enums are plain StrEnums.
VALUE_DESCRIPTIONS: dict[object, str] = {
    CertificateRequestStatus.WITHDRAWN: "Desistida: a rejected request the company gave up, or "
    "left uncorrected for AUTO_WITHDRAW_DAYS (default 60); final.",
    CertificateStatus.ISSUED: "Emitido: approved, validity not started yet; ACTIVE from "
    "validFrom (derived from the clock on read).",
    NoticeCode.CERTIFICATE_ISSUED: "Approved, usable from the certificate's validFrom (the "
    "message says the date).",
    NoticeCode.CERTIFICATE_INACTIVE: "The current certificate is INACTIVE and can be made ACTIVE "
    "again; redirectToTracking while it is before its renewal window.",
    NoticeCode.CERTIFICATE_REVOKED: "The current certificate was revoked: the reason, and to "
    "submit a new request.",
    ErrorCode.REQUEST_AWAITING_CORRECTION: "A request of the company is REJECTED: correct and "
    "resubmit it, or withdraw it, before submitting a new one (see "
    "certificateTracking.requestAwaitingCorrection).",
    ErrorCode.REQUEST_NOT_ELIGIBLE: "The request can no longer lead to a certificate (the "
    "certificate it renews was revoked or already renewed): resubmission and approval refused.",
    ErrorCode.NOTHING_TO_RESUBMIT: "A resubmission that replaces no document and corrects no "
    "field.",
    ErrorCode.VALIDITY_OUT_OF_BOUNDS: "A validity start too far ahead, a validFrom too long "
    "after the requested start, or a duration outside what the certification authority issues.",
}

for _enum, _name in [
    (Role, "Role"),
    (PersonType, "PersonType"),
    (CertificateRequestKind, "CertificateRequestKind"),
    (CertificateRequestStatus, "CertificateRequestStatus"),
    (CertificateStatus, "CertificateStatus"),
    (DocumentKind, "DocumentKind"),
    (IdentityDocumentType, "IdentityDocumentType"),
    (NoticeCode, "NoticeCode"),
    (ErrorCode, "ErrorCode"),
]:
    strawberry.enum(_enum, name=_name)
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        _value.description = VALUE_DESCRIPTIONS.get(_enum(_value.value), _value.description)

__all__ = [
    "CertificateRequestKind",
    "CertificateRequestStatus",
    "CertificateStatus",
    "DocumentKind",
    "ErrorCode",
    "IdentityDocumentType",
    "NoticeCode",
    "PersonType",
    "Role",
]
