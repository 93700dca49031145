from decimal import Decimal

import pytest

from aidhub.interop.cells import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+33 612", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_like_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Rice 25 kg", "WFP", "", -5, Decimal("-2.5"), None])
def test_everything_else_is_kept(value):
    assert safe_cell(value) == value
