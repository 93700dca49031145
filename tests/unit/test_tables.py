"""Reading CSV files with plain headers or HXL tags."""

import csv
import io

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
