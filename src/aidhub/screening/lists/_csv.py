"""Reading list CSV: rows with their line numbers, and errors a user can act on."""

import csv
import io
from collections.abc import Callable, Iterator

from aidhub.domain.errors import InvalidInput

csv.field_size_limit(1 << 24)  # OFAC remarks and UK statements of reasons are long


def rows(text: str, *, what: str,
         tick: Callable[[int], None] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each row that is not blank. A quoted field left open at
    the end of the file (a file cut short) or a stray quote raises InvalidInput with the
    line. ``tick(characters_read)`` is called after each row."""
    read = 0

    def lines() -> Iterator[str]:
        nonlocal read
        for line in io.StringIO(text, newline=""):
            read += len(line)
            yield line

    reader = csv.reader(lines(), strict=True)
    try:
        for fields in reader:
            if any(f.strip() and f.strip() != "\x1a" for f in fields):
                yield reader.line_num, fields
                if tick is not None:
                    tick(read)
    except csv.Error as error:
        raise InvalidInput(
            "The file is not well-formed CSV here (%(reason)s); expected %(what)s. It may "
            "have been cut short while downloading: download it again. Nothing was loaded.",
            row=reader.line_num, reason=str(error), what=what) from None
