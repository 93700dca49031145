"""The release order: what a hub is to send to which distribution points, lot by lot,
as an approved allocation plan decided. A numbered A4 landscape PDF in English and Arabic.

The dataclasses hold exactly what is printed, in plain Python types.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number

TITLE_EN, TITLE_AR = "Release Order", "أمر صرف"

STATE_LABELS = {"verified": ("Verified", "مُتحقَّق منه"), "accepted": ("Accepted", "مقبول"),
                "released": ("Released", "مُفرَج عنه"), "cancelled": ("CANCELLED", "مُلغى")}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseLineDoc:
    line_no: int
    point_code: str
    point_name: str
    pcode: str | None = None
    item_code: str
    name_en: str
    name_ar: str | None = None
    unit: str
    batch: str | None = None
    expiry: date | None = None
    priority: int
    quantity: int
    weight_kg: Decimal
    volume_m3: Decimal
    requests: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseOrderDocument:
    number: str
    state: str
    plan_number: str
    issued_at: datetime
    issued_by: str
    hub_code: str
    hub_name: str
    reason: str = ""
    lines: tuple[ReleaseLineDoc, ...] = ()


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Deliver to", "جهة التسليم", 46),
    Column("Item code", "رمز الصنف", 30),
    Column("Description", "الوصف", 64),
    Column("Batch", "الدفعة", 22),
    Column("Expiry", "الانتهاء", 19),
    Column("Priority", "الأولوية", 14, "C"),
    Column("Quantity", "الكمية", 18, "R"),
    Column("Unit", "الوحدة", 14),
    Column("kg", "كغ", 18, "R"),
    Column("m³", "م³", 16, "R"),
)


def _row(line: ReleaseLineDoc) -> list[str | TableCell]:
    where = f"{line.point_code} {line.pcode or ''}".strip()
    return [str(line.line_no), TableCell(where, line.point_name, bold=True),
            TableCell(line.item_code, bold=True), TableCell(line.name_en, line.name_ar or ""),
            line.batch or "—", line.expiry.isoformat() if line.expiry else "—",
            TableCell(f"P{line.priority}", alert=line.priority == 1),
            TableCell(number(line.quantity), bold=True), line.unit,
            f"{line.weight_kg:,.0f}", f"{line.volume_m3:,.2f}"]


SIGNATORIES = (("Issued by (planner)", "أصدره (المخطط)"),
               ("Verified by (hub manager)", "تحقق منه (مدير المركز)"),
               ("Accepted by (warehouse)", "قبله (المستودع)"))


def render_release_order(doc: ReleaseOrderDocument, *, printed_at: datetime | None = None
                         ) -> bytes:
    printed_at = printed_at or datetime.now(doc.issued_at.tzinfo)
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="Release order No.",
        number_ar="رقم الأمر", number=doc.number,
        subject=(f"Plan {doc.plan_number} at {doc.hub_code}" if doc.plan_number
                 else f"Transfer from {doc.hub_code}"),
        sub_en=f"{doc.hub_name} ({doc.hub_code})", sub_ar="", printed_at=printed_at)
    state_en, state_ar = STATE_LABELS.get(doc.state, (doc.state, doc.state))
    lines = sorted(doc.lines, key=lambda ln: ln.line_no)
    weight = sum((ln.weight_kg for ln in lines), Decimal(0))
    volume = sum((ln.volume_m3 for ln in lines), Decimal(0))
    facts = [
        Field("Allocation plan", "خطة التوزيع", doc.plan_number or "none: a transfer",
              "" if doc.plan_number else "لا يوجد: نقل بين المستودعات"),
        Field("Issued", "تاريخ الإصدار", _when(doc.issued_at)),
        Field("Issued by", "أصدره", doc.issued_by),
        Field("State", "الحالة", state_en, state_ar, alert=doc.state == "cancelled"),
        Field("Loading point", "نقطة التحميل", f"{doc.hub_code} · {doc.hub_name}", span=2),
        Field("Distribution points", "نقاط التوزيع",
              str(len({ln.point_code for ln in lines}))),
        Field("Total", "المجموع", f"{weight:,.0f} kg · {volume:,.2f} m³"),
    ]
    if doc.reason:
        facts.append(Field("Reason", "السبب", doc.reason, span=4))
    lay.heading(pdf, "Release order", "أمر الصرف")
    lay.field_grid(pdf, facts)
    pdf.ln(4)
    lay.heading(pdf, "Lines", "البنود")
    lay.table(pdf, COLUMNS, [_row(ln) for ln in lines])
    pdf.ln(4)
    lay.heading(pdf, "Signatures", "التواقيع", keep_with=50)
    lay.signature_blocks(pdf, [Signatory(en, ar, name) for (en, ar), name in
                               zip(SIGNATORIES, (doc.issued_by, "", ""), strict=True)])
    return bytes(pdf.output())
