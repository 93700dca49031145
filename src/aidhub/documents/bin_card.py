"""The bin card: the stock card of one item at a hub or one of its locations, printed to
hang on the bin or to file after a count. The opening balance, every movement in and out
with its running balance, the closing balance, and a box for the physical count and the
storekeeper's and checker's signatures. A numbered A4 landscape PDF in English and Arabic.

The dataclasses hold exactly what is printed, in plain Python types.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number

TITLE_EN, TITLE_AR = "Bin Card", "بطاقة الصنف"

# the movement kinds of aidhub.domain.ledger.MovementKind, in Arabic
KIND_AR = {"receipt": "استلام", "transfer": "نقل داخلي", "dispatch": "إرسال",
           "adjustment": "تسوية", "disposal": "إتلاف", "delivery": "تسليم",
           "reversal": "عكس قيد", "inbound": "وارد", "return": "إرجاع"}


@dataclass(frozen=True, slots=True, kw_only=True)
class BinCardLine:
    """One movement on the card: what came in and went out of the card's places, and the
    balance after it. ``counterpart`` says where from or where to."""

    seq: int
    at: datetime
    kind: str
    reference: str
    batch: str
    owner: str
    counterpart: str
    quantity_in: int
    quantity_out: int
    balance: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BinCardDocument:
    item_code: str
    name_en: str
    name_ar: str | None = None
    unit: str
    hub_code: str
    hub_name: str
    location: str | None = None  # None: every physical location of the hub
    lot: str | None = None
    expiry: date | None = None
    owners: tuple[str, ...] = ()  # the owners the card is limited to; () for all
    since: date | None = None
    until: date | None = None
    opening: int = 0
    lines: tuple[BinCardLine, ...] = ()

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def number(self) -> str:
        place = f"{self.hub_code}/{self.location}" if self.location else self.hub_code
        return f"{self.item_code} · {place}" + (f" · {self.lot}" if self.lot else "")


COLUMNS = (
    Column("#", "م", 12, "R"),
    Column("Date (UTC)", "التاريخ", 27),
    Column("Movement", "الحركة", 24),
    Column("Reference", "المرجع", 44),
    Column("Lot", "الدفعة", 24),
    Column("Owner", "المالك", 18),
    Column("From / to", "من / إلى", 52),
    Column("In", "وارد", 17, "R"),
    Column("Out", "صادر", 17, "R"),
    Column("Balance", "الرصيد", 20, "R"),
)

SIGNATORIES = (("Storekeeper", "أمين المخزن"), ("Checked by", "دقَّقها"))


def _row(line: BinCardLine) -> list[str | TableCell]:
    return [str(line.seq), _utc(line.at),
            TableCell(line.kind, KIND_AR.get(line.kind, "")), line.reference or "—",
            line.batch or "—", line.owner, line.counterpart.replace("→", "->"),
            number(line.quantity_in) if line.quantity_in else "",
            number(line.quantity_out) if line.quantity_out else "",
            TableCell(number(line.balance), bold=True, alert=line.balance < 0)]


def _utc(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M}"


def _period(doc: BinCardDocument) -> str:
    if doc.since and doc.until:
        return f"{doc.since.isoformat()} – {doc.until.isoformat()}"
    if doc.since:
        return f"from {doc.since.isoformat()}"
    if doc.until:
        return f"to {doc.until.isoformat()}"
    return "every movement"


def render_bin_card(doc: BinCardDocument, *, printed_at: datetime) -> bytes:
    """The bin card as an A4 landscape PDF, printed at ``printed_at`` (in the footer)."""
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="Item · place", number_ar="الصنف · المكان",
        number=doc.number, subject=f"Stock card of {doc.item_code} at {doc.hub_code}",
        sub_en=f"{doc.hub_name} ({doc.hub_code})", sub_ar="", printed_at=printed_at)
    lay.field_grid(pdf, [
        Field("Item", "الصنف", f"{doc.item_code} · {doc.name_en}", doc.name_ar or "", span=2),
        Field("Unit", "الوحدة", doc.unit),
        Field("Location", "الموقع", doc.location or "every physical location",
              "" if doc.location else "كل المواقع الفعلية"),
        Field("Lot", "الدفعة", doc.lot or "every lot", "" if doc.lot else "كل الدفعات"),
        Field("Expiry", "انتهاء الصلاحية", doc.expiry.isoformat() if doc.expiry else "—"),
        Field("Owner", "المالك", ", ".join(doc.owners) or "every owner",
              "" if doc.owners else "كل المالكين"),
        Field("Period", "الفترة", _period(doc)),
        Field("Opening balance", "الرصيد الافتتاحي", f"{number(doc.opening)} {doc.unit}"),
        Field("Total in", "إجمالي الوارد",
              number(sum(ln.quantity_in for ln in doc.lines))),
        Field("Total out", "إجمالي الصادر",
              number(sum(ln.quantity_out for ln in doc.lines))),
        Field("Closing balance", "الرصيد الختامي", f"{number(doc.closing)} {doc.unit}",
              alert=doc.closing < 0),
    ], columns=6)
    pdf.ln(4)
    lay.heading(pdf, "Movements in and out, with the running balance",
                "الحركات الواردة والصادرة مع الرصيد الجاري")
    rows: list[list[str | TableCell]] = [[
        "", "", TableCell("Opening balance", "الرصيد الافتتاحي", bold=True), "", "", "", "",
        "", "", TableCell(number(doc.opening), bold=True)]]
    rows += [_row(line) for line in doc.lines]
    if not doc.lines:
        rows.append(["", "", TableCell("No movement in this period", "لا حركة في هذه الفترة",
                                       muted=True), "", "", "", "", "", "", ""])
    lay.table(pdf, COLUMNS, rows, keep_first=2)
    pdf.ln(4)
    lay.write_in_box(pdf, "Physical count (quantity, date) and remarks",
                     "الجرد الفعلي (الكمية والتاريخ) والملاحظات", blank=12)
    pdf.ln(3)
    lay.signature_blocks(pdf, [Signatory(en, ar) for en, ar in SIGNATORIES])
    return bytes(pdf.output())
