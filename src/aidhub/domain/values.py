"""Parsing and checking the small values users type: codes, quantities, dates, decimals.

Every parser raises :class:`InvalidInput` naming the field and the expected form.
"""

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from aidhub.domain.errors import InvalidInput

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")


def parse_code(raw: object, field: str = "code") -> str:
    """A record code: 1-40 upper-case letters, digits, '.', '_' or '-'. Lower case is folded."""
    if isinstance(raw, str):
        return _parse_code_text(raw, field)
    return _parse_code_text(str(raw or ""), field)


@functools.lru_cache(maxsize=4096)
def _parse_code_text(raw: str, field: str) -> str:
    text = raw.strip().upper()
    if not _CODE.match(text):
        raise InvalidInput(
            "'%(value)s' is not a valid code; use 1 to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field=field, value=raw,
        )
    return text


#: The largest quantity one line may hold: far beyond any real consignment, and small
#: enough that sums of many lines stay inside the database's 64-bit integers.
MAX_QUANTITY = 10**15


def parse_quantity(raw: object, field: str = "quantity", *, allow_zero: bool = False) -> int:
    """A quantity in inventory units: a whole number greater than zero (and at most
    :data:`MAX_QUANTITY`)."""
    if isinstance(raw, bool):
        raise InvalidInput("%(value)r is not a quantity", field=field, value=raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(
                "'%(value)s' is not a number; give a whole number of inventory units",
                field=field, value=raw,
            ) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise InvalidInput(
                "'%(value)s' is not a whole number; quantities are counted in inventory units "
                "(count the pieces, or use the item's smaller unit)",
                field=field, value=raw,
            )
        if abs(number) > MAX_QUANTITY:  # before int(): 1e999999999 would take minutes
            raise _too_large(raw, field)
        value = int(number)
    if value > MAX_QUANTITY:
        raise _too_large(raw, field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput("%(value)s is not allowed; the quantity must be above zero",
                           field=field, value=value)
    return value


def _too_large(raw: object, field: str) -> InvalidInput:
    return InvalidInput("'%(value)s' is too large for a quantity (at most %(most)s); "
                        "check the number of units", field=field, value=raw,
                        most=format(MAX_QUANTITY, ","))


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(raw: object, field: str = "date") -> dt.date:
    """A calendar date, preferably ISO 8601 (2027-03-31); also 31/03/2027 and 31.03.2027.

    A month alone (2027-03) means the last day of that month, as printed on many packs.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if month:
        a, b = month.groups()
        year, mon = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if 1 <= mon <= 12:
            next_month = dt.date(year + mon // 12, mon % 12 + 1, 1)
            return next_month - dt.timedelta(days=1)
    raise InvalidInput(
        "'%(value)s' is not a date; write it as YYYY-MM-DD (for example 2027-03-31)",
        field=field, value=raw,
    )


def parse_decimal(raw: object, field: str, *, minimum: Decimal = Decimal(0)) -> Decimal:
    """A non-negative decimal (weights, volumes, money). Never a float."""
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace(",", ".") if not isinstance(raw, Decimal) else raw
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("'%(value)s' is not a number", field=field, value=raw) from None
    if not value.is_finite() or value < minimum:
        raise InvalidInput("%(value)s is not allowed; it must be at least %(minimum)s",
                           field=field, value=raw, minimum=minimum)
    return value


def parse_flag(raw: object, field: str) -> bool:
    """yes/no, true/false, 1/0 (empty means no)."""
    text = str(raw or "").strip().lower()
    if text in ("yes", "y", "true", "1", "x"):
        return True
    if text in ("no", "n", "false", "0", ""):
        return False
    raise InvalidInput("'%(value)s' is not yes or no", field=field, value=raw)


def parse_optional(raw: object) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return text or None
