"""The vocabulary shared by every layer. API names are English; labels live beside the rules."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    REVIEWER = "REVIEWER"
    ADMIN = "ADMIN"


class PersonType(StrEnum):
    LEGAL_ENTITY = "LEGAL_ENTITY"
    NATURAL_PERSON = "NATURAL_PERSON"


class RequestKind(StrEnum):
    NEW = "NEW"
    RENEWAL = "RENEWAL"


class RequestStatus(StrEnum):
    IN_REVIEW = "IN_REVIEW"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"


class CertificateStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class DocumentKind(StrEnum):
    RUT = "RUT"
    LEGAL_REPRESENTATIVE_ID = "LEGAL_REPRESENTATIVE_ID"
    CHAMBER_OF_COMMERCE_CERTIFICATE = "CHAMBER_OF_COMMERCE_CERTIFICATE"
    OTHER = "OTHER"


class IdentityDocumentType(StrEnum):
    CC = "CC"
    CE = "CE"
    PASSPORT = "PASSPORT"


class NoticeCode(StrEnum):
    REQUEST_APPROVED = "REQUEST_APPROVED"
    REQUEST_IN_REVIEW = "REQUEST_IN_REVIEW"
    REQUEST_REJECTED = "REQUEST_REJECTED"
    CERTIFICATE_NOT_RENEWABLE_YET = "CERTIFICATE_NOT_RENEWABLE_YET"
    CERTIFICATE_RENEWAL_OPEN = "CERTIFICATE_RENEWAL_OPEN"
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_STATE_TRANSITION = "INVALID_STATE_TRANSITION"
    REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS"
    CERTIFICATE_NOT_RENEWABLE_YET = "CERTIFICATE_NOT_RENEWABLE_YET"
    MISSING_DOCUMENT = "MISSING_DOCUMENT"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    OBSERVATIONS_REQUIRED = "OBSERVATIONS_REQUIRED"
    CONFLICT = "CONFLICT"
    #: The company's documents would pass its storage quota (COMPANY_STORAGE_QUOTA_BYTES).
    STORAGE_QUOTA_EXCEEDED = "STORAGE_QUOTA_EXCEEDED"
    # Refusals before GraphQL runs (in `errors[].extensions.code`, README: Security):
    #: A body or query string past its byte limit (HTTP 413).
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    #: A query text past MAX_QUERY_CHARS, refused before parsing.
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    #: A multipart request whose operations, map or files do not fit together (HTTP 400).
    MALFORMED_MULTIPART = "MALFORMED_MULTIPART"
    #: Too many failed authentications from one address (HTTP 429); valid tokens still pass.
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    #: Past MAX_SOCKETS_PER_TOKEN open WebSockets (closed with 4429).
    TOO_MANY_SOCKETS = "TOO_MANY_SOCKETS"
