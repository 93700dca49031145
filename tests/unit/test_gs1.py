"""SSCCs, GS1 element strings and scans, checked against python-stdnum's independent
implementation of GS1 (``stdnum.gs1_128`` for element strings, ``stdnum.ean`` for the
mod-10 check digit)."""

import datetime as dt
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import ean, gs1_128

from aidhub.documents.gs1 import (
    CSET_82,
    GS,
    ScannedLabel,
    element_string,
    format_sscc,
    is_valid_sscc,
    make_sscc,
    parse_scan,
)
from aidhub.domain.errors import InvalidInput

DIGITS = "0123456789"
HRI_AI = re.compile(r"\([0-9]{2,4}\)")


@st.composite
def sscc_parts(draw, prefix_lengths=st.integers(7, 10)):
    """(company prefix, serial, extension) that fit in an SSCC."""
    length = draw(prefix_lengths)
    prefix = draw(st.text(DIGITS, min_size=length, max_size=length))
    serial = draw(st.integers(0, 10 ** (16 - length) - 1))
    return prefix, serial, draw(st.integers(0, 9))


def gtins():
    """Valid GTIN-14s, their check digit computed by stdnum."""
    return st.text(DIGITS, min_size=13, max_size=13).map(lambda b: b + ean.calc_check_digit(b))


batches = st.text(sorted(CSET_82), min_size=1, max_size=20).filter(
    lambda b: not HRI_AI.search(b))
expiries = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


@st.composite
def labels(draw) -> ScannedLabel:
    """What a label may carry: an SSCC and/or a GTIN; batch and expiry only with a GTIN."""
    sscc = draw(st.none() | sscc_parts().map(lambda p: make_sscc(*p)))
    gtin = draw(gtins() if sscc is None else st.none() | gtins())
    batch = draw(st.none() | batches) if gtin else None
    expiry = draw(st.none() | expiries) if gtin else None
    return ScannedLabel(sscc=sscc, gtin=gtin, batch=batch, expiry=expiry)


def fields(label: ScannedLabel) -> dict[str, object]:
    values = {"00": label.sscc, "01": label.gtin, "10": label.batch, "17": label.expiry}
    return {ai: value for ai, value in values.items() if value is not None}


# --- SSCC -------------------------------------------------------------------------------

@given(sscc_parts())
def test_every_sscc_issued_validates_with_stdnum(parts):
    prefix, serial, extension = parts
    code = make_sscc(prefix, serial, extension)
    assert len(code) == 18 and code.isdigit()
    assert code[0] == str(extension) and code[1:1 + len(prefix)] == prefix
    assert int(code[1 + len(prefix):17]) == serial
    assert ean.calc_check_digit(code[:17]) == code[17]
    assert gs1_128.validate("00" + code) == "00" + code
    assert gs1_128.info(f"(00){code}") == {"00": code}
    assert is_valid_sscc(code)


@pytest.mark.parametrize("length", [7, 8, 9, 10])
def test_all_prefix_lengths_reach_their_last_serial(length):
    prefix = "9" * length
    last = 10 ** (16 - length) - 1
    code = make_sscc(prefix, last, 9)
    assert code[:17] == "9" * 17
    assert gs1_128.is_valid("00" + code) and ean.calc_check_digit(code[:17]) == code[17]


@pytest.mark.parametrize("length", [7, 8, 9, 10])
def test_a_serial_too_large_for_the_prefix_is_refused_saying_how_many_fit(length):
    with pytest.raises(InvalidInput, match=f"room for {10 ** (16 - length):,} serials") as exc:
        make_sscc("1" * length, 10 ** (16 - length))
    assert exc.value.field == "serial"


@pytest.mark.parametrize("prefix", ["", "123456", "12345678901", "12345a7", " 1234 567",
                                    "١٢٣٤٥٦٧", "１２３４５６７", None])
def test_a_company_prefix_that_is_not_7_to_10_digits_is_refused(prefix):
    with pytest.raises(InvalidInput, match="7 to 10 digits") as exc:
        make_sscc(prefix, 1)
    assert exc.value.field == "company_prefix"


@pytest.mark.parametrize(("serial", "extension", "field"),
                         [(-1, 0, "serial"), (1, 10, "extension"), (1, -1, "extension"),
                          (True, 0, "serial")])
def test_negative_serials_and_bad_extension_digits_are_refused(serial, extension, field):
    with pytest.raises(InvalidInput) as exc:
        make_sscc("0614141", serial, extension)
    assert exc.value.field == field


@given(sscc_parts(), st.integers(0, 17), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check(parts, position, shift):
    code = make_sscc(*parts)
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1:]
    assert not is_valid_sscc(wrong)
    assert ean.calc_check_digit(wrong[:17]) != wrong[17]


def test_the_grouped_form_separates_extension_prefix_serial_and_check():
    assert format_sscc(make_sscc("0614141", 123456789, 1)) == "1 0614141 123456789 7"
    assert format_sscc(make_sscc("0614141123", 4567, 3), 10) == "3 0614141123 004567 6"


# --- element strings and scans ----------------------------------------------------------

@given(labels())
def test_element_strings_read_the_same_with_stdnum(label):
    data = element_string(sscc=label.sscc, gtin=label.gtin, batch=label.batch,
                          expiry=label.expiry)
    assert GS not in data.data  # the batch, the only variable-length field, comes last
    # stdnum reads YY with Python's pivot (69-99 as 19YY); aidhub reads every YY as 20YY
    assume(label.expiry is None or label.expiry.year < 2069)
    if label.batch is None or not set("()") & set(label.batch):  # stdnum drops parentheses
        assert data.hri.replace("(", "").replace(")", "") == data.data
        assert gs1_128.info(data.data) == fields(label)
        assert gs1_128.info(data.hri) == fields(label)
        assert gs1_128.info(data.data, separator=GS) == fields(label)


@given(labels(), st.sampled_from(["hri", "data", "]C1", "]Q3", "]Q1(", "padded"]))
def test_scans_of_every_form_read_back_what_was_written(label, form):
    data = element_string(sscc=label.sscc, gtin=label.gtin, batch=label.batch,
                          expiry=label.expiry)
    scan = {"hri": data.hri, "data": data.data, "]C1": "]C1" + data.data,
            "]Q3": "]Q3" + data.data, "]Q1(": "]Q1" + data.hri,
            "padded": f"  {data.hri}\r\n"}[form]
    assert parse_scan(scan) == label


@given(gtins(), batches, expiries, st.sampled_from(["", "]C1", "]Q3"]))
def test_a_variable_length_field_ended_by_gs_is_read(gtin, batch, expiry, symbology):
    raw = f"{symbology}10{batch}{GS}01{gtin}17{expiry:%y%m%d}"
    assert parse_scan(raw) == ScannedLabel(gtin=gtin, batch=batch, expiry=expiry)
    encoded = gs1_128.encode({"10": batch, "01": gtin, "17": expiry}, separator=GS)
    assume(not set("()") & set(batch))
    assert parse_scan("]C1" + encoded) == ScannedLabel(gtin=gtin, batch=batch, expiry=expiry)


@given(labels(), st.randoms())
def test_the_printed_form_reads_in_any_order(label, random):
    parts = [f"({ai}){value:%y%m%d}" if ai == "17" else f"({ai}){value}"
             for ai, value in fields(label).items()]
    random.shuffle(parts)
    assert parse_scan("".join(parts)) == label


@given(sscc_parts())
def test_a_bare_sscc_and_the_grouped_form_read_as_an_sscc(parts):
    code = make_sscc(*parts)
    assert parse_scan(code) == ScannedLabel(sscc=code)
    assert parse_scan(f" (00) {format_sscc(code)} ") == ScannedLabel(sscc=code)


def test_a_product_barcode_reads_as_a_gtin():
    assert parse_scan("]E05901234123457") == ScannedLabel(gtin="05901234123457")
    assert parse_scan("5901234123457").gtin == "05901234123457"


def test_other_ais_are_kept_and_day_00_means_the_end_of_the_month():
    scan = parse_scan("]C10109506000134352172802003103001250" + "21SN-1" + GS + "37" + "12")
    assert scan.expiry == dt.date(2028, 2, 29)
    assert scan.other == (("3103", "001250"), ("21", "SN-1"), ("37", "12"))


def test_a_gtin_shorter_than_14_digits_is_written_as_a_gtin_14():
    data = element_string(gtin="5901234123457")
    assert data.hri == "(01)05901234123457"


# --- refusals ---------------------------------------------------------------------------

@given(gtins(), st.integers(1, 9))
def test_a_gtin_with_a_wrong_check_digit_is_refused(gtin, shift):
    wrong = gtin[:-1] + str((int(gtin[-1]) + shift) % 10)
    with pytest.raises(InvalidInput, match="check digit") as exc:
        element_string(gtin=wrong)
    assert exc.value.field == "gtin"
    with pytest.raises(InvalidInput, match="check digit"):
        parse_scan(f"(01){wrong}")


@given(st.text(min_size=1, max_size=20).filter(lambda b: set(b) - CSET_82))
def test_a_batch_with_characters_outside_set_82_is_refused(batch):
    with pytest.raises(InvalidInput, match="cannot carry") as exc:
        element_string(gtin="05901234123457", batch=batch)
    assert exc.value.field == "batch"


@pytest.mark.parametrize(("batch", "message"), [
    ("A" * 21, "carries 1 to 20"), ("LOT 7", "cannot carry"), ("LOTÉ", "cannot carry"),
    ("AB(17)250101", "parentheses"),
])
def test_batches_a_barcode_cannot_carry_are_refused(batch, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        element_string(gtin="05901234123457", batch=batch)


@pytest.mark.parametrize("kwargs", [
    {}, {"batch": "A1"}, {"expiry": dt.date(2027, 1, 1)},
    {"sscc": "106141411234567898"}, {"sscc": "10614141123456789"},
    {"gtin": "05901234123457", "expiry": dt.date(1999, 12, 31)},
])
def test_element_strings_refuse_what_gs1_does_not_allow(kwargs):
    with pytest.raises(InvalidInput):
        element_string(**kwargs)


@pytest.mark.parametrize("scan", [
    "", "   ", "hello", "]C1", "(99", "(00)123", "x(00)106141411234567897",
    "106141411234567898", "]C100123", "(01)05901234123457(17)271332", "(0)1",
    "(00)106141411234567897(00)006141411234567890", "]C110AB CD", "(10)", "(01)0590123412345X",
    "https://example.org/", "0" * 41,
])
def test_garbage_scans_say_what_was_expected(scan):
    with pytest.raises(InvalidInput) as exc:
        parse_scan(scan)
    assert exc.value.field == "scan"


@given(st.text(max_size=60) | st.text(DIGITS + "()" + GS + "]CQ13 ", max_size=60))
def test_any_text_either_reads_or_is_refused_with_invalid_input(text):
    try:
        scan = parse_scan(text)
    except InvalidInput:
        return
    assert scan.sscc is None or is_valid_sscc(scan.sscc)
