"""The donor report as a numbered A4 landscape PDF, in English or in Arabic.

The running header is bilingual, as on every aidhub document; the body is in the report's
language. In Arabic the body is laid out right to left: headings and text at the right,
table columns in mirrored order (the first column at the right), Arabic text shaped by
fpdf2's HarfBuzz text shaping, and charts drawn in Arabic and mirrored
(:mod:`aidhub.documents.charts`). Codes, numbers and dates stay in Western digits.

The Noto fonts have no check mark, cross or minus sign; those are taken from DejaVu Sans,
which matplotlib ships, as a last fallback font.
"""

import io
import re
import struct
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from matplotlib import get_data_path

from aidhub.documents import charts
from aidhub.documents import layout as lay
from aidhub.documents.layout import Column, TableCell, number
from aidhub.domain.errors import InvalidInput
from aidhub.services.donor_report import BANDS as BAND_ORDER
from aidhub.services.donor_report import DonorReport

SYMBOLS = "DejaVuSans"
CHART_WIDTH = 170.0  # millimetres
LRM = "\u200e"  # left-to-right mark
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# from expired (vermilion) to no expiry (grey), in the Okabe-Ito palette
BAND_COLOURS = ("#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2", "#999999")

CATEGORIES = {  # the SUMA categories, in their order
    "pharmaceutical": ("Pharmaceuticals", "الأدوية"),
    "water_sanitation": ("Water & sanitation", "المياه والصرف الصحي"),
    "health": ("Health", "الصحة"),
    "food_drink": ("Food & drink", "الغذاء والشراب"),
    "shelter_construction": ("Shelter & construction", "المأوى والبناء"),
    "logistics_administration": ("Logistics & administration", "اللوجستيات والإدارة"),
    "personal_needs_education": ("Personal needs & education",
                                 "الاحتياجات الشخصية والتعليم"),
    "human_resources": ("Human resources", "الموارد البشرية"),
    "agriculture_livestock": ("Agriculture & livestock", "الزراعة والثروة الحيوانية"),
    "unclassified": ("Unclassified", "غير مصنّف"),
}
BANDS = {
    "expired": ("Expired", "منتهي الصلاحية"),
    "30": ("Expires within 30 days", "ينتهي خلال 30 يوماً"),
    "90": ("In 31–90 days", "خلال 31–90 يوماً"),
    "180": ("In 91–180 days", "خلال 91–180 يوماً"),
    "later": ("After 180 days", "بعد أكثر من 180 يوماً"),
    "none": ("No expiry", "بلا تاريخ انتهاء"),
}
FINDINGS = {
    "not_announced": ("not announced", "غير مُعلَن"),
    "damaged": ("damaged", "تالف"),
    "short": ("short", "ناقص"),
    "over": ("over", "زائد"),
    "outstanding": ("still expected", "ما زال منتظَراً"),
}
LOSS_KINDS = {
    "damaged": ("Damaged on the way", "تالف أثناء النقل"),
    "short": ("Short on arrival", "ناقص عند الوصول"),
    "lost": ("Lost on the way", "مفقود أثناء النقل"),
    "adjustment": ("Loss from stock (count)", "فاقد من المخزون (جرد)"),
    "lost_inbound": ("Lost on the way to a hub", "مفقود في الطريق إلى المركز"),
    "disposal": ("Disposed of", "إتلاف"),
}
SOURCES = {
    "transfer": ("Transfer from {code}", "نقل من {code}"),
    "return": ("Returned from {code}", "مرتجع من {code}"),
    "consignment": ("Consignment with no channel recorded", "شحنة دون قناة مسجَّلة"),
    "direct": ("Received without a GRN", "استلام دون إشعار استلام"),
}
TEXT = {
    "summary": ("Summary", "الملخص"),
    "figure": ("Figure", "البند"),
    "value": ("Value", "القيمة"),
    "donor": ("Donor (owner of the goods)", "المانح (مالك البضائع)"),
    "period": ("Period", "الفترة"),
    "period_value": ("{start} to {end} (whole days, UTC)",
                     "من {start} إلى {end} (أيام كاملة بالتوقيت العالمي)"),
    "generated": ("Generated", "تاريخ الإعداد"),
    "inputs_hash": ("Inputs hash (SHA-256 of the figures)", "بصمة المدخلات (SHA-256 للأرقام)"),
    "received_kg": ("Received into stock, kg", "المستلم في المخزون، كغ"),
    "dispatched_kg": ("Dispatched, kg", "المُرسَل، كغ"),
    "delivered_kg": ("Delivered, kg", "المُسلَّم، كغ"),
    "lost_kg": ("Lost from stock or disposed of, kg", "الفاقد من المخزون أو المُتلَف، كغ"),
    "stock_kg": ("In stock at the end, kg", "في المخزون في نهاية الفترة، كغ"),
    "tie_out": ("Tie-out", "المطابقة"),
    "tie_out_heading": ("7. Tie-out: stock against flows, per item",
                        "7. المطابقة: المخزون مقابل الحركات لكل صنف"),
    "tie_ok": ("All {n} items tie out ✓", "جميع الأصناف ({n}) متطابقة ✓"),
    "tie_bad": ("{bad} of {n} items do not tie out ✗",
                "{bad} من {n} أصناف غير متطابقة ✗"),
    "empty": ("Nothing of {donor}'s was received, held, dispatched or lost in this period.",
              "لم يُستلَم أو يُخزَّن أو يُرسَل أو يُفقَد شيء من بضائع {donor} في هذه الفترة."),
    "none": ("None in this period.", "لا شيء في هذه الفترة."),
    "received": ("1. Received, by channel and category", "1. المستلم حسب القناة والفئة"),
    "received_note": (
        "Goods that entered the hubs' stock by a receipt in the period, by where they came "
        "from: the channel of the consignment whose GRN received them, a transfer from "
        "another hub, a return from a distribution point, or a receipt with no GRN.",
        "البضائع التي دخلت مخزون المراكز بإيصال استلام خلال الفترة، حسب مصدرها: قناة الشحنة "
        "التي استُلمت بإشعار الاستلام، أو نقل من مركز آخر، أو مرتجع من نقطة توزيع، أو استلام "
        "دون إشعار استلام."),
    "chart_received": ("Received by category and channel", "المستلم حسب الفئة والقناة"),
    "axis_kg": ("Gross weight (kg)", "الوزن الإجمالي (كغ)"),
    "source": ("Came from", "المصدر"),
    "category": ("Category (SUMA)", "الفئة (SUMA)"),
    "item": ("Item", "الصنف"),
    "unit": ("Unit", "الوحدة"),
    "quantity": ("Quantity", "الكمية"),
    "weight_kg": ("Weight, kg", "الوزن، كغ"),
    "announced": ("2. Received against announced", "2. المستلم مقابل المُعلَن"),
    "announced_note": (
        "Each consignment line received in the period, with every GRN up to the end of the "
        "period, against the quantity its pre-advice announced; and goods that were not "
        "announced. Difference: received (good + damaged) minus announced.",
        "كل بند شحنة استُلم خلال الفترة، بجميع إشعارات الاستلام حتى نهاية الفترة، مقابل "
        "الكمية المُعلنة في الإشعار المسبق؛ والبضائع غير المُعلنة. الفرق: المستلم (سليم + "
        "تالف) ناقص المُعلَن."),
    "as_announced": ("as announced", "كما أُعلن"),
    "consignment_line": ("Consignment / line", "الشحنة / البند"),
    "grns": ("GRN", "إشعار الاستلام"),
    "announced_q": ("Announced", "المُعلَن"),
    "good": ("Good", "سليم"),
    "damaged": ("Damaged", "تالف"),
    "over": ("Over", "زائد"),
    "short": ("Short", "ناقص"),
    "difference": ("Difference", "الفرق"),
    "discrepancy": ("Discrepancy", "الملاحظة"),
    "stock": ("3. In stock at the end of the period", "3. المخزون في نهاية الفترة"),
    "stock_note": (
        "Goods in the hubs' physical locations at the end of {end}, by site and lot; the "
        "expiry band counts from that day (expired: the expiry date is on or before it).",
        "البضائع في مواقع التخزين الفعلية في نهاية يوم {end}، حسب الموقع والدفعة؛ تُحسب فئة "
        "انتهاء الصلاحية من ذلك اليوم (منتهي الصلاحية: تاريخ الانتهاء في ذلك اليوم أو قبله)."),
    "chart_stock": ("Stock at the end of {end} by category and expiry",
                    "المخزون في نهاية {end} حسب الفئة وانتهاء الصلاحية"),
    "site": ("Site", "الموقع"),
    "batch": ("Batch", "الدفعة"),
    "expiry": ("Expiry", "تاريخ الانتهاء"),
    "band": ("Expires", "انتهاء الصلاحية"),
    "deliveries": ("4. Dispatched and delivered, by governorate",
                   "4. المُرسَل والمُسلَّم حسب المحافظة"),
    "deliveries_note": (
        "Goods dispatched from the hubs to each destination in the period, goods "
        "distributed there in the period (proofs of delivery, and goods handed out "
        "directly), and goods lost on the way there. Governorate: the admin1 P-code of "
        "the destination.",
        "البضائع المُرسلة من المراكز إلى كل وجهة خلال الفترة، والبضائع الموزعة هناك خلال "
        "الفترة (بإثباتات التسليم أو التسليم المباشر)، والبضائع المفقودة في الطريق إليها. "
        "المحافظة: رمز P-code من المستوى الإداري الأول للوجهة."),
    "chart_deliveries": ("Delivered and lost on the way, by governorate",
                         "المُسلَّم والمفقود في الطريق حسب المحافظة"),
    "governorate": ("Governorate", "المحافظة"),
    "destination": ("Destination", "الوجهة"),
    "hub": ("hub", "مركز"),
    "dispatched": ("Dispatched", "المُرسَل"),
    "delivered": ("Delivered", "المُسلَّم"),
    "lost_on_way": ("Lost on the way", "المفقود في الطريق"),
    "losses": ("5. Losses and their reasons", "5. الفاقد وأسبابه"),
    "losses_note": (
        "Goods damaged, short or lost on the way (from proofs of delivery, with the loss "
        "report and its decision), and losses from stock and disposals with the reason "
        "recorded; a negative loss is a gain found in a count.",
        "البضائع التالفة أو الناقصة أو المفقودة أثناء النقل (من إثباتات التسليم، مع تقرير "
        "الفاقد وقراره)، والفاقد من المخزون والإتلاف مع السبب المسجَّل؛ الفاقد السالب زيادة "
        "وُجدت في الجرد."),
    "day": ("Day", "اليوم"),
    "loss_kind": ("What", "النوع"),
    "document": ("Document", "المستند"),
    "reason": ("Reason or decision", "السبب أو القرار"),
    "trace": ("6. Traceability: lot, GRN, waybill, proof of delivery",
              "6. التتبع: الدفعة، إشعار الاستلام، بوليصة الشحن، إثبات التسليم"),
    "trace_note": (
        "Each lot received or shipped in the period: the GRNs that received it (up to the "
        "end of the period) and each waybill that carried it, with its proof of delivery.",
        "كل دفعة استُلمت أو شُحنت خلال الفترة: إشعارات الاستلام التي استلمتها (حتى نهاية "
        "الفترة) وكل بوليصة شحن نقلتها مع إثبات التسليم."),
    "waybill": ("Waybill", "بوليصة الشحن"),
    "dispatched_on": ("Dispatched", "تاريخ الإرسال"),
    "shipped": ("Shipped", "المشحون"),
    "pod": ("Delivered on", "تاريخ التسليم"),
    "lost": ("Lost", "الفاقد"),
    "tie_out_note": (
        "Per item: opening stock + received − dispatched − lost − disposed − returned to "
        "the source = closing stock. Stock is summed from the ledger's physical locations, "
        "the flows from the other side of the same movements, so ✗ means a posting does "
        "not balance: run `aidhub ledger verify`.",
        "لكل صنف: مخزون أول المدة + المستلم − المُرسَل − الفاقد − المُتلَف − المُعاد إلى "
        "المصدر = مخزون آخر المدة. يُجمع المخزون من المواقع الفعلية في السجل، والحركات من "
        "الطرف الآخر للحركات نفسها، لذا تعني ✗ أن قيداً غير متوازن: شغّل aidhub ledger "
        "verify."),
    "opening": ("Opening", "أول المدة"),
    "plus_received": ("+ Received", "+ المستلم"),
    "minus_dispatched": ("− Dispatched", "− المُرسَل"),
    "minus_lost": ("− Lost", "− الفاقد"),
    "minus_disposed": ("− Disposed", "− المُتلَف"),
    "minus_returned": ("− Returned", "− المُعاد"),
    "expected_closing": ("= Expected", "= المتوقع"),
    "closing": ("Closing (ledger)", "آخر المدة (السجل)"),
    "check": ("Check", "التحقق"),
    "footer": ("Report {number} · printed {when}", "التقرير {number} · طُبع في {when}"),
}


def source_label(kind: str, code: str, name: str, language: str = "en") -> str:
    """Where received goods came from, in words."""
    if kind == "channel":
        return f"{code} · {name}" if name else code
    return SOURCES[kind][1 if language == "ar" else 0].format(code=code)


def render_pdf(report: DonorReport, language: str = "en") -> bytes:
    """The report as PDF bytes; ``language`` "en" or "ar"."""
    if language not in ("en", "ar"):
        raise InvalidInput("'%(language)s' is not a report language; choose en or ar",
                           field="language", language=language)
    return _Pdf(report, language).render()


def _symbols(pdf: FPDF) -> None:
    """DejaVu Sans as the last fallback font of every text the layout helpers write."""
    fonts = Path(get_data_path()) / "fonts" / "ttf"
    pdf.add_font(SYMBOLS, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(SYMBOLS, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    base = pdf.set_fallback_fonts

    def set_fallback_fonts(fallback_fonts, exact_match=True):
        base([*fallback_fonts, SYMBOLS], exact_match=exact_match)

    pdf.set_fallback_fonts = set_fallback_fonts  # type: ignore[method-assign]


def _in_order(categories: set[str]) -> list[str]:
    """SUMA categories in their usual order."""
    order = list(CATEGORIES)
    return sorted(categories, key=lambda c: (order.index(c) if c in order else len(order), c))


def kg(value: Decimal) -> str:
    return f"{value:,.1f}"


class _Pdf:
    def __init__(self, report: DonorReport, language: str):
        self.r, self.lang, self.ar = report, language, language == "ar"
        self.pdf: FPDF

    # words ---------------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        return TEXT[key][1 if self.ar else 0].format(**values)

    @staticmethod
    def cell(text: str, **emphasis: bool) -> TableCell:
        """A cell; text with Arabic in it is set as an Arabic paragraph of its own (right
        to left, in the Arabic font), as the layout helpers require."""
        if _ARABIC.search(text):
            return TableCell("", ar=text, **emphasis)
        return TableCell(text, **emphasis)

    def word(self, pair: tuple[str, str] | None, fallback: str = "",
             **emphasis: bool) -> TableCell:
        """A cell holding a word in the report's language."""
        return self.cell((pair or (fallback, fallback))[1 if self.ar else 0] or fallback,
                         **emphasis)

    def item_cell(self, code: str) -> TableCell:
        """The item's code and name (in Arabic, its Arabic name where there is one)."""
        info = self.r.items[code]
        if self.ar and info.name_ar:
            return TableCell(code, ar=info.name_ar)
        return TableCell(f"{code} · {info.name_en}")

    def unit(self, code: str) -> str:
        return self.r.items[code].unit

    # blocks --------------------------------------------------------------------------
    def section(self, key: str, note: str | None = None, png: bytes | None = None,
                **values: object) -> None:
        """A heading, the note under it and the chart, kept together on one page."""
        pdf, text = self.pdf, self.t(key)
        note_text = self.t(note, **values) if note else ""
        note_h = lay.text_block(pdf, 0, 0, pdf.epw, note_text, size=8.5, arabic=self.ar,
                                draw=False)
        chart_h = self.chart_height(png) if png else 0
        lay.heading(pdf, "" if self.ar else text, text if self.ar else "",
                    keep_with=note_h + chart_h + 20)
        if note_text:
            y = pdf.get_y()
            lay.text_block(pdf, pdf.l_margin, y, pdf.epw, note_text, size=8.5,
                           arabic=self.ar, align="R" if self.ar else "L", colour=lay.MUTED)
            pdf.set_xy(pdf.l_margin, y + note_h + 1.5)
        if png:
            self.chart(png)

    def none(self) -> None:
        y = self.pdf.get_y()
        h = lay.text_block(self.pdf, self.pdf.l_margin, y, self.pdf.epw, self.t("none"),
                           size=9, arabic=self.ar, align="R" if self.ar else "L")
        self.pdf.set_xy(self.pdf.l_margin, y + h + 4)

    def table(self, columns: Sequence[tuple[str, float, bool]],
              rows: Sequence[Sequence[str | TableCell]], **options) -> None:
        """Columns (label key, width, numeric); in Arabic, mirrored."""
        cols = [Column("", self.t(k), w, "R") if self.ar else
                Column(self.t(k), "", w, "R" if numeric else "L")
                for k, w, numeric in columns]
        if self.ar:
            cols, rows = cols[::-1], [list(r)[::-1] for r in rows]
        lay.table(self.pdf, cols, rows, **options)
        self.pdf.ln(3)

    @staticmethod
    def chart_height(png: bytes) -> float:
        """Millimetres the chart takes at CHART_WIDTH (its PNG header gives its size)."""
        w_px, h_px = struct.unpack(">II", png[16:24])
        return CHART_WIDTH * h_px / w_px + 2

    def chart(self, png: bytes) -> None:
        h = self.chart_height(png)
        lay.ensure_space(self.pdf, h)
        x = self.pdf.l_margin + (self.pdf.epw - CHART_WIDTH) / 2
        self.pdf.image(io.BytesIO(png), x=x, y=self.pdf.get_y(), w=CHART_WIDTH, h=h - 2)
        self.pdf.set_xy(self.pdf.l_margin, self.pdf.get_y() + h)

    # the document --------------------------------------------------------------------
    def render(self) -> bytes:
        r = self.r
        self.pdf = lay.numbered_document(
            title_en="Donor Report", title_ar="تقرير المانح", number_en="Report",
            number_ar="التقرير", number=f"DR-{r.donor}-{r.start:%Y%m%d}-{r.end:%Y%m%d}",
            subject=f"{r.donor} {r.start} to {r.end}",
            sub_en=f"{r.donor} · {r.donor_name}", sub_ar=r.donor_name_ar or "",
            printed_at=r.generated_at)
        if self.ar:
            self.arabic_footer(f"DR-{r.donor}-{r.start:%Y%m%d}-{r.end:%Y%m%d}")
        _symbols(self.pdf)
        self.summary()
        if r.empty:
            lay.band(self.pdf, "" if self.ar else self.t("empty", donor=r.donor),
                     self.t("empty", donor=r.donor) if self.ar else "")
        else:
            for section in (self.received, self.announced, self.stock, self.deliveries,
                            self.losses, self.trace, self.tie_out):
                section()
        return bytes(self.pdf.output())

    def arabic_footer(self, number: str) -> None:
        """The foot of every page in Arabic, as on the Arabic hub report: the report's
        number and when it was printed at the right (where an Arabic page starts), the
        page number and the number of pages at the left (the count is filled in when the
        document is finished, so it must end a left-to-right line). Codes, dates and times
        are set between left-to-right marks, so that the bidirectional algorithm keeps
        them in order."""
        pdf = self.pdf

        def footer() -> None:
            y = pdf.h - 14 + 4
            lay.rule(pdf, y)
            half = pdf.epw / 2
            printed = self.t("footer", number=f"{LRM}{number}{LRM}",
                             when=f"{LRM}{lay.when(self.r.generated_at)}{LRM}")
            lay.text_block(pdf, pdf.l_margin, y + 1, half,
                           f"{pdf.page_no()} / {pdf.str_alias_nb_pages}", size=7.5,
                           colour=lay.MUTED)
            lay.text_block(pdf, pdf.l_margin + half, y + 1, half, printed, size=7.5,
                           arabic=True, align="R", colour=lay.MUTED)

        pdf.footer = footer  # type: ignore[method-assign]

    def summary(self) -> None:
        r = self.r
        w = r.weight
        lost = sum((w(t.item, t.lost + t.disposed) for t in r.tie_out), Decimal(0))
        bad = [t for t in r.tie_out if not t.ok]
        check = (self.t("tie_ok", n=len(r.tie_out)) if not bad else
                 self.t("tie_bad", bad=len(bad), n=len(r.tie_out)))
        rows = [
            ("donor", f"{r.donor} · {r.donor_name}"),
            ("period", self.t("period_value", start=r.start, end=r.end)),
            ("generated", lay.when(r.generated_at)),
            ("inputs_hash", r.inputs_hash),
            ("received_kg", kg(sum((x.weight_kg for x in r.received), Decimal(0)))),
            ("dispatched_kg", kg(sum((w(d.item, d.dispatched) for d in r.deliveries),
                                     Decimal(0)))),
            ("delivered_kg", kg(sum((w(d.item, d.delivered) for d in r.deliveries),
                                    Decimal(0)))),
            ("lost_kg", kg(lost)),
            ("stock_kg", kg(sum((x.weight_kg for x in r.stock), Decimal(0)))),
        ]
        self.section("summary")
        cells = [[self.cell(self.t(k)), self.cell(v)] for k, v in rows]
        cells.append([self.cell(self.t("tie_out")),
                      self.cell(check, alert=bool(bad), bold=True)])
        self.table([("figure", 60, False), ("value", 150, False)], cells, zebra=False)

    def received(self) -> None:
        r = self.r
        if not r.received:
            self.section("received", "received_note")
            return self.none()
        categories = _in_order({x.category for x in r.received})
        by_source: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for x in r.received:  # in the chart, a channel by its code
            by_source[x.source if x.source_kind == "channel" else self.source(x)][
                x.category] += x.weight_kg
        series = [(name, [float(v[c]) for c in categories]) for name, v in by_source.items()]
        png = charts.bar_chart(self.t("chart_received"), [self.category(c) for c in categories],
                               series, value_label=self.t("axis_kg"), language=self.lang)
        self.section("received", "received_note", png)
        self.table(
            [("source", 60, False), ("category", 38, False), ("item", 80, False),
             ("unit", 18, False), ("quantity", 22, True), ("weight_kg", 24, True)],
            [[self.cell(self.source(x)), self.cell(self.category(x.category)),
              self.item_cell(x.item), self.unit(x.item), number(x.quantity),
              kg(x.weight_kg)] for x in r.received])

    def category(self, code: str) -> str:
        return CATEGORIES.get(code, (code, code))[1 if self.ar else 0]

    def source(self, x) -> str:
        return source_label(x.source_kind, x.source, x.source_name, self.lang)

    def announced(self) -> None:
        self.section("announced", "announced_note")
        if not self.r.announced:
            return self.none()
        rows = []
        for a in self.r.announced:
            found = [FINDINGS[f][1 if self.ar else 0] for f in a.findings]
            text = ", ".join(found) or self.t("as_announced")
            rows.append([
                TableCell(a.consignment + (f" / {a.line_no}" if a.line_no else "")),
                TableCell("\n".join(a.grns)), self.item_cell(a.item), self.unit(a.item),
                number(a.announced), number(a.good), number(a.damaged), number(a.over),
                number(a.short), TableCell(f"{a.difference:+,}" if a.difference else "0",
                                           alert=a.difference < 0),
                self.cell(text, alert=bool(found))])
        self.table([("consignment_line", 40, False), ("grns", 40, False),
                    ("item", 60, False), ("unit", 14, False), ("announced_q", 18, True),
                    ("good", 16, True), ("damaged", 16, True), ("over", 14, True),
                    ("short", 14, True), ("difference", 18, True),
                    ("discrepancy", 32, False)], rows)

    def stock(self) -> None:
        r = self.r
        if not r.stock:
            self.section("stock", "stock_note", end=r.end)
            return self.none()
        categories = _in_order({r.items[x.item].category for x in r.stock})
        weights: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for x in r.stock:
            weights[x.band][r.items[x.item].category] += x.weight_kg
        series = [(BANDS[b][1 if self.ar else 0], [float(weights[b][c]) for c in categories])
                  for b in BAND_ORDER]
        png = charts.bar_chart(self.t("chart_stock", end=r.end),
                               [self.category(c) for c in categories], series,
                               value_label=self.t("axis_kg"), language=self.lang,
                               colours=BAND_COLOURS)
        self.section("stock", "stock_note", png, end=r.end)
        self.table(
            [("site", 26, False), ("item", 80, False), ("batch", 30, False),
             ("expiry", 22, False), ("band", 30, False), ("unit", 16, False),
             ("quantity", 22, True), ("weight_kg", 24, True)],
            [[x.site, self.item_cell(x.item), x.batch or "—",
              str(x.expiry) if x.expiry else "—",
              self.word(BANDS[x.band], alert=x.band == "expired"),
              self.unit(x.item), number(x.quantity), kg(x.weight_kg)] for x in r.stock])

    def place(self, adm1: str | None) -> str:
        if adm1 is None:
            return "—"
        name = self.r.governorates.get(adm1)
        return f"{adm1} · {name[1 if self.ar else 0]}" if name else adm1

    def deliveries(self) -> None:
        r = self.r
        if not r.deliveries:
            self.section("deliveries", "deliveries_note")
            return self.none()
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
        for d in r.deliveries:
            sums[self.place(d.adm1)][0] += r.weight(d.item, d.delivered)
            sums[self.place(d.adm1)][1] += r.weight(d.item, d.lost)
        labels = list(sums)
        self.section("deliveries", "deliveries_note", charts.bar_chart(
            self.t("chart_deliveries"), labels,
            [(self.t("delivered"), [float(sums[g][0]) for g in labels]),
             (self.t("lost_on_way"), [float(sums[g][1]) for g in labels])],
            value_label=self.t("axis_kg"), language=self.lang,
            colours=(charts.PALETTE[0], charts.PALETTE[5])))
        self.table(
            [("governorate", 40, False), ("destination", 56, False), ("item", 80, False),
             ("unit", 16, False), ("dispatched", 22, True), ("delivered", 22, True),
             ("lost_on_way", 22, True)],
            [[self.cell(self.place(d.adm1)), self.cell(
                f"{d.destination} · {d.destination_name}"
                + ("" if d.kind == "distribution_point" else f" ({self.t('hub')})")),
              self.item_cell(d.item), self.unit(d.item), number(d.dispatched),
              number(d.delivered), TableCell(number(d.lost), alert=d.lost > 0)]
             for d in r.deliveries])

    def losses(self) -> None:
        self.section("losses", "losses_note")
        if not self.r.losses:
            return self.none()
        self.table(
            [("day", 20, False), ("site", 28, False), ("loss_kind", 36, False),
             ("document", 44, False), ("item", 64, False), ("unit", 14, False),
             ("quantity", 18, True), ("reason", 60, False)],
            [[str(x.day), x.site, self.word(LOSS_KINDS.get(x.kind), x.kind), x.document,
              self.item_cell(x.item), self.unit(x.item),
              TableCell(number(x.quantity), alert=x.quantity > 0), self.cell(x.reason or "—")]
             for x in self.r.losses])

    def trace(self) -> None:
        self.section("trace", "trace_note")
        if not self.r.trace:
            return self.none()
        self.table(
            [("item", 50, False), ("batch", 26, False), ("expiry", 20, False),
             ("grns", 52, False), ("waybill", 40, False), ("dispatched_on", 20, False),
             ("destination", 28, False), ("shipped", 16, True), ("pod", 20, False),
             ("good", 14, True), ("lost", 14, True)],
            [[self.item_cell(x.item), x.batch or "—", str(x.expiry or "—"),
              "\n".join(f"{g} ({d}): {number(q)}" for g, d, q in x.grns) or "—",
              x.waybill or "—", str(x.dispatched or "—"), x.destination or "—",
              number(x.shipped) if x.waybill else "—", str(x.pod or "—"),
              number(x.good) if x.pod else "—",
              TableCell(number(x.lost), alert=x.lost > 0) if x.pod else "—"]
             for x in self.r.trace])

    def tie_out(self) -> None:
        self.section("tie_out_heading", "tie_out_note")
        if not self.r.tie_out:
            return self.none()
        rows = []
        for t in self.r.tie_out:
            check = (TableCell("✓", bold=True) if t.ok else
                     TableCell(f"✗ {t.difference:+,}", alert=True))
            rows.append([self.item_cell(t.item), self.unit(t.item), number(t.opening),
                         number(t.received), number(t.dispatched), number(t.lost),
                         number(t.disposed), number(t.returned),
                         number(t.expected_closing),
                         TableCell(number(t.closing), alert=not t.ok), check])
        self.table([("item", 70, False), ("unit", 14, False), ("opening", 20, True),
                    ("plus_received", 20, True), ("minus_dispatched", 20, True),
                    ("minus_lost", 18, True), ("minus_disposed", 18, True),
                    ("minus_returned", 18, True), ("expected_closing", 22, True),
                    ("closing", 22, True), ("check", 16, True)], rows)
