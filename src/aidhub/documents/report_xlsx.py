"""The donor report as an XLSX workbook: a summary sheet, one sheet per section with the
figures as numbers and dates (not text), the tie-out with its check per item, and a
sheet of charts (native Excel bar charts, so that they stay editable). In English."""

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from aidhub.documents.donor_report import BANDS, CATEGORIES, FINDINGS, LOSS_KINDS, source_label
from aidhub.domain.errors import InvalidInput
from aidhub.interop.cells import safe_cell
from aidhub.services.donor_report import BANDS as BAND_ORDER
from aidhub.services.donor_report import DonorReport

HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E2E7EE")
ALERT = Font(bold=True, color="A51919")

WORDS = {  # (English, Arabic): sheet titles, column headings and the summary's words
    "Summary": ("Summary", "الملخص"), "Received": ("Received", "المستلم"),
    "Announced": ("Announced", "المستلم مقابل المعلن"), "Stock": ("Stock", "المخزون"),
    "Deliveries": ("Deliveries", "الإرسال والتسليم"), "Losses": ("Losses", "الفاقد"),
    "Traceability": ("Traceability", "التتبع"), "Tie-out": ("Tie-out", "المطابقة"),
    "Charts": ("Charts", "الرسوم البيانية"),
    "none": ("None in this period", "لا شيء في هذه الفترة"),
    "figure": ("figure", "البند"), "value": ("value", "القيمة"),
    "donor": ("donor", "المانح"), "donor name": ("donor name", "اسم المانح"),
    "from": ("from", "من"), "to": ("to", "إلى"),
    "generated": ("generated (UTC)", "تاريخ الإعداد (التوقيت العالمي)"),
    "inputs hash": ("inputs hash (SHA-256 of the figures)", "بصمة المدخلات (SHA-256 للأرقام)"),
    "items": ("items", "عدد الأصناف"),
    "items bad": ("items that do not tie out", "الأصناف غير المتطابقة"),
    "tie-out": ("tie-out", "المطابقة"), "note": ("note", "ملاحظة"),
    "empty": ("Nothing of {donor}'s was received, held, dispatched or lost in this period.",
              "لم يُستلَم أو يُخزَّن أو يُرسَل أو يُفقَد شيء من بضائع {donor} في هذه الفترة."),
    "came from": ("came from", "نوع المصدر"), "source": ("source", "المصدر"),
    "source name": ("source name", "اسم المصدر"), "category": ("category", "الفئة"),
    "item": ("item", "الصنف"), "item name": ("item name", "اسم الصنف"),
    "unit": ("unit", "الوحدة"), "quantity": ("quantity", "الكمية"),
    "weight kg": ("weight kg", "الوزن كغ"), "consignment": ("consignment", "الشحنة"),
    "line": ("line", "البند"), "GRNs": ("GRNs", "إشعارات الاستلام"),
    "announced": ("announced", "المُعلَن"), "good": ("good", "سليم"),
    "damaged": ("damaged", "تالف"), "over": ("over", "زائد"), "short": ("short", "ناقص"),
    "received": ("received", "المستلم"), "difference": ("difference", "الفرق"),
    "discrepancy": ("discrepancy", "الملاحظة"), "as announced": ("as announced", "كما أُعلن"),
    "site": ("site", "الموقع"), "batch": ("batch", "الدفعة"),
    "expiry": ("expiry", "تاريخ الانتهاء"), "expires": ("expires", "انتهاء الصلاحية"),
    "adm1 P-code": ("adm1 P-code", "رمز المحافظة (P-code)"),
    "governorate": ("governorate", "المحافظة"), "destination": ("destination", "الوجهة"),
    "destination name": ("destination name", "اسم الوجهة"),
    "destination kind": ("destination kind", "نوع الوجهة"),
    "dispatched": ("dispatched", "المُرسَل"), "delivered": ("delivered", "المُسلَّم"),
    "lost on the way": ("lost on the way", "المفقود في الطريق"), "day": ("day", "اليوم"),
    "what": ("what", "النوع"), "document": ("document", "المستند"),
    "reason": ("reason or decision", "السبب أو القرار"), "waybill": ("waybill", "بوليصة الشحن"),
    "shipped": ("shipped", "المشحون"), "delivered on": ("delivered on", "تاريخ التسليم"),
    "lost": ("lost", "الفاقد"),
    "opening": ("opening", "أول المدة"), "disposed": ("disposed", "المُتلَف"),
    "returned": ("returned", "المُعاد"), "expected closing": ("expected closing", "المتوقع"),
    "closing": ("closing", "آخر المدة"), "check": ("check", "التحقق"),
    "chart received": ("Received by category", "المستلم حسب الفئة"),
    "chart stock": ("Stock at the end of the period by expiry",
                    "المخزون في نهاية الفترة حسب انتهاء الصلاحية"),
    "chart places": ("Delivered by governorate", "المُسلَّم حسب المحافظة"),
    "axis kg": ("Gross weight (kg)", "الوزن الإجمالي (كغ)"),
}
SOURCE_KINDS = {
    "channel": ("channel", "قناة"), "transfer": ("transfer", "نقل"),
    "return": ("return", "مرتجع"), "consignment": ("consignment", "شحنة"),
    "direct": ("direct", "استلام مباشر"),
}
SITE_KINDS = {
    "hub": ("hub", "مركز"), "warehouse": ("warehouse", "مستودع"),
    "distribution_point": ("distribution point", "نقطة توزيع"),
    "point_of_entry": ("point of entry", "منفذ دخول"),
}
NONE = WORDS["none"][0]  # kept for callers that read the English workbook


def render_xlsx(report: DonorReport, language: str = "en") -> bytes:
    """The report as XLSX bytes, in English or in Arabic (sheets right to left)."""
    if language not in ("en", "ar"):
        raise InvalidInput("'%(language)s' is not a report language; choose en or ar",
                           field="language", language=language)
    return _Book(report, language).render()


class _Book:
    def __init__(self, report: DonorReport, language: str):
        self.r, self.ar = report, language == "ar"
        self.book = Workbook()

    def w(self, key: str, **values: object) -> str:
        return WORDS[key][1 if self.ar else 0].format(**values)

    def pick(self, pair: tuple[str, ...] | None, fallback: str = "") -> str:
        if not pair:
            return fallback
        return pair[1] if self.ar and len(pair) > 1 and pair[1] else pair[0]

    def name(self, code: str) -> str:
        info = self.r.items[code]
        return info.name_ar if self.ar and info.name_ar else info.name_en

    def sheet(self, title: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
              ) -> Worksheet:
        sheet = self.book.create_sheet(self.w(title)[:31])
        sheet.append([self.w(n) for n in names])
        written = 0
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
            written += 1
        if not written:
            sheet.append([self.w("none")])
        _format(sheet, len(names))
        sheet.sheet_view.rightToLeft = self.ar
        return sheet

    def render(self) -> bytes:
        r, name, cat = self.r, self.name, CATEGORIES
        unit = {code: i.unit for code, i in r.items.items()}
        lang = "ar" if self.ar else "en"
        self.summary(self.book.active)
        self.sheet("Received", ["came from", "source", "source name", "category", "item",
                                "item name", "unit", "quantity", "weight kg"],
                   [[self.pick(SOURCE_KINDS.get(x.source_kind), x.source_kind), x.source,
                     source_label(x.source_kind, x.source, x.source_name, lang),
                     self.pick(cat.get(x.category), x.category), x.item, name(x.item),
                     unit[x.item], x.quantity, x.weight_kg] for x in r.received])
        self.sheet("Announced", ["consignment", "line", "GRNs", "item", "item name", "unit",
                                 "announced", "good", "damaged", "over", "short", "received",
                                 "difference", "discrepancy"],
                   [[a.consignment, a.line_no, " ".join(a.grns), a.item, name(a.item),
                     unit[a.item], a.announced, a.good, a.damaged, a.over, a.short,
                     a.received, a.difference,
                     ("، " if self.ar else ", ").join(self.pick(FINDINGS[f])
                                                      for f in a.findings)
                     or self.w("as announced")]
                    for a in r.announced])
        self.sheet("Stock", ["site", "item", "item name", "category", "unit", "batch",
                             "expiry", "expires", "quantity", "weight kg"],
                   [[x.site, x.item, name(x.item),
                     self.pick(cat.get(r.items[x.item].category), ""), unit[x.item],
                     x.batch, x.expiry, self.pick(BANDS[x.band]), x.quantity, x.weight_kg]
                    for x in r.stock])
        self.sheet("Deliveries", ["adm1 P-code", "governorate", "destination",
                                  "destination name", "destination kind", "item",
                                  "item name", "unit", "dispatched", "delivered",
                                  "lost on the way"],
                   [[d.adm1, self.pick(r.governorates.get(d.adm1 or "")), d.destination,
                     d.destination_name, self.pick(SITE_KINDS.get(d.kind), d.kind), d.item,
                     name(d.item), unit[d.item], d.dispatched, d.delivered, d.lost]
                    for d in r.deliveries])
        self.sheet("Losses", ["day", "site", "what", "document", "item", "item name",
                              "unit", "quantity", "reason"],
                   [[x.day, x.site, self.pick(LOSS_KINDS.get(x.kind), x.kind), x.document,
                     x.item, name(x.item), unit[x.item], x.quantity, x.reason]
                    for x in r.losses])
        self.sheet("Traceability", ["item", "batch", "expiry", "GRNs", "waybill",
                                    "dispatched", "destination", "shipped", "delivered on",
                                    "good", "lost"],
                   [[x.item, x.batch, x.expiry,
                     "; ".join(f"{g} ({d}): {q}" for g, d, q in x.grns), x.waybill,
                     x.dispatched, x.destination, x.shipped if x.waybill else None, x.pod,
                     x.good if x.pod else None, x.lost if x.pod else None]
                    for x in r.trace])
        tie = self.sheet("Tie-out", ["item", "item name", "unit", "opening", "received",
                                     "dispatched", "lost", "disposed", "returned",
                                     "expected closing", "closing", "difference", "check"],
                         [[t.item, name(t.item), unit[t.item], t.opening, t.received,
                           t.dispatched, t.lost, t.disposed, t.returned, t.expected_closing,
                           t.closing, t.difference, "✓" if t.ok else "✗"]
                          for t in r.tie_out])
        for row in tie.iter_rows(min_row=2, min_col=13, max_col=13):
            if row[0].value == "✗":
                row[0].font = ALERT
        charts = self.book.create_sheet(self.w("Charts"))
        charts.sheet_view.rightToLeft = self.ar
        self.charts(charts)
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()

    def summary(self, sheet: Worksheet) -> None:
        r = self.r
        sheet.title = self.w("Summary")
        sheet.sheet_view.rightToLeft = self.ar
        bad = sum(not t.ok for t in r.tie_out)
        donor_name = (r.donor_name_ar if self.ar and r.donor_name_ar else r.donor_name)
        rows: list[tuple[str, Any]] = [
            ("donor", r.donor), ("donor name", donor_name), ("from", r.start),
            ("to", r.end), ("generated", r.generated_at.replace(tzinfo=None)),
            ("inputs hash", r.inputs_hash), ("items", len(r.tie_out)),
            ("items bad", bad), ("tie-out", "✓" if not bad else "✗"),
        ]
        if r.empty:
            rows.append(("note", self.w("empty", donor=r.donor)))
        sheet.append([self.w("figure"), self.w("value")])
        for key, value in rows:
            sheet.append([self.w(key), safe_cell(value)])
            if key == "tie-out" and bad:
                sheet.cell(sheet.max_row, 2).font = ALERT
        _format(sheet, 2)

    def charts(self, sheet: Worksheet) -> None:
        """Three small tables in kg and a bar chart of each."""
        r = self.r
        received: dict[str, Decimal] = defaultdict(Decimal)
        for x in r.received:
            received[self.pick(CATEGORIES.get(x.category), x.category)] += x.weight_kg
        bands: dict[str, Decimal] = {self.pick(BANDS[b]): Decimal(0) for b in BAND_ORDER}
        for s in r.stock:
            bands[self.pick(BANDS[s.band])] += s.weight_kg
        places: dict[str, Decimal] = defaultdict(Decimal)
        for d in r.deliveries:
            name = self.pick(r.governorates.get(d.adm1 or ""), "")
            places[f"{d.adm1 or '—'} {name}".strip()] += r.weight(d.item, d.delivered)
        row = 1
        for title, head, data in (
                ("chart received", "category", received),
                ("chart stock", "expires", bands),
                ("chart places", "governorate", places)):
            sheet.cell(row, 1, self.w(head)).font = HEAD
            sheet.cell(row, 2, self.w("weight kg")).font = HEAD
            for n, (label, value) in enumerate(data.items(), start=1):
                sheet.cell(row + n, 1, label)
                sheet.cell(row + n, 2, value).number_format = "#,##0.0"
            if not data:
                sheet.cell(row + 1, 1, self.w("none"))
            else:
                chart = BarChart()
                chart.type, chart.title, chart.legend = "bar", self.w(title), None
                chart.x_axis.title, chart.y_axis.title = self.w(head), self.w("axis kg")
                chart.add_data(Reference(sheet, min_col=2, min_row=row,
                                         max_row=row + len(data)), titles_from_data=True)
                chart.set_categories(Reference(sheet, min_col=1, min_row=row + 1,
                                               max_row=row + len(data)))
                chart.width, chart.height = 18, 7.5
                sheet.add_chart(chart, f"D{row}")
            row += max(len(data) + 3, 17)
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 14


def _format(sheet: Worksheet, columns: int) -> None:
    """Bold, shaded, frozen header; dates as dates; columns wide enough."""
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font, cell.fill = HEAD, HEAD_FILL
    widths = [len(str(c.value or "")) for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for n, cell in enumerate(row):
            if hasattr(cell.value, "isoformat"):
                cell.number_format = ("yyyy-mm-dd hh:mm" if hasattr(cell.value, "hour")
                                      else "yyyy-mm-dd")
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.0"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
            if n < len(widths):
                widths[n] = max(widths[n], min(len(str(cell.value or "")), 60))
    for n, width in enumerate(widths[:columns], start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width + 2
