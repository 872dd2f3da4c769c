"""API tokens: random, shown once, stored only as a sha256 hash, with an expiry and revocation."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode
from domain.errors import DomainError
from models import ApiToken, User
from services.audit import record_audit
from services.live_events import announce_principal_change
from services.principal import Principal

TOKEN_PREFIX = "cdt_"  # noqa: S105 - a public prefix that makes leaked tokens greppable


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(email: str, *, now: datetime, expires_in_days: int | None) -> str:
    user = await User.get_or_none(email=email.strip().lower())
    if user is None or not user.is_active:
        raise DomainError(
            ErrorCode.NOT_FOUND, f"No existe un usuario activo con el correo {email}."
        )
    if expires_in_days is not None and expires_in_days <= 0:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "La vigencia del token debe ser de al menos un día."
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        await ApiToken.create(
            user_id=user.id,
            token_hash=hash_token(token),
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        await record_audit(
            AuditAction.TOKEN_ISSUED,
            actor=None,
            at=now,
            target_type="User",
            target_id=user.id,
            company_id=user.company_id,
            details={"email": user.email, "expiresInDays": expires_in_days},
        )
    return token


async def authenticate(token: str, *, now: datetime) -> Principal | None:
    """The principal a bearer token stands for, or None when it is unknown, expired or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    row = await ApiToken.get_or_none(token_hash=digest).select_related("user")
    # The index lookup compares digests, never the secret; compare again in constant time so no
    # timing of ours depends on how much of a guess was right.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    principal = _principal_of(row, now)
    if principal is not None:
        await note_use(row, now)
    return principal


def _principal_of(row: ApiToken, now: datetime) -> Principal | None:
    """Who a token row (its user selected) stands for now; None when it may not be used."""
    if row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user: User = row.user
    if not user.is_active:
        return None
    return Principal(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        company_id=user.company_id,
    )


#: Token hashes per query when checking many open sockets at once.
_CHECK_CHUNK = 500


async def current_principals(token_hashes: Iterable[str], *, now: datetime) -> dict[str, Principal]:
    """Who each token stands for now, by hash; absent when it is unknown, revoked or expired, or
    its user deactivated. For open sockets, checked again in bulk (one query per 500 tokens)."""
    hashes = sorted(set(token_hashes))
    found: dict[str, Principal] = {}
    for start in range(0, len(hashes), _CHECK_CHUNK):
        rows = await ApiToken.filter(
            token_hash__in=hashes[start : start + _CHECK_CHUNK]
        ).select_related("user")
        for row in rows:
            principal = _principal_of(row, now)
            if principal is not None:
                found[row.token_hash] = principal
    return found


#: `last_used_at` is written at most this often per token: a busy client must not turn every
#: request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


async def note_use(row: ApiToken, now: datetime) -> None:
    """Records that the token was used, at most once a minute (a conditional update, so several
    processes do not each write it)."""
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return
    await ApiToken.filter(
        Q(last_used_at=None) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION), id=row.id
    ).update(last_used_at=now)


async def list_tokens(email: str) -> list[dict[str, str | int | None]]:
    """A user's tokens for operators (`certs token list`): when each was issued, expires, was
    revoked and last used. Never the token, which is not stored."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No existe un usuario con el correo {email}.")

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return [
        {
            "id": row.id,
            "createdAt": when(row.created_at),
            "expiresAt": when(row.expires_at),
            "revokedAt": when(row.revoked_at),
            "lastUsedAt": when(row.last_used_at),
        }
        for row in await ApiToken.filter(user_id=user.id).order_by("id")
    ]


async def revoke_tokens(email: str, *, now: datetime) -> int:
    """Revoke every live token of a user (a lost laptop, a person leaving); returns how many.
    Their open sockets are closed by every serving process (`server.live_sessions`)."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No existe un usuario con el correo {email}.")
    async with in_transaction():
        revoked = await ApiToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=now)
        await record_audit(
            AuditAction.TOKENS_REVOKED,
            actor=None,
            at=now,
            target_type="User",
            target_id=user.id,
            company_id=user.company_id,
            details={"email": user.email, "revoked": revoked},
        )
        if revoked:
            await announce_principal_change(user.id)  # their open sockets close, on every process
    return revoked
