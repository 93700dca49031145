"""HXL tables: hashtags are checked, cells written as HXL tools read them, and what is
written validates with libhxl's built-in schema (bundled with libhxl: no network)."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import hxl
import pytest

from aidhub.interop.hxl import Column, Kind, Table, columns, text, write_csv
from aidhub.services.exports import DELIVERIES, MOVEMENTS, STOCK, THREE_W, admin_pcodes

LAYOUT = columns(("day", "#date", Kind.DATE), ("point", "#loc+code"),
                 ("adm1_pcode", "#adm1+code"), ("item", "#item+code"),
                 ("batch", "#x_batch"), ("expiry", "#date+expiry", Kind.DATE),
                 ("quantity", "#x_quantity", Kind.INTEGER),
                 ("weight_kg", "#x_weight+kg", Kind.DECIMAL))


def read_back(data: str) -> hxl.model.Dataset:
    return hxl.data(io.BytesIO(data.encode("utf-8")))


def validate(data: str) -> dict:
    return hxl.validate(read_back(data))


def as_hxl(table: Table) -> str:
    out = io.StringIO()
    write_csv(table, out)
    return out.getvalue()


def test_the_hashtag_row_is_the_second_row_and_libhxl_reads_it():
    table = Table("t", LAYOUT, [
        (dt.date(2026, 3, 1), "DP-A", "SY02", "RICE", "B1", dt.date(2027, 6, 30), 40,
         Decimal("1004.0000")),
        (dt.date(2026, 3, 2), "DP-A", "SY02", "TARP", "", None, 5, Decimal("21.0")),
    ])
    data = as_hxl(table)
    lines = data.splitlines()
    assert lines[0] == "day,point,adm1_pcode,item,batch,expiry,quantity,weight_kg"
    assert lines[1] == ("#date,#loc+code,#adm1+code,#item+code,#x_batch,#date+expiry,"
                        "#x_quantity,#x_weight+kg")
    assert lines[2] == "2026-03-01,DP-A,SY02,RICE,B1,2027-06-30,40,1004.0000"
    dataset = read_back(data)
    assert [c.display_tag for c in dataset.columns] == table.tags
    rows = list(dataset)
    assert [r.get("#item+code") for r in rows] == ["RICE", "TARP"]
    assert rows[0].get("#date+expiry") == "2027-06-30"
    report = validate(data)
    assert report["is_valid"], report["issues"]


def test_plain_csv_has_no_hashtag_row():
    out = io.StringIO()
    write_csv(Table("t", LAYOUT[:2], [(dt.date(2026, 3, 1), "DP-A")]), out, hxl=False)
    assert out.getvalue().splitlines() == ["day,point", "2026-03-01,DP-A"]


def test_the_validator_catches_a_bad_date_so_passing_means_something():
    table = Table("t", columns(("day", "#date"), ("item", "#item+code")),
                  [("2026-13-45", "RICE"), ("yesterday", "RICE")])
    report = validate(as_hxl(table))
    assert not report["is_valid"]
    assert {i["tag_pattern"] for i in report["issues"]} == {"#date"}


def test_cells_are_written_as_hxl_tools_read_them():
    assert text(None) == ""
    assert text(dt.date(2027, 3, 31)) == "2027-03-31"
    when = dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert text(when) == "2026-03-01T07:30:00+00:00"  # always UTC
    assert text(Decimal("1E+3")) == "1000"  # no exponent
    assert text(12) == "12"
    assert text(True) == "yes"
    # stray whitespace would be flagged by the validator: one line, single spaces
    assert text("  Rice,\n 25 kg   bag ") == "Rice, 25 kg bag"


@pytest.mark.parametrize("tag", ["#Item", "item", "#item code", "#item+", "#x-batch",
                                 "#1st", "#item+Code"])
def test_malformed_hashtags_are_refused(tag):
    with pytest.raises(ValueError, match="not an HXL hashtag"):
        Column("x", tag)


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="row 2 has 1 values for 2 columns"):
        Table("t", LAYOUT[:2], [(dt.date(2026, 3, 1), "DP-A"), ("x",)])


@pytest.mark.parametrize("layout", [STOCK, MOVEMENTS, DELIVERIES, THREE_W])
def test_every_export_uses_p_codes_and_documented_tags(layout):
    tags = [c.tag for c in layout]
    assert "#adm1+code" in tags and "#adm2+code" in tags
    assert any(t.startswith("#item+code") for t in tags)
    assert any(t.startswith("#org") for t in tags)
    assert any(t.startswith("#date") for t in tags)
    assert len({c.name for c in layout}) == len(layout)  # names are unique
    documented = (Path(__file__).parents[2] / "docs" / "formats.md").read_text()
    for tag in tags:
        assert f"`{tag}`" in documented, f"{tag} is not described in docs/formats.md"


@pytest.mark.parametrize(("pcode", "expected"), [
    ("SY0203", ("SY02", "SY0203")), ("SY02", ("SY02", None)),
    ("SY020301", ("SY02", "SY0203")), ("C1234", (None, None)), (None, (None, None)),
])
def test_admin_p_codes_come_from_the_site_p_code(pcode, expected):
    assert admin_pcodes(pcode) == expected

