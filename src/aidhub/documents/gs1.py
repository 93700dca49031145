"""GS1 identifiers for handling units: issuing SSCCs, building the element strings that a
GS1-128 barcode and its printed text carry, and reading what a barcode scanner types.

Only the application identifiers (AIs) of a hub's handling-unit label are written:
(00) SSCC, (01) GTIN, (17) expiry date and (10) batch. Reading accepts any well-formed
GS1 element string; AIs other than those four are kept as text in ``ScannedLabel.other``.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from aidhub.domain.catalog import check_gtin, gs1_check_digit
from aidhub.domain.errors import InvalidInput

GS = "\x1d"
"""ASCII group separator: how a scanner transmits an FNC1 that ends a variable-length field."""

AI_SSCC, AI_GTIN, AI_BATCH, AI_EXPIRY = "00", "01", "10", "17"

CSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
"""The GS1 AI encodable character set 82: what alphanumeric fields such as a batch may hold."""

BATCH_MAX = 20

_DIGITS = re.compile(r"[0-9]+")

# Length of an AI, by its first two digits (GS1 General Specifications, 3.1).
_AI_LENGTH: dict[str, int] = {
    **{f"{p:02d}": 2 for p in (*range(0, 5), *range(10, 23), 30, 37, *range(90, 100))},
    **dict.fromkeys(("23", "24", "25", "40", "41", "42", "71"), 3),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "39", "43", "70", "72", "80", "81",
                     "82"), 4),
}

# Element strings whose length is predefined by the first two digits of the AI (AI and data
# together; GS1 General Specifications, 7.8.5): they never need an FNC1 separator.
_PREDEFINED_LENGTH: dict[str, int] = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    **{f"{p}": 8 for p in range(11, 20)}, "20": 4,
    **{f"{p}": 10 for p in range(31, 37)}, "41": 16,
}

# A scanner may start what it types with an AIM symbology identifier, "]" + letter + digit.
# These are GS1 symbols (GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code, GS1 DotCode):
# their data is always an element string. Others (]Q1 plain QR Code, ]E0 EAN-13...) may
# hold any of the forms parse_scan reads.
_GS1_SYMBOLOGIES = ("]C1", "]e0", "]d2", "]Q3", "]J1")
_SYMBOLOGY_ID = re.compile(r"^\][A-Za-z][0-9]")

_HRI_AI = re.compile(r"\(([0-9]{2,4})\)")

# --- SSCC -------------------------------------------------------------------------------

def make_sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """The 18-digit Serial Shipping Container Code of a handling unit: extension digit,
    GS1 company prefix (7 to 10 digits), serial reference padded with zeros to fill the
    first 17 digits, and the GS1 mod-10 check digit."""
    prefix = company_prefix.strip() if isinstance(company_prefix, str) else ""
    if not (_DIGITS.fullmatch(prefix) and 7 <= len(prefix) <= 10):
        raise InvalidInput(
            "'%(prefix)s' is not a GS1 company prefix; give the 7 to 10 digits "
            "your GS1 member organisation allocated",
            field="company_prefix", prefix=company_prefix,
        )
    if isinstance(extension, bool) or not isinstance(extension, int) or not 0 <= extension <= 9:
        raise InvalidInput("%(extension)r is not an SSCC extension digit; use 0 to 9",
                           field="extension", extension=extension)
    room = 16 - len(prefix)
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 0:
        raise InvalidInput("%(serial)r is not a serial reference; use a whole number from 0",
                           field="serial", serial=serial)
    if serial >= 10**room:
        raise InvalidInput(
            "serial reference %(serial)s does not fit: a %(length)s-digit company prefix "
            "leaves %(room)s digits, room for %(count)s serials (0 to %(last)s); "
            "use another extension digit",
            field="serial", serial=serial, length=len(prefix), room=room,
            count=format(10**room, ","), last=10**room - 1,
        )
    body = f"{extension}{prefix}{serial:0{room}d}"
    return body + str(gs1_check_digit(body))


def is_valid_sscc(code: str) -> bool:
    """Whether ``code`` is an SSCC: 18 digits ending with the right check digit."""
    return (isinstance(code, str) and len(code) == 18 and bool(_DIGITS.fullmatch(code))
            and gs1_check_digit(code[:17]) == int(code[17]))


def format_sscc(sscc: str, prefix_length: int = 7) -> str:
    """The SSCC grouped for people to read: extension digit, company prefix, serial
    reference, check digit, e.g. ``1 0614141 123456789 8``."""
    if not 7 <= prefix_length <= 10:
        raise InvalidInput("a GS1 company prefix has 7 to 10 digits", field="prefix_length")
    end = 1 + prefix_length
    return f"{sscc[0]} {sscc[1:end]} {sscc[end:17]} {sscc[17]}"


# --- writing element strings ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GS1Data:
    """GS1 element strings in their two forms.

    ``hri`` is the human-readable interpretation printed under a barcode, each AI in
    parentheses: ``(00)106141412345678908(01)…(17)YYMMDD(10)BATCH``.
    ``data`` is what a GS1-128 barcode encodes after its leading FNC1, and what a scanner
    types after ``]C1``: the element strings run together, with GS (ASCII 29) where an FNC1
    must end a variable-length field that is not the last one.
    """

    hri: str
    data: str


def element_string(*, sscc: str | None = None, gtin: str | None = None,
                   batch: str | None = None, expiry: dt.date | None = None) -> GS1Data:
    """The GS1 element strings of a handling unit or trade item, fixed-length AIs first so
    that the only variable-length one, the batch (10), comes last and needs no separator.

    A batch or expiry date must go with a GTIN (a GS1 rule: they qualify a trade item).
    An empty batch means none.
    """
    fields: list[tuple[str, str]] = []
    if sscc is not None:
        if not is_valid_sscc(sscc):
            raise InvalidInput("'%(sscc)s' is not an SSCC (18 digits with a GS1 check digit)",
                               field="sscc", sscc=sscc)
        fields.append((AI_SSCC, sscc))
    if gtin is not None:
        if not _DIGITS.fullmatch(gtin.strip()):
            raise InvalidInput("'%(gtin)s' is not a GTIN (8, 12, 13 or 14 digits)", field="gtin",
                               gtin=gtin)
        fields.append((AI_GTIN, str(check_gtin(gtin)).zfill(14)))
    batch = batch or None
    if (batch is not None or expiry is not None) and gtin is None:
        raise InvalidInput(
            "a batch number or expiry date in a GS1 barcode must go with the item's GTIN; "
            "give the GTIN, or print the batch and expiry as text only",
            field="gtin",
        )
    if expiry is not None:
        fields.append((AI_EXPIRY, _yymmdd(expiry)))
    if batch is not None:
        fields.append((AI_BATCH, check_batch(batch)))
    if not fields:
        raise InvalidInput("give at least an SSCC or a GTIN to put in a GS1 barcode",
                           field="sscc")
    fixed = [f for f in fields if f[0][:2] in _PREDEFINED_LENGTH]
    variable = [f for f in fields if f[0][:2] not in _PREDEFINED_LENGTH]
    ordered = fixed + variable
    hri = "".join(f"({ai}){value}" for ai, value in ordered)
    data = "".join(ai + value for ai, value in fixed)
    data += GS.join(ai + value for ai, value in variable)
    return GS1Data(hri=hri, data=data)


def check_batch(batch: str) -> str:
    """A batch number a GS1 barcode can carry in AI (10): 1 to 20 characters of the GS1
    character set 82 (letters, digits and ``!"%&'()*+,-./:;<=>?_``, no spaces)."""
    if not 1 <= len(batch) <= BATCH_MAX:
        raise InvalidInput("batch '%(batch)s' has %(length)s characters; a GS1 barcode "
                           "carries 1 to %(most)s", field="batch", batch=batch,
                           length=len(batch), most=BATCH_MAX)
    bad = sorted(set(batch) - CSET_82)
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise InvalidInput(
            "batch '%(batch)s' has characters a GS1 barcode cannot carry (%(shown)s); use "
            "letters A-Z a-z, digits and !\"%%&'()*+,-./:;<=>?_",
            field="batch", batch=batch, shown=shown,
        )
    if _HRI_AI.search(batch):
        raise InvalidInput(
            "batch '%(batch)s' contains digits in parentheses, which would be read as "
            "another GS1 field from the printed label; drop the parentheses",
            field="batch", batch=batch,
        )
    return batch


def is_encodable_batch(batch: str) -> bool:
    """Whether ``check_batch`` accepts this batch number."""
    try:
        check_batch(batch)
    except InvalidInput:
        return False
    return True


def _yymmdd(day: dt.date) -> str:
    if not isinstance(day, dt.date) or not 2000 <= day.year <= 2099:
        raise InvalidInput("%(day)r cannot go in a GS1 barcode; give a date from "
                           "2000-01-01 to 2099-12-31", field="expiry", day=day)
    return day.strftime("%y%m%d")


# --- reading scans ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScannedLabel:
    """What a scan of a GS1 label says. ``gtin`` has 14 digits; ``other`` keeps any further
    AIs as (AI, value) pairs in the order read."""

    sscc: str | None = None
    gtin: str | None = None
    batch: str | None = None
    expiry: dt.date | None = None
    other: tuple[tuple[str, str], ...] = ()


def parse_scan(text: str) -> ScannedLabel:
    """Read what a scanner typed or an officer pasted: the printed form with AIs in
    parentheses (as the label's QR code holds it), the scanner's raw form with GS separators,
    optionally after a symbology identifier such as ``]C1`` (GS1-128) or ``]Q3`` (GS1 QR),
    a bare 18-digit SSCC, or a bare GTIN from a product barcode."""
    if not isinstance(text, str):
        raise InvalidInput(
            "expected a GS1 label scan: the printed form like (00)106141412345678908, the "
            "scanner's form (digits with AIs, e.g. ]C100106141412345678908), or an 18-digit "
            "SSCC", field="scan")
    body = text.strip()
    symbology = body[:3] if _SYMBOLOGY_ID.match(body) else ""
    body = body[len(symbology):].strip()
    if not body:
        raise InvalidInput(
            "the scan is empty; expected a GS1 label scan: the printed form like "
            "(00)106141412345678908, the scanner's form (digits with AIs, e.g. "
            "]C100106141412345678908), or an 18-digit SSCC", field="scan")
    if body.startswith("("):
        return _label(_split_hri(body))
    digits = body.replace(" ", "")
    if symbology in _GS1_SYMBOLOGIES or not _DIGITS.fullmatch(digits):
        return _label(_split_raw(body))
    if len(digits) == 18:
        if not is_valid_sscc(digits):
            raise InvalidInput("%(digits)s is not an SSCC: its check digit is wrong; scan the "
                               "label again or check the 18 digits", field="scan",
                               digits=digits)
        return ScannedLabel(sscc=digits)
    if len(digits) in (8, 12, 13, 14) and gs1_check_digit(digits[:-1]) == int(digits[-1]):
        return ScannedLabel(gtin=digits.zfill(14))
    return _label(_split_raw(digits))


def _split_hri(text: str) -> list[tuple[str, str]]:
    """(AI, value) pairs of the printed form, ``(00)…(10)…``."""
    parts = _HRI_AI.split(text)
    if parts[0].strip():
        raise InvalidInput(
            "'%(text)s' does not start with an AI in parentheses; expected a GS1 label scan: "
            "the printed form like (00)106141412345678908, the scanner's form (digits with "
            "AIs, e.g. ]C100106141412345678908), or an 18-digit SSCC", field="scan", text=text)
    fields = []
    for ai, value in zip(parts[1::2], parts[2::2], strict=True):
        _check_ai(ai)
        value = value.strip().replace(GS, "")
        if ai[:2] in _PREDEFINED_LENGTH:
            value = value.replace(" ", "")
            if len(ai) + len(value) != _PREDEFINED_LENGTH[ai[:2]]:
                raise InvalidInput(
                    "(%(ai)s) takes %(digits)s digits, not '%(value)s'", field="scan", ai=ai,
                    digits=_PREDEFINED_LENGTH[ai[:2]] - len(ai), value=value)
        fields.append((ai, value))
    return fields


def _split_raw(text: str) -> list[tuple[str, str]]:
    """(AI, value) pairs of the scanner's form: predefined-length fields by their length,
    other fields up to the next GS or the end."""
    fields = []
    pos = 0
    while pos < len(text):
        if text[pos] == GS:
            pos += 1
            continue
        ai_length = _AI_LENGTH.get(text[pos:pos + 2])
        ai = text[pos:pos + ai_length] if ai_length else text[pos:pos + 2]
        if not ai_length or not _DIGITS.fullmatch(ai) or len(ai) != ai_length:
            raise InvalidInput(
                "'%(text)s' is not a GS1 element string ('%(ai)s' at position %(position)s is "
                "no AI); expected a GS1 label scan: the printed form like "
                "(00)106141412345678908, the scanner's form (digits with AIs, e.g. "
                "]C100106141412345678908), or an 18-digit SSCC",
                field="scan", text=text, ai=ai, position=pos + 1)
        start = pos + ai_length
        if ai[:2] in _PREDEFINED_LENGTH:
            end = pos + _PREDEFINED_LENGTH[ai[:2]]
            if end > len(text):
                raise InvalidInput("(%(ai)s) is cut short in '%(text)s'", field="scan", ai=ai,
                                   text=text)
        else:
            end = text.find(GS, start)
            end = len(text) if end < 0 else end
        fields.append((ai, text[start:end]))
        pos = end
    return fields


def _check_ai(ai: str) -> None:
    if _AI_LENGTH.get(ai[:2]) != len(ai):
        raise InvalidInput(
            "(%(ai)s) is not a GS1 application identifier; expected a GS1 label scan: the "
            "printed form like (00)106141412345678908, the scanner's form (digits with AIs, "
            "e.g. ]C100106141412345678908), or an 18-digit SSCC", field="scan", ai=ai)


def _label(fields: list[tuple[str, str]]) -> ScannedLabel:
    """The label the (AI, value) pairs describe, each value checked."""
    seen: dict[str, str] = {}
    for ai, value in fields:
        if ai in seen and seen[ai] != value:
            raise InvalidInput("(%(ai)s) appears twice with different values", field="scan",
                               ai=ai)
        seen[ai] = value
    for ai, value in seen.items():
        if not value:
            raise InvalidInput("(%(ai)s) has no value", field="scan", ai=ai)
        if ai[:2] in _PREDEFINED_LENGTH and not _DIGITS.fullmatch(value):
            raise InvalidInput("(%(ai)s) takes digits only, not '%(value)s'", field="scan",
                               ai=ai, value=value)
    sscc = seen.pop(AI_SSCC, None)
    if sscc is not None and not is_valid_sscc(sscc):
        raise InvalidInput("SSCC %(sscc)s has a wrong check digit; scan the label again or "
                           "type the 18 digits printed under the barcode", field="scan",
                           sscc=sscc)
    gtin = seen.pop(AI_GTIN, None)
    if gtin is not None and gs1_check_digit(gtin[:-1]) != int(gtin[-1]):
        raise InvalidInput("GTIN %(gtin)s has a wrong check digit", field="scan", gtin=gtin)
    expiry = seen.pop(AI_EXPIRY, None)
    batch = seen.pop(AI_BATCH, None)
    if batch is not None and (len(batch) > BATCH_MAX or set(batch) - CSET_82):
        raise InvalidInput("batch '%(batch)s' is not a GS1 batch (1 to %(most)s "
                           "letters, digits or punctuation)", field="scan", batch=batch,
                           most=BATCH_MAX)
    for ai, value in seen.items():
        if len(value) > 90 or set(value) - CSET_82:
            raise InvalidInput("(%(ai)s) '%(value)s' is not a GS1 value", field="scan", ai=ai,
                               value=value)
    return ScannedLabel(sscc=sscc, gtin=gtin, batch=batch,
                        expiry=None if expiry is None else _read_yymmdd(expiry),
                        other=tuple(seen.items()))


def _read_yymmdd(value: str) -> dt.date:
    """A GS1 date: YYMMDD in 2000-2099; day 00 means the last day of the month."""
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        if day == 0 and 1 <= month <= 12:
            day = calendar.monthrange(year, month)[1]
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidInput("(17) '%(value)s' is not a date (YYMMDD)", field="scan",
                           value=value) from None
