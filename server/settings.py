"""Settings, read once from the environment (and a `.env` file in the working directory) into one object."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from domain.documents import MAX_DOCUMENT_BYTES_DEFAULT


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "Certificados <no-reply@localhost>"
    public_base_url: str = "http://127.0.0.1:8000"
    max_document_bytes: int = MAX_DOCUMENT_BYTES_DEFAULT
    graphiql: bool = True
    #: Run the email delivery worker inside `certs serve` (else run `certs outbox deliver` on a schedule).
    outbox_worker: bool = True
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def maildir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'certs.sqlite3'}"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> "Settings":
        """Environment variables win over the `.env` file; unset names take the defaults."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def flag(name: str, default: bool) -> bool:
            raw = values.get(name)
            if raw is None or raw == "":
                return default
            return raw.strip().lower() in {"1", "true", "yes", "on"}

        return cls(
            data_dir=Path(values.get("DATA_DIR") or "var"),
            database_url=values.get("DATABASE_URL", ""),
            redis_url=values.get("REDIS_URL") or None,
            smtp_url=values.get("SMTP_URL") or None,
            mail_from=values.get("MAIL_FROM") or cls.mail_from,
            public_base_url=(values.get("PUBLIC_BASE_URL") or cls.public_base_url).rstrip("/"),
            max_document_bytes=int(values.get("MAX_DOCUMENT_BYTES") or MAX_DOCUMENT_BYTES_DEFAULT),
            graphiql=flag("GRAPHIQL", True),
            outbox_worker=flag("OUTBOX_WORKER", True),
            log_level=values.get("LOG_LEVEL") or "INFO",
        )
