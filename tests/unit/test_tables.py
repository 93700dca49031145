"""Reading CSV files with plain headers or HXL tags."""

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.catalog import CATALOG_COLUMNS, CATALOG_REQUIRED
from aidhub.domain.errors import InvalidInput
from aidhub.interop.tables import read_csv

cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12) \
    .map(str.strip).filter(lambda s: not s.startswith("#"))


def write(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


@given(st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=15), st.booleans())
def test_rows_come_back_as_written(rows, with_hxl):
    header = ["code", "name_en", "suma_category", "unit"]
    tags = ["#item+code", "#item+name+i_en", "#item+type+suma", "#item+unit"]
    data = [header] + ([tags] if with_hxl else []) + [list(r) for r in rows]
    table = read_csv(write(data), CATALOG_COLUMNS, CATALOG_REQUIRED)
    expected = [r for r in rows if any(c.strip() for c in r)]
    assert [tuple(f[k] for k in ("code", "name_en", "category", "unit"))
            for _, f in table] == [tuple(c.strip() for c in r) for r in expected]


def test_hxl_tags_find_columns_whatever_the_headers_say():
    data = write([["Artikel", "Bezeichnung", "Kategorie", "Einheit", "HS"],
                  ["#item+code", "#item+name+i_en", "#item+type+suma", "#item+unit",
                   "#item+code+hs"],
                  ["RICE", "Rice", "food_drink", "bag", "1006.30"]])
    table = read_csv(data, CATALOG_COLUMNS, CATALOG_REQUIRED)
    (number, fields), = list(table)
    assert number == 3
    assert fields["code"] == "RICE" and fields["hs_code"] == "1006.30"


def test_a_missing_column_is_named():
    with pytest.raises(InvalidInput, match="no column for 'unit'"):
        read_csv(write([["code", "name_en", "suma_category"], ["A", "B", "food_drink"]]),
                 CATALOG_COLUMNS, CATALOG_REQUIRED)


def test_a_file_that_is_not_utf8_gets_advice():
    with pytest.raises(InvalidInput, match="CSV UTF-8"):
        read_csv("code;name\n\xe9t\xe9".encode("latin-1"), CATALOG_COLUMNS)


# read_table: CSV or XLSX, recognised by content, with guessed or given columns ----------
import datetime as dt  # noqa: E402
import zipfile  # noqa: E402

from hypothesis import settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from aidhub.interop.tables import cell_text, column_letter, guess_mapping, read_table  # noqa: E402

COLUMNS = {
    "code": ("code", "item code", "#item+code"),
    "name": ("description", "item description", "#item+name"),
    "quantity": ("quantity", "qty", "#item+quantity"),
    "unit": ("unit", "uom", "unit of measure", "#item+unit"),
    "weight": ("gross weight", "gross wt", "weight", "#item+weight"),
    "expiry": ("expiry date", "exp date", "#date+expiry"),
}


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_cells_come_back_as_the_text_a_person_would_type():
    data = xlsx(("Goods", [
        ["Item code", "Description", "Qty", "UOM", "Gross weight", "Expiry date"],
        ["RICE", "Rice 25 kg", 40, "bag", 1004.5, dt.date(2027, 3, 31)],
        ["OIL", None, 12.0, "tin", 47.4, dt.datetime(2026, 12, 1)],
        [None, None, None, None, None, None],
        ["SOAP", "Soap", 7, "carton", 0.1 + 0.2, None],
    ]))
    table = read_table(data, COLUMNS)
    assert [(n, tuple(f.values())) for n, f in table] == [
        (2, ("RICE", "Rice 25 kg", "40", "bag", "1004.5", "2027-03-31")),
        (3, ("OIL", "", "12", "tin", "47.4", "2026-12-01")),
        (5, ("SOAP", "Soap", "7", "carton", "0.3", "")),
    ]


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (3, "3"), (3.0, "3"), (-2.5, "-2.5"), (True, "TRUE"),
    (dt.date(2027, 1, 5), "2027-01-05"), (dt.datetime(2027, 1, 5, 0, 0), "2027-01-05"),
    (dt.datetime(2027, 1, 5, 14, 30), "2027-01-05 14:30:00"), (" text ", " text "),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == \
        ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_header_is_found_below_a_title_and_row_numbers_are_the_sheets():
    data = xlsx(("Packing list", [
        ["PACKING LIST"],
        ["Consignor: Some NGO", None, "Date", dt.date(2026, 5, 1)],
        [],
        ["Item code", "Description", "Qty", "UOM"],
        ["RICE", "Rice", 40, "bag"],
    ]))
    table = read_table(data, COLUMNS, required=("quantity",))
    assert table.header_row == 4
    assert list(table) == [(5, {"code": "RICE", "name": "Rice", "quantity": "40",
                                "unit": "bag"})]


def test_the_first_visible_sheet_is_read_unless_another_is_asked_for():
    data = xlsx(("Notes", [["Read me"]]), ("Lines", [["Qty", "UOM"], [5, "kit"]]))
    assert len(read_table(data, COLUMNS)) == 0  # "Read me" is the header; no rows
    assert list(read_table(data, COLUMNS, sheet="Lines")) == \
        [(2, {"quantity": "5", "unit": "kit"})]
    assert list(read_table(data, COLUMNS, sheet=1)) == [(2, {"quantity": "5", "unit": "kit"})]
    with pytest.raises(InvalidInput, match="no sheet 'Other'; its sheets are: Notes, Lines"):
        read_table(data, COLUMNS, sheet="Other")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_in_any_delimiter_with_or_without_bom(delimiter, bom):
    text = delimiter.join(["Item code", "Qty", "UOM"]) + "\r\n" + \
        delimiter.join(["RICE", "40", "bag"]) + "\r\n"
    table = read_table(bom + text.encode(), COLUMNS)
    assert list(table) == [(2, {"code": "RICE", "quantity": "40", "unit": "bag"})]


def test_unicode_text_is_read_as_written():
    text = "Item code\tDescription\tQty\tUOM\r\nRICE\tأرز أبيض\t40\tbag\r\n"
    table = read_table(text.encode(), COLUMNS)
    assert list(table) == [(2, {"code": "RICE", "name": "أرز أبيض", "quantity": "40",
                                "unit": "bag"})]


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(("data", "what"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Excel workbook (.xls)"),
    (_zip({"word/document.xml": b"<w/>"}), "a Word document"),
    (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
     "an OpenDocument file"),
    (_zip({"readme.txt": b"hello"}), "a ZIP archive"),

    (b"PK\x03\x04 not really a zip", "a damaged ZIP archive"),
    (b"<!DOCTYPE html><html><table><tr><td>Qty</td></tr></table></html>", "a web page"),
    (b"\x00\x01\x02\x03binary\x00\x00\x00" * 10, "binary data"),
])
def test_files_that_are_not_tables_are_refused_by_what_they_look_like(data, what):
    with pytest.raises(InvalidInput) as caught:
        read_table(data, COLUMNS)
    assert what in str(caught.value)
    assert "save it as Excel Workbook (.xlsx) or CSV UTF-8" in str(caught.value)


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=300))
def test_random_binary_is_refused_with_advice(noise):
    data = noise + bytes(range(32)) + noise  # control characters: never a text file
    with pytest.raises(InvalidInput, match=r"CSV UTF-8"):
        read_table(data, COLUMNS)


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidInput, match="the file is empty"):
        read_table(b"", COLUMNS)


@pytest.mark.parametrize(("encoding", "what"), [("latin-1", "not UTF-8"), ("utf-16", "UTF-16")])
def test_text_in_another_encoding_gets_advice(encoding, what):
    with pytest.raises(InvalidInput, match=f"{what}.*save it as 'CSV UTF-8'"):
        read_table("Qty;UOM\n4;pièce\n".encode(encoding), COLUMNS)


# guessing and confirming columns -------------------------------------------------------
MESSY = write([
    ["No.", "Item Descripton", "Quantitiy", "Unit of Measure", "Gross Wt. (kg)",
     "Exp. Date", "Remarks"],
    ["1", "Rice", "40", "bag", "1004", "2027-03-31", "fragile"],
])


def test_guess_mapping_says_how_each_column_was_found():
    guess = guess_mapping(MESSY, COLUMNS)
    found = {f: (c.column, c.header, c.how) if c else None for f, c in guess.fields.items()}
    assert found == {
        "code": None,
        "name": (1, "Item Descripton", "guessed"),
        "quantity": (2, "Quantitiy", "guessed"),
        "unit": (3, "Unit of Measure", "exact"),
        "weight": (4, "Gross Wt. (kg)", "exact"),
        "expiry": (5, "Exp. Date", "exact"),
    }
    assert all(c.score >= 82 for c in guess.fields.values() if c)
    assert guess.fields["name"].score < 100
    assert guess.fields["name"].known == "item description"
    assert guess.unmapped == ((0, "No."), (6, "Remarks"))
    assert guess.mapping() == {"name": 1, "quantity": 2, "unit": 3, "weight": 4, "expiry": 5}
    assert guess.header_row == 1


def test_read_table_uses_the_guess_when_not_told():
    (_, fields), = list(read_table(MESSY, COLUMNS, required=("quantity", "unit")))
    assert fields == {"name": "Rice", "quantity": "40", "unit": "bag", "weight": "1004",
                      "expiry": "2027-03-31"}


def test_a_given_mapping_is_used_as_given():
    mapping = {"code": 0, "name": "item descripton", "quantity": "Quantitiy", "unit": 3,
               "weight": None}
    table = read_table(MESSY, COLUMNS, mapping=mapping)
    (_, fields), = list(table)
    assert fields == {"code": "1", "name": "Rice", "quantity": "40", "unit": "bag"}
    assert {f: c.how for f, c in table.columns.items()} == dict.fromkeys(fields, "given")


@pytest.mark.parametrize(("mapping", "message"), [
    ({"colour": 1}, "'colour' is not a field of this file"),
    ({"quantity": 9}, "column 9 chosen for 'quantity' does not exist; the file has 7"),
    ({"quantity": "Amount"}, "no column 'Amount' (chosen for 'quantity'); its columns are: No."),
    ({"quantity": 2, "unit": "quantitiy"},
     "column 'Quantitiy' is chosen for both 'quantity' and 'unit'"),
])
def test_a_wrong_mapping_is_refused(mapping, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        read_table(MESSY, COLUMNS, mapping=mapping)


def test_hxl_tags_take_precedence_over_headers():
    data = write([["Code", "Qty", "Unit"],
                  ["#item+name", "#item+quantity", "#item+unit"],
                  ["Rice", "40", "bag"]])
    guess = guess_mapping(data, COLUMNS)
    assert guess.fields["name"].how == "hxl" and guess.fields["name"].column == 0
    assert guess.fields["code"] is None
    assert list(read_table(data, COLUMNS)) == [(3, {"name": "Rice", "quantity": "40",
                                                    "unit": "bag"})]


def test_a_missing_required_column_names_the_alternatives():
    with pytest.raises(InvalidInput, match="no column for 'code' or 'name'"):
        read_table(write([["Qty", "UOM"], ["1", "bag"]]), COLUMNS,
                   required=("quantity", ("code", "name")))
