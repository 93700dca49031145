"""Tables tagged with HXL hashtags, and writing them as CSV.

An HXL file is a CSV file whose second row gives each column a hashtag (``#item+code``,
``#adm1+code``...), so that HDX, the HXL Proxy and other tools know what a column holds
whatever its header says. Tags the core dictionary lacks start with ``#x_`` (HXL's rule
for extensions); every tag aidhub writes is described in docs/formats.md.

Pure: no database. The exports service builds a :class:`Table`; this module turns it
into text.
"""

import csv
import datetime as dt
import enum
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from aidhub.interop.cells import safe_cell

# A hashtag: '#', a lower-case name (letters, digits, underscore), then attributes.
_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
_SPACE = re.compile(r"\s+")


class Kind(enum.StrEnum):
    """What a column holds: it decides the cell type in XLSX and the Parquet type."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header (snake_case, also its name in XLSX and Parquet), its HXL
    hashtag with attributes, and what it holds."""

    name: str
    tag: str
    kind: Kind = Kind.TEXT

    def __post_init__(self) -> None:
        check_tag(self.tag)


@dataclass(frozen=True)
class Table:
    """Rows under named, tagged columns; each row holds one value per column."""

    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]

    def __post_init__(self) -> None:
        width = len(self.columns)
        for n, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"{self.title}: row {n} has {len(row)} values for "
                                 f"{width} columns")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def tags(self) -> list[str]:
        return [c.tag for c in self.columns]


def check_tag(tag: str) -> str:
    """``tag`` if it is a well-formed HXL hashtag (lower case, attributes after '+')."""
    if not _TAG.match(tag):
        raise ValueError(f"'{tag}' is not an HXL hashtag: write it like #item+code or "
                         "#x_batch (lower case, attributes after '+')")
    return tag


def text(value: Any) -> str:
    """A value as a CSV cell: dates in ISO 8601, decimals without exponent, text on one
    line with single spaces (HXL validators flag stray whitespace), nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    return _SPACE.sub(" ", str(value)).strip()


def write_csv(table: Table, out: TextIO, *, hxl: bool = True) -> None:
    """The table as CSV: the header row, then (for HXL) the hashtag row, then the rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.names)
    if hxl:
        writer.writerow(table.tags)
    for row in table.rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else text(v) for v in row])


def columns(*specs: tuple[str, str] | tuple[str, str, Kind]) -> tuple[Column, ...]:
    """Columns from (name, tag[, kind]) tuples, so a table's layout reads as a list."""
    return tuple(Column(*spec) for spec in specs)

