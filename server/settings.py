"""Settings, read once from the environment (and a `.env` file in the working directory) into one object."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from domain.documents import MAX_DOCUMENT_BYTES_DEFAULT
from domain.reminders import DEFAULT_REMINDER_DAYS, parse_reminder_days


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    #: Channels are global to a Redis server (not per database): deployments sharing one use their own.
    redis_channel_prefix: str = "certs"
    smtp_url: str | None = None
    mail_from: str = "Certificados <no-reply@localhost>"
    public_base_url: str = "http://127.0.0.1:8000"
    max_document_bytes: int = MAX_DOCUMENT_BYTES_DEFAULT
    graphiql: bool = True
    #: The largest request body, all files included; cut off while it streams (413).
    max_request_bytes: int = 25 * 1024 * 1024
    #: GraphQL introspection; switch off in production (GraphiQL then has no schema to show).
    introspection: bool = True
    #: Failed authentications allowed per client address per minute before 429.
    auth_failures_per_minute: int = 20
    #: Run the email delivery worker inside `certs serve` (else run `certs outbox deliver` on a schedule).
    outbox_worker: bool = True
    #: Run the expiry and reminders job inside `certs serve`, at start-up and every interval.
    jobs_scheduler: bool = True
    jobs_interval_seconds: float = 3600.0
    #: Days before expiry at which a reminder is emailed (REMINDER_DAYS="30,15,7,1").
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS
    log_level: str = "INFO"
    #: WebSocket keep-alive: the server sends something every this many idle seconds (0: never).
    ws_keepalive_seconds: float = 20.0
    #: A socket that sends no `connection_init` within this many seconds is closed (4408).
    ws_connection_init_timeout_seconds: float = 10.0
    max_subscriptions_per_connection: int = 20
    #: Browser origins, besides the server's own, that may open a WebSocket ("*": any).
    allowed_origins: tuple[str, ...] = ()

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
            introspection=flag("INTROSPECTION", True),
            max_request_bytes=int(values.get("MAX_REQUEST_BYTES") or cls.max_request_bytes),
            auth_failures_per_minute=int(
                values.get("AUTH_FAILURES_PER_MINUTE") or cls.auth_failures_per_minute
            ),
            outbox_worker=flag("OUTBOX_WORKER", True),
            jobs_scheduler=flag("JOBS_SCHEDULER", True),
            jobs_interval_seconds=_positive_seconds(
                "JOBS_INTERVAL_SECONDS", values.get("JOBS_INTERVAL_SECONDS")
            ),
            reminder_days=parse_reminder_days(values["REMINDER_DAYS"])
            if (values.get("REMINDER_DAYS") or "").strip()
            else DEFAULT_REMINDER_DAYS,
            log_level=values.get("LOG_LEVEL") or "INFO",
            redis_channel_prefix=values.get("REDIS_CHANNEL_PREFIX") or cls.redis_channel_prefix,
            ws_keepalive_seconds=float(
                values.get("WS_KEEPALIVE_SECONDS") or cls.ws_keepalive_seconds
            ),
            ws_connection_init_timeout_seconds=float(
                values.get("WS_CONNECTION_INIT_TIMEOUT_SECONDS")
                or cls.ws_connection_init_timeout_seconds
            ),
            max_subscriptions_per_connection=int(
                values.get("MAX_SUBSCRIPTIONS_PER_CONNECTION")
                or cls.max_subscriptions_per_connection
            ),
            allowed_origins=tuple(
                origin.strip()
                for origin in (values.get("ALLOWED_ORIGINS") or "").split(",")
                if origin.strip()
            ),
        )


def _positive_seconds(name: str, raw: str | None, default: float = 3600.0) -> float:
    if raw is None or not raw.strip():
        return default
    seconds = float(raw)
    if seconds <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return seconds
