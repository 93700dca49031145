"""Reading a consignor's packing list (the pre-advice of goods on their way), all or nothing.

Packing lists come from many organisations, as CSV or XLSX, with HXL tags or with their
own headers; :data:`PACKING_LIST_COLUMNS` knows the usual names and the columns are
guessed from them (see :func:`aidhub.interop.tables.guess_mapping`). Every row is checked
and every problem is reported at once, by row and by the column header the file uses.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aidhub.domain.catalog import gs1_check_digit
from aidhub.domain.errors import InvalidInput
from aidhub.domain.values import parse_date, parse_quantity
from aidhub.interop.problems import Problem, rejected
from aidhub.interop.tables import ColumnChoice, read_source, read_table

# Order matters where names overlap: the first field claims an exact header or HXL tag.
PACKING_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_code": ("item_code", "item code", "code", "item no", "item nr", "item number",
                  "article", "article no", "article code", "product code", "sku",
                  "material", "material no", "part no", "catalogue code", "catalog code",
                  "#item+code"),
    "description": ("description", "item description", "item", "item name", "name",
                    "goods", "description of goods", "goods description", "commodity",
                    "product", "product name", "designation", "article description",
                    "الوصف", "наименование", "описание",
                    "#item+name", "#item+description", "#item+desc"),
    "quantity": ("quantity", "qty", "quantity shipped", "qty shipped", "shipped qty",
                 "number of units", "no of units", "quantite", "cantidad", "الكمية",
                 "количество", "кол во", "#item+quantity", "#item+qty", "#quantity"),
    "unit": ("unit", "uom", "u m", "unit of measure", "unit of measurement", "unit of issue",
             "packaging unit", "unite", "unidad", "الوحدة", "единица", "ед изм",
             "#item+unit", "#item+uom"),
    "batch": ("batch", "batch no", "batch nr", "batch number", "lot", "lot no", "lot number",
              "batch lot", "lot batch", "numero de lot", "lote", "رقم التشغيلة", "التشغيلة",
              "партия", "серия", "#item+batch", "#item+lot"),
    "expiry": ("expiry", "expiry date", "exp date", "expiration", "expiration date",
               "expires", "best before", "use by", "bbd", "date de peremption",
               "fecha de caducidad", "تاريخ الانتهاء", "تاريخ انتهاء الصلاحية",
               "срок годности", "годен до", "#date+expiry", "#item+expiry", "#date+expires"),
    "weight_kg": ("weight_kg", "gross weight", "gross wt", "gw", "weight", "total weight",
                  "total gross weight", "poids brut", "peso bruto", "الوزن الإجمالي",
                  "الوزن", "вес брутто", "вес", "#item+weight+gross", "#item+weight"),
    "volume_m3": ("volume_m3", "volume", "cbm", "m3", "cubic metres", "cubic meters",
                  "total volume", "total cbm", "الحجم", "объем", "#item+volume"),
    # A value per unit is turned into the line's value (times the quantity).
    "unit_value": ("unit value", "unit price", "price", "unit cost", "price per unit",
                   "prix unitaire", "precio unitario", "#value+unit"),
    "value": ("value", "total value", "line value", "amount", "total amount", "total price",
              "valeur", "valor", "القيمة", "стоимость", "#value+total", "#value"),
    "currency": ("currency", "curr", "ccy", "devise", "moneda", "العملة", "валюта",
                 "#currency"),
    "donor": ("donor", "donor name", "funded by", "funder", "bailleur", "المانح", "донор",
              "#org+donor", "#org+funder"),
    "earmark": ("earmark", "earmarked for", "earmarking", "reserved for", "allocated to",
                "#meta+earmark", "#item+earmark"),
    "sscc": ("sscc", "sscc code", "sscc no", "sscc number", "pallet sscc", "pallet id",
             "serial shipping container code", "#item+sscc", "#meta+sscc"),
}
PACKING_LIST_REQUIRED: tuple[str | tuple[str, ...], ...] = (
    "quantity", "unit", ("item_code", "description"))

_MAX_LENGTH = {"item_code": 60, "description": 500, "unit": 30, "batch": 60, "donor": 200,
               "earmark": 200}
_TOTALS = frozenset({"total", "totals", "grand total", "sub total", "subtotal"})
_CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_HEADER_CURRENCIES = frozenset({
    "USD", "EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD", "JPY", "SYP", "TRY",
    "JOD", "LBP", "IQD", "SAR", "AED", "EGP", "YER", "SDG", "UAH", "RUB", "KES", "ETB"})


@dataclass(frozen=True)
class PackingLine:
    """One line of a packing list, checked. Absent text is '', absent numbers None.

    ``weight_kg`` is the line's gross weight, ``value`` its declared value (in
    ``currency``); codes (item code, currency, SSCC) are upper case, the unit lower case.
    """

    row: int
    item_code: str
    description: str
    quantity: int
    unit: str
    batch: str = ""
    expiry: dt.date | None = None
    weight_kg: Decimal | None = None
    volume_m3: Decimal | None = None
    value: Decimal | None = None
    currency: str = ""
    donor: str = ""
    earmark: str = ""
    sscc: str = ""


@dataclass(frozen=True)
class PackingList:
    """A packing list read in full: its lines, the SHA-256 of the file (to spot the same
    file sent twice) and the column each field was read from."""

    lines: tuple[PackingLine, ...]
    content_hash: str
    mapping: Mapping[str, ColumnChoice]

    def column(self, field: str) -> str:
        """The header the file gives the field's column (the field's name if none)."""
        choice = self.mapping.get(field)
        return choice.label if choice is not None else field


def parse_packing_list(source: Path | str | bytes,
                       mapping: Mapping[str, int | str | None] | None = None, *,
                       sheet: int | str | None = None,
                       header_row: int | None = None) -> PackingList:
    """Read and check a packing list (CSV or XLSX), all or nothing.

    ``mapping`` is a confirmed {field: column index or header} (see
    :func:`aidhub.interop.tables.read_table`); without it the columns are guessed.
    Title rows above the header and rows whose code and description only say 'Total' are
    passed over. Raises :class:`aidhub.interop.problems.RejectedFile` listing every problem.
    """
    data = read_source(source)
    table = read_table(data, PACKING_LIST_COLUMNS, PACKING_LIST_REQUIRED, mapping,
                       sheet=sheet, header_row=header_row)
    if not len(table):
        raise InvalidInput("the packing list has a header but no lines; add the goods below "
                           "the header (row %(header)s)", header=table.header_row)
    label = {f: c.label for f, c in table.columns.items()}
    header_currency = ""
    if "currency" not in table.columns:
        found = [_currency_in(label[f]) for f in ("value", "unit_value") if f in label]
        header_currency = next((c for c in found if c), "")
    lines: list[PackingLine] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for number, fields in table:
        if _is_total(fields):
            continue
        reader = _RowReader(number, fields, label)
        line = reader.line(header_currency)
        sscc = reader.sscc_code
        if sscc and sscc in first_row:
            reader.problem("sscc", "SSCC %(sscc)s is also on row %(other)s; each "
                           "pallet has its own SSCC, so check the pallet labels of both rows",
                           sscc=sscc, other=first_row[sscc])
            line = None
        elif sscc:
            first_row[sscc] = number
        problems.extend(reader.problems)
        if line is not None and not reader.problems:
            lines.append(line)
    if problems:
        raise rejected(problems)
    digest = hashlib.sha256(data).hexdigest()
    return PackingList(tuple(lines), digest, dict(table.columns))


def check_units(lines: PackingList | Iterable[PackingLine],
                catalog_units: Mapping[str, str]) -> list[Problem]:
    """Lines whose unit is not the inventory unit of their item in the catalog.

    ``catalog_units`` maps item codes to inventory units; lines with no code or an unknown
    one are not checked. Common spellings count as the same unit ('pcs' is 'piece').
    """
    column = lines.column("unit") if isinstance(lines, PackingList) else "unit"
    items = lines.lines if isinstance(lines, PackingList) else lines
    known = {code.strip().upper(): unit for code, unit in catalog_units.items()}
    problems = []
    for line in items:
        unit = known.get(line.item_code)
        if unit is None or unit_key(unit) == unit_key(line.unit):
            continue
        problems.append(Problem(
            line.row, column,
            "%(code)s is counted in '%(unit)s' in the catalog, not '%(given)s'; "
            "give the quantity in '%(unit)s' (ask the consignor how many '%(unit)s' a "
            "'%(given)s' holds) or choose another item", "unit",
            {"code": line.item_code, "unit": unit, "given": line.unit}))
    return problems


_UNIT_ALIASES = {
    "pc": "piece", "pcs": "piece", "ea": "piece", "each": "piece", "no": "piece",
    "nos": "piece", "pce": "piece", "pces": "piece", "unit": "piece", "units": "piece",
    "ctn": "carton", "ctns": "carton", "cartons": "carton", "bx": "box", "boxes": "box",
    "pk": "pack", "pkt": "pack", "pkts": "pack", "packet": "pack", "packets": "pack",
    "btl": "bottle", "btls": "bottle", "kits": "kit", "bags": "bag", "sacks": "bag",
    "sack": "bag", "drums": "drum", "tins": "tin", "cans": "tin", "can": "tin",
    "rolls": "roll", "sets": "set", "pairs": "pair", "pr": "pair", "vials": "vial",
    "kgs": "kg", "kilogram": "kg", "kilograms": "kg", "litre": "l", "liter": "l",
    "litres": "l", "liters": "l", "ltr": "l", "tonne": "t", "tonnes": "t", "mt": "t",
}


def unit_key(unit: str) -> str:
    """A unit reduced to one spelling, to compare units ('Pcs.' and 'piece' are equal)."""
    text = unit.strip().lower().rstrip(".")
    text = _UNIT_ALIASES.get(text, text)
    return text[:-1] if text.endswith("s") and len(text) > 3 else text


# Checking one row ------------------------------------------------------------------------
class _RowReader:
    """Reads one row's fields, noting a :class:`Problem` for each bad cell."""

    def __init__(self, row: int, fields: dict[str, str], labels: dict[str, str]):
        self.row, self.fields, self.labels = row, fields, labels
        self.problems: list[Problem] = []
        self.sscc_code = ""

    def problem(self, field: str, message: str, **values: object) -> None:
        """Note a problem in the field's cell: ``message`` is a template ``values`` fill."""
        self.problems.append(Problem(self.row, self.labels.get(field, field), message, field,
                                     values))

    def error(self, field: str, error: InvalidInput) -> None:
        """Note the problem an error found in the field's cell (its message without where
        it happened, as the error's own template and values)."""
        self.problems.append(Problem.of(self.row, self.labels.get(field, field), error, field))

    def text(self, field: str) -> str:
        value = " ".join(self.fields.get(field, "").split())
        limit = _MAX_LENGTH.get(field)
        if limit is not None and len(value) > limit:
            self.problem(field, "the text is %(length)s characters long; shorten it to "
                         "at most %(limit)s", length=len(value), limit=limit)
        return value

    def line(self, header_currency: str) -> PackingLine | None:
        code, description = self.text("item_code").upper(), self.text("description")
        if not code and not description:
            field = "description" if "description" in self.labels else "item_code"
            self.problem(field, "the goods are not named; give an item code or a "
                         "description (or delete the row if it is not goods)")
        quantity = self.quantity()
        unit = self.text("unit").lower()
        if not unit:
            self.problem("unit", "the unit is missing; give the unit the quantity is "
                         "counted in (piece, box, carton, bag...)")
        batch = self.text("batch")
        expiry = self.expiry()
        weight = self.amount("weight_kg", "a weight")
        volume = self.amount("volume_m3", "a volume")
        value = self.amount("value", "a value")
        unit_value = self.amount("unit_value", "a value")
        if value is None and unit_value is not None and quantity is not None:
            value = unit_value * quantity
        currency = self.currency() or (header_currency if value is not None else "")
        sscc = self.sscc_code = self.sscc()
        donor, earmark = self.text("donor"), self.text("earmark")
        if quantity is None or self.problems:
            return None
        return PackingLine(self.row, code, description, quantity, unit, batch, expiry,
                           weight, volume, value, currency, donor, earmark, sscc)

    def quantity(self) -> int | None:
        raw = self.fields.get("quantity", "").strip()
        if not raw:
            self.problem("quantity", "the quantity is missing; give the number of units "
                         "shipped (a whole number)")
            return None
        if re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+", raw):
            self.problem("quantity", "'%(raw)s' could be %(whole)s or %(decimal)s; write the "
                         "quantity without separators", raw=raw, whole=raw.replace(".", ""),
                         decimal=format(Decimal(raw).normalize(), "f"))
            return None
        if re.fullmatch(r"\d{1,3}([,'\u00a0\u202f ]\d{3})+", raw):  # 1,500 or 12 000
            raw = re.sub(r"\D", "", raw)
        try:
            return parse_quantity(raw)
        except InvalidInput as exc:
            self.error("quantity", exc)
            return None

    def expiry(self) -> dt.date | None:
        raw = self.fields.get("expiry", "").strip()
        if not raw:
            return None
        try:
            return parse_date(raw, "expiry")
        except InvalidInput as exc:
            self.error("expiry", _impossible_date(raw) or exc)
            return None

    def amount(self, field: str, what: str) -> Decimal | None:
        """The field's number; ``what`` ("a weight", "a volume" or "a value") names it in
        the problems."""
        raw = self.fields.get(field, "").strip()
        if not raw:
            return None
        text = re.sub(r"[\s'\u00a0\u202f]", "", raw)
        if re.fullmatch(r"-?[1-9]\d{0,2},\d{3}", text):
            whole, fraction = text.replace("-", "").split(",")
            self.problem(field, "'%(raw)s' could be %(whole)s or %(decimal)s; write it "
                         "without a thousands separator, with '.' for decimals", raw=raw,
                         whole=whole + fraction, decimal=whole + "." + fraction)
            return None
        if "," in text and "." in text:  # the last one is the decimal separator
            grouping = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(grouping, "").replace(",", ".")
        elif text.count(",") > 1 or text.count(".") > 1:
            text = text.replace(",", "").replace(".", "") if re.fullmatch(
                r"-?\d{1,3}([,.]\d{3})+", text) else "?"
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            if what == "a weight":
                self.problem(field, "'%(raw)s' is not a number; write a weight as digits, "
                             "for example 12.5", raw=raw)
            elif what == "a volume":
                self.problem(field, "'%(raw)s' is not a number; write a volume as digits, "
                             "for example 12.5", raw=raw)
            else:
                self.problem(field, "'%(raw)s' is not a number; write a value as digits, "
                             "for example 12.5", raw=raw)
            return None
        if number < 0:
            if what == "a weight":
                self.problem(field, "%(raw)s is negative; a weight cannot be below zero",
                             raw=raw)
            elif what == "a volume":
                self.problem(field, "%(raw)s is negative; a volume cannot be below zero",
                             raw=raw)
            else:
                self.problem(field, "%(raw)s is negative; a value cannot be below zero",
                             raw=raw)
            return None
        return number

    def currency(self) -> str:
        raw = self.fields.get("currency", "").strip()
        code = _CURRENCY_SIGNS.get(raw, raw.upper())
        if code and not re.fullmatch(r"[A-Z]{3}", code):
            self.problem("currency", "'%(raw)s' is not a currency code; use the three-letter "
                         "ISO code (USD, EUR, CHF...)", raw=raw)
            return ""
        return code

    def sscc(self) -> str:
        raw = self.fields.get("sscc", "").strip()
        if not raw:
            return ""
        digits = re.sub(r"[\s\u00a0]", "", raw)
        digits = digits.removeprefix("(00)")
        if len(digits) == 20 and digits.startswith("00"):
            digits = digits[2:]
        if not (digits.isascii() and digits.isdigit() and len(digits) == 18):
            self.problem("sscc", "'%(raw)s' is not an SSCC; an SSCC has 18 digits (copy it "
                         "from the pallet label, with or without the leading (00))", raw=raw)
            return ""
        check = gs1_check_digit(digits[:-1])
        if check != int(digits[-1]):
            self.problem("sscc", "'%(raw)s' has a wrong check digit (the last digit should "
                         "be %(check)s); copy it again from the pallet label. If the file "
                         "comes from a spreadsheet, format the column as text: long "
                         "numbers lose their last digits", raw=raw, check=check)
            return ""
        return digits


def _impossible_date(raw: str) -> InvalidInput | None:
    """Why a date-shaped text is no date (31/02/2026), or None if it is not date-shaped."""
    iso = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", raw)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month, year = (int(g) for g in dmy.groups())
    else:
        return None
    if not 1 <= month <= 12:
        return InvalidInput("'%(raw)s' has no month %(month)s; write dates as YYYY-MM-DD (or "
                            "day/month/year)", raw=raw, month=month)
    try:
        dt.date(year, month, day)
    except ValueError:
        name = dt.date(2000, month, 1).strftime("%B")
        return InvalidInput("'%(raw)s' is not a real date: there is no %(day)s %(name)s "
                            "%(year)s; check the day and month on the pack", raw=raw, day=day,
                            name=name, year=year)
    return None


def _is_total(fields: dict[str, str]) -> bool:
    names = [" ".join(fields.get(f, "").lower().replace(":", " ").split())
             for f in ("item_code", "description")]
    named = [n for n in names if n]
    return bool(named) and all(n in _TOTALS for n in named)


def _currency_in(header: str) -> str:
    """The currency a header names ('Unit value USD', 'Value (€)'), or ''."""
    for sign, code in _CURRENCY_SIGNS.items():
        if sign in header:
            return code
    found = [w for w in re.findall(r"[A-Za-z]+", header) if w.upper() in _HEADER_CURRENCIES]
    return found[0].upper() if found else ""
