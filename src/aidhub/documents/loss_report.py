"""The transit loss report: what a waybill shipped against what its proof of delivery
says arrived, line by line, with the seal state and a box for the hub manager's review
and decision. A numbered A4 landscape PDF in English and Arabic.

The dataclasses hold exactly what is printed, in plain Python types.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number

TITLE_EN, TITLE_AR = "Transit Loss Report", "تقرير الفاقد أثناء النقل"

SEAL_LABELS = {  # the values of domain.waybills.SealState, and "" when not recorded
    "intact": ("Intact", "سليمة"),
    "broken": ("Broken", "مكسورة"),
    "number_mismatch": ("Number mismatch", "الأرقام غير مطابقة"),
    "none": ("Not sealed", "غير مختومة"),
    "": ("Not recorded", "غير مسجَّل"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LossLineDoc:
    """One line: what was shipped and what the receiver counted (good, damaged, short),
    `lost` being what is written off; `value` of the loss, in the report's currency, when
    known."""

    item_code: str
    name_en: str
    unit: str
    batch: str | None = None
    shipped: int
    received_good: int
    damaged: int = 0
    short: int = 0
    lost: int = 0
    value: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LossReportDocument:
    """A loss report as printed. `loss_pct` and `threshold_pct` are percentages (2.5 for
    2.5 %); `seal_state` is a SealState value or "" when not recorded; `signer` signed the
    proof of delivery; the review fields stay None until the hub manager decides."""

    number: str
    waybill_number: str
    hub_code: str
    hub_name: str
    destination: str
    transporter: str
    vehicle_plate: str
    driver: str
    opened_at: datetime
    threshold_pct: Decimal
    loss_pct: Decimal
    seal_state: str = ""
    signer: str
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    decision: str | None = None
    currency: str = "USD"
    lines: tuple[LossLineDoc, ...] = ()


def _pct(value: Decimal) -> str:
    return f"{value:.2f} %"


def _qty(value: int, *, flag: bool = False) -> TableCell:
    """Zero in grey; a non-zero loss figure in red."""
    if value == 0:
        return TableCell("0", muted=True)
    return TableCell(number(value), alert=flag)


def _value(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _facts(doc: LossReportDocument, total_value: Decimal | None) -> list[Field]:
    seal_en, seal_ar = SEAL_LABELS.get(doc.seal_state, (doc.seal_state, ""))
    over = doc.loss_pct > doc.threshold_pct
    facts = [
        Field("Waybill No.", "رقم البوليصة", doc.waybill_number),
        Field("Opened", "تاريخ الفتح", lay.when(doc.opened_at)),
        Field("Hub", "المركز", f"{doc.hub_code} · {doc.hub_name}"),
        Field("Destination", "الوجهة", doc.destination),
        Field("Transporter", "الناقل", doc.transporter),
        Field("Vehicle plate", "رقم المركبة", doc.vehicle_plate),
        Field("Driver", "السائق", doc.driver),
        Field("Proof of delivery signed by", "وقَّع إثبات التسليم", doc.signer),
        Field("Seal state", "حالة الأختام", seal_en, seal_ar,
              alert=doc.seal_state in ("broken", "number_mismatch")),
        Field("Loss", "نسبة الفاقد", _pct(doc.loss_pct),
              "فوق الحد المسموح" if over else "", alert=over),
        Field("Tolerated loss", "الحد المسموح", _pct(doc.threshold_pct)),
        Field(f"Value lost ({doc.currency})", "قيمة الفاقد", _value(total_value)),
    ]
    if doc.reviewed_at:
        facts.append(Field("Reviewed", "تاريخ المراجعة", lay.when(doc.reviewed_at)))
    return facts


COLUMNS = (
    Column("Item code", "رمز الصنف", 26),
    Column("Description", "الوصف", 64),
    Column("Unit", "الوحدة", 16),
    Column("Batch", "الدفعة", 24),
    Column("Shipped", "المُرسَل", 19, "R"),
    Column("Received good", "المستلم سليماً", 21, "R"),
    Column("Damaged", "تالف", 18, "R"),
    Column("Short", "ناقص", 18, "R"),
    Column("Lost", "الفاقد", 18, "R"),
    Column("Value", "القيمة", 22, "R"),
)


def _row(line: LossLineDoc) -> list[str | TableCell]:
    return [TableCell(line.item_code, bold=True), line.name_en, line.unit,
            line.batch or "—", number(line.shipped), _qty(line.received_good),
            _qty(line.damaged, flag=True), _qty(line.short, flag=True),
            _qty(line.lost, flag=True), _value(line.value)]


TOTAL_COLUMNS = (
    Column("Unit", "الوحدة", 40),
    Column("Lines", "عدد البنود", 20, "R"),
    Column("Shipped", "المُرسَل", 22, "R"),
    Column("Received good", "المستلم سليماً", 26, "R"),
    Column("Damaged", "تالف", 22, "R"),
    Column("Short", "ناقص", 22, "R"),
    Column("Lost", "الفاقد", 22, "R"),
)


def _totals(lines: Sequence[LossLineDoc]) -> list[list[str | TableCell]]:
    """One row per unit of measure (bags and kits do not add up)."""
    units: dict[str, list[int]] = {}
    for line in lines:
        sums = units.setdefault(line.unit, [0] * 6)
        for i, v in enumerate((1, line.shipped, line.received_good, line.damaged,
                               line.short, line.lost)):
            sums[i] += v
    return [[TableCell(unit, bold=True), number(s[0]), number(s[1]), _qty(s[2]),
             _qty(s[3], flag=True), _qty(s[4], flag=True), _qty(s[5], flag=True)]
            for unit, s in units.items()]


REVIEW_EN = "Decision (write off, charge the transporter, investigate, …)"
REVIEW_AR = "القرار (شطب، تحميل الناقل، تحقيق، …)"
REVIEWER = ("Reviewed by (hub manager)", "راجعه (مدير المركز)")


def render_loss_report(doc: LossReportDocument, *, printed_at: datetime | None = None
                       ) -> bytes:
    """The loss report as an A4 landscape PDF. `printed_at` (in the footer) defaults to
    now, in the time zone of `opened_at` when that has one."""
    printed_at = printed_at or datetime.now(doc.opened_at.tzinfo)
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="Loss report No.",
        number_ar="رقم التقرير", number=doc.number,
        subject=f"Waybill {doc.waybill_number} from {doc.hub_code}",
        sub_en=f"{doc.hub_name} ({doc.hub_code})", sub_ar="", printed_at=printed_at)
    values = [ln.value for ln in doc.lines if ln.value is not None]
    total_value = sum(values, Decimal(0)) if values else None
    lay.heading(pdf, "Shipment and receipt", "الشحنة والاستلام")
    lay.field_grid(pdf, _facts(doc, total_value))
    pdf.ln(4)
    lay.heading(pdf, "Lines", "البنود")
    lay.table(pdf, COLUMNS, [_row(ln) for ln in doc.lines])
    if len({ln.unit for ln in doc.lines}) < len(doc.lines):  # else the lines are the totals
        pdf.ln(4)
        lay.heading(pdf, "Totals by unit", "المجاميع حسب الوحدة")
        lay.table(pdf, TOTAL_COLUMNS, _totals(doc.lines), zebra=False)
    pdf.ln(4)
    signature_w = pdf.epw / 3
    decision_h = lay.text_block(pdf, 0, 0, pdf.epw - signature_w - 6 - 4 * lay.PAD,
                                doc.decision or "", size=9.5, draw=False)
    # Room for the decision box and the signature beside it: inset() must not break a page.
    lay.heading(pdf, "Review by the hub manager", "مراجعة مدير المركز",
                keep_with=max(48, decision_h + 12))
    top = pdf.get_y()
    with lay.inset(pdf, right=signature_w + 6):
        lay.write_in_box(pdf, REVIEW_EN, REVIEW_AR, text=doc.decision or "", blank=38)
    bottom = pdf.get_y()
    pdf.set_y(top)
    with lay.inset(pdf, left=pdf.epw - signature_w):
        lay.signature_blocks(pdf, [Signatory(*REVIEWER, doc.reviewed_by or "")])
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()))
    return bytes(pdf.output())
