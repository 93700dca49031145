"""The waybill: what leaves a hub on one vehicle for one delivery point, printed as a
numbered A4 landscape PDF in English and Arabic, one full copy for each party (hub,
transporter, receiver, and the copy that comes back with the proof of delivery).

The dataclasses hold exactly what is printed, in plain Python types.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF

from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, Signatory, TableCell, number
from aidhub.domain.errors import InvalidInput

TITLE_EN, TITLE_AR = "Waybill", "بوليصة الشحن"

STATE_LABELS = {  # the states of domain.waybills; any other is printed as it is
    "issued": ("Issued", "صادرة"),
    "dispatched": ("Dispatched", "مُرسَلة"),
    "arrived": ("Arrived", "وصلت"),
    "delivered": ("Delivered", "مُسلَّمة"),
    "cancelled": ("CANCELLED", "ملغاة"),
}


@dataclass(frozen=True, slots=True)
class WaybillCopy:
    """One printed copy: its name in English and Arabic, and whether it is the copy the
    receiver fills in (blank received / damaged / short columns) and sends back."""

    en: str
    ar: str
    proof_of_delivery: bool = False


DEFAULT_COPIES = (
    WaybillCopy("Hub copy", "نسخة المركز"),
    WaybillCopy("Transporter copy", "نسخة الناقل"),
    WaybillCopy("Receiver copy", "نسخة المستلِم"),
    WaybillCopy("Return to hub with proof of delivery", "تُعاد إلى المركز مع إثبات التسليم",
                proof_of_delivery=True),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillLineDoc:
    """One line: a lot of one item, its handling units (SSCCs, 18 digits; none when the
    goods are not palletised), and the release order it was released under."""

    line_no: int
    item_code: str
    name_en: str
    name_ar: str | None = None
    unit: str
    batch: str | None = None
    expiry: date | None = None
    ssccs: tuple[str, ...] = ()
    quantity: int
    weight_kg: Decimal
    volume_m3: Decimal
    release_order: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillDocument:
    """A waybill as printed. `issued_by` is the dispatcher; `loading_point` says where at
    the hub the vehicle loads (bay, gate); `consignee` is the receiving organisation
    ("SARC · Syrian Arab Red Crescent"); `url` is the link its QR code opens."""

    number: str
    state: str
    issued_at: datetime
    issued_by: str
    hub_code: str
    hub_name: str
    loading_point: str = ""
    destination_code: str
    destination_name: str
    destination_pcode: str | None = None
    consignee: str
    transporter: str
    vehicle_plate: str
    capacity_kg: Decimal | None = None
    capacity_m3: Decimal | None = None
    driver_name: str
    driver_id: str | None = None
    seals: tuple[str, ...] = ()
    convoy_number: str | None = None
    convoy_reference: str | None = None
    route: str | None = None
    url: str
    notes: str = ""
    lines: tuple[WaybillLineDoc, ...] = ()


# --- content -------------------------------------------------------------------------------


def _kg(value: Decimal) -> str:
    return f"{value:,.0f}"


def _m3(value: Decimal) -> str:
    return f"{value:,.2f}"


def _facts(doc: WaybillDocument, weight: Decimal, volume: Decimal) -> list[Field]:
    """Where from and to, and on what, in four columns."""
    state_en, state_ar = STATE_LABELS.get(doc.state, (doc.state, ""))
    loading = f"{doc.hub_code} · {doc.hub_name}"
    delivery = f"{doc.destination_code} · {doc.destination_name}"
    capacity = " · ".join(part for part in (
        f"{_kg(doc.capacity_kg)} kg" if doc.capacity_kg else "",
        f"{_m3(doc.capacity_m3)} m³" if doc.capacity_m3 else "") if part)
    over = bool((doc.capacity_kg and weight > doc.capacity_kg)
                or (doc.capacity_m3 and volume > doc.capacity_m3))
    load = f"{_kg(weight)} kg · {_m3(volume)} m³"
    if doc.capacity_kg:
        load += f" ({weight / doc.capacity_kg:.0%} of capacity)"
    fields = [
        Field("Issued", "تاريخ الإصدار", lay.when(doc.issued_at)),
        Field("Dispatcher", "أمين الإرسال", doc.issued_by),
        Field("State", "الحالة", state_en, state_ar, alert=doc.state == "cancelled"),
        Field("Release orders", "أوامر الصرف",
              ", ".join(dict.fromkeys(ln.release_order for ln in doc.lines))),
        Field("Loading point", "نقطة التحميل",
              f"{loading}\n{doc.loading_point}"
              if doc.loading_point and doc.loading_point != loading else loading),
        Field("Delivery point", "نقطة التسليم",
              f"{delivery}\nP-code {doc.destination_pcode}" if doc.destination_pcode
              else delivery, span=2),
        Field("Consignee", "المُرسَل إليه", doc.consignee),
        Field("Transporter", "الناقل", doc.transporter),
        Field("Vehicle plate", "رقم المركبة", doc.vehicle_plate),
        Field("Vehicle capacity", "حمولة المركبة", capacity),
        Field("Load", "الحمولة", load, alert=over),
        Field("Driver", "السائق", doc.driver_name),
        Field("Driver ID No.", "رقم هوية السائق", doc.driver_id or ""),
        Field("Seal numbers", "أرقام الأختام", ", ".join(doc.seals), span=2),
        Field("Convoy No.", "رقم القافلة", doc.convoy_number or ""),
        Field("Escort / notification ref.", "مرجع المرافقة / الإخطار",
              doc.convoy_reference or ""),
        Field("Route", "المسار", doc.route or "", span=2),
    ]
    if doc.notes:
        fields.append(Field("Notes", "ملاحظات", doc.notes, span=4))
    return fields


LINE_COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Item code", "رمز الصنف", 25),
    Column("Description", "الوصف", 62),
    Column("Batch", "الدفعة", 23),
    Column("Expiry", "الانتهاء", 19),
    Column("Release order", "أمر الصرف", 30),
    Column("HUs", "الوحدات", 13, "R"),
    Column("Quantity", "الكمية", 18, "R"),
    Column("Unit", "الوحدة", 15),
    Column("kg", "كغ", 17, "R"),
    Column("m³", "م³", 15, "R"),
)
RECEIPT_COLUMNS = (  # the same with three columns left blank for the receiver to fill in
    *LINE_COLUMNS[:2], Column("Description", "الوصف", 36), *LINE_COLUMNS[3:5],
    Column("Release order", "أمر الصرف", 32), *LINE_COLUMNS[6:],
    Column("Received good", "المستلم سليماً", 22, "R"),
    Column("Damaged", "تالف", 18, "R"),
    Column("Short", "ناقص", 16, "R"),
)


def _line_row(line: WaybillLineDoc, *, receipt: bool) -> list[str | TableCell]:
    row: list[str | TableCell] = [
        str(line.line_no), TableCell(line.item_code, bold=True),
        TableCell(line.name_en, line.name_ar or ""), line.batch or "—",
        line.expiry.isoformat() if line.expiry else "—", line.release_order,
        number(len(line.ssccs)) if line.ssccs else "—",
        TableCell(number(line.quantity), bold=True), line.unit, _kg(line.weight_kg),
        _m3(line.volume_m3)]
    return row + [""] * (len(RECEIPT_COLUMNS) - len(LINE_COLUMNS)) if receipt else row


SSCC_COLUMNS = (
    Column("#", "م", 8, "R"),
    Column("Item code", "رمز الصنف", 26),
    Column("Batch", "الدفعة", 24),
    Column("HUs", "الوحدات", 13, "R"),
    Column("SSCC", "الرمز التسلسلي للحاوية", 202),
)
SSCC_PER_ROW = 30  # a row stays well under a page however many pallets a line has


def _sscc_rows(lines: Sequence[WaybillLineDoc]) -> list[list[str | TableCell]]:
    rows: list[list[str | TableCell]] = []
    for line in lines:
        for start in range(0, len(line.ssccs), SSCC_PER_ROW):
            chunk = "   ".join(line.ssccs[start:start + SSCC_PER_ROW])
            first = start == 0
            rows.append([str(line.line_no), TableCell(line.item_code, bold=first,
                                                      muted=not first),
                         line.batch or "—" if first else "",
                         number(len(line.ssccs)) if first else "", chunk])
    return rows


def _totals(lines: Sequence[WaybillLineDoc], weight: Decimal, volume: Decimal
            ) -> list[Field]:
    """Weight and volume over all lines; quantities by unit of measure (bags and kits do
    not add up)."""
    units: dict[str, int] = {}
    for line in lines:
        units[line.unit] = units.get(line.unit, 0) + line.quantity
    return [
        Field("Lines", "عدد البنود", number(len(lines))),
        Field("Handling units", "وحدات المناولة", number(sum(len(ln.ssccs) for ln in lines))),
        Field("Total weight", "الوزن الإجمالي", f"{_kg(weight)} kg"),
        Field("Total volume", "الحجم الإجمالي", f"{_m3(volume)} m³"),
        Field("Quantity by unit", "الكمية حسب الوحدة",
              " · ".join(f"{number(q)} {unit}" for unit, q in units.items()), span=2),
    ]


SIGNATORIES = (("Dispatched by (dispatcher)", "أرسلها (أمين الإرسال)"),
               ("Driver", "السائق"),
               ("Received by (receiver)", "استلمها (المستلِم)"))

DISPATCH_DECLARATION = (
    "The goods above were loaded and sealed with the driver present; the transporter "
    "answers for them until they are delivered.",
    "حُمِّلت البضائع المذكورة أعلاه وخُتمت بحضور السائق، ويتحمل الناقل مسؤوليتها حتى تسليمها.",
)
RECEIPT_DECLARATION = (
    "Received the goods above in good condition, except as written in the columns "
    "Damaged and Short and in the remarks.",
    "استُلمت البضائع المذكورة أعلاه بحالة سليمة، باستثناء ما دُوِّن في عمودي التالف والناقص "
    "وفي الملاحظات.",
)
CANCELLED_NOTICE = (
    "CANCELLED: this waybill is void; its number is kept and not used again.",
    "ملغاة: هذه البوليصة باطلة، ويُحتفظ برقمها ولا يُعاد استخدامه.",
)

QR_SIZE = 30.0
QR_PANEL = 44.0  # width kept beside the shipment fields


# --- rendering -----------------------------------------------------------------------------


def _qr_panel(pdf: FPDF, url: str, x: float, y: float) -> float:
    """The QR code that opens the waybill, a caption above it and the link printed under
    it, in a column `QR_PANEL` wide; returns the y under it."""
    h = lay.pair(pdf, x, y, QR_PANEL, "Scan to open this waybill", "امسح لفتح البوليصة",
                 size=7, colour=lay.MUTED, align="C")
    lay.qr_code(pdf, url, x + (QR_PANEL - QR_SIZE) / 2, y + h, QR_SIZE)
    y += h + QR_SIZE
    return y + lay.text_block(pdf, x, y, QR_PANEL, url, size=6, align="C")


def _copy(pdf: FPDF, doc: WaybillDocument, lines: Sequence[WaybillLineDoc],
          copy: WaybillCopy) -> None:
    """One full copy, from the current position (the top of a page)."""
    weight = sum((ln.weight_kg for ln in lines), Decimal(0))
    volume = sum((ln.volume_m3 for ln in lines), Decimal(0))
    lay.heading(pdf, "Shipment", "الشحنة")
    top = pdf.get_y()
    with lay.inset(pdf, right=QR_PANEL + 3):
        lay.field_grid(pdf, _facts(doc, weight, volume))
    bottom = pdf.get_y()
    bottom = max(bottom, _qr_panel(pdf, doc.url, pdf.w - pdf.r_margin - QR_PANEL, top))
    pdf.set_xy(pdf.l_margin, bottom + 4)

    receipt = copy.proof_of_delivery
    lay.heading(pdf, "Goods", "البضائع")
    lay.table(pdf, RECEIPT_COLUMNS if receipt else LINE_COLUMNS,
              [_line_row(ln, receipt=receipt) for ln in lines])
    pdf.ln(1.5)
    lay.field_grid(pdf, _totals(lines, weight, volume), columns=6)
    if any(ln.ssccs for ln in lines):
        pdf.ln(4)
        lay.heading(pdf, "Handling units (SSCC)", "وحدات المناولة (SSCC)")
        lay.table(pdf, SSCC_COLUMNS, _sscc_rows(lines))
    pdf.ln(4)
    lay.heading(pdf, "Signatures", "التواقيع", keep_with=80 if receipt else 58)
    declarations = [DISPATCH_DECLARATION, RECEIPT_DECLARATION] if receipt \
        else [DISPATCH_DECLARATION]
    for en, ar in declarations:
        y = pdf.get_y()
        h = lay.pair(pdf, pdf.l_margin, y, pdf.epw, en, ar, size=8.5)
        pdf.set_xy(pdf.l_margin, y + h + 1)
    if receipt:
        pdf.ln(1)
        lay.write_in_box(pdf, "Arrival date and time, seals on arrival, remarks",
                         "تاريخ الوصول ووقته، حالة الأختام عند الوصول، ملاحظات", blank=14)
    pdf.ln(2)
    lay.signature_blocks(pdf, [Signatory(en, ar, name) for (en, ar), name in zip(
        SIGNATORIES, (doc.issued_by, doc.driver_name, ""), strict=True)])


def render_waybill(doc: WaybillDocument, *, copies: Sequence[WaybillCopy] = DEFAULT_COPIES,
                   printed_at: datetime | None = None) -> bytes:
    """The waybill as an A4 landscape PDF, one full copy after the other, each starting on
    a new page with its name under the header of each of its pages. A cancelled waybill
    says so on every page. `printed_at` (in the footer) defaults to now, in the time zone
    of `issued_at` when that has one."""
    if not copies:
        raise InvalidInput("say which copies of the waybill to print", field="copies")
    printed_at = printed_at or datetime.now(doc.issued_at.tzinfo)
    destination = f"{doc.destination_code} {doc.destination_name}"
    pdf = lay.numbered_document(
        title_en=TITLE_EN, title_ar=TITLE_AR, number_en="Waybill No.",
        number_ar="رقم البوليصة", number=doc.number,
        subject=f"From {doc.hub_code} to {destination}",
        sub_en=f"{doc.hub_name} ({doc.hub_code}) to {doc.destination_code}", sub_ar="",
        printed_at=printed_at)
    cancelled = doc.state == "cancelled"
    current = [copies[0]]

    def copy_band() -> None:
        lay.band(pdf, current[0].en, current[0].ar)
        if cancelled:
            lay.band(pdf, *CANCELLED_NOTICE, fill=lay.ALERT, colour=(255, 255, 255))

    lay.extend_frame(pdf, header=copy_band,
                     footer=(lambda: lay.watermark(pdf, "CANCELLED")) if cancelled else None)
    lines = sorted(doc.lines, key=lambda ln: ln.line_no)
    for i, copy in enumerate(copies):
        if i:
            current[0] = copy
            pdf.add_page()
        _copy(pdf, doc, lines, copy)
    return bytes(pdf.output())
