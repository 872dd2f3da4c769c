"""Accepting uploaded files: validated all at once, stored by content, names never paths."""

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.enums import DocumentKind, ErrorCode
from domain.errors import DomainError
from models import Company, RequestDocument
from services.dependencies import Dependencies
from services.documents import (
    UploadedDocument,
    accept_documents,
    clean_file_name,
    ensure_storage_quota,
)
from storage.documents import DocumentStore
from tests.support.factories import Caller, make_document, make_request
from tests.support.files import PNG, TEXT, pdf
from tests.support.refusals import assert_refusal
from tests.support.use_cases import document_set, refused, submit, today, upload

TODAY = date(2026, 11, 24)


def stored_files(store: DocumentStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file()) if store.root.exists() else []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("rut.pdf", "rut.pdf"),
        ("  rut 2026.pdf  ", "rut 2026.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/var/data/rut.pdf", "rut.pdf"),
        ("C:\\Users\\Ana\\Documents\\rut.pdf", "rut.pdf"),
        ("", "documento"),
        ("carpeta/", "carpeta"),
        ("a" * 300 + ".pdf", "a" * 255),
    ],
)
def test_a_file_name_is_its_last_component(given: str, kept: str) -> None:
    assert clean_file_name(given) == kept


async def test_accepted_files_are_stored_by_their_content_once_staged_and_committed(
    tmp_path: Path,
) -> None:
    store = DocumentStore(tmp_path / "docs")
    uploads = [upload(DocumentKind.RUT, pdf("a")), upload(DocumentKind.OTHER, PNG, name="x.pdf")]

    accepted = accept_documents(uploads, today=TODAY, max_bytes=10_000)
    assert stored_files(store) == []  # validating writes nothing

    assert [a.content_type for a in accepted] == ["application/pdf", "image/png"]
    assert accepted[0].stored.sha256 == hashlib.sha256(pdf("a")).hexdigest()
    async with store.staging() as staging:
        staging.add_all(u.data for u in uploads)
    assert store.read(accepted[1].stored.sha256) == PNG
    # The same bytes twice are kept once.
    async with store.staging() as staging:
        staging.add(uploads[0].data)
    assert len(stored_files(store)) == 2
    assert {p.stat().st_mode & 0o777 for p in stored_files(store)} == {0o600}
    assert (store.root.stat().st_mode & 0o777) == 0o700


async def test_staged_files_are_removed_when_the_operation_fails(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    staged: list[int] = []

    async def refused_operation() -> None:
        async with store.staging() as staging:
            staging.add(pdf("rechazado"))
            staged.append(len(stored_files(store)))  # in the staging area, not in the store
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        await refused_operation()
    assert staged == [1]
    assert stored_files(store) == []
    assert not store.exists(hashlib.sha256(pdf("rechazado")).hexdigest())


async def test_the_sweep_removes_only_old_unreferenced_files(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    kept, orphan = store.put(pdf("kept")), store.put(pdf("orphan"))
    assert store.sweep({kept.sha256}, older_than_seconds=3600) == 0  # too recent
    assert store.sweep({kept.sha256}, older_than_seconds=0) == 1
    assert store.exists(kept.sha256)
    assert not store.exists(orphan.sha256)


def test_a_refused_set_stores_nothing_and_names_every_problem(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    uploads = [
        upload(DocumentKind.RUT, pdf("ok")),
        upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, TEXT, name="cedula.pdf"),
        upload(DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE, pdf("camara"), issued_on=None),
    ]

    with pytest.raises(DomainError) as refused:
        accept_documents(uploads, today=TODAY, max_bytes=10_000)

    assert [(e.code, e.field, e.message) for e in refused.value.errors] == [
        (
            ErrorCode.INVALID_DOCUMENT,
            "documents.1",
            "El archivo «cedula.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el "
            "contenido del archivo; la extensión del nombre no cuenta.",
        ),
        (
            ErrorCode.INVALID_DOCUMENT,
            "documents.2.issuedOn",
            "Indica la fecha de expedición del certificado de existencia y representación legal.",
        ),
    ]
    assert stored_files(store) == []


def test_a_file_cut_at_the_limit_plus_one_byte_is_refused() -> None:
    data = pdf("big") + b"0" * 50
    cut = UploadedDocument(DocumentKind.RUT, "rut.pdf", data[:41], None)
    with pytest.raises(DomainError) as refused:
        accept_documents([cut], today=TODAY, max_bytes=40)
    assert_refusal(
        refused.value,
        code=ErrorCode.INVALID_DOCUMENT,
        field="documents.0",
        message="El archivo «rut.pdf» supera el tamaño máximo de 40 bytes.",
    )


async def test_submitted_rows_keep_the_clean_name_and_the_real_type(
    deps: Dependencies, customer: Caller
) -> None:
    documents = document_set(TODAY)
    documents[0] = upload(DocumentKind.RUT, pdf("RUT"), name="C:\\fakepath\\..\\rut.png")
    request = await submit(deps, customer, documents=documents)

    rut = await RequestDocument.get(request_id=request.id, kind=DocumentKind.RUT)
    assert (rut.file_name, rut.content_type) == ("rut.png", "application/pdf")
    assert rut.issued_on is None
    chamber = await RequestDocument.get(
        request_id=request.id, kind=DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE
    )
    chamber_upload = next(u for u in documents if u.kind is chamber.kind)
    assert chamber_upload.issued_on is not None
    assert chamber.issued_on == chamber_upload.issued_on
    assert deps.documents.exists(rut.sha256)


async def test_a_refused_submission_leaves_no_file_in_the_store(
    deps: Dependencies, customer: Caller
) -> None:
    first = await submit(deps, customer)
    before = stored_files(deps.documents)
    again = document_set(today(deps) - timedelta(days=10))
    again[0] = upload(DocumentKind.RUT, pdf("otra vez, mientras la primera está en trámite"))
    with pytest.raises(DomainError) as refused:
        await submit(deps, customer, documents=again)
    assert_refusal(
        refused.value,
        code=ErrorCode.REQUEST_IN_PROGRESS,
        message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
    )
    assert stored_files(deps.documents) == before
    referenced = await RequestDocument.filter(request_id=first.id).values_list("sha256", flat=True)
    assert sorted(p.name for p in before) == sorted(str(d) for d in referenced)


MIB = 1024 * 1024


async def test_the_quota_counts_every_file_the_company_keeps_and_only_its_own(
    company: Company, other_company: Company
) -> None:
    """6 MiB on record (two earlier files), a small new file: it fits exactly, and one byte less
    of quota refuses it, saying the quota and the use in whole MB. Another company's files do
    not count."""
    earlier = await make_request(company)
    await make_document(earlier, DocumentKind.RUT, size_bytes=3 * MIB)
    await make_document(earlier, DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE, size_bytes=3 * MIB)
    await make_document(await make_request(other_company), DocumentKind.RUT, size_bytes=50 * MIB)
    incoming = accept_documents([upload(DocumentKind.RUT)], today=TODAY, max_bytes=10_000)
    exactly = 6 * MIB + incoming[0].stored.size_bytes

    await ensure_storage_quota(company.id, incoming, exactly)
    await refused(
        ensure_storage_quota(company.id, incoming, exactly - 1),
        ErrorCode.STORAGE_QUOTA_EXCEEDED,
        "documents",
        message="La empresa no tiene espacio suficiente para estos documentos: el máximo es de "
        "6 MB y ya usa 6 MB.",
    )
    await ensure_storage_quota(company.id, [], 0)  # nothing new: nothing to refuse


async def test_a_company_past_its_storage_quota_is_refused_with_a_clear_error(
    deps: Dependencies, customer: Caller
) -> None:
    deps.company_storage_quota_bytes = 100  # smaller than one document set
    with pytest.raises(DomainError) as refused:
        await submit(deps, customer)
    assert_refusal(
        refused.value,
        code=ErrorCode.STORAGE_QUOTA_EXCEEDED,
        field="documents",
        message="La empresa no tiene espacio suficiente para estos documentos: el máximo es de "
        "0 MB y ya usa 0 MB.",
    )
    assert stored_files(deps.documents) == []
