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
from aidhub.interop.cells import safe_cell
from aidhub.services.donor_report import BANDS as BAND_ORDER
from aidhub.services.donor_report import DonorReport

HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E2E7EE")
ALERT = Font(bold=True, color="A51919")
NONE = "None in this period"


def render_xlsx(report: DonorReport) -> bytes:
    """The report as XLSX bytes."""
    book = Workbook()
    _summary(book.active, report)
    r = report
    name = {code: i.name_en for code, i in r.items.items()}
    unit = {code: i.unit for code, i in r.items.items()}
    _sheet(book, "Received", ["came from", "source", "source name", "category", "item",
                              "item name", "unit", "quantity", "weight kg"],
           [[x.source_kind, x.source, source_label(x.source_kind, x.source, x.source_name),
             CATEGORIES.get(x.category, (x.category,))[0], x.item, name[x.item],
             unit[x.item], x.quantity, x.weight_kg] for x in r.received])
    _sheet(book, "Announced", ["consignment", "line", "GRNs", "item", "item name", "unit",
                               "announced", "good", "damaged", "over", "short", "received",
                               "difference", "discrepancy"],
           [[a.consignment, a.line_no, " ".join(a.grns), a.item, name[a.item], unit[a.item],
             a.announced, a.good, a.damaged, a.over, a.short, a.received, a.difference,
             ", ".join(FINDINGS[f][0] for f in a.findings) or "as announced"]
            for a in r.announced])
    _sheet(book, "Stock", ["site", "item", "item name", "category", "unit", "batch",
                           "expiry", "expires", "quantity", "weight kg"],
           [[x.site, x.item, name[x.item],
             CATEGORIES.get(r.items[x.item].category, ("",))[0], unit[x.item], x.batch,
             x.expiry, BANDS[x.band][0], x.quantity, x.weight_kg] for x in r.stock])
    _sheet(book, "Deliveries", ["adm1 P-code", "governorate", "destination",
                                "destination name", "destination kind", "item", "item name",
                                "unit", "dispatched", "delivered", "lost on the way"],
           [[d.adm1, r.governorates.get(d.adm1 or "", ("",))[0], d.destination,
             d.destination_name, d.kind, d.item, name[d.item], unit[d.item], d.dispatched,
             d.delivered, d.lost] for d in r.deliveries])
    _sheet(book, "Losses", ["day", "site", "what", "document", "item", "item name", "unit",
                            "quantity", "reason or decision"],
           [[x.day, x.site, LOSS_KINDS.get(x.kind, (x.kind,))[0], x.document, x.item,
             name[x.item], unit[x.item], x.quantity, x.reason] for x in r.losses])
    _sheet(book, "Traceability", ["item", "batch", "expiry", "GRNs", "waybill",
                                  "dispatched", "destination", "shipped", "delivered on",
                                  "good", "lost"],
           [[x.item, x.batch, x.expiry, "; ".join(f"{g} ({d}): {q}" for g, d, q in x.grns),
             x.waybill, x.dispatched, x.destination, x.shipped if x.waybill else None,
             x.pod, x.good if x.pod else None, x.lost if x.pod else None]
            for x in r.trace])
    tie = _sheet(book, "Tie-out", ["item", "item name", "unit", "opening", "received",
                                   "dispatched", "lost", "disposed", "returned",
                                   "expected closing", "closing", "difference", "check"],
                 [[t.item, name[t.item], unit[t.item], t.opening, t.received, t.dispatched,
                   t.lost, t.disposed, t.returned, t.expected_closing, t.closing,
                   t.difference, "✓" if t.ok else "✗"] for t in r.tie_out])
    for row in tie.iter_rows(min_row=2, min_col=13, max_col=13):
        if row[0].value == "✗":
            row[0].font = ALERT
    _charts(book.create_sheet("Charts"), r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet: Worksheet, r: DonorReport) -> None:
    sheet.title = "Summary"
    bad = sum(not t.ok for t in r.tie_out)
    rows: list[tuple[str, Any]] = [
        ("donor", r.donor), ("donor name", r.donor_name), ("from", r.start), ("to", r.end),
        ("generated (UTC)", r.generated_at.replace(tzinfo=None)),
        ("inputs hash (SHA-256 of the figures)", r.inputs_hash),
        ("items", len(r.tie_out)), ("items that do not tie out", bad),
        ("tie-out", "✓" if not bad else "✗"),
    ]
    if r.empty:
        rows.append(("note", f"Nothing of {r.donor}'s was received, held, dispatched or "
                              "lost in this period."))
    sheet.append(["figure", "value"])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        if row[0] == "tie-out" and bad:
            sheet.cell(sheet.max_row, 2).font = ALERT
    _format(sheet, 2)


def _sheet(book: Workbook, title: str, names: Sequence[str],
           rows: Iterable[Sequence[Any]]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(names))
    written = 0
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        written += 1
    if not written:
        sheet.append([NONE])
    _format(sheet, len(names))
    return sheet


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


def _charts(sheet: Worksheet, r: DonorReport) -> None:
    """Three small tables in kg and a bar chart of each."""
    received: dict[str, Decimal] = defaultdict(Decimal)
    for x in r.received:
        received[CATEGORIES.get(x.category, (x.category,))[0]] += x.weight_kg
    bands: dict[str, Decimal] = {BANDS[b][0]: Decimal(0) for b in BAND_ORDER}
    for s in r.stock:
        bands[BANDS[s.band][0]] += s.weight_kg
    places: dict[str, Decimal] = defaultdict(Decimal)
    for d in r.deliveries:
        name = r.governorates.get(d.adm1 or "", ("",))[0]
        places[f"{d.adm1 or '—'} {name}".strip()] += r.weight(d.item, d.delivered)
    row = 1
    for title, head, data in (
            ("Received by category", "category", received),
            ("Stock at the end of the period by expiry", "expires", bands),
            ("Delivered by governorate", "governorate", places)):
        sheet.cell(row, 1, head).font = HEAD
        sheet.cell(row, 2, "weight kg").font = HEAD
        for n, (label, value) in enumerate(data.items(), start=1):
            sheet.cell(row + n, 1, label)
            sheet.cell(row + n, 2, value).number_format = "#,##0.0"
        if not data:
            sheet.cell(row + 1, 1, NONE)
        else:
            chart = BarChart()
            chart.type, chart.title, chart.legend = "bar", title, None
            chart.x_axis.title, chart.y_axis.title = head, "Gross weight (kg)"
            chart.add_data(Reference(sheet, min_col=2, min_row=row,
                                     max_row=row + len(data)), titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=row + 1,
                                           max_row=row + len(data)))
            chart.width, chart.height = 18, 7.5
            sheet.add_chart(chart, f"D{row}")
        row += max(len(data) + 3, 17)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 14
