"""The hub report as a PDF, in English or in Arabic (right to left): A4 portrait, a running
header with the hub and the period, "page x of y" at the foot, the key figures first,
then a section per subject with its chart (drawn by :mod:`aidhub.documents.hub_charts`)
and its table.

An Arabic report mirrors the page: headings, labels and text at the right, table
columns from right to left, charts mirrored. Codes (hubs, items, waybills) and figures
keep Western digits in both languages. Tonnes are printed with two decimals, rates as
percentages with one.
"""

import datetime as dt
import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from fpdf import FPDF

from aidhub.documents import hub_charts as charts
from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, Field, TableCell
from aidhub.documents.pdf import new_pdf
from aidhub.domain.errors import InvalidInput
from aidhub.domain.waybills import DEFAULT_LOSS_THRESHOLD

if TYPE_CHECKING:  # the figures come from the service; nothing else is needed from it
    from aidhub.services.hub_report import HubReport

LANGUAGES = ("en", "ar")
LRM = "\u200e"  # LEFT-TO-RIGHT MARK

# Words ---------------------------------------------------------------------------------
W: dict[str, tuple[str, str]] = {
    "title": ("Hub report", "تقرير المركز"),
    "period": ("Period", "الفترة"),
    "to": ("to", "إلى"),
    "printed": ("Printed", "طُبع في"),
    "page": ("page", "صفحة"),
    "nothing": ("Nothing happened at {hub} in this period: no goods were received or "
                "dispatched, and there was no screening decision, request, convoy or loss.",
                "لم يحدث شيء في {hub} خلال هذه الفترة: لم تُستلم بضائع ولم تُرسل، ولم يُتخذ "
                "أي قرار تدقيق، ولا طلب ولا قافلة ولا فاقد."),
    "summary": ("Key figures", "الأرقام الرئيسية"),
    "in_t": ("Received (t)", "المستلم (طن)"),
    "out_t": ("Dispatched (t)", "المُرسل (طن)"),
    "stock_t": ("Stock (t)", "المخزون (طن)"),
    "fill": ("Fill rate", "نسبة التلبية"),
    "hits_waiting": ("Screening hits waiting", "نتائج تدقيق بانتظار القرار"),
    "open_docs": ("Documents still open", "وثائق ما زالت مفتوحة"),
    "transit_loss": ("Loss in transit", "الفاقد أثناء النقل"),
    "convoys_n": ("Convoys formed", "القوافل المشكَّلة"),
    # pipeline
    "pipeline": ("Inbound pipeline (at the time of printing)",
                 "الشحنات الواردة (عند الطباعة)"),
    "no_pipeline": ("No consignment is on its way to this hub or being received.",
                    "لا توجد شحنة في الطريق إلى هذا المركز أو قيد الاستلام."),
    "stage": ("Stage", "المرحلة"),
    "channel": ("Channel", "القناة"),
    "consignments": ("Consignments", "الشحنات"),
    "announced": ("Announced", "المُعلن"),
    "received": ("Received", "المستلم"),
    "outstanding": ("Outstanding", "المتبقي"),
    "tonnes": ("Tonnes", "طن"),
    # throughput
    "throughput": ("Throughput", "حركة البضائع"),
    "chart_flow": ("Tonnes received and dispatched per day", "الأطنان المستلمة والمُرسلة يومياً"),
    "t_per_day": ("tonnes per day", "طن في اليوم"),
    "in": ("received", "مستلم"),
    "out": ("dispatched", "مُرسل"),
    "day": ("day (UTC)", "اليوم (بالتوقيت العالمي)"),
    "no_flow": ("Nothing was received or dispatched in this period.",
                "لم يُستلم ولم يُرسل شيء خلال هذه الفترة."),
    "flow_note": ("In the period: {tin} t received onto the shelves, {tout} t dispatched; "
                  "the busiest day was {day}.",
                  "خلال الفترة: استُلم {tin} طن إلى الرفوف وأُرسل {tout} طن؛ وكان أكثر الأيام "
                  "حركةً {day}."),
    # stock
    "stock": ("Stock by category, {day}", "المخزون حسب الفئة، {day}"),
    "chart_stock": ("Stock by SUMA category", "المخزون حسب فئة SUMA"),
    "t": ("tonnes", "طن"),
    "category": ("Category", "الفئة"),
    "lots": ("Lots", "الدفعات"),
    "units": ("Units", "الوحدات"),
    "no_stock": ("The hub held no stock.", "لم يكن في المركز أي مخزون."),
    # expiry
    "expiry": ("Expiry risk, {day}", "مخاطر انتهاء الصلاحية، {day}"),
    "chart_expiry": ("Stock by time left before expiry", "المخزون حسب المدة المتبقية للصلاحية"),
    "expiring": ("Lots expired or expiring within 3 months, soonest first",
                 "دفعات منتهية أو تنتهي خلال 3 أشهر، الأقرب أولاً"),
    "item": ("Item", "الصنف"),
    "name": ("Name", "الاسم"),
    "batch": ("Batch", "الدفعة"),
    "expires": ("Expiry", "انتهاء الصلاحية"),
    "days_left": ("Days left", "الأيام المتبقية"),
    "quantity": ("Quantity", "الكمية"),
    "unit": ("Unit", "الوحدة"),
    # screening
    "screening": ("Screening", "التدقيق"),
    "waiting": ("Hits waiting for a decision", "نتائج بانتظار القرار"),
    "escalated": ("Of which escalated", "منها مُصعَّدة"),
    "oldest": ("Waiting since", "بانتظار القرار منذ"),
    "in_screening": ("Consignments in screening or held", "شحنات قيد التدقيق أو محتجزة"),
    "decided": ("Hits decided in the period", "نتائج بُتّ فيها خلال الفترة"),
    "c_decisions": ("Consignments in the period", "الشحنات خلال الفترة"),
    # requests
    "requests": ("Requests and fill rates", "الطلبات ونسب التلبية"),
    "requests_note": ("Requests for the points this hub serves, submitted in the period; "
                      "fill rate: weight delivered good so far over the weight approved.",
                      "طلبات النقاط التي يخدمها المركز والمقدَّمة خلال الفترة؛ نسبة التلبية: "
                      "الوزن المسلَّم سليماً حتى الآن مقسوماً على الوزن المعتمد."),
    "no_requests": ("No request was submitted in this period for the points this hub serves.",
                    "لم يُقدَّم أي طلب خلال هذه الفترة للنقاط التي يخدمها المركز."),
    "point": ("Distribution point", "نقطة التوزيع"),
    "n_requests": ("Requests", "الطلبات"),
    "approved": ("Approved", "المعتمدة"),
    "requested_t": ("Approved (t)", "المعتمد (طن)"),
    "delivered_t": ("Delivered good (t)", "المسلَّم سليماً (طن)"),
    "states": ("By state", "حسب الحالة"),
    # convoys
    "convoys": ("Convoys", "القوافل"),
    "no_convoys": ("No convoy was formed in this period.", "لم تُشكَّل أي قافلة خلال هذه الفترة."),
    "convoy": ("Convoy", "القافلة"),
    "formed": ("Formed", "تاريخ التشكيل"),
    "route": ("Route", "المسار"),
    "notification": ("Notification", "الإخطار"),
    "waybills": ("Waybills", "البوالص"),
    "on_road": ("On the road", "في الطريق"),
    "delivered": ("Delivered", "مُسلَّمة"),
    # losses
    "losses": ("Losses", "الفاقد"),
    "shipped_t": ("Shipped, delivered in the period (t)", "المشحون والمسلَّم خلال الفترة (طن)"),
    "damaged_t": ("Damaged in transit (t)", "تالف أثناء النقل (طن)"),
    "short_t": ("Short (t)", "ناقص (طن)"),
    "lost_t": ("Lost (t)", "مفقود (طن)"),
    "arrival_t": ("Damaged on arrival (t)", "تالف عند الوصول (طن)"),
    "written_off_t": ("Written off at the hub (t)", "مشطوب في المركز (طن)"),
    "disposed_t": ("Disposed (t)", "متلَف (طن)"),
    # documents
    "documents": ("Documents still open (at the time of printing)",
                  "وثائق ما زالت مفتوحة (عند الطباعة)"),
    "awaiting_grn": ("Consignments waiting for a GRN", "شحنات بانتظار إشعار الاستلام"),
    "untriaged": ("GRN lines not triaged", "بنود إشعارات استلام دون فرز"),
    "awaiting_pod": ("Waybills without proof of delivery", "بوالص دون إثبات تسليم"),
    "open_lr": ("Loss reports not reviewed", "تقارير فاقد لم تُراجع"),
    "none": ("none", "لا يوجد"),
    "waybill": ("Waybill", "البوليصة"),
    "destination": ("Destination", "الوجهة"),
    "state": ("State", "الحالة"),
    "since": ("Since", "منذ"),
    "loss_report": ("Loss report", "تقرير الفاقد"),
    "share": ("Loss", "نسبة الفاقد"),
    "opened": ("Opened", "تاريخ الفتح"),
}

CATEGORIES = {
    "pharmaceutical": ("Pharmaceutical", "الأدوية"),
    "water_sanitation": ("Water and sanitation", "المياه والصرف الصحي"),
    "health": ("Health", "الصحة"),
    "food_drink": ("Food and drink", "الأغذية والمشروبات"),
    "shelter_construction": ("Shelter and construction", "المأوى والبناء"),
    "logistics_administration": ("Logistics and administration", "اللوجستيات والإدارة"),
    "personal_needs_education": ("Personal needs and education",
                                 "الاحتياجات الشخصية والتعليم"),
    "human_resources": ("Human resources", "الموارد البشرية"),
    "agriculture_livestock": ("Agriculture and livestock", "الزراعة والثروة الحيوانية"),
    "unclassified": ("Unclassified", "غير مصنَّف"),
}
BANDS = {
    "expired": ("Expired", "منتهية الصلاحية", charts.VERMILLION),
    "red": ("Under 3 months", "أقل من 3 أشهر", charts.ORANGE),
    "yellow": ("3 to 9 months", "من 3 إلى 9 أشهر", charts.YELLOW),
    "later": ("9 months or more", "9 أشهر أو أكثر", charts.GREEN),
    "none": ("No expiry", "بلا تاريخ انتهاء", charts.GREY),
}
STATES = {  # pipeline stages, request, hit, consignment and waybill states
    "expected": ("expected", "متوقَّعة"), "arrived": ("arrived", "وصلت"),
    "in screening": ("in screening", "قيد التدقيق"), "cleared": ("cleared", "مُجازة"),
    "receiving": ("receiving", "قيد الاستلام"), "received": ("received", "مستلَمة"),
    "submitted": ("submitted", "مقدَّم"), "approved": ("approved", "معتمد"),
    "rejected": ("rejected", "مرفوض"), "planned": ("planned", "مخطَّط"),
    "fulfilled": ("fulfilled", "ملبّى"), "partly_fulfilled": ("partly fulfilled", "ملبّى جزئياً"),
    "cancelled": ("cancelled", "ملغى"), "confirmed": ("confirmed", "مؤكَّدة"),
    "escalated": ("escalated", "مُصعَّدة"), "held": ("held", "محتجزة"),
    "dispatched": ("dispatched", "أُرسلت"), "issued": ("issued", "صدرت"),
}


# Formatting ------------------------------------------------------------------------------
def t2(value: Decimal) -> str:
    """Tonnes with two decimals: 1,234.50."""
    return f"{value:,.2f}"


def pct(rate: Decimal | None) -> str:
    """A rate (0 to 1) as a percentage with one decimal: 87.5 %; a dash when unknown."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def when(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


@dataclass
class _Doc:
    """The PDF being written and its language."""

    pdf: FPDF
    lang: str

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    def w(self, key: str, **values: str) -> str:
        return W[key][self.rtl].format(**values)

    def pick(self, pair: tuple[str, ...]) -> str:
        return pair[self.rtl]

    def iso(self, text: str) -> str:
        """Dates, times and codes inside Arabic text are set between left-to-right marks:
        fpdf2's bidirectional algorithm would otherwise turn 2026-11-30 into
        30-11-2026."""
        return f"{LRM}{text}{LRM}" if self.rtl and not _arabic(text) else text

    def heading(self, key: str, **values: str) -> None:
        text = self.w(key, **values)
        lay.heading(self.pdf, "" if self.rtl else text, text if self.rtl else "")

    def para(self, text: str, *, muted: bool = False, alert: bool = False) -> None:
        pdf = self.pdf
        colour = lay.ALERT if alert else lay.MUTED if muted else lay.INK
        h = lay.text_block(pdf, 0, 0, pdf.epw, text, size=9, arabic=self.rtl, draw=False)
        lay.ensure_space(pdf, h)
        y = pdf.get_y()
        lay.text_block(pdf, pdf.l_margin, y, pdf.epw, text, size=9, arabic=self.rtl,
                       align="R" if self.rtl else "L", colour=colour, bold=alert)
        pdf.set_xy(pdf.l_margin, y + h + 2)

    def fields(self, pairs: Sequence[tuple[str, str]], columns: int = 4,
               alerts: Sequence[bool] = ()) -> None:
        """Labelled values, ``columns`` to a row (rows read from the right in Arabic)."""
        flags = [*alerts, *[False] * (len(pairs) - len(alerts))]
        found = [Field("", label, " ", self.iso(value), alert=alert) if self.rtl
                 else Field(label, "", value, alert=alert)
                 for (label, value), alert in zip(pairs, flags, strict=True)]
        if self.rtl:
            rows = [found[i:i + columns] for i in range(0, len(found), columns)]
            found = [f for row in rows for f in reversed(row + [Field("", "", " ")] *
                                                           (columns - len(row)))]
        lay.field_grid(self.pdf, found, columns=columns)
        self.pdf.ln(3)

    def table(self, columns: Sequence[tuple[str, float, bool]],
              rows: Sequence[Sequence[str]]) -> None:
        """``columns``: (word key, width, numeric). Text cells in Arabic are set as Arabic
        paragraphs; every cell is right-aligned in Arabic, numbers right-aligned in both."""
        cols = [Column("" if self.rtl else self.w(key), self.w(key) if self.rtl else "",
                       width, "R" if numeric or self.rtl else "L")
                for key, width, numeric in columns]
        cells = [[TableCell("", ar=v) if self.rtl and not numeric and _arabic(v)
                  else TableCell(v) for v, (_, _, numeric) in zip(row, columns, strict=True)]
                 for row in rows]
        if self.rtl:
            cols, cells = cols[::-1], [r[::-1] for r in cells]
        lay.table(self.pdf, cols, cells, size=7.5, keep_first=min(len(cells), 3))
        self.pdf.ln(3)

    def image(self, png: bytes) -> None:
        pdf = self.pdf
        width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR
        h = pdf.epw * height / width
        lay.ensure_space(pdf, h)
        y = pdf.get_y()
        pdf.image(io.BytesIO(png), x=pdf.l_margin, y=y, w=pdf.epw, h=h)
        pdf.set_xy(pdf.l_margin, y + h + 2)


def _arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


# The page ----------------------------------------------------------------------------------
def _frame(doc: _Doc, report: "HubReport") -> None:
    pdf = doc.pdf
    period = (f"{doc.iso(f'{report.start:%Y-%m-%d}')} {doc.w('to')} "
              f"{doc.iso(f'{report.end:%Y-%m-%d}')}")
    title = doc.w("title")
    sub = f"{report.hub} · {report.hub_name}"
    align = "R" if doc.rtl else "L"

    def header() -> None:
        top = pdf.t_margin
        h = lay.text_block(pdf, pdf.l_margin, top, pdf.epw, title, size=15, bold=True,
                           arabic=doc.rtl, align=align)
        h += lay.text_block(pdf, pdf.l_margin, top + h, pdf.epw, sub, size=9, align=align)
        h += lay.text_block(pdf, pdf.l_margin, top + h, pdf.epw,
                            f"{doc.w('period')}: {period}", size=9, arabic=doc.rtl,
                            align=align, colour=lay.MUTED)
        lay.rule(pdf, top + h + 1.5, colour=lay.INK, width=0.35)
        pdf.set_xy(pdf.l_margin, top + h + 5)

    def footer() -> None:
        y = pdf.h - 14 + 4
        lay.rule(pdf, y)
        half = pdf.epw / 2
        pages = f"{pdf.page_no()} / {pdf.str_alias_nb_pages}"
        printed = f"{doc.w('printed')} {doc.iso(when(report.generated_at))}"
        left, right = (pages, printed) if doc.rtl else (
            f"{report.hub} · {period} · {doc.w('page')} {pages}", printed)
        # (in Arabic the hub and period are in the header; the foot keeps the numbers)
        lay.text_block(pdf, pdf.l_margin, y + 1, half, left, size=7.5, colour=lay.MUTED)
        lay.text_block(pdf, pdf.l_margin + half, y + 1, half, right, size=7.5,
                       arabic=doc.rtl, align="R", colour=lay.MUTED)

    lay.install_frame(pdf, header=header, footer_label="", footer_right="")
    pdf.footer = footer  # type: ignore[method-assign]


def check_language(language: str) -> str:
    lang = (language or "").strip().lower()
    if lang not in LANGUAGES:
        raise InvalidInput("'%(language)s' is not a report language; choose en or ar",
                           field="language", language=language)
    return lang


def chart_images(report: "HubReport", language: str = "en") -> dict[str, bytes]:
    """The report's charts as PNG, by name (throughput, stock, expiry); a chart with
    nothing to show is left out."""
    doc = _Doc(new_pdf(), check_language(language))
    r = report
    found = {}
    if any(d.tonnes_in or d.tonnes_out for d in r.throughput):
        found["throughput"] = charts.throughput(
            [d.day for d in r.throughput], [float(d.tonnes_in) for d in r.throughput],
            [float(d.tonnes_out) for d in r.throughput],
            charts.Words(doc.w("chart_flow"), doc.w("t_per_day"),
                         (doc.w("in"), doc.w("out")), doc.w("day")), rtl=doc.rtl)
    if r.stock:
        found["stock"] = charts.bars(
            [doc.pick(CATEGORIES.get(c.category, (c.category, c.category))) for c in r.stock],
            [float(c.tonnes) for c in r.stock], charts.Words(doc.w("chart_stock"), doc.w("t")),
            rtl=doc.rtl, value_format="{:,.2f}")
        found["expiry"] = charts.bars(
            [doc.pick(BANDS[b.band]) for b in r.expiry], [float(b.tonnes) for b in r.expiry],
            charts.Words(doc.w("chart_expiry"), doc.w("t")),
            colours=[BANDS[b.band][2] for b in r.expiry], rtl=doc.rtl, value_format="{:,.2f}")
    return found


def render_pdf(report: "HubReport", language: str = "en") -> bytes:
    """The hub report as an A4 portrait PDF in ``language`` (en or ar)."""
    lang = check_language(language)
    images = chart_images(report, lang)
    pdf = new_pdf()
    pdf.set_margins(15, 12, 15)
    pdf.set_title(f"{W['title'][0]} {report.hub} {report.start} – {report.end}")
    pdf.set_creator("aidhub")
    pdf.set_creation_date(report.generated_at)
    doc = _Doc(pdf, lang)
    _frame(doc, report)
    pdf.add_page()
    for section in (_summary, _pipeline, _throughput, _stock, _expiry, _screening,
                    _requests, _convoys, _losses, _documents):
        section(doc, report, images)
    return bytes(pdf.output())


# Sections --------------------------------------------------------------------------------
def _summary(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    if r.empty:
        doc.para(doc.w("nothing", hub=r.hub), alert=True)
    doc.heading("summary")
    rate = r.losses.transit_rate
    waiting = r.screening.open_hits + r.screening.escalated_hits
    doc.fields([
        (doc.w("in_t"), t2(r.tonnes_in)), (doc.w("out_t"), t2(r.tonnes_out)),
        (doc.w("stock_t"), t2(r.stock_tonnes)), (doc.w("fill"), pct(r.fill_rate)),
        (doc.w("hits_waiting"), str(waiting)), (doc.w("open_docs"), str(r.documents.count)),
        (doc.w("transit_loss"), pct(rate)), (doc.w("convoys_n"), str(len(r.convoys))),
    ], alerts=[False] * 4 + [waiting > 0, False,
                             rate is not None and rate > DEFAULT_LOSS_THRESHOLD, False])


def _pipeline(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("pipeline")
    if not r.pipeline:
        doc.para(doc.w("no_pipeline"), muted=True)
        return
    doc.table([("stage", 24, False), ("channel", 34, False), ("consignments", 20, True),
               ("announced", 20, True), ("received", 20, True), ("outstanding", 20, True),
               ("tonnes", 18, True)],
              [[doc.pick(STATES.get(p.stage, (p.stage, p.stage))), p.channel or "—",
                str(p.consignments), f"{p.announced:,}", f"{p.received:,}",
                f"{p.outstanding:,}", t2(p.tonnes)] for p in r.pipeline])


def _throughput(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("throughput")
    if not any(d.tonnes_in or d.tonnes_out for d in r.throughput):
        doc.para(doc.w("no_flow"), muted=True)
        return
    busiest = max(r.throughput, key=lambda d: (d.tonnes_in + d.tonnes_out, -d.day.toordinal()))
    doc.para(doc.w("flow_note", tin=t2(r.tonnes_in), tout=t2(r.tonnes_out),
                   day=doc.iso(f"{busiest.day:%Y-%m-%d}")))
    doc.image(images["throughput"])


def _stock(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("stock", day=doc.iso(f"{r.stock_as_at:%Y-%m-%d}"))
    if not r.stock:
        doc.para(doc.w("no_stock"), muted=True)
        return
    names = [doc.pick(CATEGORIES.get(c.category, (c.category, c.category))) for c in r.stock]
    doc.image(images["stock"])
    doc.table([("category", 60, False), ("lots", 20, True), ("units", 24, True),
               ("tonnes", 24, True)],
              [[name, str(c.lots), f"{c.quantity:,}", t2(c.tonnes)]
               for name, c in zip(names, r.stock, strict=True)])


def _expiry(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("expiry", day=doc.iso(f"{r.stock_as_at:%Y-%m-%d}"))
    if not r.stock:
        doc.para(doc.w("no_stock"), muted=True)
        return
    doc.image(images["expiry"])
    if r.expiring:
        doc.para(doc.w("expiring"))
        doc.table([("item", 30, False), ("name", 52, False), ("batch", 22, False),
                   ("expires", 20, False), ("days_left", 16, True), ("quantity", 16, True),
                   ("unit", 14, False), ("tonnes", 16, True)],
                  [[x.item, (x.item_name_ar or x.item_name) if doc.rtl else x.item_name,
                    x.batch or "—", f"{x.expiry:%Y-%m-%d}", str(x.days_left),
                    f"{x.quantity:,}", x.unit, t2(x.tonnes)] for x in r.expiring])


def _counts(doc: _Doc, counts: dict[str, int]) -> str:
    """"cleared 2, rejected 1" (in Arabic with the Arabic comma)."""
    if not counts:
        return doc.w("none")
    return ("، " if doc.rtl else ", ").join(
        f"{doc.pick(STATES.get(k, (k, k)))} {n}" for k, n in counts.items())


def _screening(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    s = r.screening
    doc.heading("screening")
    doc.fields([
        (doc.w("waiting"), str(s.open_hits + s.escalated_hits)),
        (doc.w("escalated"), str(s.escalated_hits)),
        (doc.w("oldest"), when(s.oldest_open) if s.oldest_open else "—"),
        (doc.w("in_screening"), str(s.in_screening)),
        (doc.w("decided"), _counts(doc, s.hits_decided)),
        (doc.w("c_decisions"), _counts(doc, s.consignments)),
    ], columns=2, alerts=[bool(s.open_hits + s.escalated_hits)])


def _requests(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("requests")
    if not r.requests:
        doc.para(doc.w("no_requests"), muted=True)
        return
    doc.para(doc.w("requests_note"), muted=True)
    doc.para(f"{doc.w('states')}: {_counts(doc, r.request_states)}")
    doc.table([("point", 34, False), ("name", 44, False), ("n_requests", 16, True),
               ("approved", 16, True), ("requested_t", 20, True), ("delivered_t", 22, True),
               ("fill", 18, True)],
              [[p.point, p.point_name, str(p.requests), str(p.approved), t2(p.requested_t),
                t2(p.delivered_t), pct(p.fill_rate)] for p in r.requests])


def _convoys(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    doc.heading("convoys")
    if not r.convoys:
        doc.para(doc.w("no_convoys"), muted=True)
        return
    doc.table([("convoy", 32, False), ("formed", 26, False), ("route", 44, False),
               ("notification", 26, False), ("waybills", 16, True), ("on_road", 16, True),
               ("delivered", 16, True)],
              [[c.number, when(c.formed_at), c.route or "—", c.notification or "—",
                str(c.waybills), str(c.on_the_road), str(c.delivered)] for c in r.convoys])


def _losses(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    x = r.losses
    doc.heading("losses")
    doc.fields([
        (doc.w("shipped_t"), t2(x.shipped_t)), (doc.w("transit_loss"), pct(x.transit_rate)),
        (doc.w("damaged_t"), t2(x.damaged_t)), (doc.w("short_t"), t2(x.short_t)),
        (doc.w("lost_t"), t2(x.lost_t)), (doc.w("arrival_t"), t2(x.damaged_on_arrival_t)),
        (doc.w("written_off_t"), t2(x.written_off_t)), (doc.w("disposed_t"), t2(x.disposed_t)),
    ])


def _documents(doc: _Doc, r: "HubReport", images: dict[str, bytes]) -> None:
    d = r.documents
    doc.heading("documents")
    doc.fields([
        (doc.w("awaiting_grn"), ", ".join(d.awaiting_grn) or doc.w("none")),
        (doc.w("untriaged"), str(d.untriaged_grn_lines)),
        (doc.w("awaiting_pod"), str(len(d.awaiting_pod))),
        (doc.w("open_lr"), str(len(d.loss_reports))),
    ], columns=2)
    if d.awaiting_pod:
        doc.para(doc.w("awaiting_pod"))
        doc.table([("waybill", 40, False), ("destination", 40, False), ("state", 24, False),
                   ("since", 34, False)],
                  [[w.waybill, w.destination, doc.pick(STATES.get(w.state, (w.state, w.state))),
                    when(w.since)] for w in d.awaiting_pod])
    if d.loss_reports:
        doc.para(doc.w("open_lr"))
        doc.table([("loss_report", 40, False), ("waybill", 40, False), ("share", 20, True),
                   ("opened", 34, False)],
                  [[x.number, x.waybill, pct(x.share), when(x.opened_at)]
                   for x in d.loss_reports])
