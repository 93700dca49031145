"""Hostile packing lists (issue #9): hypothesis writes CSV and XLSX files with odd
encodings, byte-order marks, huge and negative quantities, spreadsheet formulas, control
characters and empty rows, and plain garbage bytes. The preview and the import either
work or refuse the file with InvalidInput (a message for the user, naming the row or
field where it can); nothing else is raised, and a refused import writes nothing."""

import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from aidhub.domain.errors import InvalidInput
from aidhub.services import consignments, preadvice
from aidhub.services.consignments import PreAdvice
from aidhub.store.tables import consignments as consignments_table
from tests.hostile.books import assert_sound, assert_untouched, snapshot

HEADER = ["Item code", "Item Description", "Qty", "UOM", "Batch No.", "Exp. date",
          "Gross Wt (kg)", "Donor"]
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

quantities = st.one_of(
    st.integers(1, 5000).map(str),
    st.integers(-10**6, 0).map(str),  # negative and zero
    st.integers(10**15, 10**40).map(str),  # huge
    st.sampled_from(["1e308", "1e309", "-1e309", "NaN", "inf", "1,000", "1.000,5", "0x10",
                     "12.5", " 7 ", "٣٠", "１２", "", "½", "9" * 400]),
)
formulas = st.sampled_from([
    "=1+1", "=HYPERLINK(\"http://evil.example/\",\"click\")", "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)", "-2+3", "@SUM(1)", "=WEBSERVICE(\"http://x\")", "=A1/0", "#REF!",
])
texts = st.one_of(
    st.text(string.ascii_letters + " -,.", max_size=30),
    st.text(max_size=30),  # any Unicode, control characters and surrogates' neighbours
    st.sampled_from(["RICE", "TARP", "Rice, 25 kg bag", "\u202eECIR", "R\u200bICE",
                     "Ｒｉｃｅ", "رز", "\x00", "\r\n", "\"", "'", "\t"]),
)
dates = st.sampled_from(["2027-06-30", "30/06/2027", "2027-02-30", "0000-00-00",
                         "9999-12-31", "yesterday", "", "45000", "-1"])
units = st.sampled_from(["bag", "piece", "carton", "kg", "", "BAG", "mt", "💣"])


@st.composite
def rows(draw):
    n = draw(st.integers(0, 12))
    out = []
    hostile = draw(st.integers(0, 2)) > 0  # a third of the files are sane throughout
    for _ in range(n):
        if draw(st.integers(0, 5)) == 0:
            out.append([""] * len(HEADER))  # an empty row
            continue
        if not hostile or draw(st.integers(0, 2)) > 0:
            code, unit = draw(st.sampled_from([("RICE", "bag"), ("TARP", "piece"),
                                               ("", "carton")]))
            out.append([code, draw(st.sampled_from(["Rice, 25 kg bag", "Tarpaulin",
                                                    "خيام", "Одеяла", ""])),
                        str(draw(st.integers(1, 5000))), unit, "B1", "2027-06-30", "10",
                        "ECHO"])
            continue
        out.append([draw(st.one_of(texts, formulas)), draw(st.one_of(texts, formulas)),
                    draw(st.one_of(quantities, formulas)), draw(units),
                    draw(texts), draw(dates), draw(st.one_of(quantities, formulas)),
                    draw(st.sampled_from(["ECHO", "", "=ECHO", "nobody"]))])
    return out


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.sampled_from([HEADER, HEADER, HEADER, [h.upper() for h in HEADER],
                                   HEADER[:3], [], ["a", "b", "c"], HEADER + HEADER]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [header, *draw(rows())]
    text = "\r\n".join(delimiter.join(_quoted(c, delimiter) for c in row) for row in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                     "utf-32", "cp1256", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    return draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00\x00"])) + data


def _quoted(cell: str, delimiter: str) -> str:
    if any(c in cell for c in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def xlsx_files(draw) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *draw(rows())]:
        cells = []
        for cell in row:
            cell = "".join(c for c in cell if c.isprintable() or c in " \t")
            if draw(st.integers(0, 3)) == 0 and cell.lstrip("-").isdigit():
                cell = int(cell)  # a number cell (may be huge)
            cells.append(cell)
        sheet.append(cells)
    if draw(st.booleans()):
        sheet["J1"] = draw(st.sampled_from(["=1/0", "=SUM(C2:C99)", 1e308, -1e308]))
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    cut = draw(st.sampled_from([None, None, None, len(data) // 2, 100]))
    return data if cut is None else data[:cut]  # some are truncated


files = st.one_of(csv_files(), xlsx_files(), st.binary(max_size=600))


def _consignments(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(consignments_table)).scalar()


def test_a_hostile_packing_list_is_previewed_or_refused_and_writes_nothing(hub):
    before = snapshot(hub)
    seen = {"refused": 0, "previewed": 0}

    @SETTINGS
    @given(data=files)
    def check(data):
        try:
            shown = preadvice.preview(hub, data)
        except InvalidInput as exc:
            assert str(exc).strip()
            seen["refused"] += 1
        else:
            assert all(isinstance(ln.quantity, int) and ln.quantity > 0
                       for ln in shown.lines), shown.lines
            seen["previewed"] += 1

    check()
    assert_untouched(hub, before, "preview")
    assert seen["refused"] and seen["previewed"], seen  # both kinds were tried


def test_a_hostile_packing_list_is_imported_whole_or_not_at_all(hub):
    header = PreAdvice("DAM-HUB", "WFP", "WFP", [], donor="ECHO")
    n = {"i": 0, "imported": 0, "refused": 0}

    @SETTINGS
    @given(data=files)
    def check(data):
        n["i"] += 1
        key = f"hostile-import-{n['i']}"
        before = snapshot(hub)
        try:
            result = preadvice.import_file(hub, data, header, key=key, force=True)
        except InvalidInput as exc:
            assert str(exc).strip()
            n["refused"] += 1
            assert_untouched(hub, before, f"import of {data[:60]!r}")
            return
        n["imported"] += 1
        view = consignments.view(hub, result["number"])
        assert view.lines and all(ln.quantity > 0 for ln, _ in view.lines)
        assert _consignments(hub) == len(before["consignments"]) + 1
        # the retry with the same key is the same consignment, made once
        assert preadvice.import_file(hub, data, header, key=key, force=True) == result
        assert _consignments(hub) == len(before["consignments"]) + 1
        assert_sound(hub)

    check()
    assert n["refused"] and n["imported"], n


@pytest.mark.parametrize("quantity", ["-5", "0", "1e309", "99999999999999999999999999",
                                      "=1+1", "NaN"])
def test_bad_quantities_are_refused_naming_the_row(hub, quantity):
    data = ("Item code,Qty,UOM\nRICE,10,bag\nTARP," + quantity + ",piece\n").encode()
    before = snapshot(hub)
    with pytest.raises(InvalidInput, match="row 3"):
        preadvice.import_file(hub, data, PreAdvice("DAM-HUB", "WFP", "WFP", []),
                              key="bad-qty")
    assert_untouched(hub, before, quantity)
