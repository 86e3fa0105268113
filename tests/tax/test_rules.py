"""DOMAIN §12 rules on tables: consumption tax inside an amount, withholding, registration numbers."""

from __future__ import annotations

import pytest

from chukai.ledger.tax import (
    consumption_tax_in,
    corporate_check_digit,
    excluding_tax,
    registration_number_normalize,
    registration_number_valid,
    withholding_for,
    withholding_on_base,
)


@pytest.mark.parametrize(
    ("amount", "tax"),
    [
        (0, 0),
        (1, 0),
        (10, 0),
        (11, 1),
        (109, 9),
        (110, 10),
        (1_000, 90),  # 1000 × 10 / 110 = 90.9…
        (5_500, 500),
        (110_000, 10_000),
        (1_100_000, 100_000),
        (1_100_011, 100_001),
        (999_999, 90_909),  # 9,999,990 / 110 exactly
    ],
)
def test_consumption_tax_inside_an_amount(amount: int, tax: int) -> None:
    assert consumption_tax_in(amount) == tax
    assert excluding_tax(amount) == amount - tax


@pytest.mark.parametrize(
    ("base", "withheld"),
    [
        (0, 0),
        (1, 0),
        (97, 9),  # 9.9037
        (10_000, 1_021),
        (100_000, 10_210),
        (123_456, 12_604),  # 12,604.8576
        (999_999, 102_099),  # 102,099.8979
        (1_000_000, 102_100),
        (1_000_001, 102_100),  # 102,100 + 0.2042
        (1_000_005, 102_101),  # 102,100 + 1.021
        (1_100_000, 122_520),
        (2_000_000, 306_300),
        (10_000_000, 1_939_900),
    ],
)
def test_withholding_table(base: int, withheld: int) -> None:
    assert withholding_on_base(base) == withheld


def test_withholding_is_on_the_amount_without_consumption_tax() -> None:
    # S6: ¥110,000 tax included → ¥100,000 without tax → ¥10,210 withheld.
    assert withholding_for(110_000, applies=True) == 10_210
    assert withholding_for(110_000, applies=False) == 0
    # ¥1,100,000 tax included is exactly ¥1,000,000 without tax: the lower rate still.
    assert withholding_for(1_100_000, applies=True) == 102_100
    # ¥1,100,002 → tax 100,000 → ¥1,000,002 without tax: the upper rate on the ¥2 above.
    assert withholding_for(1_100_002, applies=True) == 102_100
    assert withholding_for(2_200_000, applies=True) == 306_300


# Corporate numbers published by the 国税庁 法人番号公表サイト (each passes the formula below):
# トヨタ自動車株式会社, 国税庁, ソニーグループ株式会社.
PUBLISHED = ["T1180301018771", "T7000012050002", "T5010401067252"]


@pytest.mark.parametrize("number", PUBLISHED)
def test_published_numbers_are_valid(number: str) -> None:
    assert registration_number_valid(number)


def test_check_digit_formula_by_hand() -> None:
    # 180301018771 from the right: 1,7,7,8,1,0,1,0,3,0,8,1 × 1,2,1,2,… = 1+14+7+16+1+0+1+0+3+0+8+2 = 53
    # 53 mod 9 = 8 → 9 − 8 = 1.
    assert corporate_check_digit("180301018771") == 1
    assert corporate_check_digit("000000000000") == 9
    # Σ ≡ 0 (mod 9) gives 9 − 0 = 9; Σ = 8 gives 1.
    assert corporate_check_digit("000000000008") == 1


def test_every_computed_number_is_valid_and_every_other_digit_is_not() -> None:
    for base in ("123456789012", "000000000001", "999999999999", "010401067252"):
        good = corporate_check_digit(base)
        assert 1 <= good <= 9
        assert registration_number_valid(f"T{good}{base}")
        for other in set(range(10)) - {good}:
            assert not registration_number_valid(f"T{other}{base}")


@pytest.mark.parametrize(
    "number",
    [
        "",
        "1180301018771",  # no T
        "T118030101877",  # 12 digits
        "T11803010187711",  # 14 digits
        "T2180301018771",  # wrong check digit
        "T1180301018772",  # a digit changed: the check digit no longer matches
        "t1180301018771",  # lower-case before normalizing
        "T１180301018771",  # a full-width digit before normalizing
        "X1180301018771",
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert not registration_number_valid(number)


def test_normalize_what_people_type() -> None:
    assert registration_number_normalize(" t1-1803-0101-8771 ") == "T1180301018771"
    assert registration_number_normalize("Ｔ１１８０３０１０１８７７１") == "T1180301018771"
    assert registration_number_valid(registration_number_normalize("Ｔ１１８０３０１０１８７７１"))
