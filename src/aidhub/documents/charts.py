"""Charts for printed reports, drawn on the server with matplotlib as small PNG images:
figures are made with matplotlib's object API on an Agg canvas (no pyplot, no display, no
global state), so charts can be drawn from several threads.

One kind of chart serves every report: horizontal bars, optionally stacked, one bar per
label, the total written at the end of each bar; a title, the quantity and its unit on the
value axis, a legend under the plot when there is more than one series, and nothing else
(no frame, no 3-D, a light grid). Colours are the Okabe–Ito palette, which readers with
any common colour-vision deficiency can tell apart; a chart with nothing to show says so.

Text is set in the report's language. Matplotlib 3.11 lays text out with libraqm, which
shapes Arabic (joined letters) and orders it right to left, with the same Noto fonts as
the PDF documents; an Arabic chart is also mirrored: bars grow from the right and the
labels stand at the right.
"""

import io
from collections.abc import Sequence
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PIL import Image

from aidhub.documents.pdf import FONTS

# Okabe & Ito (2008), "Color Universal Design", without black and yellow first
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")
INK, MUTED, GRID = "#1a1a1a", "#666666", "#dddddd"
DPI = 150
WIDTH = 7.0  # inches: about the text width of an A4 page at 150 dpi
MAX_BARS = 16
NO_DATA = {"en": "Nothing to show for this period", "ar": "لا توجد بيانات لهذه الفترة"}
OTHER = {"en": "Other", "ar": "أخرى"}


@cache
def _fonts() -> None:
    for name in ("NotoSans-Regular", "NotoSans-Bold", "NotoNaskhArabic-Regular",
                 "NotoNaskhArabic-Bold"):
        font_manager.fontManager.addfont(str(FONTS / f"{name}.ttf"))


def _style(language: str) -> dict:
    families = ["Noto Sans", "Noto Naskh Arabic"]
    return {"font.family": families[::-1] if language == "ar" else families,
            "font.size": 8.5, "text.color": INK, "axes.labelcolor": INK,
            "xtick.color": MUTED, "ytick.color": INK, "text.language": language,
            "svg.fonttype": "none"}


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


def bar_chart(title: str, labels: Sequence[str],
              series: Sequence[tuple[str, Sequence[float]]], *, value_label: str,
              language: str = "en", colours: Sequence[str] | None = None,
              max_series: int = 7) -> bytes:
    """Horizontal bars, one per label (the first at the top), each stacked from the
    series (name, one value per label); ``value_label`` names the quantity and its unit.
    Series after ``max_series`` are added up as "Other"; labels after MAX_BARS too.
    Returns the PNG."""
    with rc_context(_style(language)):
        return _png(bar_figure(title, labels, series, value_label=value_label,
                               language=language, colours=colours, max_series=max_series))


def bar_figure(title: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[float]]], *, value_label: str,
               language: str = "en", colours: Sequence[str] | None = None,
               max_series: int = 7) -> Figure:
    """The figure :func:`bar_chart` draws."""
    _fonts()
    labels, series = _trim(list(labels), [(n, list(v)) for n, v in series], language,
                           max_series)
    totals = [sum(v[i] for _, v in series) for i in range(len(labels))]
    rtl = language == "ar"
    legend_rows = 0 if len(series) < 2 else 1 + (len(series) > 4)
    height = 0.9 + 0.3 * max(len(labels), 3) + 0.28 * legend_rows
    with rc_context(_style(language)):
        fig = Figure(figsize=(WIDTH, min(height, 8.0)), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_title(title, loc="right" if rtl else "left", fontsize=10.5,
                     fontweight="bold", pad=10)
        if not any(totals):
            ax.axis("off")
            ax.text(0.5, 0.45, NO_DATA.get(language, NO_DATA["en"]), ha="center",
                    va="center", color=MUTED, fontsize=10, transform=ax.transAxes)
            return fig
        _bars(ax, labels, series, totals, colours or PALETTE, rtl)
        ax.set_xlabel(value_label)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, max(totals) * 1.14)
        if rtl:
            ax.invert_xaxis()
            ax.yaxis.tick_right()
        if legend_rows:
            _legend(fig, ax, rtl)
        return fig


def _legend(fig: Figure, ax, rtl: bool) -> None:
    """The series under the plot, read in rows (from the right in Arabic): one row of up
    to four, else two rows."""
    handles, names = ax.get_legend_handles_labels()
    n = len(handles)
    columns = n if n <= 4 else -(-n // 2)
    rows = [list(range(start, min(start + columns, n))) for start in range(0, n, columns)]
    if rtl:
        rows = [row[::-1] for row in rows]
    # matplotlib fills a legend column by column
    order = [row[j] for j in range(columns) for row in rows if j < len(row)]
    fig.legend([handles[k] for k in order], [names[k] for k in order],
               loc="outside lower center", ncols=columns, frameon=False, fontsize=8)


def _trim(labels: list[str], series: list[tuple[str, list[float]]], language: str,
          max_series: int) -> tuple[list[str], list[tuple[str, list[float]]]]:
    other = OTHER.get(language, OTHER["en"])
    if len(series) > max_series:
        rest = [sum(v[i] for _, v in series[max_series - 1:]) for i in range(len(labels))]
        series = [*series[:max_series - 1], (other, rest)]
    if len(labels) > MAX_BARS:
        keep = MAX_BARS - 1
        series = [(n, [*v[:keep], sum(v[keep:])]) for n, v in series]
        labels = [*labels[:keep], other]
    return labels, series


def _bars(ax, labels: list[str], series: list[tuple[str, list[float]]],
          totals: list[float], colours: Sequence[str], rtl: bool) -> None:
    rows = range(len(labels))
    left = [0.0] * len(labels)
    for n, (name, values) in enumerate(series):
        ax.barh(rows, values, left=left, height=0.62, label=name,
                color=colours[n % len(colours)], edgecolor="white", linewidth=0.4)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for row, total in zip(rows, totals, strict=True):
        if total:
            ax.text(total, row, f" {_number(total)} ", va="center",
                    ha="right" if rtl else "left",
                    fontsize=7.5, color=INK)
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()


def _png(fig: Figure) -> bytes:
    """The figure as a small PNG: drawn at DPI, reduced to a 64-colour palette (charts
    have few colours; anti-aliased text keeps enough shades)."""
    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=DPI, metadata={"Software": None},
                facecolor="white")
    image = Image.open(io.BytesIO(raw.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()
