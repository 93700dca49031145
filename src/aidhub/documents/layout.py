"""Building blocks for bilingual (English and Arabic) printed documents.

A running header and a "page x of y" footer on every page, bilingual headings, a grid of
labelled fields, a table that repeats its header row on every page it flows onto, and
signature blocks that are never split across pages. Units are millimetres, font sizes
points. English is set at the left of a box and Arabic at the right; Arabic is always
written as a paragraph of its own so that the bidirectional algorithm starts from a
right-to-left base (mixing Arabic and digits inside an English paragraph misorders it).
"""

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import segno
from fpdf import FPDF

from aidhub.documents.pdf import ARABIC, LATIN, new_pdf

Colour = tuple[int, int, int]

INK: Colour = (25, 25, 25)
MUTED: Colour = (105, 105, 105)
ALERT: Colour = (165, 25, 25)
RULE: Colour = (165, 165, 165)
HEAD_FILL: Colour = (226, 231, 238)
ZEBRA_FILL: Colour = (246, 247, 249)

PT = 25.4 / 72  # millimetres per point
AR_SCALE = 1.12  # Naskh reads smaller than Noto Sans at the same point size
PAD = 1.2  # inner padding of boxes and table cells
GAP = 4.0  # least space between an English and an Arabic text on one line


def line_height(size: float, *, arabic: bool = False) -> float:
    """The height of one line of text at `size` points (Arabic needs more room)."""
    return size * PT * (1.55 if arabic else 1.35)


def _font(pdf: FPDF, size: float, *, bold: bool, arabic: bool, colour: Colour) -> float:
    """Select the font; return the line height to write with. Noto Naskh has no brackets,
    slashes or dashes, so Arabic text falls back to Noto Sans for those (and English text
    to Noto Naskh for any Arabic in it)."""
    pdf.set_fallback_fonts([LATIN] if arabic else [ARABIC])
    pdf.set_font(ARABIC if arabic else LATIN, "B" if bold else "", size * AR_SCALE if arabic
                 else size)
    pdf.set_text_color(*colour)
    return line_height(size, arabic=arabic)


def text_block(pdf: FPDF, x: float, y: float, w: float, text: str, *, size: float,
               bold: bool = False, arabic: bool = False, align: str = "L",
               colour: Colour = INK, height: float | None = None, draw: bool = True) -> float:
    """Write `text` wrapped into a box `w` wide whose top left corner is (x, y); return the
    height it takes. With `draw=False` only measure. `height` forces the line height (to put
    English and Arabic side by side on a common baseline)."""
    if not text:
        return 0.0
    lh = _font(pdf, size, bold=bold, arabic=arabic, colour=colour)
    lh = height or lh
    if not draw:
        lines = pdf.multi_cell(w, lh, text, dry_run=True, output="LINES")
        return lh * len(lines)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, lh, text, align=align, new_x="LEFT", new_y="NEXT")
    return pdf.get_y() - y


def pair(pdf: FPDF, x: float, y: float, w: float, en: str, ar: str, *, size: float,
         bold: bool = False, colour: Colour = INK, align: str = "split",
         draw: bool = True) -> float:
    """English and its Arabic in a box `w` wide: side by side (English at the left, Arabic
    at the right) when both fit on one line, else English above Arabic. With `align` "R"
    or "C" both are stacked and aligned that way (for narrow numeric columns). Returns the
    height."""
    if not ar:
        return text_block(pdf, x, y, w, en, size=size, bold=bold, colour=colour, draw=draw,
                          align="L" if align == "split" else align)
    if not en:
        return text_block(pdf, x, y, w, ar, size=size, bold=bold, arabic=True, colour=colour,
                          draw=draw, align="R" if align == "split" else align)
    if align == "split":
        _font(pdf, size, bold=bold, arabic=False, colour=colour)
        en_w = pdf.get_string_width(en)
        _font(pdf, size, bold=bold, arabic=True, colour=colour)
        ar_w = pdf.get_string_width(ar)
        if en_w + ar_w + GAP + 2 * pdf.c_margin <= w:
            h = line_height(size, arabic=True)
            if draw:
                text_block(pdf, x, y, w, en, size=size, bold=bold, colour=colour, height=h)
                text_block(pdf, x, y, w, ar, size=size, bold=bold, arabic=True, align="R",
                           colour=colour, height=h)
            return h
    en_align, ar_align = ("L", "R") if align == "split" else (align, align)
    h = text_block(pdf, x, y, w, en, size=size, bold=bold, colour=colour, align=en_align,
                   draw=draw)
    return h + text_block(pdf, x, y + h, w, ar, size=size, bold=bold, arabic=True,
                          align=ar_align, colour=colour, draw=draw)


def rule(pdf: FPDF, y: float, *, colour: Colour = RULE, width: float = 0.25) -> None:
    """A horizontal line across the text width at height `y`."""
    pdf.set_draw_color(*colour)
    pdf.set_line_width(width)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)


def ensure_space(pdf: FPDF, height: float) -> None:
    """Start a new page unless `height` millimetres still fit on this one."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def number(value: int) -> str:
    """A whole quantity with thousands separators: 12,500."""
    return f"{value:,}"


# --- page frame ---------------------------------------------------------------------------


def install_frame(pdf: FPDF, *, header: Callable[[], None], footer_label: str,
                  footer_right: str, bottom_margin: float = 14) -> None:
    """Draw `header` at the top of every page and, at the foot of every page,
    "<footer_label> · page x of y" at the left and `footer_right` at the right."""

    def footer() -> None:
        y = pdf.h - bottom_margin + 4
        rule(pdf, y)
        size = 7.5
        _font(pdf, size, bold=False, arabic=False, colour=MUTED)
        width = pdf.w - pdf.l_margin - pdf.r_margin
        pdf.set_xy(pdf.l_margin, y + 1)
        pdf.cell(width / 2, line_height(size),
                 f"{footer_label} · page {pdf.page_no()} of {pdf.str_alias_nb_pages}")
        pdf.set_xy(pdf.l_margin + width / 2, y + 1)
        pdf.cell(width / 2, line_height(size), footer_right, align="R")

    pdf.set_auto_page_break(True, margin=bottom_margin)
    pdf.header = header  # type: ignore[method-assign]
    pdf.footer = footer  # type: ignore[method-assign]


def numbered_document(*, title_en: str, title_ar: str, number_en: str, number_ar: str,
                      number: str, subject: str, sub_en: str, sub_ar: str,
                      printed_at: datetime) -> FPDF:
    """An A4 landscape document with the bilingual numbered header on every page and
    "<number> · page x of y ... Printed <time>" at the foot, its first page added."""
    pdf = new_pdf(orientation="landscape")
    pdf.set_margins(12, 10, 12)
    pdf.set_title(f"{title_en} {number}")
    pdf.set_subject(subject)
    pdf.set_creator("aidhub")
    pdf.set_creation_date(printed_at if printed_at.tzinfo else printed_at.astimezone())

    def header() -> None:
        document_header(pdf, title_en=title_en, title_ar=title_ar, number_en=number_en,
                        number_ar=number_ar, number_value=number, sub_en=sub_en,
                        sub_ar=sub_ar)

    offset = printed_at.strftime("%z")
    when = f"{printed_at:%Y-%m-%d %H:%M}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")
    install_frame(pdf, header=header, footer_label=number, footer_right=f"Printed {when}")
    pdf.add_page()
    return pdf


def document_header(pdf: FPDF, *, title_en: str, title_ar: str, number_en: str,
                    number_ar: str, number_value: str, sub_en: str = "",
                    sub_ar: str = "") -> None:
    """The running header: the English title at the left, the Arabic title at the right,
    the document number boxed in the middle, an optional line under each title (e.g. the
    hub), and a rule under it all. Leaves the cursor under the rule."""
    top = pdf.t_margin
    width = pdf.w - pdf.l_margin - pdf.r_margin
    box_w = 78.0
    side_w = (width - box_w) / 2 - 4
    left, box_x = pdf.l_margin, pdf.l_margin + (width - box_w) / 2
    right = pdf.w - pdf.r_margin - side_w

    h = text_block(pdf, left, top, side_w, title_en, size=15, bold=True)
    text_block(pdf, left, top + h, side_w, sub_en, size=8.5, colour=MUTED)
    h = text_block(pdf, right, top - 1, side_w, title_ar, size=15, bold=True, arabic=True,
                   align="R")
    text_block(pdf, right, top - 1 + h, side_w, sub_ar, size=8.5, arabic=True, align="R",
               colour=MUTED)

    label_h = pair(pdf, box_x + PAD, top + 0.6, box_w - 2 * PAD, number_en, number_ar,
                   size=7, colour=MUTED)
    value_h = text_block(pdf, box_x, top + 0.6 + label_h, box_w, number_value, size=13,
                         bold=True, align="C")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    pdf.rect(box_x, top, box_w, label_h + value_h + 1.4)

    bottom = top + max(label_h + value_h + 1.4, 15.5) + 2
    rule(pdf, bottom, colour=INK, width=0.35)
    pdf.set_xy(pdf.l_margin, bottom + 3)


# --- headings and labelled fields ---------------------------------------------------------


def heading(pdf: FPDF, en: str, ar: str, *, keep_with: float = 25) -> None:
    """A bilingual section heading with a rule under it; starts a new page when fewer than
    `keep_with` millimetres would be left under it (no heading alone at the foot)."""
    size = 10.5
    h = pair(pdf, 0, 0, pdf.epw, en, ar, size=size, bold=True, draw=False)
    ensure_space(pdf, h + 2 + keep_with)
    y = pdf.get_y()
    pair(pdf, pdf.l_margin, y, pdf.epw, en, ar, size=size, bold=True)
    rule(pdf, y + h + 0.5, colour=INK)
    pdf.set_xy(pdf.l_margin, y + h + 2)


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value in a :func:`field_grid`: English and Arabic label, the value
    (and its Arabic when the value is a word such as a status), how many grid columns it
    spans, and whether it is a warning (printed in red)."""

    en: str
    ar: str
    value: str
    value_ar: str = ""
    span: int = 1
    alert: bool = False


def _pack(fields: Sequence[Field], columns: int) -> list[list[Field]]:
    rows: list[list[Field]] = [[]]
    for f in fields:
        if sum(g.span for g in rows[-1]) + f.span > columns:
            rows.append([])
        rows[-1].append(f)
    return [r for r in rows if r]


def field_grid(pdf: FPDF, fields: Sequence[Field], *, columns: int = 4,
               value_size: float = 9.5) -> None:
    """Fields in boxes, `columns` to a row, label above value; a row is never split."""
    col_w = pdf.epw / columns

    def draw_field(f: Field, x: float, y: float, w: float, draw: bool) -> float:
        inner = w - 2 * PAD
        h = pair(pdf, x + PAD, y + PAD, inner, f.en, f.ar, size=7, colour=MUTED, draw=draw)
        colour = ALERT if f.alert else INK
        h += pair(pdf, x + PAD, y + PAD + h, inner, f.value or "—", f.value_ar,
                  size=value_size, bold=f.alert, colour=colour, draw=draw)
        return h + 2 * PAD

    for row in _pack(fields, columns):
        h = max(draw_field(f, 0, 0, col_w * f.span, False) for f in row)
        ensure_space(pdf, h)
        x, y = pdf.l_margin, pdf.get_y()
        for f in row:
            w = col_w * f.span
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.2)
            pdf.rect(x, y, w, h)
            draw_field(f, x, y, w, True)
            x += w
        pdf.set_xy(pdf.l_margin, y + h)


# --- table ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: bilingual header, width in millimetres (scaled to the text width
    when the widths do not add up to it) and alignment of its cells ("L", "R" or "C")."""

    en: str
    ar: str
    width: float
    align: str = "L"


@dataclass(frozen=True, slots=True)
class TableCell:
    """A table cell: its text, an optional Arabic line set under it (right-aligned), and
    its emphasis: bold, muted (grey) or alert (red)."""

    text: str
    ar: str = ""
    bold: bool = False
    muted: bool = False
    alert: bool = False


def _cell(value: str | TableCell) -> TableCell:
    return value if isinstance(value, TableCell) else TableCell(value)


def table(pdf: FPDF, columns: Sequence[Column], rows: Sequence[Sequence[str | TableCell]],
          *, size: float = 8, zebra: bool = True, keep_first: int = 1) -> None:
    """A ruled table that flows over as many pages as it needs, its header row repeated at
    the top of each; rows are never split. The header stays with at least `keep_first`
    rows."""
    scale = pdf.epw / sum(c.width for c in columns)
    widths = [c.width * scale for c in columns]

    def layout(cell: TableCell, col: Column, w: float, x: float, y: float,
               draw: bool) -> float:
        colour = ALERT if cell.alert else MUTED if cell.muted else INK
        h = text_block(pdf, x, y, w, cell.text, size=size, bold=cell.bold or cell.alert,
                       align=col.align, colour=colour, draw=draw)
        return h + text_block(pdf, x, y + h, w, cell.ar, size=size, arabic=True, align="R",
                              colour=colour, draw=draw)

    def row_height(cells: Sequence[TableCell]) -> float:
        return 2 * PAD + max(layout(c, col, w, 0, 0, False)
                             for c, col, w in zip(cells, columns, widths, strict=True))

    def head_height() -> float:
        return 2 * PAD + max(pair(pdf, 0, 0, w, c.en, c.ar, size=size - 0.5, bold=True,
                                  align="split" if c.align == "L" else c.align, draw=False)
                             for c, w in zip(columns, widths, strict=True))

    def borders(y: float, h: float) -> None:
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        x = pdf.l_margin
        for w in widths:
            pdf.rect(x, y, w, h)
            x += w

    def draw_head() -> None:
        y, h = pdf.get_y(), head_height()
        pdf.set_fill_color(*HEAD_FILL)
        pdf.rect(pdf.l_margin, y, pdf.epw, h, style="F")
        x = pdf.l_margin
        for c, w in zip(columns, widths, strict=True):
            pair(pdf, x, y + PAD, w, c.en, c.ar, size=size - 0.5, bold=True,
                 align="split" if c.align == "L" else c.align)
            x += w
        borders(y, h)
        pdf.set_xy(pdf.l_margin, y + h)

    cells = [[_cell(v) for v in row] for row in rows]
    heights = [row_height(r) for r in cells]
    ensure_space(pdf, head_height() + sum(heights[:keep_first]))
    draw_head()
    for i, (row, h) in enumerate(zip(cells, heights, strict=True)):
        if pdf.get_y() + h > pdf.page_break_trigger:
            pdf.add_page()
            draw_head()
        y = pdf.get_y()
        if zebra and i % 2:
            pdf.set_fill_color(*ZEBRA_FILL)
            pdf.rect(pdf.l_margin, y, pdf.epw, h, style="F")
        x = pdf.l_margin
        for cell, col, w in zip(row, columns, widths, strict=True):
            layout(cell, col, w, x, y + PAD, True)
            x += w
        borders(y, h)
        pdf.set_xy(pdf.l_margin, y + h)


# --- signatures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signatory:
    """One signature block: the role in English and Arabic, and the name when it is known
    (printed on the name line; the signature and date lines are left blank)."""

    en: str
    ar: str
    name: str = ""


SIGNATURE_LINES: tuple[tuple[str, str, float], ...] = (
    ("Name", "الاسم", 10.0),
    ("Signature", "التوقيع", 16.0),
    ("Date", "التاريخ", 10.0),
)


def signature_blocks(pdf: FPDF, signatories: Sequence[Signatory], *,
                     gap: float = 6) -> None:
    """Signature blocks side by side, each with name, signature and date lines under
    bilingual labels; all of them kept together on one page."""
    n = len(signatories)
    w = (pdf.epw - gap * (n - 1)) / n
    inner = w - 4 * PAD
    title_h = max(pair(pdf, 0, 0, inner, s.en, s.ar, size=8.5, bold=True, draw=False)
                  for s in signatories)
    h = 2 * PAD + title_h + 1.5 + sum(rh for _, _, rh in SIGNATURE_LINES) + PAD
    ensure_space(pdf, h)
    y0 = pdf.get_y()
    for i, s in enumerate(signatories):
        x = pdf.l_margin + i * (w + gap)
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.rect(x, y0, w, h)
        pair(pdf, x + 2 * PAD, y0 + PAD, inner, s.en, s.ar, size=8.5, bold=True)
        y = y0 + PAD + title_h + 1.5
        for en, ar, rh in SIGNATURE_LINES:
            pair(pdf, x + 2 * PAD, y, inner, en, ar, size=7, colour=MUTED)
            if en == "Name" and s.name:
                text_block(pdf, x + 2 * PAD, y + rh - 5.6, inner, s.name, size=9.5)
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.25)
            pdf.line(x + 2 * PAD + 1, y + rh - 1, x + w - 2 * PAD - 1, y + rh - 1)
            y += rh
    pdf.set_xy(pdf.l_margin, y0 + h)


# --- additions for multi-copy and outbound documents ---------------------------------------


def when(moment: datetime) -> str:
    """2026-03-14 10:20 +03:00 (the offset only for aware times)."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def extend_frame(pdf: FPDF, *, header: Callable[[], None] | None = None,
                 footer: Callable[[], None] | None = None) -> None:
    """Draw `header` under the running header, and `footer` after the running footer, of
    every page from now on. Call it straight after :func:`numbered_document`: the header
    part is drawn on the current page too, where the cursor still sits under the header."""
    if header is not None:
        base_header = pdf.header

        def new_header() -> None:
            base_header()
            header()

        pdf.header = new_header  # type: ignore[method-assign]
        header()
    if footer is not None:
        base_footer = pdf.footer

        def new_footer() -> None:
            base_footer()
            footer()

        pdf.footer = new_footer  # type: ignore[method-assign]


def band(pdf: FPDF, en: str, ar: str, *, size: float = 10, fill: Colour = HEAD_FILL,
         colour: Colour = INK) -> None:
    """A filled strip across the text width with English at the left and Arabic at the
    right (e.g. which copy of a document this page belongs to); leaves the cursor 2 mm
    under it."""
    y = pdf.get_y()
    h = pair(pdf, 0, 0, pdf.epw - 4 * PAD, en, ar, size=size, bold=True, draw=False) + PAD
    pdf.set_fill_color(*fill)
    pdf.rect(pdf.l_margin, y, pdf.epw, h, style="F")
    pair(pdf, pdf.l_margin + 2 * PAD, y + PAD / 2, pdf.epw - 4 * PAD, en, ar, size=size,
         bold=True, colour=colour)
    pdf.set_xy(pdf.l_margin, y + h + 2)


def watermark(pdf: FPDF, text: str, *, colour: Colour = ALERT, opacity: float = 0.18,
              size: float = 110) -> None:
    """`text` large, translucent and diagonal across the middle of the page (e.g.
    "CANCELLED"), over whatever is printed there."""
    with pdf.local_context(fill_opacity=opacity):
        _font(pdf, size, bold=True, arabic=False, colour=colour)
        width = pdf.get_string_width(text)
        cx, cy = pdf.w / 2, pdf.h / 2
        with pdf.rotation(angle=25, x=cx, y=cy):
            pdf.text(cx - width / 2, cy + size * PT * 0.35, text)


@contextmanager
def inset(pdf: FPDF, *, left: float = 0, right: float = 0) -> Iterator[None]:
    """Narrow the text width by `left` and `right` millimetres while the helpers inside
    draw (to set boxes side by side). Nothing inside may break the page."""
    margins = pdf.l_margin, pdf.r_margin
    pdf.set_left_margin(margins[0] + left)
    pdf.set_right_margin(margins[1] + right)
    try:
        yield
    finally:
        pdf.set_left_margin(margins[0])
        pdf.set_right_margin(margins[1])
        pdf.set_x(margins[0])


def write_in_box(pdf: FPDF, en: str, ar: str, *, text: str = "",
                 blank: float = 18) -> None:
    """A ruled box across the text width with a bilingual label and `text`, at least
    `blank` millimetres tall under the label so that there is room to write by hand;
    kept on one page."""
    inner = pdf.epw - 4 * PAD
    label_h = pair(pdf, 0, 0, inner, en, ar, size=7, colour=MUTED, draw=False)
    body_h = max(blank, text_block(pdf, 0, 0, inner, text, size=9.5, draw=False))
    h = 2 * PAD + label_h + body_h + PAD
    ensure_space(pdf, h)
    y = pdf.get_y()
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.rect(pdf.l_margin, y, pdf.epw, h)
    pair(pdf, pdf.l_margin + 2 * PAD, y + PAD, inner, en, ar, size=7, colour=MUTED)
    text_block(pdf, pdf.l_margin + 2 * PAD, y + PAD + label_h, inner, text, size=9.5)
    pdf.set_xy(pdf.l_margin, y + h)


def qr_code(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """A QR code of `data` (a link: it is clickable too) `size` millimetres square at
    (x, y), its quiet zone included. A black-and-white image, QR_SCALE pixels a module,
    so that it prints sharp and its modules can be read back from the PDF."""
    image = io.BytesIO()
    segno.make(data, error="m", micro=False).save(image, kind="png", scale=QR_SCALE,
                                                    border=4)
    image.seek(0)
    pdf.image(image, x=x, y=y, w=size, h=size, link=data)


QR_SCALE = 8


def natural_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders the numbers inside codes by value: A-2 before A-10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.upper())
                 for part in re.split(r"(\d+)", code) if part)
