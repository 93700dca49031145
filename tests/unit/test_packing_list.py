"""Reading packing lists: any common layout in, checked lines or every problem out."""

import csv
import dataclasses
import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from aidhub.domain.catalog import gs1_check_digit
from aidhub.domain.errors import InvalidInput
from aidhub.interop.packing_list import (
    PackingLine,
    check_units,
    parse_packing_list,
    unit_key,
)
from aidhub.interop.problems import MAX_SHOWN, Problem, RejectedFile, rejected

HEADER = ["Item Code", "Item Description", "Qty", "UOM", "Batch No.", "Exp. Date",
          "Gross Wt (kg)", "CBM", "Value", "Currency", "Donor", "Earmark", "SSCC"]
FIELDS = ["item_code", "description", "quantity", "unit", "batch", "expiry", "weight_kg",
          "volume_m3", "value", "currency", "donor", "earmark", "sscc"]
COLUMN_OF = dict(zip(FIELDS, HEADER, strict=True))
TAGS = ["#item+code", "#item+name", "#item+quantity", "#item+unit", "#item+batch",
        "#date+expiry", "#item+weight+gross", "#item+volume", "#value+total", "#currency",
        "#org+donor", "#meta+earmark", "#item+sscc"]


def sscc(serial: int) -> str:
    body = f"03761042{serial:09d}"
    return body + str(gs1_check_digit(body))


def to_csv(rows, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode()


def to_xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


RICE = ["FOOD-RICE-25KG", "Rice, white, 25 kg bag", "400", "bag", "B-2291", "2027-03-31",
        "10040.5", "14", "9200.00", "USD", "ECHO", "Idlib", sscc(1)]
TENT = ["shel-tent", "Family tent", "25", "Piece", "", "", "1250", "3.5", "", "", "ECHO",
        "", ""]
RICE_LINE = PackingLine(2, "FOOD-RICE-25KG", "Rice, white, 25 kg bag", 400, "bag", "B-2291",
                        dt.date(2027, 3, 31), Decimal("10040.5"), Decimal(14),
                        Decimal("9200.00"), "USD", "ECHO", "Idlib", sscc(1))
TENT_LINE = PackingLine(3, "SHEL-TENT", "Family tent", 25, "piece", "", None, Decimal(1250),
                        Decimal("3.5"), None, "", "ECHO", "", "")


def test_ordinary_headers():
    data = to_csv([HEADER, RICE, TENT])
    packing = parse_packing_list(data)
    assert packing.lines == (RICE_LINE, TENT_LINE)
    assert packing.content_hash == hashlib.sha256(data).hexdigest()
    assert {f: c.header for f, c in packing.mapping.items()} == COLUMN_OF
    assert packing.column("weight_kg") == "Gross Wt (kg)"


def test_hxl_tags_whatever_the_headers():
    header = ["Artikel", "Bezeichnung", "Menge", "Einheit", "Charge", "Verfall", "Brutto",
              "Volumen", "Wert", "Währung", "Geber", "Zweck", "Palette"]
    packing = parse_packing_list(to_csv([header, TAGS, RICE, TENT]))
    assert [line.row for line in packing.lines] == [3, 4]
    assert packing.lines[0] == dataclasses.replace(RICE_LINE, row=3)
    assert {c.how for c in packing.mapping.values()} == {"hxl"}


def test_semicolon_csv_with_decimal_commas_and_a_bom():
    rows = [HEADER, [c.replace(".", ",") if i in (6, 7, 8) else c for i, c in enumerate(RICE)],
            TENT]
    packing = parse_packing_list(b"\xef\xbb\xbf" + to_csv(rows, ";"))
    assert packing.lines == (RICE_LINE, TENT_LINE)


def test_xlsx_with_date_and_number_cells():
    rice = ["FOOD-RICE-25KG", "Rice, white, 25 kg bag", 400, "bag", "B-2291",
            dt.datetime(2027, 3, 31), 10040.5, 14, 9200.0, "USD", "ECHO", "Idlib", sscc(1)]
    tent = ["shel-tent", "Family tent", 25.0, "Piece", None, None, 1250, 3.5, None, None,
            "ECHO", None, None]
    packing = parse_packing_list(to_xlsx([HEADER, rice, tent]))
    assert packing.lines == (RICE_LINE, TENT_LINE)


def test_a_title_block_and_a_totals_row_are_passed_over():
    rows = [["PACKING LIST No. 2026/114"], ["Consignor:", "Some NGO"], [], HEADER, RICE, TENT,
            ["", "TOTAL", "425", "", "", "", "11290.5", "17.5"]]
    packing = parse_packing_list(to_xlsx(rows))
    assert [line.row for line in packing.lines] == [5, 6]


def test_messy_headers_are_guessed():
    header = ["No.", "Descripton of goods", "Quantitiy", "Unit of measure", "Lot number",
              "Expiry", "Gross weight kg", "Unit price (EUR)", "Remarks"]
    row = ["1", "Blanket", "1,500", "pcs", "L7", "12/2028", "2 250.5", "4.20", "urgent"]
    packing = parse_packing_list(to_csv([header, row]))
    line, = packing.lines
    assert (line.description, line.quantity, line.unit, line.batch, line.expiry) == \
        ("Blanket", 1500, "pcs", "L7", dt.date(2028, 12, 31))
    assert (line.weight_kg, line.value, line.currency) == \
        (Decimal("2250.5"), Decimal("6300.00"), "EUR")
    how = {f: c.how for f, c in packing.mapping.items()}
    assert how["description"] == how["quantity"] == "guessed"
    assert "Remarks" not in {c.header for c in packing.mapping.values()}


def test_a_confirmed_mapping_overrides_the_guess():
    header = ["Description", "Qty (cartons)", "Qty (pieces)", "Unit"]
    data = to_csv([header, ["Soap bars", "10", "720", "carton"]])
    assert parse_packing_list(data).lines[0].quantity == 10  # the first 'qty' column
    chosen = {"description": 0, "quantity": "Qty (pieces)", "unit": None}
    with pytest.raises(InvalidInput, match="no column for 'unit'"):
        parse_packing_list(data, chosen)
    packing = parse_packing_list(to_csv([[*header, "UOM"], ["Soap bars", "10", "720",
                                                           "carton", "piece"]]),
                                 {**chosen, "unit": "UOM"})
    assert (packing.lines[0].quantity, packing.lines[0].unit) == (720, "piece")


def test_a_file_without_goods_columns_is_refused():
    with pytest.raises(InvalidInput, match="no column for 'item_code' or 'description'"):
        parse_packing_list(to_csv([["Qty", "Unit"], ["1", "bag"]]))
    with pytest.raises(InvalidInput, match="header but no lines"):
        parse_packing_list(to_csv([HEADER]))


@pytest.mark.parametrize(("column", "value", "message"), [
    ("Qty", "", "row 2, column 'Qty': the quantity is missing"),
    ("Qty", "ten", "row 2, column 'Qty': 'ten' is not a number"),
    ("Qty", "2.5", "row 2, column 'Qty': '2.5' is not a whole number"),
    ("Qty", "0", "row 2, column 'Qty': 0 is not allowed; the quantity must be above zero"),
    ("Qty", "-4", "row 2, column 'Qty': -4 is not allowed"),
    ("Qty", "2.000", "row 2, column 'Qty': '2.000' could be 2000 or 2; write the quantity"),
    ("UOM", "", "row 2, column 'UOM': the unit is missing"),
    ("Exp. Date", "31/02/2026",
     "row 2, column 'Exp. Date': '31/02/2026' is not a real date: there is no 31 February "
     "2026; check the day and month"),
    ("Exp. Date", "2026-13-01", "'2026-13-01' has no month 13"),
    ("Exp. Date", "soon", "'soon' is not a date; write it as YYYY-MM-DD"),
    ("Gross Wt (kg)", "-12", "row 2, column 'Gross Wt (kg)': -12 is negative; a weight "
     "cannot be below zero"),
    ("Gross Wt (kg)", "1,250", "'1,250' could be 1250 or 1.250"),
    ("CBM", "lots", "row 2, column 'CBM': 'lots' is not a number"),
    ("Currency", "dollars", "'dollars' is not a currency code"),
    ("SSCC", "12345", "'12345' is not an SSCC; an SSCC has 18 digits"),
    ("SSCC", sscc(1)[:-1] + str((int(sscc(1)[-1]) + 1) % 10),
     f"has a wrong check digit (the last digit should be {sscc(1)[-1]})"),
])
def test_each_bad_cell_is_named_with_its_fix(column, value, message):
    row = list(RICE)
    row[HEADER.index(column)] = value
    with pytest.raises(RejectedFile) as caught:
        parse_packing_list(to_csv([HEADER, row]))
    text = str(caught.value)
    assert text.startswith("nothing was imported; fix these 1 problem(s) and try again:\n")
    assert message in text


def test_a_line_needs_a_code_or_a_description():
    row = list(RICE)
    row[0] = row[1] = ""
    with pytest.raises(RejectedFile, match="row 2, column 'Item Description': the goods are "
                       "not named; give an item code or a description"):
        parse_packing_list(to_csv([HEADER, row]))


def test_sscc_with_its_application_identifier_is_accepted():
    row = list(RICE)
    row[-1] = f"(00) {sscc(1)}"
    assert parse_packing_list(to_csv([HEADER, row])).lines[0].sscc == sscc(1)


def test_a_duplicate_sscc_names_both_rows():
    other = list(RICE)
    with pytest.raises(RejectedFile) as caught:
        parse_packing_list(to_csv([HEADER, RICE, TENT, other]))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.field) == (4, "SSCC", "sscc")
    assert problem.text() == (f"SSCC {sscc(1)} is also on row 2; each pallet has its own "
                              "SSCC, so check the pallet labels of both rows")


def test_more_than_twenty_problems_are_counted():
    rows = [HEADER] + [[f"X{i}", "x", "none", "bag"] + [""] * 9 for i in range(25)]
    with pytest.raises(RejectedFile) as caught:
        parse_packing_list(to_csv(rows))
    text = str(caught.value)
    assert text.startswith("nothing was imported; fix these 25 problem(s)")
    assert len(text.splitlines()) == 1 + MAX_SHOWN + 1 and text.endswith("... and 5 more")
    assert len(caught.value.problems) == 25


def test_the_shared_message_format():
    error = rejected([Problem(3, "Qty", "fix it", "quantity"), "row 4, field 'x': also"])
    assert str(error) == ("nothing was imported; fix these 2 problem(s) and try again:\n"
                          "row 3, column 'Qty': fix it\nrow 4, field 'x': also")
    assert isinstance(error, InvalidInput)


# units -----------------------------------------------------------------------------------
def test_units_are_checked_against_the_catalog():
    packing = parse_packing_list(to_csv([HEADER, RICE, TENT]))
    assert check_units(packing, {"FOOD-RICE-25KG": "bag", "SHEL-TENT": "piece"}) == []
    problems = check_units(packing, {"FOOD-RICE-25KG": "carton", "OTHER": "kit"})
    assert [str(p) for p in problems] == [
        "row 2, column 'UOM': FOOD-RICE-25KG is counted in 'carton' in the catalog, not "
        "'bag'; give the quantity in 'carton' (ask the consignor how many 'carton' a 'bag' "
        "holds) or choose another item"]
    assert check_units(packing.lines, {"shel-tent": "kit"})[0].column == "unit"


@pytest.mark.parametrize(("a", "b"), [("pcs", "piece"), ("Pcs.", "piece"), ("EA", "piece"),
                                      ("Bags", "bag"), ("CTN", "carton"), ("boxes", "box"),
                                      ("tablets", "tablet"), ("Kits", "kit")])
def test_spellings_of_one_unit_are_the_same_unit(a, b):
    assert unit_key(a) == unit_key(b)


def test_different_units_differ():
    assert unit_key("carton") != unit_key("piece")
    assert unit_key("kg") != unit_key("g")


# property: every corrupted row, and only those, is reported -------------------------------
words = st.sampled_from(["rice", "flour", "tent", "soap", "kit", "blanket", "oil", "bucket"])
good_rows = st.lists(
    st.fixed_dictionaries({
        "item_code": st.from_regex(r"[A-Z][A-Z0-9-]{0,10}", fullmatch=True),
        "description": st.lists(words, min_size=1, max_size=4).map(" ".join),
        "quantity": st.integers(1, 10**6),
        "unit": st.sampled_from(["piece", "bag", "carton", "kit"]),
        "batch": st.from_regex(r"[A-Z0-9]{0,8}", fullmatch=True),
        "expiry": st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2040, 12, 31)),
        "weight_kg": st.none() | st.decimals(0, 99999, places=2),
        "donor": st.sampled_from(["", "ECHO", "BHA"]),
        "sscc": st.booleans(),
    }),
    min_size=1, max_size=30,
)
BAD = {
    "quantity": ["ten", "0", "-3", "2.5", ""],
    "unit": [""],
    "description": ["<no name>"],
    "expiry": ["31/02/2026", "2026-02-30", "29/02/2027", "2026-13-01", "next year"],
    "weight_kg": ["-1.5", "-0.01", "heavy"],
    "sscc": ["<bad check digit>", "<duplicate>", "12345"],
}


@st.composite
def corrupted(draw):
    """Good rows, then some of them (at least one) spoilt in one to three columns."""
    rows = draw(good_rows)
    rows[0]["sscc"] = True  # the SSCC other rows may copy
    bad: dict[int, dict[str, str]] = {}
    while not bad:
        for index in draw(st.sets(st.integers(0, len(rows) - 1), min_size=1)):
            fields = draw(st.sets(st.sampled_from(sorted(BAD)), min_size=1, max_size=3))
            if index == 0:
                fields.discard("sscc")
            if fields:
                bad[index] = {f: draw(st.sampled_from(BAD[f])) for f in fields}
    return rows, bad, draw(KINDS)


KINDS = st.sampled_from(["csv", "semicolon", "xlsx"])


def cells(index: int, row: dict, bad: dict[str, str], kind: str) -> list:
    """The row as written: native cells in XLSX, text in CSV; corrupted where told."""
    xlsx = kind == "xlsx"
    values = {
        "item_code": row["item_code"], "description": row["description"],
        "quantity": row["quantity"] if xlsx else str(row["quantity"]),
        "unit": row["unit"], "batch": row["batch"],
        "expiry": row["expiry"] if xlsx else (row["expiry"] or ""),
        "weight_kg": row["weight_kg"],
        "donor": row["donor"], "sscc": sscc(index) if row["sscc"] else "",
    }
    if not xlsx:
        values["expiry"] = values["expiry"] and values["expiry"].strftime(
            "%d/%m/%Y" if index % 2 else "%Y-%m-%d")
    if values["weight_kg"] is not None:
        values["weight_kg"] = float(values["weight_kg"]) if xlsx else str(values["weight_kg"])
    for field, value in bad.items():
        if value == "<no name>":
            values["item_code"] = values["description"] = ""
        elif value == "<bad check digit>":
            good = sscc(index)
            values["sscc"] = good[:-1] + str((int(good[-1]) + 1) % 10)
        elif value == "<duplicate>":
            values["sscc"] = sscc(0)
        else:
            values[field] = value
    return [values[f] if values.get(f) is not None else ("" if not xlsx else None)
            for f in ("item_code", "description", "quantity", "unit", "batch", "expiry",
                      "weight_kg", "donor", "sscc")]


PROPERTY_HEADER = ["Item Code", "Item Description", "Qty", "UOM", "Batch No.", "Exp. Date",
                   "Gross Wt (kg)", "Donor", "SSCC"]


def write_file(rows, bad, kind) -> bytes:
    table = [PROPERTY_HEADER] + [cells(i, r, bad.get(i, {}), kind) for i, r in enumerate(rows)]
    if kind == "xlsx":
        return to_xlsx(table)
    return to_csv(table, ";" if kind == "semicolon" else ",")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(good_rows, KINDS)
def test_a_good_file_parses_to_exactly_the_rows_written(rows, kind):
    packing = parse_packing_list(write_file(rows, {}, kind))
    assert [(line.row, line.item_code, line.description, line.quantity, line.unit,
             line.batch, line.expiry, line.weight_kg, line.donor, line.sscc)
            for line in packing.lines] == [
        (i + 2, r["item_code"], r["description"], r["quantity"], r["unit"], r["batch"],
         r["expiry"], r["weight_kg"], r["donor"], sscc(i) if r["sscc"] else "")
        for i, r in enumerate(rows)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_every_bad_row_and_only_those_is_reported(case):
    rows, bad, kind = case
    event(kind)
    with pytest.raises(RejectedFile) as caught:
        parse_packing_list(write_file(rows, bad, kind))
    column = {"description": "Item Description", "quantity": "Qty", "unit": "UOM",
              "expiry": "Exp. Date", "weight_kg": "Gross Wt (kg)", "sscc": "SSCC"}
    expected = {(i + 2, column[f]) for i, fields in bad.items() for f in fields}
    problems = caught.value.problems
    assert {(p.row, p.column) for p in problems} == expected
    assert len(problems) == len(expected)  # one problem per bad cell
    text = str(caught.value)
    assert text.startswith(f"nothing was imported; fix these {len(expected)} problem(s)")
    for problem in problems[:MAX_SHOWN]:
        assert f"\nrow {problem.row}, column '{problem.column}': " in text
    for problem in problems:
        if problem.column == "SSCC" and "also on row" in problem.text():
            assert "also on row 2;" in problem.text()  # names the other row too
