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
