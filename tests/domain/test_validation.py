"""Checks on what people type into the request form."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.enums import ErrorCode, IdentityDocumentType, PersonType
from domain.errors import DomainError
from domain.policy import RequestRules
from domain.validation import (
    FieldLabel,
    ensure_validity_period,
    normalize_email,
    representative_name_label,
    require_text,
    validate_identity_number,
    validity_start,
)
from tests.support.refusals import assert_refusal, refusal

CC = IdentityDocumentType.CC
CE = IdentityDocumentType.CE
PASSPORT = IdentityDocumentType.PASSPORT
LABEL = "El nombre del representante legal"
CC_RULE = "El número de la cédula de ciudadanía debe tener solo números, entre 3 y 10 dígitos."
CE_RULE = "El número de la cédula de extranjería debe tener solo números, entre 3 y 10 dígitos."
PASSPORT_RULE = "El número del pasaporte debe tener entre 5 y 20 letras o números, sin símbolos."
ID_REQUIRED = "El número del documento de identidad es obligatorio."


class TestRequireText:
    def test_stripped(self) -> None:
        assert require_text("  Ana María Pérez \n", field="name", label=LABEL) == "Ana María Pérez"

    @pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
    def test_blank_is_refused(self, value: str | None) -> None:
        with pytest.raises(DomainError) as caught:
            require_text(value, field="legalRepresentativeName", label=LABEL)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.field == "legalRepresentativeName"
        assert caught.value.message == "El nombre del representante legal es obligatorio."

    def test_length_limit_counts_the_stripped_text(self) -> None:
        assert require_text(" " + "a" * 10 + " ", field="f", label=LABEL, max_length=10) == "a" * 10
        assert_refusal(
            refusal(require_text, "a" * 11, field="f", label=LABEL, max_length=10),
            code=ErrorCode.INVALID_INPUT,
            field="f",
            message="El nombre del representante legal no puede tener más de 10 caracteres.",
        )

    def test_default_limit_is_200(self) -> None:
        assert require_text("a" * 200, field="f", label=LABEL) == "a" * 200
        assert_refusal(
            refusal(require_text, "a" * 201, field="f", label=LABEL),
            code=ErrorCode.INVALID_INPUT,
            field="f",
            message="El nombre del representante legal no puede tener más de 200 caracteres.",
        )


class TestFieldLabel:
    """The refusals are sentences: «La razón social es obligatoria», «Las observaciones son
    obligatorias», «El motivo no puede tener más de…»; the words agree with the field's article."""

    @pytest.mark.parametrize(
        ("label", "required", "too_long"),
        [
            (
                "El motivo",
                "El motivo es obligatorio.",
                "El motivo no puede tener más de 3 caracteres.",
            ),
            (
                "La razón social",
                "La razón social es obligatoria.",
                "La razón social no puede tener más de 3 caracteres.",
            ),
            (
                "Los apellidos",
                "Los apellidos son obligatorios.",
                "Los apellidos no pueden tener más de 3 caracteres.",
            ),
            (
                "Las observaciones",
                "Las observaciones son obligatorias.",
                "Las observaciones no pueden tener más de 3 caracteres.",
            ),
        ],
    )
    def test_the_message_agrees_with_the_article(
        self, label: str, required: str, too_long: str
    ) -> None:
        assert_refusal(
            refusal(require_text, " ", field="f", label=label),
            code=ErrorCode.INVALID_INPUT,
            field="f",
            message=required,
        )
        assert_refusal(
            refusal(require_text, "abcd", field="f", label=label, max_length=3),
            code=ErrorCode.INVALID_INPUT,
            field="f",
            message=too_long,
        )

    def test_the_article_is_read_in_any_case(self) -> None:
        assert (
            FieldLabel.of("LAS observaciones").required() == "LAS observaciones son obligatorias."
        )
        assert FieldLabel.of("la nota").required() == "la nota es obligatoria."

    @pytest.mark.parametrize("text", ["Razón social", "Un nombre", "", "Lasobservaciones"])
    def test_a_label_without_its_article_is_a_programming_error(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"^a field label starts with its article: "):
            FieldLabel.of(text)

    @pytest.mark.parametrize(
        ("label", "adjective", "agreed"),
        [
            ("El motivo", "válido", "válido"),
            ("La fecha", "válido", "válida"),
            ("Los documentos", "válido", "válidos"),
            ("Las fechas", "válido", "válidas"),
            # An adjective that does not end in -o has one form for both genders.
            ("El motivo", "posterior", "posterior"),
            ("La fecha", "posterior", "posterior"),
            ("Los documentos", "posterior", "posteriores"),
            ("Las fechas", "posterior", "posteriores"),
        ],
    )
    def test_an_adjective_agrees_in_gender_and_number(
        self, label: str, adjective: str, agreed: str
    ) -> None:
        assert FieldLabel.of(label).agree(adjective) == agreed

    @pytest.mark.parametrize(
        ("person_type", "message"),
        [
            (PersonType.LEGAL_ENTITY, "El nombre del representante legal es obligatorio."),
            (PersonType.NATURAL_PERSON, "El nombre del titular es obligatorio."),
        ],
    )
    def test_who_signs_is_named_by_the_person_type(
        self, person_type: PersonType, message: str
    ) -> None:
        label = representative_name_label(person_type)
        assert_refusal(
            refusal(require_text, "", field="legalRepresentative.name", label=label),
            code=ErrorCode.INVALID_INPUT,
            field="legalRepresentative.name",
            message=message,
        )


class TestNormalizeEmail:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("contacto@empresa.com.co", "contacto@empresa.com.co"),
            ("  Ana.Perez@Empresa.COM.CO ", "Ana.Perez@empresa.com.co"),
            ("facturación@empresa.co", "facturación@empresa.co"),
        ],
    )
    def test_normalized(self, value: str, expected: str) -> None:
        assert normalize_email(value) == expected

    @pytest.mark.parametrize(
        "value", ["ana", "ana@", "@empresa.com", "ana@empresa", "ana perez@empresa.com", "a@@b.co"]
    )
    def test_invalid_is_refused(self, value: str) -> None:
        assert_refusal(
            refusal(normalize_email, value),
            code=ErrorCode.INVALID_INPUT,
            field="email",
            message=f"El correo electrónico «{value}» no es válido. Revisa que esté completo, "
            "por ejemplo nombre@empresa.com.co.",
        )

    def test_blank_is_refused_on_the_given_field(self) -> None:
        assert_refusal(
            refusal(normalize_email, "  ", field="contactEmail"),
            code=ErrorCode.INVALID_INPUT,
            field="contactEmail",
            message="El correo electrónico es obligatorio.",
        )


class TestValidateIdentityNumber:
    @pytest.mark.parametrize(
        ("id_type", "number", "expected"),
        [
            (CC, "1.020.304.050", "1020304050"),
            (CC, " 52 123 456 ", "52123456"),
            (CC, "123", "123"),
            (CE, "456789", "456789"),
            (CE, "1.234.567.890", "1234567890"),
            (PASSPORT, "ab123456", "AB123456"),
            (PASSPORT, " PE 12345 ", "PE12345"),
            (PASSPORT, "12345", "12345"),
            (PASSPORT, "A" * 20, "A" * 20),
        ],
    )
    def test_accepted(self, id_type: IdentityDocumentType, number: str, expected: str) -> None:
        assert validate_identity_number(id_type, number, field="idNumber") == expected

    @pytest.mark.parametrize(
        ("id_type", "number", "message"),
        [
            (CC, "12", CC_RULE),
            (CC, "12345678901", CC_RULE),
            (CC, "12A456", CC_RULE),
            (CC, "52-123-456", CC_RULE),
            (CE, "E123456", CE_RULE),
            (CE, "12345678901", CE_RULE),
            (PASSPORT, "AB12", PASSPORT_RULE),
            (PASSPORT, "A" * 21, PASSPORT_RULE),
            (PASSPORT, "AB-12345", PASSPORT_RULE),
            (PASSPORT, "ÑA12345", PASSPORT_RULE),
            (CC, " .. ", ID_REQUIRED),
            (PASSPORT, "", ID_REQUIRED),
        ],
    )
    def test_refused(self, id_type: IdentityDocumentType, number: str, message: str) -> None:
        assert_refusal(
            refusal(validate_identity_number, id_type, number, field="legalRepresentativeIdNumber"),
            code=ErrorCode.INVALID_INPUT,
            field="legalRepresentativeIdNumber",
            message=message,
        )


class TestValidityStart:
    TODAY = date(2027, 3, 15)

    def test_none_means_today(self) -> None:
        assert validity_start(None, self.TODAY) == self.TODAY

    @pytest.mark.parametrize("days", [0, 1, 30])
    def test_today_or_later(self, days: int) -> None:
        requested = self.TODAY + timedelta(days=days)
        assert validity_start(requested, self.TODAY) == requested

    def test_before_today_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            validity_start(self.TODAY - timedelta(days=1), self.TODAY)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.field == "validityStartsOn"
        assert caught.value.message == "La fecha de inicio de vigencia no puede ser anterior a hoy."

    @pytest.mark.parametrize(
        ("rules", "days", "latest"),
        [
            (None, 90, date(2027, 6, 13)),
            (RequestRules(max_validity_start_days=10), 10, date(2027, 3, 25)),
        ],
    )
    def test_at_most_the_configured_days_ahead(
        self, rules: RequestRules | None, days: int, latest: date
    ) -> None:
        """90 days by default (DOMAIN.md), else what the settings say."""
        assert validity_start(latest, self.TODAY, rules) == latest
        assert_refusal(
            refusal(validity_start, latest + timedelta(days=1), self.TODAY, rules),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validityStartsOn",
            message=f"La fecha de inicio de vigencia puede ser como máximo {days} días después "
            f"de hoy, hasta el {latest:%d/%m/%Y}.",
        )


class TestEnsureValidityPeriod:
    START = datetime(2027, 3, 15, 5, tzinfo=UTC)

    def test_end_after_start(self) -> None:
        ensure_validity_period(self.START, self.START + timedelta(days=365))

    @pytest.mark.parametrize("delta", [timedelta(0), timedelta(days=-1)])
    def test_end_not_after_start_is_refused(self, delta: timedelta) -> None:
        assert_refusal(
            refusal(ensure_validity_period, self.START, self.START + delta),
            code=ErrorCode.INVALID_INPUT,
            field="validUntil",
            message="La fecha de vencimiento debe ser posterior a la fecha de inicio de vigencia.",
        )


class TestValidityPeriodBounds:
    """DOMAIN.md: the validity lasts 1 to 36 months by default and starts on the date the company
    asked for (never before today), at most 30 days later by default. START is 15/03/2027 at
    midnight in Bogotá."""

    START = datetime(2027, 3, 15, 5, tzinfo=UTC)
    ONE_MONTH = datetime(2027, 4, 15, 5, tzinfo=UTC)
    THIRTY_SIX_MONTHS = datetime(2030, 3, 15, 5, tzinfo=UTC)
    TINY = timedelta(microseconds=1)

    def test_the_bounds_themselves_are_accepted(self) -> None:
        ensure_validity_period(self.START, self.ONE_MONTH)
        ensure_validity_period(self.START, self.THIRTY_SIX_MONTHS)

    @pytest.mark.parametrize("until", [ONE_MONTH - TINY, THIRTY_SIX_MONTHS + TINY])
    def test_just_outside_the_bounds_is_refused_naming_them(self, until: datetime) -> None:
        assert_refusal(
            refusal(ensure_validity_period, self.START, until),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validUntil",
            message="La vigencia del certificado debe durar entre 1 mes y 36 meses: con ese "
            "inicio, la fecha de vencimiento debe estar entre el 15/04/2027 y el 15/03/2030.",
        )

    def test_the_configured_bounds_apply(self) -> None:
        rules = RequestRules(min_validity_months=3, max_validity_months=12)
        ensure_validity_period(self.START, datetime(2027, 6, 15, 5, tzinfo=UTC), rules=rules)
        ensure_validity_period(self.START, datetime(2028, 3, 15, 5, tzinfo=UTC), rules=rules)
        assert_refusal(
            refusal(ensure_validity_period, self.START, self.ONE_MONTH, rules=rules),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validUntil",
            message="La vigencia del certificado debe durar entre 3 meses y 12 meses: con ese "
            "inicio, la fecha de vencimiento debe estar entre el 15/06/2027 y el 15/03/2028.",
        )

    def test_it_starts_on_the_requested_date_or_later(self) -> None:
        ensure_validity_period(self.START, self.ONE_MONTH, date(2027, 3, 15))
        assert_refusal(
            refusal(ensure_validity_period, self.START, self.ONE_MONTH, date(2027, 3, 16)),
            code=ErrorCode.INVALID_INPUT,
            field="validFrom",
            message="La vigencia no puede empezar antes de la fecha pedida por la empresa "
            "(16/03/2027).",
        )

    def test_never_before_today(self) -> None:
        ensure_validity_period(
            self.START, self.ONE_MONTH, date(2027, 3, 1), today=date(2027, 3, 15)
        )
        assert_refusal(
            refusal(
                ensure_validity_period,
                self.START,
                self.ONE_MONTH,
                date(2027, 3, 1),
                today=date(2027, 3, 16),
            ),
            code=ErrorCode.INVALID_INPUT,
            field="validFrom",
            message="La vigencia no puede empezar antes de hoy (16/03/2027).",
        )

    def test_at_most_thirty_days_after_the_requested_date(self) -> None:
        ensure_validity_period(self.START, self.ONE_MONTH, date(2027, 2, 13))
        assert_refusal(
            refusal(ensure_validity_period, self.START, self.ONE_MONTH, date(2027, 2, 12)),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validFrom",
            message="La vigencia debe empezar a más tardar 30 días después de la fecha pedida "
            "por la empresa o de hoy, si ya pasó (12/02/2027), es decir, hasta el 14/03/2027.",
        )

    def test_the_thirty_days_count_from_today_when_the_requested_date_passed(self) -> None:
        requested = date(2027, 2, 1)
        ensure_validity_period(self.START, self.ONE_MONTH, requested, today=date(2027, 2, 13))
        assert_refusal(
            refusal(
                ensure_validity_period,
                self.START,
                self.ONE_MONTH,
                requested,
                today=date(2027, 2, 12),
            ),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validFrom",
            message="La vigencia debe empezar a más tardar 30 días después de la fecha pedida "
            "por la empresa o de hoy, si ya pasó (12/02/2027), es decir, hasta el 14/03/2027.",
        )

    def test_the_configured_lag_applies(self) -> None:
        rules = RequestRules(max_valid_from_lag_days=0)
        ensure_validity_period(self.START, self.ONE_MONTH, date(2027, 3, 15), rules=rules)
        assert_refusal(
            refusal(
                ensure_validity_period, self.START, self.ONE_MONTH, date(2027, 3, 14), rules=rules
            ),
            code=ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            field="validFrom",
            message="La vigencia debe empezar a más tardar 0 días después de la fecha pedida "
            "por la empresa o de hoy, si ya pasó (14/03/2027), es decir, hasta el 14/03/2027.",
        )
