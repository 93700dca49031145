"""Reading tabular files (CSV, with or without an HXL hashtag row) into named fields.

A column is found by its header (case, spaces and punctuation ignored) or by its HXL
hashtag; the caller says which names and tags mean which field.
"""

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aidhub.domain.errors import InvalidInput


@dataclass(frozen=True)
class Table:
    """Rows of a file as {field: text}, with the file's row numbers (header is row 1)."""

    fields: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9#+]", "", text.strip().lower())


def _is_hxl_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


def read_csv(source: Path | str | bytes, columns: Mapping[str, tuple[str, ...]],
             required: tuple[str, ...] = ()) -> Table:
    """Read a CSV file. ``columns`` maps each field to the headers and HXL tags it may have
    (tags start with '#', and match when the file's tag has at least the given attributes).
    """
    if isinstance(source, Path | str) and not isinstance(source, bytes):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    else:
        data = source
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the file is not UTF-8 text; save it as 'CSV UTF-8' and try again"
        ) from None
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty") from None
    records = list(enumerate(reader, start=2))
    tags: list[str] = []
    if records and _is_hxl_row(records[0][1]):
        tags = records.pop(0)[1]
    index = _match_columns(header, tags, columns)
    missing = [f for f in required if f not in index]
    if missing:
        wanted = ", ".join(f"'{f}'" for f in missing)
        raise InvalidInput(
            f"the file has no column for {wanted}; the header row has: "
            + ", ".join(h for h in header if h.strip())
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (number, {f: (cells[i].strip() if i < len(cells) else "") for f, i in index.items()})
        )
    return Table(tuple(index), rows)


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets in many locales) or tab: whichever the header uses
    most. (csv.Sniffer guesses quoting too, and guesses it wrong on small files.)"""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def _match_columns(header: list[str], tags: list[str],
                   columns: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    index: dict[str, int] = {}
    used: set[int] = set()
    normal = [_norm(h) for h in header]
    tag_sets = [_tag_parts(t) for t in tags]
    for field, names in columns.items():
        for name in names:
            if name.startswith("#"):
                want = _tag_parts(name)
                fits = [(len(have[1]), i) for i, have in enumerate(tag_sets)
                        if have[0] == want[0] and want[1] <= have[1] and i not in used]
                hit = min(fits)[1] if fits else None
            else:
                hit = next((i for i, h in enumerate(normal)
                            if h == _norm(name) and i not in used), None)
            if hit is not None:
                index[field] = hit
                used.add(hit)
                break
    return index


def _tag_parts(tag: str) -> tuple[str, frozenset[str]]:
    parts = tag.strip().lower().split("+")
    return parts[0].strip(), frozenset(p.strip() for p in parts[1:] if p.strip())
