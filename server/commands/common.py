"""What the commands share: one JSON object on stdout, a database for the length of a command,
rows named by NIT or global id."""

import sys
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from tortoise import Tortoise

from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models import Company
from models.database import tortoise_config
from resolvers.ids import decode_id, from_global_id
from server.settings import Settings
from services.operators import find_company
from services.principal import Principal

#: Who the CLI acts as: whoever runs it on the server is an operator.
CLI_OPERATOR = Principal(
    user_id=0, name="certs (línea de comandos)", email="", role=Role.ADMIN, company_id=None
)


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(data).decode() + "\n")
    sys.stdout.flush()


async def with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    settings.prepare_data_dir()
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


async def company_named(reference: str) -> Company:
    """The company a `--company` names, by NIT (with check digit) or global id."""
    decoded = from_global_id(reference)
    company = await find_company(
        str(decoded[1]) if decoded and decoded[0] == "Company" else reference
    )
    if company is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No existe la empresa {reference}.", "company")
    return company


def row_id(raw: str, type_name: str, what: str) -> int:
    """A row id given as a number or as the API's global id."""
    if raw.isdigit():
        return int(raw)
    return decode_id(raw, type_name, field="id", what=what)
