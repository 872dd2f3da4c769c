"""Use case: remove document files that no row references (`certs jobs run`).

A refused or failed operation writes nothing, but a crash between a file's move and its commit,
or a staged file left by a killed process, leaves a file behind. Only files older than the setting
(ORPHAN_FILE_AGE_HOURS) go: an operation in flight has not committed its rows yet.
"""

import asyncio

from models import RequestDocument
from services.dependencies import Dependencies


async def sweep_unreferenced_documents(deps: Dependencies, *, older_than_seconds: float) -> int:
    referenced = set(await RequestDocument.all().distinct().values_list("sha256", flat=True))
    return await asyncio.to_thread(
        deps.documents.sweep,
        {str(digest) for digest in referenced},
        older_than_seconds=older_than_seconds,
    )
