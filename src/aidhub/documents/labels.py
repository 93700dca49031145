"""Handling-unit labels: one 100 × 150 mm (4 × 6 in.) page per pallet or handling unit,
laid out like a GS1 logistic label so that it can be read across a dusty warehouse.

From top to bottom: the hub; the item code, its English and Arabic names and the quantity,
large; batch, expiry, owner and GRN beside a QR code holding the label's GS1 data; a
GS1-128 barcode of the item (GTIN, expiry, batch) when the item has a GTIN; and at the
bottom the SSCC barcode with the SSCC printed large.
"""

import datetime as dt
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from barcode.codex import Gs1_128
from barcode.writer import SVGWriter
from fpdf import FPDF

from aidhub.documents.gs1 import (
    GS,
    GS1Data,
    element_string,
    format_sscc,
    is_encodable_batch,
    is_valid_sscc,
)
from aidhub.documents.pdf import LATIN, new_pdf
from aidhub.domain.errors import InvalidInput

LABEL_SIZE = (100.0, 150.0)  # mm, portrait: the GS1 logistic label size A6 / 4 × 6 in.
MARGIN = 4.0
WIDTH = LABEL_SIZE[0] - 2 * MARGIN

# Module (narrowest bar) widths: whole multiples of a 203 dpi label printer's dot (1/8 mm),
# so that every bar prints at its true width; the GS1 X-dimension for logistic labels
# starts at 0.495 mm, and below 0.25 mm a worn print or a cheap scanner fails.
DOT = 0.125
MAX_MODULE = 0.5
MIN_MODULE = 0.25
QUIET_ZONE = 10  # modules each side of a GS1-128 symbol
SSCC_BAR_HEIGHT = 24.0
ITEM_BAR_HEIGHT = 15.0  # mm at most; the layout leaves at least 9 mm
QR_SIZE = 28.0

FNC1 = Gs1_128.FNC1_CHAR  # python-barcode's stand-in for FNC1 inside the data


@dataclass(frozen=True, kw_only=True)
class LabelData:
    """What one handling-unit label shows.

    ``quantity`` is counted in the item's ``unit``; ``owner`` is the code of the donor or
    organisation that owns the goods; ``hub`` is the site's code and name as printed;
    ``reference`` is the GRN number. ``sscc_prefix_length`` is the length of the GS1
    company prefix inside the SSCC, used only to group its digits for reading.
    """

    sscc: str
    gtin: str | None = None
    batch: str | None = None
    expiry: dt.date | None = None
    item_code: str
    item_name_en: str
    item_name_ar: str | None = None
    quantity: int
    unit: str
    owner: str
    hub: str
    reference: str
    received_on: dt.date
    sscc_prefix_length: int = 7


def render_labels(labels: Sequence[LabelData]) -> bytes:
    """One PDF with one label per page, in the order given."""
    if not labels:
        raise InvalidInput("there is no handling unit to print a label for", field="labels")
    pdf = new_pdf(format=LABEL_SIZE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title("Handling-unit labels")
    pdf.set_creator("aidhub")
    for label in labels:
        _check(label)
        pdf.add_page()
        _draw_label(pdf, label)
    return bytes(pdf.output())


def _check(label: LabelData) -> None:
    if not is_valid_sscc(label.sscc):
        raise InvalidInput("'%(sscc)s' is not an SSCC (18 digits with a GS1 check digit)",
                           field="sscc", sscc=label.sscc)
    if isinstance(label.quantity, bool) or not isinstance(label.quantity, int) \
            or label.quantity <= 0:
        raise InvalidInput("%(quantity)r is not a quantity; give a whole number above "
                           "zero", field="quantity", quantity=label.quantity)


def gs1_payloads(label: LabelData) -> tuple[GS1Data, list[GS1Data], GS1Data]:
    """The GS1 data of a label: its SSCC barcode, its item barcodes (none, one, or two when
    the batch is too long to share a readable barcode with the GTIN), and its QR code.

    A batch that GS1 cannot carry (over 20 characters, spaces, accents) is printed as text
    only.
    """
    sscc = element_string(sscc=label.sscc)
    batch = label.batch if label.batch and is_encodable_batch(label.batch) else None
    if label.gtin is None:
        return sscc, [], sscc
    item = element_string(gtin=label.gtin, batch=batch, expiry=label.expiry)
    qr = element_string(sscc=label.sscc, gtin=label.gtin, batch=batch, expiry=label.expiry)
    if batch is not None and module_width(item.data) < MIN_MODULE:
        first = element_string(gtin=label.gtin, expiry=label.expiry)
        # Alone in its barcode the batch still goes with the GTIN above it: GS1 checks
        # which AIs must go together over all the barcodes of a label.
        rest = GS1Data(hri=f"(10){batch}", data=f"10{batch}")
        return sscc, [first, rest], qr
    return sscc, [item], qr


def barcode_modules(data: str) -> str:
    """The bars (1) and spaces (0) of the GS1-128 symbol of ``data`` (a ``GS1Data.data``),
    start to stop, one character per module."""
    return _symbol(data).build()[0]


def _symbol(data: str) -> Gs1_128:
    # python-barcode prefixes the leading FNC1 itself and takes U+00F1 for any other FNC1.
    # A new object each time: it keeps its code set between calls to build().
    return Gs1_128(data.replace(GS, FNC1), writer=SVGWriter())


def module_width(data: str) -> float:
    """The module width (mm) of the GS1-128 symbol of ``data`` on a label: the widest
    whole number of printer dots, up to ``MAX_MODULE``, that fits the symbol and its quiet
    zones across the label. Less than ``MIN_MODULE`` means it does not fit."""
    fit = WIDTH / (len(barcode_modules(data)) + 2 * QUIET_ZONE)
    return min(MAX_MODULE, int(fit / DOT) * DOT)


# --- drawing ----------------------------------------------------------------------------

def _draw_label(pdf: FPDF, label: LabelData) -> None:
    sscc, items, qr = gs1_payloads(label)
    # Two item barcodes leave room for one line of each name, otherwise two.
    y = _draw_heading(pdf, label, name_lines=1 if len(items) > 1 else 2)
    y = _draw_details(pdf, label, qr, y)
    sscc_top = LABEL_SIZE[1] - MARGIN - SSCC_BAR_HEIGHT - 12
    if items:
        step = (sscc_top - 2 - y) / len(items)
        height = min(ITEM_BAR_HEIGHT, step - 6)
        for data in items:
            _draw_barcode(pdf, data, y + (step - height - 3.6) / 2, height, hri_size=8)
            y += step
    _rule(pdf, sscc_top - 2)
    _draw_sscc(pdf, sscc, label, sscc_top)


def _draw_heading(pdf: FPDF, label: LabelData, *, name_lines: int) -> float:
    """Hub, item code, names and quantity; returns the y below them."""
    x, y = MARGIN, MARGIN
    pdf.set_xy(x, y)
    _text(pdf, label.hub, size=10, style="B", width=WIDTH, height=5)
    y += 6
    _rule(pdf, y)
    y += 1
    pdf.set_xy(x, y)
    _text(pdf, label.item_code, size=28, style="B", width=WIDTH, height=10, min_size=8)
    y += 10
    pdf.set_font(LATIN, size=11)
    for line in _lines(pdf, label.item_name_en, name_lines):
        pdf.set_xy(x, y)
        _text(pdf, line, size=11, width=WIDTH, height=4.8)
        y += 4.8
    if label.item_name_ar:
        pdf.set_font(LATIN, size=13)
        for line in _lines(pdf, label.item_name_ar, name_lines):
            pdf.set_xy(x, y + 0.3)
            _text(pdf, line, size=13, width=WIDTH, height=6.5, align="R")
            y += 6.5
        y += 0.5
    y += 1
    quantity = f"{label.quantity:,}"
    size = 30.0
    pdf.set_font(LATIN, "B", size)
    while pdf.get_string_width(quantity) > WIDTH * 0.6:  # leave room for the unit
        size -= 1
        pdf.set_font(LATIN, "B", size)
    qty_width = pdf.get_string_width(quantity)
    pdf.set_xy(x, y)
    pdf.cell(qty_width + 2, 12, quantity)
    pdf.set_xy(x + qty_width + 3, y + 2.5)
    _text(pdf, label.unit, size=16, width=WIDTH - qty_width - 3, height=9)
    y += 13
    _rule(pdf, y)
    return y + 1


def _draw_details(pdf: FPDF, label: LabelData, qr: GS1Data, y: float) -> float:
    """Batch, expiry, owner, GRN and date received beside the QR code; returns the y below."""
    left = WIDTH - QR_SIZE - 2
    half = left / 2
    rows = [
        [("BATCH / LOT", label.batch or "—", left)],
        [("EXPIRY", label.expiry.isoformat() if label.expiry else "—", half),
         ("OWNER", label.owner, half)],
        [("GRN", label.reference, left)],
        [("RECEIVED", label.received_on.isoformat(), left)],
    ]
    row_y = y + 0.3
    for row in rows:
        x = MARGIN
        for title, value, width in row:
            pdf.set_xy(x, row_y)
            _text(pdf, title, size=6.5, width=width - 1, height=2.6)
            pdf.set_xy(x, row_y + 2.6)
            _text(pdf, value, size=12, style="B", width=width - 1, height=5, min_size=7)
            x += width
        row_y += 7.6
    _draw_qr(pdf, qr, LABEL_SIZE[0] - MARGIN - QR_SIZE, y + 1)
    return max(row_y, y + 1 + QR_SIZE) + 0.5


def _draw_qr(pdf: FPDF, data: GS1Data, x: float, y: float) -> None:
    """A QR code holding the GS1 data in its printed form, which any phone shows as is and
    ``parse_scan`` reads back. (segno cannot set the FNC1 mode of a true GS1 QR Code.)"""
    code = segno.make(data.hri, error="m", micro=False)
    image = io.BytesIO()
    code.save(image, kind="svg", border=4, xmldecl=False, unit="mm")
    image.seek(0)
    pdf.image(image, x=x, y=y, w=QR_SIZE, h=QR_SIZE)


def _draw_barcode(pdf: FPDF, data: GS1Data, y: float, height: float, *,
                  hri_size: float, hri: str | None = None, hri_style: str = "") -> float:
    """A GS1-128 symbol centred across the label with its quiet zones and, below it, its
    human-readable interpretation; returns the y below the text."""
    module = module_width(data.data)
    if module < MIN_MODULE:
        raise InvalidInput(
            "'%(hri)s' is too long for a readable barcode on a 100 mm label; "
            "shorten the batch number", field="batch", hri=data.hri)
    modules = len(barcode_modules(data.data))
    width = (modules + 2 * QUIET_ZONE) * module
    svg = _symbol(data.data).render({
        "module_width": module, "module_height": height, "quiet_zone": QUIET_ZONE * module,
        "margin_top": 0, "margin_bottom": 0, "write_text": False, "background": None,
    })
    x = (LABEL_SIZE[0] - width) / 2
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*viewBox.*")
        pdf.image(io.BytesIO(svg), x=x, y=y, w=width, h=height)
    pdf.set_xy(MARGIN, y + height + 0.3)
    _text(pdf, hri or data.hri, size=hri_size, style=hri_style, width=WIDTH,
          height=hri_size * 0.45, align="C", min_size=6)
    return y + height + 0.3 + hri_size * 0.45


def _draw_sscc(pdf: FPDF, sscc: GS1Data, label: LabelData, top: float) -> None:
    pdf.set_xy(MARGIN, top)
    _text(pdf, "SSCC", size=8, style="B", width=WIDTH, height=3.5)
    grouped = "(00) " + format_sscc(label.sscc, label.sscc_prefix_length)
    _draw_barcode(pdf, sscc, top + 4, SSCC_BAR_HEIGHT, hri_size=17, hri=grouped,
                  hri_style="B")


def _lines(pdf: FPDF, text: str, most: int) -> list[str]:
    """``text`` broken into lines across the label in the current font, at most ``most``
    of them, the last one ending with an ellipsis when some text is left out."""
    lines = pdf.multi_cell(WIDTH, 5, text, dry_run=True, output="LINES")
    if len(lines) > most:
        lines = [*lines[:most - 1], _shorten(pdf, lines[most - 1] + " …", WIDTH)]
    return lines


def _shorten(pdf: FPDF, text: str, width: float) -> str:
    """``text`` as it fits in ``width`` in the current font: whole words when it can, then
    an ellipsis."""
    def fits(candidate: str) -> bool:
        return pdf.get_string_width(candidate) <= width

    if fits(text):
        return text
    words = text.removesuffix(" …").split(" ")
    while len(words) > 1:
        words.pop()
        if fits(candidate := " ".join(words) + " …"):
            return candidate
    text = words[0]
    while text and not fits(text + "…"):
        text = text[:-1]
    return text + "…"


def _rule(pdf: FPDF, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, y, LABEL_SIZE[0] - MARGIN, y)


def _text(pdf: FPDF, text: str, *, size: float, width: float, height: float,
          style: str = "", align: str = "L", min_size: float | None = None) -> None:
    """One line of text at the current position, made smaller (down to ``min_size``) and
    then cut with an ellipsis so that it never runs past ``width``. Arabic letters come
    from the fallback font of ``new_pdf``."""
    pdf.set_font(LATIN, style, size)
    while min_size is not None and size > min_size and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font(LATIN, style, size)
    pdf.cell(width, height, _shorten(pdf, text, width), align=align)
