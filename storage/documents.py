"""Content-addressed document files: the name of a file is the sha256 of its bytes.

Writing the same bytes twice stores them once; a file is written to a temporary name and renamed,
so a reader never sees half a file. A use case writes its files only after every check passed,
into a staging area (`staging()`), and they move into the store at the end of its transaction,
just before the commit; a refused or rolled-back operation leaves nothing. What a crash leaves
behind (a staged file, a moved file whose commit then failed) is unreferenced, and `sweep`
(`certs jobs run`) removes it. The other order (move after the commit) would let a crash leave a
committed row whose file never arrives.

The store's directories are created 0700 and its files 0600: they hold companies' papers.
"""

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

STAGING = ".staging"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int


def stored_file(data: bytes) -> StoredFile:
    """What storing `data` will give, computed without writing anything."""
    return StoredFile(sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))


def private_directory(path: Path) -> None:
    """Creates `path` and its missing parents 0700 (`mkdir(parents=True)` would give the parents
    the default mode)."""
    if path.is_dir():
        return
    private_directory(path.parent)
    path.mkdir(mode=0o700, exist_ok=True)


@dataclass
class Staging:
    """Files written for one operation, not yet in the store."""

    store: "DocumentStore"
    staged: list[tuple[Path, str]] = field(default_factory=list)

    def add(self, data: bytes) -> StoredFile:
        stored = stored_file(data)
        directory = self.store.root / STAGING
        private_directory(directory)
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=".upload-")
        self.staged.append((Path(temp_name), stored.sha256))
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return stored

    def add_all(self, datas: Iterable[bytes]) -> list[StoredFile]:
        return [self.add(data) for data in datas]

    def promote(self) -> None:
        for temp, digest in self.staged:
            target = self.store.path_for(digest)
            if target.exists():
                temp.unlink(missing_ok=True)
            else:
                private_directory(target.parent)
                os.replace(temp, target)
        self.staged.clear()

    def discard(self) -> None:
        for temp, _ in self.staged:
            temp.unlink(missing_ok=True)
        self.staged.clear()


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @contextlib.asynccontextmanager
    async def staging(self) -> AsyncIterator[Staging]:
        """Files added inside move into the store when the block ends normally (open it inside
        the transaction: `async with in_transaction(), store.staging() as staging:`, so that it
        ends just before the commit); on any exception they are removed."""
        staging = Staging(self)
        try:
            yield staging
        except BaseException:
            staging.discard()
            raise
        staging.promote()

    def sweep(self, referenced: set[str], *, older_than_seconds: float) -> int:
        """Removes files no row references (and staged leftovers) older than the given age."""
        if not self.root.is_dir():
            return 0
        horizon = time.time() - older_than_seconds
        removed = 0
        for path in self.root.rglob("*"):
            if not path.is_file() or path.stat().st_mtime > horizon:
                continue
            staged = STAGING in path.relative_to(self.root).parts or path.name.startswith(".")
            if staged or path.name not in referenced:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.exists():
            private_directory(target.parent)
            fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp_name, target)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size_bytes=len(data))

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()
