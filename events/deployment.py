"""This deployment's id: random, made once per database, naming its Redis channels."""

import secrets

from tortoise.exceptions import IntegrityError

from models import Deployment


async def deployment_id() -> str:
    """The id stored in the database, created on first use (by `certs migrate` or a server)."""
    row = await Deployment.get_or_none(id=1)
    if row is None:
        try:
            row = await Deployment.create(id=1, deployment_id=secrets.token_hex(8))
        except IntegrityError:  # another process created it first
            row = await Deployment.get(id=1)
    return row.deployment_id
