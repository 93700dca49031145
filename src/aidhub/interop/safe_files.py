"""Opening files that come from outside without letting them exhaust the host (issue #9).

An XLSX workbook is a ZIP archive of XML parts. A "zip bomb" is a small archive whose
parts expand to gigabytes: a sheet of a few hundred kilobytes that decompresses to 5 GB
would fill the memory of the hub's server while the sheet is parsed. Every reader of
XLSX (or any other ZIP-based format) opens it through :func:`open_zip`, which reads only
the archive's directory, checks each part's declared size and compression ratio and the
total, and refuses the file before anything is decompressed.

The declared sizes can be trusted as bounds: Python's ``zipfile`` stops decompressing a
part at its declared size (a part that lies about it then fails its CRC check), and
openpyxl reads through ``zipfile``.

:func:`safe_name` makes a file name sent with an upload harmless (no folders, no
``..``, no control characters) for the few places that keep or show it.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from aidhub.domain.errors import InvalidInput

MB = 1024 * 1024
#: The most a whole archive may expand to. A packing list of 20,000 lines is about 10 MB
#: of sheet XML; a real workbook stays far below this.
MAX_TOTAL = 200 * MB
#: The most one part may expand to.
MAX_MEMBER = 150 * MB
#: The highest compression ratio allowed for a part larger than RATIO_FROM bytes:
#: spreadsheet XML compresses 5 to 30 times; a zip bomb 200 to 1,000 times.
MAX_RATIO = 200
RATIO_FROM = 2 * MB
#: The most parts an archive may hold (a workbook has a few dozen).
MAX_MEMBERS = 10_000


class DamagedZip(InvalidInput):
    """The data is not a readable ZIP archive at all."""


def open_zip(data: bytes, *, what: str = "the workbook") -> zipfile.ZipFile:
    """The ZIP archive in ``data``, once its directory shows nothing that would expand
    beyond the limits above; InvalidInput otherwise (or when it is not a ZIP archive).

    ``what`` names the data in the messages: "the workbook" or "the file"."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        if what == "the file":
            raise DamagedZip("the file looks like a damaged ZIP archive; save it again from "
                             "the spreadsheet and send it again") from None
        raise DamagedZip("the workbook looks like a damaged ZIP archive; save it again from "
                         "the spreadsheet and send it again") from None
    try:
        check_zip(archive, what=what)
    except BaseException:
        archive.close()
        raise
    return archive


def check_zip(archive: zipfile.ZipFile, *, what: str = "the workbook") -> None:
    """Refuse ``archive`` when its parts would expand too far (see the module docstring).
    ``what`` is as for :func:`open_zip`."""
    file = what == "the file"
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        count, most = f"{len(members):,}", f"{MAX_MEMBERS:,}"
        if file:
            raise InvalidInput("the file holds %(count)s parts, more than a spreadsheet "
                               "does (at most %(most)s); it was refused for safety",
                               count=count, most=most)
        raise InvalidInput("the workbook holds %(count)s parts, more than a spreadsheet "
                           "does (at most %(most)s); it was refused for safety",
                           count=count, most=most)
    total = 0
    for info in members:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > MAX_MEMBER or total > MAX_TOTAL:
            raise _too_large(file)
        if size > RATIO_FROM and size / packed > MAX_RATIO:
            raise _bomb(file, _shown(info.filename), f"{size / packed:,.0f}")


def _too_large(file: bool) -> InvalidInput:
    if file:
        return InvalidInput("the file was refused for safety: it would expand to more than "
                            "%(most)s MB. Nothing was read. Open it in a spreadsheet, check "
                            "its content and save it again, or send the data as CSV",
                            most=MAX_TOTAL // MB)
    return InvalidInput("the workbook was refused for safety: it would expand to more than "
                        "%(most)s MB. Nothing was read. Open it in a spreadsheet, check its "
                        "content and save it again, or send the data as CSV",
                        most=MAX_TOTAL // MB)


def _bomb(file: bool, part: str, ratio: str) -> InvalidInput:
    if file:
        return InvalidInput("the file was refused for safety: its part %(part)s is compressed "
                            "%(ratio)s times, as a 'zip bomb' is. Nothing was read. Open it in "
                            "a spreadsheet, check its content and save it again, or send the "
                            "data as CSV", part=part, ratio=ratio)
    return InvalidInput("the workbook was refused for safety: its part %(part)s is compressed "
                        "%(ratio)s times, as a 'zip bomb' is. Nothing was read. Open it in a "
                        "spreadsheet, check its content and save it again, or send the data "
                        "as CSV", part=part, ratio=ratio)


def _shown(name: str) -> str:
    return repr(safe_name(name)[:80])


def safe_name(name: str | None, *, default: str = "file") -> str:
    """``name`` as a plain file name: the last part of any path (``/`` or ``\\``), without
    control or format characters (NUL, bidi overrides, zero-width), leading dots or
    spaces; ``default`` when nothing is left."""
    if not name:
        return default
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in last if unicodedata.category(c)[0] != "C")
    kept = kept.strip().lstrip(".").strip()
    return kept[:200] or default
