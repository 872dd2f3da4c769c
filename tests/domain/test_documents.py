"""Which documents a request needs, and which attached files are acceptable."""

from datetime import date, timedelta

import pytest

from domain.documents import (
    ALLOWED_CONTENT_TYPES,
    CHAMBER_CERTIFICATE_MAX_AGE_DAYS,
    DOCUMENT_KIND_LABELS,
    MAX_DOCUMENT_BYTES_DEFAULT,
    DocumentCandidate,
    detect_content_type,
    document_kind_label,
    ensure_chamber_certificate_fresh,
    ensure_flagged_replaced,
    required_document_kinds,
    validate_document,
    validate_document_set,
)
from domain.enums import DocumentKind, ErrorCode, PersonType
from domain.errors import DomainError
from tests.support.refusals import assert_refusal, refusal

RUT = DocumentKind.RUT
ID = DocumentKind.LEGAL_REPRESENTATIVE_ID
CHAMBER = DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE
OTHER = DocumentKind.OTHER

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + (
    b"\n" * 300
)
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + b"\x00" * 300
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 300
TEXT = b"Hola, este es un archivo de texto y no un PDF.\n" * 10
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 300
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 300

TODAY = date(2027, 3, 15)
MB = 1024 * 1024


def candidate(
    kind: DocumentKind = RUT,
    file_name: str = "rut.pdf",
    size_bytes: int = 1000,
    head: bytes = PDF,
    issued_on: date | None = None,
) -> DocumentCandidate:
    return DocumentCandidate(kind, file_name, size_bytes, head, issued_on)


def validate(
    doc: DocumentCandidate, index: int = 0, max_bytes: int = MAX_DOCUMENT_BYTES_DEFAULT
) -> str:
    return validate_document(doc, index=index, today=TODAY, max_bytes=max_bytes)


def test_constants() -> None:
    assert MAX_DOCUMENT_BYTES_DEFAULT == 5 * MB
    assert CHAMBER_CERTIFICATE_MAX_AGE_DAYS == 90
    assert frozenset({"application/pdf", "image/jpeg", "image/png"}) == ALLOWED_CONTENT_TYPES


def test_labels() -> None:
    assert dict(DOCUMENT_KIND_LABELS) == {
        RUT: "RUT",
        ID: "Documento de identidad del representante legal",
        CHAMBER: "Certificado de existencia y representación legal (cámara de comercio)",
        OTHER: "Otro documento",
    }
    assert document_kind_label(RUT) == "RUT"


@pytest.mark.parametrize(
    ("person_type", "expected"),
    [
        (PersonType.LEGAL_ENTITY, {RUT, ID, CHAMBER}),
        (PersonType.NATURAL_PERSON, {RUT, ID}),
    ],
)
def test_required_document_kinds(person_type: PersonType, expected: set[DocumentKind]) -> None:
    assert required_document_kinds(person_type) == expected


class TestDetectContentType:
    @pytest.mark.parametrize(
        ("head", "expected"),
        [
            (PDF, "application/pdf"),
            (b"\xef\xbb\xbf%PDF-1.7\n", "application/pdf"),  # with a UTF-8 BOM
            (PNG, "image/png"),
            (JPEG, "image/jpeg"),
            (TEXT, None),
            (ZIP, None),
            (GIF, None),  # an image, but not one of the three accepted types
            (b"", None),
            (b"%PD", None),
        ],
    )
    def test_by_magic_bytes(self, head: bytes, expected: str | None) -> None:
        assert detect_content_type(head) == expected

    def test_animated_png_is_a_png(self) -> None:
        apng = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x08acTL" + b"\x00" * 300
        assert detect_content_type(apng) == "image/png"

    def test_a_string_is_never_read_as_a_path(self) -> None:
        with pytest.raises(TypeError):
            detect_content_type("/etc/passwd")  # type: ignore[arg-type]


class TestValidateDocument:
    @pytest.mark.parametrize(
        ("file_name", "head", "expected"),
        [
            ("rut.pdf", PDF, "application/pdf"),
            ("cedula.png", PNG, "image/png"),
            ("cedula.jpg", JPEG, "image/jpeg"),
            ("rut.png", PDF, "application/pdf"),  # the name's extension does not count
            ("RUT", PDF, "application/pdf"),  # nor does its absence
        ],
    )
    def test_accepted_by_content(self, file_name: str, head: bytes, expected: str) -> None:
        assert validate(candidate(file_name=file_name, head=head)) == expected

    def test_a_text_file_named_pdf_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(file_name="rut.pdf", head=TEXT), index=2)
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents.2",
            message="El archivo «rut.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el "
            "contenido del archivo; la extensión del nombre no cuenta.",
        )

    @pytest.mark.parametrize("file_name", ["", "   "])
    def test_a_file_without_a_name_is_called_the_file(self, file_name: str) -> None:
        assert_refusal(
            refusal(validate, candidate(file_name=file_name, size_bytes=0), index=0),
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents.0",
            message="El archivo está vacío.",
        )

    def test_a_one_byte_file_is_not_empty(self) -> None:
        """The empty-file boundary: one byte is a (bad) file, judged by its content."""
        error = refusal(validate, candidate(file_name="x.pdf", size_bytes=1, head=b"%"))
        assert error.message.startswith("El archivo «x.pdf» no es un PDF")

    def test_a_one_byte_limit_is_a_valid_limit(self) -> None:
        """The smallest limit is one byte: the file is then judged by its content."""
        error = refusal(
            validate, candidate(file_name="x.pdf", size_bytes=1, head=b"%"), max_bytes=1
        )
        assert error.message.startswith("El archivo «x.pdf» no es un PDF")

    @pytest.mark.parametrize("max_bytes", [0, -1])
    def test_a_limit_of_zero_bytes_or_less_is_a_configuration_mistake(self, max_bytes: int) -> None:
        with pytest.raises(ValueError, match=r"^max_bytes debe ser positivo$"):
            validate(candidate(), max_bytes=max_bytes)

    @pytest.mark.parametrize(("size", "head"), [(0, PDF), (0, b""), (10, b"")])
    def test_empty_file_is_refused(self, size: int, head: bytes) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(file_name="vacio.pdf", size_bytes=size, head=head), index=1)
        assert caught.value.code == ErrorCode.INVALID_DOCUMENT
        assert caught.value.field == "documents.1"
        assert caught.value.message == "El archivo «vacio.pdf» está vacío."

    def test_exactly_the_limit_is_accepted(self) -> None:
        assert validate(candidate(size_bytes=5 * MB)) == "application/pdf"

    def test_one_byte_over_the_limit_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(file_name="rut.pdf", size_bytes=5 * MB + 1))
        assert caught.value.code == ErrorCode.INVALID_DOCUMENT
        assert caught.value.field == "documents.0"
        assert caught.value.message == "El archivo «rut.pdf» supera el tamaño máximo de 5 MB."

    @pytest.mark.parametrize(
        ("max_bytes", "shown"), [(10 * MB, "10 MB"), (MB * 5 // 2, "2,5 MB"), (MB // 2, "0,5 MB")]
    )
    def test_the_limit_is_configurable_and_shown_in_mb(self, max_bytes: int, shown: str) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(size_bytes=max_bytes + 1), max_bytes=max_bytes)
        assert caught.value.message.endswith(f"supera el tamaño máximo de {shown}.")

    @pytest.mark.parametrize(
        ("max_bytes", "shown"),
        [
            (MB // 10 + 1, "0,1 MB"),
            (MB // 10 - 1, "102,4 KB"),
            (64 * 1024, "64 KB"),
            (1536, "1,5 KB"),
            (1024, "1 KB"),
            (1023, "1023 bytes"),
            (40, "40 bytes"),
            (1, "1 byte"),
        ],
    )
    def test_a_limit_under_a_tenth_of_a_mb_is_shown_in_kb_or_bytes(
        self, max_bytes: int, shown: str
    ) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(file_name="rut.pdf", size_bytes=max_bytes + 1), max_bytes=max_bytes)
        assert caught.value.message == f"El archivo «rut.pdf» supera el tamaño máximo de {shown}."

    def test_size_is_checked_before_content(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(size_bytes=6 * MB, head=TEXT))
        assert "tamaño máximo" in caught.value.message

    @pytest.mark.parametrize("age", [0, 1, 89, 90])
    def test_chamber_certificate_up_to_90_days_old(self, age: int) -> None:
        doc = candidate(kind=CHAMBER, issued_on=TODAY - timedelta(days=age))
        assert validate(doc) == "application/pdf"

    def test_chamber_certificate_91_days_old_is_refused(self) -> None:
        doc = candidate(kind=CHAMBER, issued_on=TODAY - timedelta(days=91))
        with pytest.raises(DomainError) as caught:
            validate(doc, index=3)
        assert caught.value.code == ErrorCode.INVALID_DOCUMENT
        assert caught.value.field == "documents.3.issuedOn"
        assert caught.value.message == (
            "El certificado de existencia y representación legal fue expedido el 14/12/2026 y "
            "tiene más de 90 días. Adjunta uno expedido desde el 15/12/2026."
        )

    def test_chamber_certificate_needs_its_issue_date(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(kind=CHAMBER, issued_on=None), index=1)
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents.1.issuedOn",
            message="Indica la fecha de expedición del certificado de existencia y "
            "representación legal.",
        )

    def test_chamber_certificate_cannot_be_issued_in_the_future(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate(candidate(kind=CHAMBER, issued_on=TODAY + timedelta(days=1)))
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents.0.issuedOn",
            message="La fecha de expedición del certificado de existencia y representación "
            "legal no puede ser posterior a hoy.",
        )

    @pytest.mark.parametrize("kind", [RUT, ID, OTHER])
    def test_issue_date_only_matters_for_the_chamber_certificate(self, kind: DocumentKind) -> None:
        doc = candidate(kind=kind, issued_on=TODAY - timedelta(days=1000))
        assert validate(doc) == "application/pdf"


class TestValidateDocumentSet:
    def test_complete_legal_entity(self) -> None:
        validate_document_set(PersonType.LEGAL_ENTITY, [RUT, ID, CHAMBER, OTHER, OTHER])

    def test_complete_natural_person(self) -> None:
        validate_document_set(PersonType.NATURAL_PERSON, [ID, RUT])

    def test_natural_person_may_add_a_chamber_certificate(self) -> None:
        validate_document_set(PersonType.NATURAL_PERSON, [ID, RUT, CHAMBER])

    def test_every_missing_document_is_reported_at_once(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_document_set(PersonType.LEGAL_ENTITY, [OTHER])
        errors = caught.value.errors
        assert [e.code for e in errors] == [ErrorCode.MISSING_DOCUMENT] * 3
        assert {e.field for e in errors} == {"documents"}
        assert [e.message for e in errors] == [
            "Falta el documento «RUT».",
            "Falta el documento «Documento de identidad del representante legal».",
            "Falta el documento «Certificado de existencia y representación legal "
            "(cámara de comercio)».",
        ]

    def test_natural_person_missing_rut(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_document_set(PersonType.NATURAL_PERSON, [ID])
        assert len(caught.value.errors) == 1
        assert_refusal(
            caught.value,
            code=ErrorCode.MISSING_DOCUMENT,
            field="documents",
            message="Falta el documento «RUT».",
        )

    def test_the_same_kind_twice_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_document_set(PersonType.NATURAL_PERSON, [RUT, ID, RUT])
        assert len(caught.value.errors) == 1
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_INPUT,
            field="documents",
            message="Adjuntaste más de un archivo como «RUT». Deja solo uno.",
        )

    def test_duplicates_and_missing_are_reported_together(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_document_set(PersonType.LEGAL_ENTITY, [RUT, RUT, ID])
        assert [(e.code, e.field, e.message) for e in caught.value.errors] == [
            (
                ErrorCode.INVALID_INPUT,
                "documents",
                "Adjuntaste más de un archivo como «RUT». Deja solo uno.",
            ),
            (
                ErrorCode.MISSING_DOCUMENT,
                "documents",
                "Falta el documento «Certificado de existencia y representación legal "
                "(cámara de comercio)».",
            ),
        ]


class TestEnsureFlaggedReplaced:
    def test_all_replaced(self) -> None:
        ensure_flagged_replaced({10: RUT, 11: CHAMBER}, [CHAMBER, RUT, OTHER])

    def test_nothing_flagged(self) -> None:
        ensure_flagged_replaced({}, [])

    def test_each_flagged_document_not_replaced_is_reported(self) -> None:
        with pytest.raises(DomainError) as caught:
            ensure_flagged_replaced({11: CHAMBER, 10: RUT, 12: ID}, {ID})
        errors = caught.value.errors
        assert [e.code for e in errors] == [ErrorCode.MISSING_DOCUMENT] * 2
        assert [e.field for e in errors] == ["documents", "documents"]
        assert [e.message for e in errors] == [
            "Debes reemplazar el documento «RUT» que el revisor marcó.",
            "Debes reemplazar el documento «Certificado de existencia y representación legal "
            "(cámara de comercio)» que el revisor marcó.",
        ]

    def test_the_same_kind_is_reported_once(self) -> None:
        with pytest.raises(DomainError) as caught:
            ensure_flagged_replaced({1: OTHER, 2: OTHER}, [])
        assert len(caught.value.errors) == 1
        assert_refusal(
            caught.value,
            code=ErrorCode.MISSING_DOCUMENT,
            field="documents",
            message="Debes reemplazar el documento «Otro documento» que el revisor marcó.",
        )


class TestEnsureChamberCertificateFresh:
    @pytest.mark.parametrize("age", [0, 90])
    def test_fresh_enough(self, age: int) -> None:
        ensure_chamber_certificate_fresh(TODAY - timedelta(days=age), TODAY)

    def test_91_days_is_too_old(self) -> None:
        with pytest.raises(DomainError) as caught:
            ensure_chamber_certificate_fresh(TODAY - timedelta(days=91), TODAY)
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents",
            message="El certificado de existencia y representación legal que adjuntaste fue "
            "expedido el 14/12/2026 y ya tiene más de 90 días. Reemplázalo por uno expedido "
            "desde el 15/12/2026.",
        )

    def test_unknown_issue_date_must_be_replaced(self) -> None:
        with pytest.raises(DomainError) as caught:
            ensure_chamber_certificate_fresh(None, TODAY)
        assert_refusal(
            caught.value,
            code=ErrorCode.INVALID_DOCUMENT,
            field="documents",
            message="No se conoce la fecha de expedición del certificado de existencia y "
            "representación legal que adjuntaste. Reemplázalo por uno expedido desde el "
            "15/12/2026.",
        )
