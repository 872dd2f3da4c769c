"""The inputs of the certificates' mutations."""

import strawberry

from schema.core.enums import CertificateStatus


@strawberry.input
class ChangeCertificateStateInput:
    certificate_id: strawberry.ID
    status: CertificateStatus
    reason: str | None = None
