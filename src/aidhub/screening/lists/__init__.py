"""Loading sanctions lists from files, offline: one module per format, and this dispatcher.

``load_list(data)`` reads a list file's bytes into a :class:`ListFile` (guessing the
format from the content when it is not given), complete or not at all: a truncated,
malformed or wrong file raises :class:`~aidhub.domain.errors.InvalidInput` saying what was
expected and where it broke. XML is parsed with defusedxml (an XML bomb is refused) and
streamed. ``diff(old, new)`` says which entries two versions add, remove and change.
"""

import re
from collections.abc import Callable

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists import eu_xml, ftm, ofac_csv, ofac_xml, uk_csv, un_xml
from aidhub.screening.lists._collector import Progress
from aidhub.screening.lists.diff import ListDiff, diff
from aidhub.screening.model import ListFile

__all__ = ["FORMATS", "ListDiff", "Progress", "diff", "guess_format", "load_list"]

FORMATS: dict[str, str] = {
    "un-xml": "the UN Security Council Consolidated List (XML)",
    "ofac-csv": "OFAC's SDN list as legacy CSV (sdn.csv, or a ZIP with sdn.csv and alt.csv)",
    "ofac-xml": "OFAC's SDN list as XML (sdn.xml or sdn_advanced.xml)",
    "eu-xml": "the EU Financial Sanctions Files consolidated list (XML)",
    "uk-csv": "the UK Sanctions List or OFSI Consolidated List (CSV)",
    "ftm": "FollowTheMoney entities as JSON lines (such as OpenSanctions' entities.ftm.json)",
}
"""The formats :func:`load_list` reads, by name, with what each is."""

_LOADERS: dict[str, Callable[..., ListFile]] = {
    "un-xml": un_xml.load, "ofac-csv": ofac_csv.load, "ofac-xml": ofac_xml.load,
    "eu-xml": eu_xml.load, "uk-csv": uk_csv.load, "ftm": ftm.load,
}
_XML_ROOTS = {"CONSOLIDATED_LIST": "un-xml", "sdnList": "ofac-xml", "Sanctions": "ofac-xml",
              "export": "eu-xml"}


def load_list(data: bytes, format: str | None = None, *,
              progress: Progress | None = None) -> ListFile:
    """The list in ``data`` in ``format`` (one of :data:`FORMATS`; guessed from the
    content when None). ``progress(done, total)`` is called now and then while a big file
    loads. Raises InvalidInput when the file cannot be loaded whole."""
    if not data or not data.strip():
        raise InvalidInput("The file is empty; there is no list to load.")
    if format is None:
        format = guess_format(data)
    loader = _LOADERS.get(format)
    if loader is None:
        raise InvalidInput("Unknown list format '%(format)s'. Known formats: %(formats)s. "
                           "Choose the format of the file, or check the file.",
                           field="format", format=format, formats=_known())
    try:
        return loader(data, progress=progress)
    except InvalidInput as error:
        raise _with_guess(error, data, format) from None


def guess_format(data: bytes) -> str:
    """The name of the format ``data`` is in, read from its first bytes; InvalidInput
    naming the known formats when it is none of them."""
    if data.startswith(b"PK\x03\x04"):
        return "ofac-csv"
    head = data[:16384].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        root = _xml_root(head)
        if root in _XML_ROOTS:
            return _XML_ROOTS[root]
        if "<!ENTITY" in head:
            raise InvalidInput("The file declares XML entities, as an 'XML bomb' does; it was "
                               "refused for safety and nothing was loaded.")
        raise InvalidInput("This XML file (its first element is <%(root)s>) is not a sanctions "
                           "list this system reads. Known formats: %(formats)s. Choose the "
                           "format of the file, or check the file.", root=root,
                           formats=_known())
    lines = head.splitlines()
    if head.startswith("{") and '"schema"' in lines[0] and '"properties"' in lines[0]:
        return "ftm"
    for line in lines[:uk_csv.HEADER_SEARCH_LINES]:
        lower = line.lower()
        if "name 6" in lower and ("unique id" in lower or "group id" in lower):
            return "uk-csv"
    if lines and re.match(r'\s*\d+\s*,\s*"[^"]*"\s*,', lines[0]) and lines[0].count(",") >= 11:
        return "ofac-csv"
    raise InvalidInput("Cannot tell which list format this file is in. Known formats: "
                       "%(formats)s. Choose the format of the file, or check the file.",
                       formats=_known())


def _xml_root(head: str) -> str:
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", head,
                  flags=re.S)
    match = re.search(r"<(?![?!])(?:[\w.-]+:)?([\w.-]+)", head)
    return match.group(1) if match else ""


def _known() -> str:
    """The known formats, for a message: 'un-xml' (the UN...); 'ofac-csv' (...)..."""
    return "; ".join(f"'{name}' ({what})" for name, what in FORMATS.items())


def _with_guess(error: InvalidInput, data: bytes, format: str) -> InvalidInput:
    """The error, saying which format the file looks like when that is another one."""
    try:
        guessed = guess_format(data)
    except InvalidInput:
        return error
    if guessed == format:
        return error
    return InvalidInput("%(problem)s The file looks like %(looks_like)s (format "
                        "'%(guessed)s').", field=error.field, row=error.row,
                        problem=error.detail, looks_like=FORMATS[guessed], guessed=guessed)
