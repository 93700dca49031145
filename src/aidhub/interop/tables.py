"""Reading tabular files (CSV, with or without an HXL hashtag row, or Excel XLSX) into
named fields.

A column is found by its HXL hashtag, its header (case, spaces and punctuation ignored) or,
in :func:`read_table`, a close enough header (a guess the user can see and correct with
:func:`guess_mapping`); the caller says which names and tags mean which field.
"""

import csv
import dataclasses
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from aidhub.domain.errors import InvalidInput
from aidhub.interop import safe_files


@dataclass(frozen=True)
class ColumnChoice:
    """The column a field is read from, and how it was chosen.

    ``how`` is "hxl" (its HXL hashtag), "exact" (its header is a known name), "guessed"
    (its header is close to a known name; ``score`` says how close, 0-100) or "given"
    (the caller chose it). ``known`` is the name or tag it matched.
    """

    field: str
    column: int
    header: str
    tag: str
    how: str
    score: float
    known: str = ""

    @property
    def label(self) -> str:
        """How the column is named to a user: its header, its tag or its letter."""
        return self.header or self.tag or column_letter(self.column)


@dataclass(frozen=True)
class Table:
    """Rows of a file as {field: text}, with the file's row numbers (header is row 1).

    ``columns`` says which column each field came from (filled by :func:`read_table`).
    """

    fields: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    columns: Mapping[str, ColumnChoice] = dataclasses.field(default_factory=dict)
    header_row: int = 1

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
            raise InvalidInput("cannot read %(path)s: %(reason)s", path=path,
                               reason=exc.strerror) from None
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
            "the file has no column for %(wanted)s; the header row has: %(headers)s",
            wanted=wanted, headers=", ".join(h for h in header if h.strip()))
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


# Reading any table: CSV or XLSX, recognised by content ---------------------------------
GUESS_MIN = 82
"""A header at least this similar (0-100) to a known name is guessed to be that column."""

HEADER_SEARCH_ROWS = 20
"""How far down a file the header row is looked for (files often start with a title)."""


@dataclass(frozen=True)
class ColumnGuess:
    """Which column each field seems to be in, for a person to confirm or change.

    ``fields`` has every field asked for, in order, with its column or None;
    :meth:`mapping` gives the choice in the form :func:`read_table` takes back.
    """

    header_row: int
    headers: tuple[str, ...]
    tags: tuple[str, ...]
    fields: dict[str, ColumnChoice | None]

    @property
    def unmapped(self) -> tuple[tuple[int, str], ...]:
        """The (index, label) of every named column no field is read from."""
        used = {c.column for c in self.fields.values() if c is not None}
        return tuple((i, self.label(i)) for i in range(len(self.headers))
                     if i not in used and (self.headers[i].strip() or self.tags[i].strip()))

    def label(self, column: int) -> str:
        return self.headers[column].strip() or self.tags[column].strip() or column_letter(column)

    def mapping(self) -> dict[str, int]:
        return {f: c.column for f, c in self.fields.items() if c is not None}


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_source(source: Path | str | bytes) -> bytes:
    """The bytes of a file given as a path or as its content."""
    if isinstance(source, bytes):
        return source
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput("cannot read %(path)s: %(reason)s", path=path,
                           reason=exc.strerror) from None


Required = str | tuple[str, ...]


def read_table(source: Path | str | bytes, columns: Mapping[str, tuple[str, ...]],
               required: Sequence[Required] = (),
               mapping: Mapping[str, int | str | None] | None = None, *,
               sheet: int | str | None = None, header_row: int | None = None) -> Table:
    """Read a CSV or XLSX file (told apart by content; anything else is refused).

    ``columns`` is as for :func:`read_csv`. Without ``mapping`` the columns are found by
    HXL tag, known header or guess (see :func:`guess_mapping`); with it, exactly the given
    {field: column index (0-based) or header text} is used, and a field mapped to None or
    left out is not read. ``required`` lists fields that must have a column; a tuple in it
    means at least one of those. The header row is found among the first rows unless
    ``header_row`` (a row number) says where it is.
    """
    grid = _grid(read_source(source), sheet)
    at, header, tags, body = _layout(grid, columns, header_row)
    if mapping is None:
        choices = {f: c for f, c in _guess(header, tags, columns).items() if c is not None}
    else:
        choices = _given(mapping, header, tags, columns)
    missing = [r for r in required
               if not any(f in choices for f in ((r,) if isinstance(r, str) else r))]
    if missing:
        wanted = ", ".join(" or ".join(f"'{f}'" for f in ((r,) if isinstance(r, str) else r))
                           for r in missing)
        named = [h.strip() or t.strip() for h, t in zip(header, tags, strict=True)]
        raise InvalidInput(
            "the file has no column for %(wanted)s; the header row (row %(header)s) has: "
            "%(headers)s. Rename the column, or choose it when importing",
            wanted=wanted, header=at + 1, headers=", ".join(n for n in named if n))
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(grid[body:], start=body + 1):
        if not any(c.strip() for c in cells):
            continue
        rows.append((number, {f: (cells[c.column].strip() if c.column < len(cells) else "")
                              for f, c in choices.items()}))
    return Table(tuple(choices), rows, choices, at + 1)


def guess_mapping(source: Path | str | bytes, columns: Mapping[str, tuple[str, ...]], *,
                  sheet: int | str | None = None,
                  header_row: int | None = None) -> ColumnGuess:
    """Guess which column of a CSV or XLSX file holds each field, to show to the user.

    HXL tags come first, then headers equal to a known name (ignoring case, punctuation
    and units in brackets), then headers close to one (rapidfuzz, at least ``GUESS_MIN``).
    """
    grid = _grid(read_source(source), sheet)
    at, header, tags, _ = _layout(grid, columns, header_row)
    return ColumnGuess(at + 1, tuple(header), tuple(tags), _guess(header, tags, columns))


# Telling a table from other files -------------------------------------------------------
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"{\\rtf", "rtf"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


def _not_a_table(kind: str) -> InvalidInput:
    """The error for a file that is some other kind of file (a key of :data:`_MAGIC`, or
    what :func:`_text` and :func:`_xlsx_rows` find), each message whole for translators."""
    match kind:
        case "pdf":
            return InvalidInput("this file looks like a PDF document, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "png":
            return InvalidInput("this file looks like a PNG image, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "jpeg":
            return InvalidInput("this file looks like a JPEG image (a photo or a scan), not a "
                                "table; save it as Excel Workbook (.xlsx) or CSV UTF-8 and try "
                                "again")
        case "gif":
            return InvalidInput("this file looks like a GIF image, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "tiff":
            return InvalidInput("this file looks like a TIFF image (a scan), not a table; save "
                                "it as Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "xls":
            return InvalidInput("this file looks like an old Excel workbook (.xls), a "
                                "password-protected workbook or another Office 97-2003 file, "
                                "not a table; save it as Excel Workbook (.xlsx) or CSV UTF-8 "
                                "and try again")
        case "rtf":
            return InvalidInput("this file looks like an RTF document, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "gzip":
            return InvalidInput("this file looks like a gzip archive, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "rar":
            return InvalidInput("this file looks like a RAR archive, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "7z":
            return InvalidInput("this file looks like a 7-Zip archive, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "binary":
            return InvalidInput("this file looks like binary data, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "html":
            return InvalidInput("this file looks like a web page (HTML), not a table; save it "
                                "as Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "xml-spreadsheet":
            return InvalidInput("this file looks like an Excel 2003 XML spreadsheet, not a "
                                "table; save it as Excel Workbook (.xlsx) or CSV UTF-8 and try "
                                "again")
        case "xml":
            return InvalidInput("this file looks like an XML document, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case "xlsb":
            return InvalidInput("this file looks like an Excel binary workbook (.xlsb), not a "
                                "table; save it as Excel Workbook (.xlsx) or CSV UTF-8 and try "
                                "again")
        case "ods":
            return InvalidInput("this file looks like an OpenDocument file (.ods, .odt), not a "
                                "table; save it as Excel Workbook (.xlsx) or CSV UTF-8 and try "
                                "again")
        case "docx":
            return InvalidInput("this file looks like a Word document (.docx), not a table; "
                                "save it as Excel Workbook (.xlsx) or CSV UTF-8 and try again")
        case _:
            return InvalidInput("this file looks like a ZIP archive, not a table; save it as "
                                "Excel Workbook (.xlsx) or CSV UTF-8 and try again")


def _grid(data: bytes, sheet: int | str | None) -> list[list[str]]:
    """Every row of the file as text cells."""
    if not data:
        raise InvalidInput("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data, sheet)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise _not_a_table(kind)
    return _csv_rows(_text(data))


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput("the file is UTF-16 text (Excel's 'Unicode Text'); save it as "
                           "'CSV UTF-8' and try again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if _looks_binary(data.decode("latin-1")):
            raise _not_a_table("binary") from None
        raise InvalidInput(
            "the file is not UTF-8 text; save it as 'CSV UTF-8' and try again"
        ) from None
    if _looks_binary(text):
        raise _not_a_table("binary")
    start = text.lstrip()[:400].lower()
    if start.startswith(("<!doctype html", "<html")):
        raise _not_a_table("html")
    if start.startswith("<?xml"):
        raise _not_a_table("xml-spreadsheet" if "office:spreadsheet" in start
                           or "<workbook" in start else "xml")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample
                   if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return "\x00" in sample or controls > len(sample) // 100


def _csv_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in lines))
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes, sheet: int | str | None) -> list[list[str]]:
    try:  # the parts' sizes are checked before anything is expanded (zip bombs)
        archive = safe_files.open_zip(data, what="the file")
    except safe_files.DamagedZip:
        raise InvalidInput("the file looks like a damaged ZIP archive; save it as Excel "
                           "Workbook (.xlsx) or CSV UTF-8 and try again") from None
    with archive:
        names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise _not_a_table("xlsb" if "xl/workbook.bin" in names
                           else "ods" if "mimetype" in names
                           else "docx" if "word/document.xml" in names
                           else "zip")
    from openpyxl import load_workbook  # only when needed: it is slow to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)  # checked
    except Exception as exc:  # a damaged file can fail in many ways inside openpyxl
        raise InvalidInput(
            "the Excel file cannot be read (%(error)s); it may be damaged. Open it in a "
            "spreadsheet and save it as Excel Workbook (.xlsx) or CSV UTF-8 and try again",
            error=type(exc).__name__) from exc
    try:
        sheets = book.worksheets
        if sheet is None:
            chosen = next((s for s in sheets if s.sheet_state == "visible"), sheets[0])
        elif isinstance(sheet, int) and 0 <= sheet < len(sheets):
            chosen = sheets[sheet]
        elif isinstance(sheet, str) and sheet in book.sheetnames:
            chosen = book[sheet]
        else:
            raise InvalidInput("the workbook has no sheet %(sheet)r; its sheets are: "
                               "%(sheets)s", sheet=sheet, sheets=", ".join(book.sheetnames))
        chosen.reset_dimensions()  # some programs write wrong ones
        return [[cell_text(v) for v in row] for row in chosen.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would type: whole numbers without '.0',
    dates as YYYY-MM-DD, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")  # what Excel shows: 15 significant digits
    return str(value)


# Where the header is, and which column is which -----------------------------------------
def _layout(grid: list[list[str]], columns: Mapping[str, tuple[str, ...]],
            header_row: int | None) -> tuple[int, list[str], list[str], int]:
    """The header's index in ``grid``, the header and the HXL tags (padded to one width),
    and the index of the first row after them."""
    if not grid:
        raise InvalidInput("the file is empty")
    if header_row is not None:
        if not 1 <= header_row <= len(grid):
            raise InvalidInput("the file has no row %(number)s; it has %(count)s rows",
                               number=header_row, count=len(grid))
        at = header_row - 1
    else:
        at = _find_header(grid, columns)
    header = grid[at]
    tags: list[str] = []
    body = at + 1
    if at + 1 < len(grid) and _is_hxl_row(grid[at + 1]):
        tags, body = grid[at + 1], at + 2
    elif _is_hxl_row(header):  # tags without a header row above them
        header, tags = [""] * len(header), header
    width = max(len(header), len(tags))
    return (at, [h.strip() for h in header] + [""] * (width - len(header)),
            [t.strip() for t in tags] + [""] * (width - len(tags)), body)


def _find_header(grid: list[list[str]], columns: Mapping[str, tuple[str, ...]]) -> int:
    """The row above an HXL row, or else the first row naming the most fields."""
    top = grid[:HEADER_SEARCH_ROWS]
    for i, cells in enumerate(top):
        if _is_hxl_row(cells):
            return max(i - 1, 0)
    best, at = 0, 0
    for i, cells in enumerate(top):
        found = sum(c is not None for c in _guess(cells, [], columns).values())
        if found > best:
            best, at = found, i
    return at


def _guess(header: Sequence[str], tags: Sequence[str],
           columns: Mapping[str, tuple[str, ...]]) -> dict[str, ColumnChoice | None]:
    width = max(len(header), len(tags))
    header = [h.strip() for h in header] + [""] * (width - len(header))
    tags = [t.strip() for t in tags] + [""] * (width - len(tags))
    chosen: dict[str, ColumnChoice] = {}
    used: set[int] = set()

    def take(name: str, i: int, how: str, score: float, known: str) -> None:
        chosen[name] = ColumnChoice(name, i, header[i], tags[i], how, score, known)
        used.add(i)

    tag_sets = [_tag_parts(t) if t else None for t in tags]
    for name, known in columns.items():
        for tag in (k for k in known if k.startswith("#")):
            want = _tag_parts(tag)
            fits = [(len(have[1]), i) for i, have in enumerate(tag_sets)
                    if have and have[0] == want[0] and want[1] <= have[1] and i not in used]
            if fits:
                take(name, min(fits)[1], "hxl", 100.0, tag)
                break
    plain = [_norm(h) for h in header]
    words = [header_words(h) for h in header]
    for name, known in columns.items():
        if name in chosen:
            continue
        for option in (k for k in known if not k.startswith("#")):
            hit = next((i for i in range(width) if i not in used and header[i] and (
                plain[i] == _norm(option) or words[i] == header_words(option))), None)
            if hit is not None:
                take(name, hit, "exact", 100.0, option)
                break
    close: list[tuple[float, int, int, str, str]] = []
    for order, (name, known) in enumerate(columns.items()):
        if name in chosen:
            continue
        for i in range(width):
            if i in used or not words[i]:
                continue
            for option in (k for k in known if not k.startswith("#")):
                score = _similarity(words[i], header_words(option))
                if score >= GUESS_MIN:
                    close.append((-score, order, i, name, option))
    for minus_score, _, i, name, option in sorted(close):
        if name not in chosen and i not in used:
            take(name, i, "guessed", round(-minus_score, 1), option)
    return {name: chosen.get(name) for name in columns}


def _given(mapping: Mapping[str, int | str | None], header: list[str], tags: list[str],
           columns: Mapping[str, tuple[str, ...]]) -> dict[str, ColumnChoice]:
    """The caller's {field: column index or header text}, checked against the file."""
    named = [h or t or column_letter(i) for i, (h, t) in enumerate(zip(header, tags,
                                                                      strict=True))]
    chosen: dict[str, ColumnChoice] = {}
    by_column: dict[int, str] = {}
    for name, target in mapping.items():
        if name not in columns:
            raise InvalidInput("'%(name)s' is not a field of this file; the fields are: "
                               "%(fields)s", name=name, fields=", ".join(columns))
        if target is None:
            continue
        if isinstance(target, int) and not isinstance(target, bool):
            if not 0 <= target < len(header):
                raise InvalidInput(
                    "column %(column)s chosen for '%(name)s' does not exist; the file has "
                    "%(count)s columns, numbered from 0", field=name, column=target, name=name,
                    count=len(header))
            i = target
        else:
            text = str(target).strip()
            i = next((k for k, h in enumerate(header) if h == text), None)
            if i is None:
                i = next((k for k, h in enumerate(header) if h and _norm(h) == _norm(text)),
                         None)
            if i is None:
                i = next((k for k, t in enumerate(tags) if t and _norm(t) == _norm(text)),
                         None)
            if i is None:
                raise InvalidInput(
                    "the file has no column '%(column)s' (chosen for '%(name)s'); its columns "
                    "are: %(columns)s", field=name, column=text, name=name,
                    columns=", ".join(n for n in named if n))
        if i in by_column:
            raise InvalidInput(
                "column '%(column)s' is chosen for both '%(first)s' and '%(name)s'; "
                "choose one column per field", field=name, column=named[i], first=by_column[i],
                name=name)
        by_column[i] = name
        chosen[name] = ColumnChoice(name, i, header[i], tags[i], "given", 100.0)
    return {name: chosen[name] for name in columns if name in chosen}


_TRAILING_UNITS = frozenset({"kg", "kgs", "g", "t", "mt", "ton", "tons", "lb", "lbs", "m3", "l",
                             "ltr", "litre", "liter", "pcs", "usd", "eur", "chf", "gbp"})


def header_words(text: str) -> str:
    """A header reduced to its words: lower case, no accents, no punctuation, no units in
    brackets or at the end ('Gross Wt (kg)' and 'gross wt. KG' are both 'gross wt')."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    words = re.sub(r"[\W_]+", " ", text).split()
    while len(words) > 1 and words[-1] in _TRAILING_UNITS:
        words.pop()
    return " ".join(words)


def _similarity(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b),
               fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))
