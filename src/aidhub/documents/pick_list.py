"""The pick list: which lots to take from which locations for a release order, in the
order of a walk through the warehouse, with room to tick and count what was picked, and
the lots that were passed over and why. A numbered A4 landscape PDF in English and Arabic.

The dataclasses hold exactly what is printed, in plain Python types.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number

TITLE_EN, TITLE_AR = "Pick List", "قائمة الانتقاء"


@dataclass(frozen=True, slots=True, kw_only=True)
class PickLineDoc:
    """One lot to pick at one location for one release-order line and delivery point.
    For a lot passed over, `skipped` is True and `reason` says why ("in quarantine",
    "on hold: …", "expires 2026-12-20, before 2027-01-04 needed for the trip")."""

    line_no: int
    location: str
    item_code: str
    name_en: str
    name_ar: str | None = None
    unit: str
    batch: str | None = None
    expiry: date | None = None
    quantity: int
    ssccs: tuple[str, ...] = ()
    destination: str
    release_line_no: int
    skipped: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PickListDocument:
    number: str
    release_order: str
    hub_code: str
    hub_name: str
    created_at: datetime
    created_by: str
    lines: tuple[PickLineDoc, ...] = ()
    skipped: tuple[PickLineDoc, ...] = ()


def walk_order(lines: Sequence[PickLineDoc]) -> list[PickLineDoc]:
    """The lines in the order a picker walks them: by location (A-2 before A-10), then
    item, lot and line."""
    return sorted(lines, key=lambda ln: (lay.natural_key(ln.location), ln.item_code,
                                         ln.batch or "", ln.line_no))


COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Location", "الموقع", 24),
    Column("Item code", "رمز الصنف", 24),
    Column("Description", "الوصف", 52),
    Column("Batch", "الدفعة", 21),
    Column("Expiry", "الانتهاء", 18),
    Column("SSCC", "الرمز التسلسلي", 33),
    Column("Quantity", "الكمية", 17, "R"),
    Column("Unit", "الوحدة", 13),
    Column("Deliver to", "جهة التسليم", 20),
    Column("RO line", "بند الأمر", 12, "R"),
    Column("Qty picked", "الكمية المنتقاة", 18, "R"),
    Column("Picked", "تم", 13, "C"),
)
SSCC_PER_ROW = 12  # more go on continuation rows, so that no row outgrows a page


def _rows(line: PickLineDoc) -> list[list[str | TableCell]]:
    """The row of a line, and continuation rows for SSCCs beyond the first dozen (their
    own tick and count cells left for the pallets on them)."""
    chunks = [line.ssccs[i:i + SSCC_PER_ROW]
              for i in range(0, len(line.ssccs), SSCC_PER_ROW)] or [()]
    rows: list[list[str | TableCell]] = [[
        str(line.line_no), TableCell(line.location, bold=True),
        TableCell(line.item_code, bold=True), TableCell(line.name_en, line.name_ar or ""),
        line.batch or "—", line.expiry.isoformat() if line.expiry else "—",
        "\n".join(chunks[0]) or "—", TableCell(number(line.quantity), bold=True), line.unit,
        line.destination, str(line.release_line_no), "", ""]]
    for chunk in chunks[1:]:
        rows.append([str(line.line_no), TableCell(line.location, muted=True),
                     TableCell(line.item_code, muted=True), TableCell("(continued)",
                                                                      muted=True),
                     "", "", "\n".join(chunk), "", "", "", "", "", ""])
    return rows


SKIPPED_COLUMNS = (
    Column("Location", "الموقع", 24),
    Column("Item code", "رمز الصنف", 24),
    Column("Description", "الوصف", 52),
    Column("Batch", "الدفعة", 21),
    Column("Expiry", "الانتهاء", 18),
    Column("Quantity", "الكمية", 17, "R"),
    Column("Unit", "الوحدة", 13),
    Column("Deliver to", "جهة التسليم", 20),
    Column("Why skipped", "سبب الاستبعاد", 80),
)


def _skipped_row(line: PickLineDoc) -> list[str | TableCell]:
    return [TableCell(line.location, bold=True), TableCell(line.item_code, bold=True),
            TableCell(line.name_en, line.name_ar or ""), line.batch or "—",
            line.expiry.isoformat() if line.expiry else "—", number(line.quantity),
            line.unit, line.destination, TableCell(line.reason or "—", alert=True)]


SIGNATORIES = (("Picked by (picker)", "انتقاها (عامل الانتقاء)"),
               ("Checked by (checker)", "دقَّقها (المُدقِّق)"))


def render_pick_list(doc: PickListDocument, *, printed_at: datetime | None = None) -> bytes:
    """The pick list as an A4 landscape PDF. `printed_at` (in the footer) defaults to now,
    in the time zone of `created_at` when that has one."""
    printed_at = printed_at or datetime.now(doc.created_at.tzinfo)
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="Pick list No.",
        number_ar="رقم القائمة", number=doc.number,
        subject=f"Release order {doc.release_order} at {doc.hub_code}",
        sub_en=f"{doc.hub_name} ({doc.hub_code})", sub_ar="", printed_at=printed_at)
    lines = walk_order(doc.lines)
    lay.field_grid(pdf, [
        Field("Release order", "أمر الصرف", doc.release_order),
        Field("Created", "تاريخ الإنشاء", lay.when(doc.created_at)),
        Field("Created by", "أنشأها", doc.created_by),
        Field("Lines · locations", "البنود · المواقع",
              f"{len(lines)} · {len({ln.location for ln in lines})}"),
    ])
    pdf.ln(4)
    lay.heading(pdf, "Lots to pick, in walking order", "الدفعات المطلوب انتقاؤها حسب مسار السير")
    lay.table(pdf, COLUMNS, [row for ln in lines for row in _rows(ln)])
    if doc.skipped:
        pdf.ln(4)
        lay.heading(pdf, "Lots skipped and why", "الدفعات المستبعدة وأسباب استبعادها")
        lay.table(pdf, SKIPPED_COLUMNS, [_skipped_row(ln) for ln in walk_order(doc.skipped)])
    pdf.ln(4)
    lay.heading(pdf, "Signatures", "التواقيع", keep_with=47)
    lay.signature_blocks(pdf, [Signatory(en, ar) for en, ar in SIGNATORIES])
    return bytes(pdf.output())
