"""0009: the reviewers' queue (IN_REVIEW, oldest first, keyset pages) reads one index range
instead of walking every request by date."""

from tortoise import connections

from domain.enums import RequestStatus
from models import CertificateRequest
from tests.support.database import index_columns


async def test_the_requests_have_the_queue_index(db: str) -> None:
    dialect = "sqlite" if db.startswith("sqlite") else "postgres"
    assert ("status", "submitted_at", "id") in await index_columns("certificate_requests", dialect)


async def test_a_queue_page_is_read_in_order_from_the_index(db: str) -> None:
    if not db.startswith("sqlite"):
        return  # PostgreSQL's plan depends on its statistics: docs/performance.md has its EXPLAIN
    page = (
        CertificateRequest.filter(status=RequestStatus.IN_REVIEW)
        .order_by("submitted_at", "id")
        .limit(51)
        .sql(params_inline=True)
    )
    plan = await connections.get("default").execute_query_dict(f"EXPLAIN QUERY PLAN {page}")
    details = " / ".join(row["detail"] for row in plan)
    assert "idx_certificate_requests_status_submitted" in details, details
    assert "TEMP B-TREE" not in details, details  # no sort: the index gives the order
