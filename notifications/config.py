"""What rendering needs from the settings, set once by the app at startup.

The services queue emails without a settings argument (their signatures are about the use case,
not about mail), so the sender and the public address used in links live here, in one small
module-level object that `server/` sets from `Settings` in its lifespan and in the CLI. The
defaults match `server.settings.Settings`, so tests and scripts that never call `configure`
still render sensible messages.
"""

from dataclasses import dataclass
from email.utils import parseaddr

DEFAULT_MAIL_FROM = "Certificados <no-reply@localhost>"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class MailConfig:
    mail_from: str = DEFAULT_MAIL_FROM
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL

    @property
    def sender_domain(self) -> str:
        """The domain of the sender's address, used on the right of every Message-ID."""
        address = parseaddr(self.mail_from)[1]
        domain = address.rpartition("@")[2].strip().lower()
        return domain or "localhost"


_current = MailConfig()


def configure(
    *, mail_from: str = DEFAULT_MAIL_FROM, public_base_url: str = DEFAULT_PUBLIC_BASE_URL
) -> MailConfig:
    """Set the sender and the public base URL for every email rendered from now on."""
    global _current
    _current = MailConfig(mail_from=mail_from, public_base_url=public_base_url.rstrip("/"))
    return _current


def current_config() -> MailConfig:
    return _current
