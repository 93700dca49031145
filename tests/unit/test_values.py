import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.errors import InvalidInput
from aidhub.domain.values import parse_code, parse_date, parse_decimal, parse_quantity


@given(st.integers(min_value=1, max_value=10**15))
def test_quantity_round_trips_whole_numbers(n):
    assert parse_quantity(str(n)) == n
    assert parse_quantity(n) == n
    assert parse_quantity(f" {n}.0 ") == n


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3)
       .filter(lambda d: d != d.to_integral_value()))
def test_quantity_refuses_fractions(value):
    with pytest.raises(InvalidInput, match="whole number"):
        parse_quantity(str(value))


@pytest.mark.parametrize("raw", ["0", "-3", "abc", "", "1e400x", True])
def test_quantity_refuses_bad_values_naming_the_field(raw):
    with pytest.raises(InvalidInput, match="field 'quantity'"):
        parse_quantity(raw)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_round_trip_in_iso_and_day_first_forms(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day


def test_a_month_alone_means_its_last_day():
    assert parse_date("2027-02") == dt.date(2027, 2, 28)
    assert parse_date("12/2026") == dt.date(2026, 12, 31)


@pytest.mark.parametrize("raw", ["2027-02-30", "31/13/2027", "next week", "2027-13", ""])
def test_impossible_dates_are_refused_with_the_expected_form(raw):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date(raw, "expiry")


def test_codes_are_folded_to_upper_case_and_checked():
    assert parse_code(" dam-hub ") == "DAM-HUB"
    with pytest.raises(InvalidInput, match="not a valid code"):
        parse_code("bad code!")


def test_decimals_are_never_floats():
    assert parse_decimal("0,075", "volume") == Decimal("0.075")
    assert isinstance(parse_decimal(1.1, "weight"), Decimal)
    with pytest.raises(InvalidInput, match="at least 0"):
        parse_decimal("-1", "weight")
