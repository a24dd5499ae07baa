"""The one number parser: a reader's locale only, counts without decimals, a maximum, round trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import KINDS, PLACES, NumberError, check_number, number_example, number_text, parse_number

LOCALES = ("ro", "hu", "en")


@pytest.mark.parametrize(
    ("text", "locale", "kind", "expected"),
    [
        ("1.000", "ro", "count", Decimal(1000)),  # saved as 1 before: the Romanian thousands dot
        ("1,000", "en", "count", Decimal(1000)),
        ("1 000", "hu", "count", Decimal(1000)),  # a typed space is the Hungarian group separator
        ("1\u00a0000", "hu", "count", Decimal(1000)),
        ("1.234,56", "ro", "money", Decimal("1234.56")),
        ("1,234.56", "en", "money", Decimal("1234.56")),
        ("100.000", "ro", "money", Decimal(100000)),  # the PIN form and the plan's form agree now
        ("2,5", "ro", "decimal", Decimal("2.5")),
        ("2.5", "en", "decimal", Decimal("2.5")),
        ("  42 ", "ro", "count", Decimal(42)),
        ("12,5", "ro", "percent", Decimal("12.5")),
    ],
)
def test_reads_the_readers_way(text: str, locale: str, kind: str, expected: Decimal) -> None:
    assert parse_number(text, locale, kind) == expected


@pytest.mark.parametrize(
    ("text", "locale", "kind", "says"),
    [
        ("1.000", "en", "count", "zecimale"),  # an English reader's 1.000 is not one thousand, nor silently 1
        ("2,5", "ro", "count", "zecimale"),  # sessions are counted whole
        ("1,234.56", "ro", "money", "miile se despart cu „.”"),  # the other language's separators
        ("1.234,56", "en", "money", "miile se despart cu „,”"),
        ("1.00", "ro", "count", "nu este scris corect"),
        ("1_000", "ro", "count", "conține „_”"),
        ("١٢٣", "ro", "count", "conține"),  # Arabic-Indic digits
        ("12a", "ro", "count", "conține litere"),
        ("1 000", "ro", "count", "conține „ ”"),  # a space is no Romanian separator
        ("-5", "ro", "count", "negativă"),
        ("", "ro", "count", "Scrieți un număr"),
        ("-", "ro", "decimal", "nu este un număr"),
        ("1,234", "ro", "money", "Cel mult 2 zecimale"),
        ("101", "ro", "percent", "maximul"),
    ],
)
def test_refuses_with_a_reason(text: str, locale: str, kind: str, says: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text, locale, kind)
    assert says in caught.value.message


def test_max_is_enforced_and_named_in_the_readers_format() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("99999999999999", "ro", "count", max=100_000)
    assert "100.000" in caught.value.message
    with pytest.raises(NumberError) as caught:
        parse_number("200000", "en", "count", max=100_000)
    assert "100,000" in caught.value.message
    assert parse_number("100.000", "ro", "count", max=100_000) == 100_000


def test_numbers_that_arrive_as_numbers_obey_the_kind_too() -> None:
    assert check_number(1000, "count") == 1000
    assert check_number(1000.0, "count") == 1000
    assert check_number(0.1, "decimal") == Decimal("0.1")
    for bad, kind in ((Decimal("2.5"), "count"), (2.5, "count"), (-1, "count"), (True, "count"), ("12", "count"),
                      (Decimal("NaN"), "decimal"), (Decimal("1.234"), "money"), (10**15, "count")):
        with pytest.raises(NumberError):
            check_number(bad, kind)
    with pytest.raises(NumberError):
        check_number(Decimal(100_001), "count", max=100_000)
    assert check_number(-5, "decimal", negative=True) == -5


def test_hints_follow_the_language() -> None:
    assert number_example("ro", "money") == "1.234,56"
    assert number_example("en", "money") == "1,234.56"
    assert number_example("hu", "money") == "1\u00a0234,56"
    assert number_example("en", "count") == "1,234"


def test_values_are_shown_back_the_readers_way() -> None:
    assert number_text(Decimal("2.5"), "ro") == "2,5"
    assert number_text(Decimal(1000), "ro", "count") == "1.000"
    assert number_text(Decimal("1000.00"), "en") == "1,000"
    assert number_text(Decimal("1234.5"), "ro", "money") == "1.234,50"
    assert number_text(None, "ro") == ""


def _values(kind: str) -> st.SearchStrategy[Decimal]:
    top = 100 if kind == "percent" else 10**12 - 1
    return st.decimals(min_value=0, max_value=top, places=PLACES[kind], allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("locale", LOCALES)
@given(data=st.data())
def test_format_then_parse_round_trips(locale: str, kind: str, data: st.DataObject) -> None:
    value = data.draw(_values(kind))
    assert parse_number(number_text(value, locale, kind), locale, kind) == value


@pytest.mark.parametrize("locale", LOCALES)
@given(text=st.text(alphabet="0123456789.,  _-abc١", max_size=12))
def test_anything_typed_is_a_number_or_a_reason(locale: str, text: str) -> None:
    try:
        value = parse_number(text, locale, "count")
    except NumberError as exc:
        assert exc.message
    else:
        assert value == value.to_integral_value() and 0 <= value <= 10**12
