"""Which documents a request needs, and when an attached file is acceptable.

The partner reviews the company's RUT, the legal representative's identity document and, for a
legal entity, the chamber of commerce certificate, which must be recent (issued at most 90 days
before it is sent). Files are recognised by their content, not by their name, so that a
renamed text file is refused and a PDF saved as ".png" is still read as the PDF it is. Every
refusal names the file or the document, so the person knows what to fix.
"""

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

import filetype

from domain.calendar import format_date_es
from domain.enums import DocumentKind, ErrorCode, PersonType
from domain.errors import DomainError, UserErrorInfo

MAX_DOCUMENT_BYTES_DEFAULT = 5 * 1024 * 1024
CHAMBER_CERTIFICATE_MAX_AGE_DAYS = 90
ALLOWED_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

DOCUMENT_KIND_LABELS: Mapping[DocumentKind, str] = MappingProxyType(
    {
        DocumentKind.RUT: "RUT",
        DocumentKind.LEGAL_REPRESENTATIVE_ID: "Documento de identidad del representante legal",
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE: (
            "Certificado de existencia y representación legal (cámara de comercio)"
        ),
        DocumentKind.OTHER: "Otro documento",
    }
)

_ALWAYS_REQUIRED = frozenset({DocumentKind.RUT, DocumentKind.LEGAL_REPRESENTATIVE_ID})
_BYTES_PER_KB = 1024
_BYTES_PER_MB = 1024 * 1024
# An animated PNG is still a PNG file, and filetype names it apart.
_CONTENT_TYPE_ALIASES: Mapping[str, str] = MappingProxyType({"image/apng": "image/png"})
_CHAMBER_LABEL = "certificado de existencia y representación legal"


def document_kind_label(kind: DocumentKind) -> str:
    """The document's name as people read it."""
    return DOCUMENT_KIND_LABELS[kind]


def required_document_kinds(person_type: PersonType) -> frozenset[DocumentKind]:
    """RUT and the representative's ID always; the chamber certificate for a legal entity."""
    if person_type == PersonType.LEGAL_ENTITY:
        return _ALWAYS_REQUIRED | {DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE}
    return _ALWAYS_REQUIRED


def detect_content_type(head: bytes) -> str | None:
    """The file's type from its first bytes (magic numbers), if it is a PDF, JPEG or PNG."""
    # Always hand filetype bytes: given a str it would open a file of that name.
    guessed = filetype.guess_mime(bytes(head))
    if guessed is None:
        return None
    content_type = _CONTENT_TYPE_ALIASES.get(guessed, guessed)
    return content_type if content_type in ALLOWED_CONTENT_TYPES else None


@dataclass(frozen=True)
class DocumentCandidate:
    """An attached file as the rules see it: its kind, name, size and first bytes."""

    kind: DocumentKind
    file_name: str
    size_bytes: int
    head: bytes
    issued_on: date | None


def _format_size(size_bytes: int) -> str:
    """A size limit as people read it (es-CO, decimal comma): in MB from 0,1 MB up, in KB below
    that (a tiny configured limit would otherwise read «0,0 MB»), in bytes below 1 KB."""
    if size_bytes >= _BYTES_PER_MB / 10:
        return f"{_one_decimal(size_bytes / _BYTES_PER_MB)} MB"
    if size_bytes >= _BYTES_PER_KB:
        return f"{_one_decimal(size_bytes / _BYTES_PER_KB)} KB"
    return "1 byte" if size_bytes == 1 else f"{size_bytes} bytes"


def _one_decimal(amount: float) -> str:
    if amount == int(amount):
        return str(int(amount))
    return f"{amount:.1f}".replace(".", ",")


def _file_reference(file_name: str) -> str:
    name = file_name.strip()
    return f"El archivo «{name}»" if name else "El archivo"


def _oldest_acceptable_issue_date(today: date) -> date:
    return today - timedelta(days=CHAMBER_CERTIFICATE_MAX_AGE_DAYS)


def validate_document(
    candidate: DocumentCandidate, *, index: int, today: date, max_bytes: int
) -> str:
    """Check one attached file and return its content type, detected from its content."""
    if max_bytes <= 0:
        raise ValueError("max_bytes debe ser positivo")
    field = f"documents.{index}"
    file_ref = _file_reference(candidate.file_name)
    if candidate.size_bytes <= 0 or not candidate.head:
        raise DomainError(ErrorCode.INVALID_DOCUMENT, f"{file_ref} está vacío.", field)
    if candidate.size_bytes > max_bytes:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"{file_ref} supera el tamaño máximo de {_format_size(max_bytes)}.",
            field,
        )
    content_type = detect_content_type(candidate.head)
    if content_type is None:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"{file_ref} no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del "
            "archivo; la extensión del nombre no cuenta.",
            field,
        )
    if candidate.kind == DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE:
        _check_chamber_issue_date(candidate.issued_on, today, field=f"{field}.issuedOn")
    return content_type


def _check_chamber_issue_date(issued_on: date | None, today: date, *, field: str) -> None:
    if issued_on is None:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"Indica la fecha de expedición del {_CHAMBER_LABEL}.",
            field,
        )
    if issued_on > today:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"La fecha de expedición del {_CHAMBER_LABEL} no puede ser posterior a hoy.",
            field,
        )
    oldest = _oldest_acceptable_issue_date(today)
    if issued_on < oldest:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"El {_CHAMBER_LABEL} fue expedido el {format_date_es(issued_on)} y tiene más de "
            f"{CHAMBER_CERTIFICATE_MAX_AGE_DAYS} días. Adjunta uno expedido desde el "
            f"{format_date_es(oldest)}.",
            field,
        )


def validate_document_set(person_type: PersonType, kinds: Sequence[DocumentKind]) -> None:
    """Check that the set of attached documents is complete and has no repeated kind.

    Every problem is reported at once: repeated kinds first, then each missing document.
    """
    errors: list[UserErrorInfo] = []
    counts = Counter(kinds)
    for kind in DocumentKind:
        if kind != DocumentKind.OTHER and counts[kind] > 1:
            errors.append(
                UserErrorInfo(
                    ErrorCode.INVALID_INPUT,
                    f"Adjuntaste más de un archivo como «{document_kind_label(kind)}». "
                    "Deja solo uno.",
                    "documents",
                )
            )
    required = required_document_kinds(person_type)
    for kind in DocumentKind:
        if kind in required and counts[kind] == 0:
            errors.append(
                UserErrorInfo(
                    ErrorCode.MISSING_DOCUMENT,
                    f"Falta el documento «{document_kind_label(kind)}».",
                    "documents",
                )
            )
    if errors:
        raise DomainError.many(errors)


def ensure_flagged_replaced(
    flagged: Mapping[int, DocumentKind], replaced_kinds: Collection[DocumentKind]
) -> None:
    """At resubmission, every document the reviewer flagged must come with a replacement."""
    missing: list[DocumentKind] = []
    for _, kind in sorted(flagged.items()):
        if kind not in replaced_kinds and kind not in missing:
            missing.append(kind)
    if missing:
        raise DomainError.many(
            [
                UserErrorInfo(
                    ErrorCode.MISSING_DOCUMENT,
                    f"Debes reemplazar el documento «{document_kind_label(kind)}» que el "
                    "revisor marcó.",
                    "documents",
                )
                for kind in missing
            ]
        )


def ensure_chamber_certificate_fresh(issued_on: date | None, today: date) -> None:
    """At resubmission, a kept chamber certificate must still be at most 90 days old."""
    oldest = _oldest_acceptable_issue_date(today)
    if issued_on is None:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"No se conoce la fecha de expedición del {_CHAMBER_LABEL} que adjuntaste. "
            f"Reemplázalo por uno expedido desde el {format_date_es(oldest)}.",
            "documents",
        )
    if issued_on < oldest:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"El {_CHAMBER_LABEL} que adjuntaste fue expedido el {format_date_es(issued_on)} "
            f"y ya tiene más de {CHAMBER_CERTIFICATE_MAX_AGE_DAYS} días. Reemplázalo por uno "
            f"expedido desde el {format_date_es(oldest)}.",
            "documents",
        )
