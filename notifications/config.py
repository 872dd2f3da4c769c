"""What rendering needs from the settings: the sender and the public address used in links.

Built once by `server/` from `Settings` and handed to the use cases in `Dependencies.mail`, which
pass it to every `queue_*` call; no global state. The defaults match `server.settings.Settings`.
"""

from dataclasses import dataclass
from email.utils import parseaddr

DEFAULT_MAIL_FROM = "Certificados <no-reply@localhost>"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class MailConfig:
    mail_from: str = DEFAULT_MAIL_FROM
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_base_url", self.public_base_url.rstrip("/"))

    @property
    def sender_domain(self) -> str:
        """The domain of the sender's address, used on the right of every Message-ID."""
        address = parseaddr(self.mail_from)[1]
        domain = address.rpartition("@")[2].strip().lower()
        return domain or "localhost"
