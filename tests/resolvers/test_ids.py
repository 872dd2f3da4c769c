"""Global ids: what resolvers decode before any service runs."""

import pytest

from domain.enums import ErrorCode
from domain.errors import DomainError
from models.keys import MAX_PRIMARY_KEY
from resolvers.ids import decode_id, decode_optional_id, from_global_id, to_global_id


def test_an_id_names_its_type_and_row():
    assert from_global_id(to_global_id("Certificate", 42)) == ("Certificate", 42)


@pytest.mark.parametrize(
    "global_id",
    ["", "no es base64", to_global_id("Company", 0), to_global_id("Company", MAX_PRIMARY_KEY + 1)],
)
def test_what_names_no_row_is_none(global_id):
    assert from_global_id(global_id) is None


def test_an_id_of_another_type_is_not_found_in_spanish():
    with pytest.raises(DomainError) as raised:
        decode_id(
            to_global_id("Company", 1), "Certificate", field="certificateId", what="el certificado"
        )
    [error] = raised.value.errors
    assert (error.code, error.message, error.field) == (
        ErrorCode.NOT_FOUND,
        "No encontramos el certificado.",
        "certificateId",
    )


def test_no_id_is_none():
    assert decode_optional_id(None, "Company", field="companyId", what="la empresa") is None
