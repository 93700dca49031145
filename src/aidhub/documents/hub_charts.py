"""Charts of the hub report, drawn on the server with matplotlib (Agg, no display) as PNG.

Charts people can read: a title saying what is shown, axis labels with their units,
values written on the bars, no 3-D, no shadows, no frame but the axes that carry the
scale. Colours come from the Okabe–Ito palette, which people with any common form of
colour blindness tell apart; where colours stand for an order (expiry bands) they also
go from dark to light. Text comes in already translated: each function takes its words.
Arabic is set with the Noto Naskh font (matplotlib shapes it with libraqm), and an
Arabic chart is mirrored: the value axis on the right, bars growing to the left, time
running from right to left.
"""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from aidhub.documents.pdf import FONTS

# Figures are made with Figure() and saved by the Agg canvas, never through pyplot, so no
# global figure state is shared between requests of the web app; Agg is also chosen for
# any code that does use pyplot in this process.
matplotlib.use("Agg")

#: Okabe & Ito (2008), "Color Universal Design".
BLUE, ORANGE, VERMILLION = "#0072B2", "#E69F00", "#D55E00"
SKY, GREEN, YELLOW, GREY = "#56B4E9", "#009E73", "#F0E442", "#9A9A9A"
INK, MUTED, GRID = "#191919", "#5A5A5A", "#DDDDDD"

WIDTH_MM, HEIGHT_MM = 180, 72  # the text width of an A4 page with 15 mm margins
DPI = 200
MM = 1 / 25.4


@dataclass(frozen=True)
class Words:
    """The text of one chart: title, axis label (with its unit) and series names."""

    title: str
    value_axis: str
    series: tuple[str, ...] = ()
    time_axis: str = ""


@cache
def load_fonts() -> None:
    """Make the Noto fonts of the PDF documents known to matplotlib (once)."""
    for stem in ("NotoSans-Regular", "NotoSans-Bold", "NotoNaskhArabic-Regular",
                 "NotoNaskhArabic-Bold"):
        font_manager.fontManager.addfont(str(FONTS / f"{stem}.ttf"))


def family(rtl: bool) -> list[str]:
    """Noto Naskh Arabic first for Arabic, with Noto Sans for what it lacks (brackets,
    Latin); the other way round for English."""
    return ["Noto Naskh Arabic", "Noto Sans"] if rtl else ["Noto Sans", "Noto Naskh Arabic"]


def _figure(rtl: bool, height_mm: float = HEIGHT_MM) -> tuple[Figure, Axes]:
    load_fonts()
    with rc_context({"font.family": family(rtl), "font.size": 8}):
        fig = Figure(figsize=(WIDTH_MM * MM, height_mm * MM), dpi=DPI)
        ax = fig.add_subplot()
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED, length=0, labelsize=7.5, labelfontfamily=family(rtl))
    ax.set_axisbelow(True)
    return fig, ax


def _text(rtl: bool, size: float = 8, *, bold: bool = False) -> dict:
    return {"fontfamily": family(rtl), "fontsize": size, "color": INK,
            "fontweight": "bold" if bold else "normal"}


def _title(ax: Axes, title: str, rtl: bool) -> None:
    ax.set_title(title, loc="right" if rtl else "left", pad=10, **_text(rtl, 10, bold=True))


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _mirror_values(ax: Axes, rtl: bool) -> None:
    """Put the value (y) axis on the right for Arabic."""
    if rtl:
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")


def throughput(days: Sequence[dt.date], tonnes_in: Sequence[float],
               tonnes_out: Sequence[float], words: Words, *, rtl: bool = False) -> bytes:
    """Tonnes in and out per day, as pairs of bars (in: blue, out: orange)."""
    fig, ax = _figure(rtl)
    x = mdates.date2num(list(days))
    width = 0.4
    ax.bar(x - width / 2, tonnes_in, width, color=BLUE, label=words.series[0])
    ax.bar(x + width / 2, tonnes_out, width, color=ORANGE, label=words.series[1])
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_ylabel(words.value_axis, **_text(rtl))
    if words.time_axis:
        ax.set_xlabel(words.time_axis, **_text(rtl))
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(days) // 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
    ax.set_xlim(x[0] - 0.6, x[-1] + 0.6)
    if rtl:
        ax.invert_xaxis()
    _mirror_values(ax, rtl)
    handles, names = ax.get_legend_handles_labels()
    if rtl:  # read from the right: the first series rightmost, its key right of its name
        handles, names = handles[::-1], names[::-1]
    ax.legend(handles, names, frameon=False, loc="upper right" if rtl else "upper left",
              ncols=len(names), markerfirst=not rtl,
              prop={"family": family(rtl), "size": 7.5})
    ax.margins(y=0.15)
    _title(ax, words.title, rtl)
    return _png(fig)


def bars(labels: Sequence[str], values: Sequence[float], words: Words, *,
         colours: Sequence[str] | str = BLUE, rtl: bool = False,
         value_format: str = "{:,.1f}") -> bytes:
    """Horizontal bars, one per label, top to bottom as given, each with its value
    written at its end (stock by category, stock by expiry band)."""
    height = max(40, 14 + 7 * len(labels))
    fig, ax = _figure(rtl, height)
    y = list(range(len(labels)))
    drawn = ax.barh(y, values, color=colours, edgecolor=MUTED, linewidth=0.4, height=0.65)
    if rtl:  # before the labels, which go beyond the end of each bar
        ax.invert_xaxis()
        _mirror_values(ax, rtl)
    ax.bar_label(drawn, labels=[value_format.format(v) for v in values], padding=3,
                 **_text(rtl, 7.5))
    ax.set_yticks(y, labels, **_text(rtl, 7.5))
    ax.invert_yaxis()  # the first label on top
    ax.xaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_xlabel(words.value_axis, **_text(rtl))
    ax.margins(x=0.12)
    _title(ax, words.title, rtl)
    return _png(fig)
