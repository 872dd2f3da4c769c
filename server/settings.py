"""Settings, read once from the environment (and a `.env` file in the working directory) into one object."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from domain.documents import MAX_DOCUMENT_BYTES_DEFAULT
from domain.policy import RequestRules
from domain.reminder_settings import ReminderChannel
from domain.reminders import DEFAULT_REMINDER_DAYS, parse_reminder_days
from domain.renewal_window import DEFAULT_RENEWAL_WINDOW_END_DAYS
from domain.webhooks import DEFAULT_DISABLE_AFTER_FAILURES
from storage.documents import private_directory


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    #: Channels are global to a Redis server; the deployment's id (made per database) follows it.
    redis_channel_prefix: str = "certs"
    #: Events a subscriber may have waiting; past that it is told SUBSCRIPTION_LAGGING.
    subscription_queue_size: int = 1000
    #: A subscriber that takes an event later than this after it was read is told it lags.
    subscription_max_lag_seconds: float = 1.0
    #: How often each process reads the event outbox without being woken (Redis down or unset).
    live_poll_seconds: float = 1.0
    #: How often the tokens of open sockets are checked again (expiry, deactivated users).
    live_recheck_seconds: float = 3.0
    smtp_url: str | None = None
    mail_from: str = "Certificados <no-reply@localhost>"
    public_base_url: str = "http://127.0.0.1:8000"
    max_document_bytes: int = MAX_DOCUMENT_BYTES_DEFAULT
    graphiql: bool = True
    #: The largest multipart (upload) request body, all files included; cut off while it streams (413).
    max_request_bytes: int = 25 * 1024 * 1024
    #: The largest body of any other request (JSON) and of a GET's query string (413).
    max_json_request_bytes: int = 64 * 1024
    #: The longest GraphQL query text, refused before it is parsed (QUERY_TOO_LARGE).
    max_query_chars: int = 16 * 1024
    #: The largest WebSocket message; a larger one closes the socket with 1009 (message too big).
    ws_max_message_bytes: int = 64 * 1024
    #: Open WebSocket connections per token (per process); one more is refused (4429).
    max_sockets_per_token: int = 10
    #: Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); none by default.
    trusted_proxies: tuple[str, ...] = ()
    #: Bytes of documents one company may keep (STORAGE_QUOTA_EXCEEDED past it).
    company_storage_quota_bytes: int = 200 * 1024 * 1024
    #: Files in the document store that no row references are removed by `certs jobs run` after this many hours.
    orphan_file_age_hours: float = 24.0
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
    #: A request left rejected (uncorrected) this many days is withdrawn by the job, with an email.
    auto_withdraw_days: int = RequestRules.auto_withdraw_days
    #: The requested validity may start at most this many days after the (re)submission.
    max_validity_start_days: int = RequestRules.max_validity_start_days
    #: The shortest and longest validity the certification authority issues, in months.
    min_validity_months: int = RequestRules.min_validity_months
    max_validity_months: int = RequestRules.max_validity_months
    #: The approved validFrom may come at most this many days after the requested start.
    max_valid_from_lag_days: int = RequestRules.max_valid_from_lag_days
    log_level: str = "INFO"
    #: "json": one JSON object per log line (production); "text": a line for people (development).
    log_format: str = "json"
    #: Serve Prometheus metrics on /metrics.
    metrics: bool = True
    #: Client networks that may read /metrics (comma-separated CIDRs); others get 403.
    metrics_allowed_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    #: WebSocket keep-alive: the server sends something every this many idle seconds (0: never).
    ws_keepalive_seconds: float = 20.0
    #: A socket that sends no `connection_init` within this many seconds is closed (4408).
    ws_connection_init_timeout_seconds: float = 10.0
    max_subscriptions_per_connection: int = 20
    #: Browser origins, besides the server's own, that may call the API (CORS) and open a WebSocket ("*": any).
    allowed_origins: tuple[str, ...] = ()
    #: "apq" (automatic persisted queries), "only" (registered documents only: `certs documents
    #: add`), or "off".
    persisted_queries: str = "apq"
    #: Automatic persisted queries remembered per process (least recently used first out).
    persisted_queries_cache_size: int = 1000
    #: With REDIS_URL, how long Redis keeps an automatic persisted query every worker shares.
    persisted_queries_ttl_seconds: int = 86400
    #: With REDIS_URL, how long a request waits on Redis for a shared persisted query before it
    #: falls back to this process's memory (Redis is then left alone for 5 s).
    persisted_queries_redis_timeout_seconds: float = 0.25
    #: OpenTelemetry: where to export traces over OTLP/HTTP (e.g. http://collector:4318); unset: none.
    otel_exporter_otlp_endpoint: str | None = None
    #: Webhook URLs may use http:// and point to private, loopback or link-local addresses (development).
    webhook_allow_local: bool = False
    #: Company users may register webhooks for their own company (else only operators).
    webhook_customer_endpoints: bool = False
    #: Consecutive failed attempts after which an endpoint is disabled.
    webhook_disable_after_failures: int = DEFAULT_DISABLE_AFTER_FAILURES
    #: How long one webhook request may take, connecting included.
    webhook_timeout_seconds: float = 10.0
    #: The operators' address: disabled webhooks are announced there (unset: only logged).
    operator_email: str | None = None
    #: Days before expiry at which a certificate's suggested renewal window ends.
    renewal_window_end_days: int = DEFAULT_RENEWAL_WINDOW_END_DAYS
    #: How companies that changed nothing hear about expiry: EMAIL, WEBHOOK or BOTH.
    reminder_channel: ReminderChannel = ReminderChannel.BOTH

    def __post_init__(self) -> None:
        self.request_rules  # noqa: B018 - refuses impossible rule numbers at start-up

    @property
    def request_rules(self) -> RequestRules:
        """The rules' numbers; invalid combinations are refused here, at start-up."""
        return RequestRules(
            auto_withdraw_days=self.auto_withdraw_days,
            max_validity_start_days=self.max_validity_start_days,
            min_validity_months=self.min_validity_months,
            max_validity_months=self.max_validity_months,
            max_valid_from_lag_days=self.max_valid_from_lag_days,
        )

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    def prepare_data_dir(self) -> None:
        """The data directory and the document store 0700, a new SQLite database file 0600:
        they hold companies' papers and tokens' digests, for this process's user only."""
        private_directory(self.documents_dir)
        if not self.database_url:
            database = self.data_dir / "certs.sqlite3"
            os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))

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
            max_json_request_bytes=int(
                values.get("MAX_JSON_REQUEST_BYTES") or cls.max_json_request_bytes
            ),
            max_query_chars=int(values.get("MAX_QUERY_CHARS") or cls.max_query_chars),
            ws_max_message_bytes=int(
                values.get("WS_MAX_MESSAGE_BYTES") or cls.ws_max_message_bytes
            ),
            max_sockets_per_token=int(
                values.get("MAX_SOCKETS_PER_TOKEN") or cls.max_sockets_per_token
            ),
            trusted_proxies=_csv(values.get("TRUSTED_PROXIES")),
            company_storage_quota_bytes=int(
                values.get("COMPANY_STORAGE_QUOTA_BYTES") or cls.company_storage_quota_bytes
            ),
            orphan_file_age_hours=float(
                values.get("ORPHAN_FILE_AGE_HOURS") or cls.orphan_file_age_hours
            ),
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
            auto_withdraw_days=int(values.get("AUTO_WITHDRAW_DAYS") or cls.auto_withdraw_days),
            max_validity_start_days=int(
                values.get("MAX_VALIDITY_START_DAYS") or cls.max_validity_start_days
            ),
            min_validity_months=int(values.get("MIN_VALIDITY_MONTHS") or cls.min_validity_months),
            max_validity_months=int(values.get("MAX_VALIDITY_MONTHS") or cls.max_validity_months),
            max_valid_from_lag_days=int(
                values.get("MAX_VALID_FROM_LAG_DAYS") or cls.max_valid_from_lag_days
            ),
            log_level=values.get("LOG_LEVEL") or "INFO",
            log_format=(values.get("LOG_FORMAT") or cls.log_format).strip().lower(),
            metrics=flag("METRICS", True),
            metrics_allowed_networks=_csv(values.get("METRICS_ALLOWED_NETWORKS"))
            or cls.metrics_allowed_networks,
            redis_channel_prefix=values.get("REDIS_CHANNEL_PREFIX") or cls.redis_channel_prefix,
            subscription_queue_size=int(
                values.get("SUBSCRIPTION_QUEUE_SIZE") or cls.subscription_queue_size
            ),
            subscription_max_lag_seconds=_positive_seconds(
                "SUBSCRIPTION_MAX_LAG_SECONDS",
                values.get("SUBSCRIPTION_MAX_LAG_SECONDS"),
                cls.subscription_max_lag_seconds,
            ),
            live_poll_seconds=_positive_seconds(
                "LIVE_POLL_SECONDS", values.get("LIVE_POLL_SECONDS"), cls.live_poll_seconds
            ),
            live_recheck_seconds=_positive_seconds(
                "LIVE_RECHECK_SECONDS", values.get("LIVE_RECHECK_SECONDS"), cls.live_recheck_seconds
            ),
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
            webhook_allow_local=flag("WEBHOOK_ALLOW_LOCAL", False),
            webhook_customer_endpoints=flag("WEBHOOK_CUSTOMER_ENDPOINTS", False),
            webhook_disable_after_failures=_positive_int(
                "WEBHOOK_DISABLE_AFTER_FAILURES",
                values.get("WEBHOOK_DISABLE_AFTER_FAILURES"),
                DEFAULT_DISABLE_AFTER_FAILURES,
            ),
            webhook_timeout_seconds=_positive_seconds(
                "WEBHOOK_TIMEOUT_SECONDS", values.get("WEBHOOK_TIMEOUT_SECONDS"), 10.0
            ),
            renewal_window_end_days=_non_negative_int(
                "RENEWAL_WINDOW_END_DAYS",
                values.get("RENEWAL_WINDOW_END_DAYS"),
                DEFAULT_RENEWAL_WINDOW_END_DAYS,
            ),
            reminder_channel=ReminderChannel(
                (values.get("REMINDER_CHANNEL") or ReminderChannel.BOTH.value).strip().upper()
            ),
            operator_email=(values.get("OPERATOR_EMAIL") or "").strip() or None,
            allowed_origins=_csv(values.get("ALLOWED_ORIGINS")),
            persisted_queries=(values.get("PERSISTED_QUERIES") or cls.persisted_queries)
            .strip()
            .lower(),
            persisted_queries_cache_size=int(
                values.get("PERSISTED_QUERIES_CACHE_SIZE") or cls.persisted_queries_cache_size
            ),
            persisted_queries_ttl_seconds=int(
                values.get("PERSISTED_QUERIES_TTL_SECONDS") or cls.persisted_queries_ttl_seconds
            ),
            persisted_queries_redis_timeout_seconds=float(
                values.get("PERSISTED_QUERIES_REDIS_TIMEOUT_SECONDS")
                or cls.persisted_queries_redis_timeout_seconds
            ),
            otel_exporter_otlp_endpoint=values.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
        )


def _non_negative_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or not raw.strip():
        return default
    value = int(raw)
    if not 0 <= value <= 28:
        raise ValueError(f"{name} must be a whole number of days from 0 to 28")
    return value


def _positive_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or not raw.strip():
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number")
    return value


def _csv(raw: str | None) -> tuple[str, ...]:
    """A comma-separated setting as its non-empty items."""
    return tuple(item.strip() for item in (raw or "").split(",") if item.strip())


def _positive_seconds(name: str, raw: str | None, default: float = 3600.0) -> float:
    if raw is None or not raw.strip():
        return default
    seconds = float(raw)
    if seconds <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return seconds
