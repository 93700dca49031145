"""Handling-unit labels: page size, what can be read off them, and the GS1-128 symbols
python-barcode draws, decoded bar by bar."""

import datetime as dt
import io
from dataclasses import asdict, replace

import pytest
from barcode.charsets.code128 import CODES
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from aidhub.documents.gs1 import GS, element_string, make_sscc, parse_scan
from aidhub.documents.labels import (
    MIN_MODULE,
    LabelData,
    barcode_modules,
    gs1_payloads,
    module_width,
    render_labels,
)
from aidhub.domain.errors import InvalidInput

MM = 72 / 25.4  # PDF points per millimetre

IEHK = LabelData(
    sscc=make_sscc("0614141", 123456789, 1), gtin="09506000134352", batch="LOT24-0931A",
    expiry=dt.date(2027, 3, 31), item_code="MEDIKIT-IEHK-BASIC",
    item_name_en="Interagency Emergency Health Kit 2017, basic unit",
    item_name_ar="مجموعة الصحة الطارئة المشتركة بين الوكالات",
    quantity=1200, unit="piece", owner="WFP", hub="DAM-WH1 Damascus main warehouse",
    reference="GRN-DAM-2025-000123", received_on=dt.date(2025, 11, 4))
ORS = LabelData(
    sscc=make_sscc("0614141", 5), gtin="5901234123457", batch="ABCDEFGHIJ-123456789",
    expiry=dt.date(2026, 1, 31), item_code="ORS-20.5G", item_name_en="Oral rehydration salts",
    item_name_ar="أملاح الإماهة الفموية", quantity=25000, unit="sachet", owner="UNICEF",
    hub="DAM-WH1 Damascus main warehouse", reference="GRN-DAM-2025-000124",
    received_on=dt.date(2025, 11, 4))
TARPAULIN = LabelData(
    sscc=make_sscc("1234567890", 42, 3), item_code="TARP-4X6",
    item_name_en="Tarpaulin 4 x 6 m", quantity=50, unit="sheet", owner="UNHCR",
    hub="ALP-WH2 Aleppo", reference="GRN-ALP-2025-000007", received_on=dt.date(2025, 1, 2),
    sscc_prefix_length=10)


def pages_of(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_two_labels_make_two_pages_of_100_by_150_mm():
    pages = pages_of(render_labels([IEHK, ORS]))
    assert len(pages) == 2
    for page, label in zip(pages, [IEHK, ORS], strict=True):
        width, height = float(page.mediabox.width) / MM, float(page.mediabox.height) / MM
        assert abs(width - 100) <= 0.5 and abs(height - 150) <= 0.5
        text = squeezed(page.extract_text())
        assert label.sscc in text
        assert label.batch in text
        assert label.item_code in text and label.reference in text


def test_a_non_perishable_item_without_gtin_batch_or_expiry_gets_a_label():
    (page,) = pages_of(render_labels([TARPAULIN]))
    text = page.extract_text()
    assert "3 1234567890 000042 6" in text  # grouped by its 10-digit company prefix
    assert TARPAULIN.sscc in squeezed(text) and "TARP-4X6" in text


def test_long_names_and_batches_still_fit():
    long = LabelData(
        sscc=make_sscc("06141419", 77, 9), gtin="09506000134352", batch="ABCDEFGHIJKLMNOPQRST",
        expiry=dt.date(2026, 1, 31), item_code="KIT-SURGICAL-SUPPLEMENTARY-2025-VERY-LONG",
        item_name_en="Surgical supplementary kit for trauma and emergency care " * 3,
        item_name_ar="مجموعة جراحية تكميلية لرعاية الإصابات والطوارئ " * 3,
        quantity=1234567, unit="kit of 20 boxes", owner="MSF-OCB",
        hub="QAM-WH9 Qamishli logistics hub, north-east Syria, warehouse 9 of the sector",
        reference="GRN-QAM-2025-000999-REV2", received_on=dt.date(2025, 12, 31),
        sscc_prefix_length=8)
    (page,) = pages_of(render_labels([long]))
    text = squeezed(page.extract_text())
    assert long.item_code in text and long.reference in text and long.batch in text


def test_a_batch_gs1_cannot_carry_is_printed_but_left_out_of_the_barcodes():
    label = replace(IEHK, batch="LOT 2024 / A-17")
    _, items, qr = gs1_payloads(label)
    assert [d.hri for d in items] == ["(01)09506000134352(17)270331"]
    assert parse_scan(qr.hri).batch is None
    (page,) = pages_of(render_labels([label]))
    assert "LOT 2024 / A-17" in page.extract_text()


@pytest.mark.parametrize("label", [IEHK, ORS, TARPAULIN])
def test_every_barcode_is_readable_and_together_they_carry_the_label(label):
    sscc, items, qr = gs1_payloads(label)
    assert decode_gs1_128(barcode_modules(sscc.data)) == "]C100" + label.sscc
    assert module_width(sscc.data) == 0.5
    read = {}
    for data in [sscc, *items]:
        assert module_width(data.data) >= MIN_MODULE
        scan = parse_scan(decode_gs1_128(barcode_modules(data.data)))
        read.update({k: v for k, v in asdict(scan).items() if v})
    assert read == {k: v for k, v in asdict(parse_scan(qr.hri)).items() if v}
    assert parse_scan(qr.hri).sscc == label.sscc
    assert parse_scan(qr.hri).gtin == (label.gtin.zfill(14) if label.gtin else None)


@settings(max_examples=200)
@given(st.text(st.sampled_from("0123456789ABZaz-/" + GS), min_size=1, max_size=40))
def test_python_barcode_encodes_fnc1_and_code_set_changes_correctly(data):
    assert decode_gs1_128(barcode_modules(data)) == "]C1" + data


def test_a_gs_between_fields_becomes_an_fnc1_in_the_symbol():
    data = "10ABC" + GS + "17270331"
    modules = barcode_modules(data)
    assert decode_gs1_128(modules) == "]C1" + data
    assert parse_scan(decode_gs1_128(modules)).expiry == dt.date(2027, 3, 31)


@pytest.mark.parametrize(("change", "field"), [
    ({"sscc": "106141411234567898"}, "sscc"), ({"quantity": 0}, "quantity"),
    ({"gtin": "09506000134353"}, "gtin"),
])
def test_labels_with_wrong_data_are_refused(change, field):
    with pytest.raises(InvalidInput) as exc:
        render_labels([replace(IEHK, **change)])
    assert exc.value.field == field


def test_no_labels_is_refused():
    with pytest.raises(InvalidInput):
        render_labels([])


def test_element_string_of_a_label_is_what_the_qr_code_holds():
    _, _, qr = gs1_payloads(IEHK)
    assert qr == element_string(sscc=IEHK.sscc, gtin=IEHK.gtin, batch=IEHK.batch,
                                expiry=IEHK.expiry)


def decode_gs1_128(modules: str) -> str:
    """What a scanner transmits for a Code 128 symbol given as bars (1) and spaces (0):
    ``]C1`` and the data, FNC1 separators as GS. A decoder written for this test from the
    Code 128 specification; only the table of bar patterns comes from python-barcode."""
    assert modules.endswith("1100011101011"), "no stop pattern"
    body = modules[:-13]
    assert len(body) % 11 == 0
    symbols = [CODES.index(body[i:i + 11]) for i in range(0, len(body), 11)]
    start, *values, check = symbols
    assert check == (start + sum(i * v for i, v in enumerate(values, 1))) % 103
    assert values[0] == 102, "a GS1-128 symbol starts with FNC1"
    code_set = {103: "A", 104: "B", 105: "C"}[start]
    out = []
    for value in values[1:]:
        if value == 102:
            out.append(GS)
        elif code_set == "C":
            if value < 100:
                out.append(f"{value:02d}")
            else:
                code_set = {100: "B", 101: "A"}[value]
        elif code_set == "B":
            if value < 95:
                out.append(chr(value + 32))
            else:
                code_set = {99: "C", 101: "A"}[value]
        elif value < 64:
            out.append(chr(value + 32))
        elif value < 96:
            out.append(chr(value - 64))
        else:
            code_set = {99: "C", 100: "B"}[value]
    return "]C1" + "".join(out)
