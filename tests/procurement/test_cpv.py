"""procurement.models.validate_cpv and split_cpv: CPV codes as the Official Journal writes them,
with their check digit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from procurement.models import cpv_check_digit, split_cpv, validate_cpv


@pytest.mark.parametrize("code", ["45000000-7", "85311000-2", "90910000-9"])
def test_real_codes_with_their_check_digit_are_accepted(code: str) -> None:
    validate_cpv(code)  # no error


def test_a_wrong_check_digit_is_refused_naming_the_expected_one() -> None:
    with pytest.raises(ValidationError) as error:
        validate_cpv("45000000-3")
    assert error.value.messages == ["The check digit of CPV 45000000 is 7, not 3."]


@pytest.mark.parametrize(
    "code",
    ["45000000", "4500000-7", "450000000-7", "45000000-", "45000000 7", "4500000A-7", "CPV", ""],
)
def test_malformed_codes_are_refused_with_an_example(code: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_cpv(code)
    assert error.value.messages == [
        f"{code} is not a CPV code: write eight digits, a hyphen and the check digit (45000000-7)."
    ]


def test_a_published_exception_is_accepted_although_its_digit_breaks_the_rule() -> None:
    assert cpv_check_digit("03300000") != 2  # the rule would refuse it...
    validate_cpv("03300000-2")  # ...but the CPV list publishes it so


def test_the_exception_is_only_the_published_code() -> None:
    with pytest.raises(ValidationError):
        validate_cpv("03300000-3")


def test_codes_typed_as_a_list_are_split_on_commas_semicolons_spaces_and_lines() -> None:
    assert split_cpv(" 45000000-7, 85311000-2;90910000-9\n03300000-2 ") == [
        "45000000-7",
        "85311000-2",
        "90910000-9",
        "03300000-2",
    ]
    assert split_cpv(" , ") == []
