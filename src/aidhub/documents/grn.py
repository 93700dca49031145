"""The goods received note (GRN): what a hub counted and inspected when a consignment
arrived, printed as a numbered A4 landscape PDF in English and Arabic.

The dataclasses hold exactly what is printed, in plain Python types, so that the document
can be rendered from the database, from a test or from a fixture alike.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number
from aidhub.domain.channels import TransportDocument
from aidhub.domain.consignments import SealCheck

TITLE_EN, TITLE_AR = "Goods Received Note", "إشعار استلام البضائع"


TRANSPORT_LABELS = {
    TransportDocument.AWB: "AWB",
    TransportDocument.BL: "B/L",
    TransportDocument.CMR: "CMR",
    TransportDocument.CONVOY_MANIFEST: "Convoy manifest",
    TransportDocument.RAIL_WAYBILL: "Rail waybill",
}

SEAL_LABELS = {  # English and Arabic; None when the seals were not recorded
    SealCheck.INTACT: ("Intact", "سليمة"),
    SealCheck.BROKEN: ("Broken", "مكسورة"),
    SealCheck.NUMBER_MISMATCH: ("Number mismatch", "الأرقام غير مطابقة"),
    None: ("Not recorded", "غير مسجَّل"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GrnLineDoc:
    """One line of a GRN. `expected` is 0 when the item was not on the pre-advice;
    `put_to` is the location code the goods went to (receiving area or quarantine);
    `priority` is the SUMA triage priority: 1 urgent, 2 non-urgent, 3 non-priority."""

    line_no: int
    item_code: str
    name_en: str
    name_ar: str | None = None
    unit: str
    batch: str | None = None
    expiry: date | None = None
    expected: int
    good: int
    damaged: int = 0
    short: int = 0
    over: int = 0
    put_to: str
    priority: int | None = None

    @property
    def on_pre_advice(self) -> bool:
        return self.expected > 0

    @property
    def received(self) -> int:
        """Everything that arrived, in good condition or not."""
        return self.good + self.damaged


@dataclass(frozen=True, slots=True, kw_only=True)
class GrnDocument:
    """A GRN as printed. `channel` is mode and route ("road · UN cross-border"),
    `vehicle` the plate, vessel or flight; `checked_by` (the warehouse manager) is
    optional and left blank for a hand-written name when unknown; `seal_check` is None
    when the seals were not recorded."""

    number: str
    issued_at: datetime
    hub_code: str
    hub_name: str
    hub_name_ar: str | None = None
    consignment_number: str
    consignor: str
    consignee: str
    donors: tuple[str, ...] = ()
    channel: str
    point_of_entry: str | None = None
    transport_doc_type: TransportDocument | None
    transport_doc_number: str
    vehicle: str
    driver: str | None = None
    seal_numbers: tuple[str, ...] = ()
    seal_check: SealCheck | None = None
    received_by: str
    checked_by: str | None = None
    notes: str = ""
    lines: tuple[GrnLineDoc, ...] = ()


class DiscrepancyKind(enum.StrEnum):
    """What is wrong with a line."""

    DAMAGED = "damaged"
    SHORT = "short"
    OVER = "over"
    NOT_ADVISED = "not_advised"

    @property
    def labels(self) -> tuple[str, str]:
        """English and Arabic wording."""
        return _DISCREPANCY_LABELS[self]


_DISCREPANCY_LABELS = {
    DiscrepancyKind.DAMAGED: ("Damaged", "تالف"),
    DiscrepancyKind.SHORT: ("Short", "نقص في الكمية"),
    DiscrepancyKind.OVER: ("Over", "زيادة في الكمية"),
    DiscrepancyKind.NOT_ADVISED: ("Not on pre-advice", "غير مدرج في الإشعار المسبق"),
}


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One finding on one line; for goods not on the pre-advice the quantity is all that
    was received."""

    line: GrnLineDoc
    kind: DiscrepancyKind
    quantity: int


def discrepancies(lines: Sequence[GrnLineDoc]) -> list[Discrepancy]:
    """Every damaged, short or over quantity and every line not on the pre-advice, in line
    order. A line not on the pre-advice is reported as such and not also as "over"."""
    found: list[Discrepancy] = []
    for line in sorted(lines, key=lambda ln: ln.line_no):
        if not line.on_pre_advice:
            found.append(Discrepancy(line, DiscrepancyKind.NOT_ADVISED, line.received))
        for kind, qty in ((DiscrepancyKind.DAMAGED, line.damaged),
                          (DiscrepancyKind.SHORT, line.short),
                          (DiscrepancyKind.OVER, line.over)):
            if qty and not (kind is DiscrepancyKind.OVER and not line.on_pre_advice):
                found.append(Discrepancy(line, kind, qty))
    return found


# --- rendering -----------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    """2026-03-14 10:20 +03:00 (the offset only for aware times)."""
    text = f"{moment:%Y-%m-%d %H:%M}"
    offset = moment.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else text


def _facts(doc: GrnDocument) -> list[Field]:
    seal_en, seal_ar = SEAL_LABELS[doc.seal_check]
    seal_alert = doc.seal_check in (SealCheck.BROKEN, SealCheck.NUMBER_MISMATCH)
    kind = TRANSPORT_LABELS[doc.transport_doc_type] if doc.transport_doc_type else ""
    transport = f"{kind} {doc.transport_doc_number}".strip() or "—"
    facts = [
        Field("Consignment No.", "رقم الشحنة", doc.consignment_number),
        Field("Issued", "تاريخ الإصدار", _when(doc.issued_at)),
        Field("Hub", "المركز", f"{doc.hub_code} · {doc.hub_name}"),
        Field("Received by", "المُستلِم", doc.received_by),
        Field("Consignor", "المُرسِل", doc.consignor),
        Field("Consignee", "المُرسَل إليه", doc.consignee),
        Field("Donors", "الجهات المانحة", ", ".join(doc.donors), span=2),
        Field("Mode and route", "وسيلة النقل والمسار", doc.channel),
        Field("Point of entry", "نقطة الدخول", doc.point_of_entry or ""),
        Field("Transport document", "وثيقة النقل", transport),
        Field("Vehicle / vessel / flight", "المركبة / السفينة / الرحلة", doc.vehicle),
        Field("Driver", "السائق", doc.driver or ""),
        Field("Seal numbers", "أرقام الأختام", ", ".join(doc.seal_numbers), span=2),
        Field("Seal check", "فحص الأختام", seal_en, seal_ar, alert=seal_alert),
    ]
    if doc.notes:
        facts.append(Field("Notes", "ملاحظات", doc.notes, span=4))
    return facts


LINE_COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Item code", "رمز الصنف", 25),
    Column("Description", "الوصف", 62),
    Column("Unit", "الوحدة", 16),
    Column("Batch", "الدفعة", 22),
    Column("Expiry", "تاريخ الانتهاء", 19),
    Column("Expected", "المتوقع", 17, "R"),
    Column("Good", "سليم", 17, "R"),
    Column("Damaged", "تالف", 17, "R"),
    Column("Short", "ناقص", 15, "R"),
    Column("Over", "زائد", 15, "R"),
    Column("Put to", "الموقع", 26),
    Column("Priority", "الأولوية", 14, "C"),
)


def _qty(value: int, *, flag: bool = False) -> TableCell:
    """A quantity cell: zero in grey; a non-zero damaged, short or over figure in red."""
    if value == 0:
        return TableCell("0", muted=True)
    return TableCell(number(value), alert=flag)


def _line_row(line: GrnLineDoc) -> list[str | TableCell]:
    return [
        str(line.line_no),
        TableCell(line.item_code, bold=True),
        TableCell(line.name_en, line.name_ar or ""),
        line.unit,
        line.batch or "—",
        line.expiry.isoformat() if line.expiry else "—",
        _qty(line.expected) if line.on_pre_advice else TableCell("0", alert=True),
        _qty(line.good),
        _qty(line.damaged, flag=True),
        _qty(line.short, flag=True),
        _qty(line.over, flag=True),
        TableCell(line.put_to, bold="QUARANTINE" in line.put_to.upper()),
        TableCell(f"P{line.priority}", alert=line.priority == 3) if line.priority else "—",
    ]


TOTAL_COLUMNS = (
    Column("Unit", "الوحدة", 40),
    Column("Lines", "عدد البنود", 20, "R"),
    Column("Expected", "المتوقع", 22, "R"),
    Column("Good", "سليم", 22, "R"),
    Column("Damaged", "تالف", 22, "R"),
    Column("Short", "ناقص", 22, "R"),
    Column("Over", "زائد", 22, "R"),
)


def _totals(lines: Sequence[GrnLineDoc]) -> list[list[str | TableCell]]:
    """One row per unit of measure (bags and kits do not add up)."""
    units: dict[str, list[int]] = {}
    for line in lines:
        sums = units.setdefault(line.unit, [0] * 6)
        for i, v in enumerate((1, line.expected, line.good, line.damaged, line.short,
                               line.over)):
            sums[i] += v
    return [[TableCell(unit, bold=True), number(s[0]), _qty(s[1]), _qty(s[2]),
             _qty(s[3], flag=True), _qty(s[4], flag=True), _qty(s[5], flag=True)]
            for unit, s in units.items()]


DISCREPANCY_COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Item code", "رمز الصنف", 26),
    Column("Description", "الوصف", 78),
    Column("Discrepancy", "نوع الفرق", 58),
    Column("Quantity", "الكمية", 20, "R"),
    Column("Unit", "الوحدة", 18),
    Column("Batch", "الدفعة", 26),
    Column("Expiry", "تاريخ الانتهاء", 24),
)


def _discrepancy_row(d: Discrepancy) -> list[str | TableCell]:
    en, ar = d.kind.labels
    return [str(d.line.line_no), TableCell(d.line.item_code, bold=True),
            TableCell(d.line.name_en, d.line.name_ar or ""), TableCell(en, ar, bold=True),
            TableCell(number(d.quantity), alert=True), d.line.unit, d.line.batch or "—",
            d.line.expiry.isoformat() if d.line.expiry else "—"]


PRIORITY_LEGEND = (
    "Priority (SUMA): P1 urgent distribution · P2 non-urgent distribution · P3 non-priority",
    "الأولوية: P1 توزيع عاجل، P2 توزيع غير عاجل، P3 غير ذات أولوية",
)

SIGNATORIES = (("Delivered by (driver)", "المُسلِّم (السائق)"),
               ("Received by (reception officer)", "المُستلِم (موظف الاستلام)"),
               ("Checked by (warehouse manager)", "المُدقِّق (مدير المستودع)"))

DECLARATION = (
    "We confirm that the goods listed above were received, counted and inspected as stated.",
    "نؤكد أن البضائع المذكورة أعلاه قد استُلمت وعُدَّت وفُحصت على النحو المبيَّن.",
)


def render_grn(doc: GrnDocument, *, printed_at: datetime | None = None) -> bytes:
    """The GRN as an A4 landscape PDF. `printed_at` (shown in the footer) defaults to now,
    in the time zone of `issued_at` when that has one."""
    printed_at = printed_at or datetime.now(doc.issued_at.tzinfo)
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="GRN No.", number_ar="رقم الإشعار",
        number=doc.number, subject=f"Consignment {doc.consignment_number} at {doc.hub_code}",
        sub_en=f"{doc.hub_name} ({doc.hub_code})", sub_ar=doc.hub_name_ar or "",
        printed_at=printed_at)

    lay.heading(pdf, "Consignment", "الشحنة")
    lay.field_grid(pdf, _facts(doc))

    lines = sorted(doc.lines, key=lambda ln: ln.line_no)
    pdf.ln(4)
    lay.heading(pdf, "Items received", "الأصناف المستلمة")
    lay.table(pdf, LINE_COLUMNS, [_line_row(ln) for ln in lines])
    if any(ln.priority for ln in lines):
        y = pdf.get_y() + 1
        h = lay.pair(pdf, pdf.l_margin, y, pdf.epw, *PRIORITY_LEGEND, size=7.5,
                     colour=lay.MUTED)
        pdf.set_xy(pdf.l_margin, y + h)

    pdf.ln(4)
    lay.heading(pdf, "Totals by unit", "المجاميع حسب الوحدة")
    lay.table(pdf, TOTAL_COLUMNS, _totals(lines), zebra=False)

    pdf.ln(4)
    lay.heading(pdf, "Discrepancies", "الفروقات")
    found = discrepancies(lines)
    if found:
        lay.table(pdf, DISCREPANCY_COLUMNS, [_discrepancy_row(d) for d in found])
    else:
        y = pdf.get_y()
        h = lay.pair(pdf, pdf.l_margin, y, pdf.epw,
                     "No discrepancies: every line was received in full and in good condition.",
                     "لا توجد فروقات: استُلمت جميع البنود كاملةً وبحالة سليمة.", size=9.5)
        pdf.set_xy(pdf.l_margin, y + h)

    pdf.ln(4)
    names = (doc.driver or "", doc.received_by, doc.checked_by or "")
    signatories = [Signatory(en, ar, name) for (en, ar), name in zip(SIGNATORIES, names,
                                                                         strict=True)]
    lay.heading(pdf, "Signatures", "التواقيع", keep_with=58)
    y = pdf.get_y()
    h = lay.pair(pdf, pdf.l_margin, y, pdf.epw, *DECLARATION, size=8.5)
    pdf.set_xy(pdf.l_margin, y + h + 2)
    lay.signature_blocks(pdf, signatories)
    return bytes(pdf.output())
