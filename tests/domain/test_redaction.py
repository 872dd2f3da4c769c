"""What the logs may show of a connection URL: the password never, everything else as it is."""

import pytest

from domain.redaction import redacted_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://app:s3cret@cache:6379/0", "redis://app:***@cache:6379/0"),
        ("redis://:s3cret@cache:6379/0", "redis://***@cache:6379/0"),
        (
            "postgres://certs:s3cret@db.internal:5432/certs",
            "postgres://certs:***@db.internal:5432/certs",
        ),
        # A password may hold ':' and '@' (the host starts after the last '@').
        ("postgres://certs:a:b@c@db:5432/certs", "postgres://certs:***@db:5432/certs"),
        # Only the first "://" ends the scheme.
        (
            "postgres://certs:s3cret@db:5432/certs?sslrootcert=file://ca.pem",
            "postgres://certs:***@db:5432/certs?sslrootcert=file://ca.pem",
        ),
        # A user without a password: the user stays, nothing after it is shown.
        (
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://postgres:***@127.0.0.1:5432/postgres",
        ),
    ],
)
def test_the_password_never_reaches_the_log(url: str, shown: str) -> None:
    assert redacted_url(url) == shown
    assert "s3cret" not in redacted_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "redis://cache:6379/0",
        "postgres://db.internal:5432/certs",
        "sqlite://db.sqlite3",
        "sqlite://:memory:",
    ],
)
def test_a_url_without_credentials_is_shown_unchanged(url: str) -> None:
    assert redacted_url(url) == url
