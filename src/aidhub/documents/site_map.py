"""The site map: hubs, points of entry and distribution points placed by their coordinates
on plain axes, as PNG or SVG.

aidhub ships no boundary file (only the governorates' P-codes), so there are no
outlines: longitude and latitude are drawn as they are, with the x axis stretched by
1 / cos(latitude) at the middle of the map so that a kilometre east is as long as a
kilometre north there (an equirectangular view, good enough across a country).
Distribution points are coloured by fill rate in five classes (ColorBrewer RdYlBu, which
readers with colour-blindness can tell apart: red is worst, blue best), points of entry
by the tonnes received through them (a light-to-dark purple ramp); hubs are black
squares. Every site is labelled with its code. Sites without coordinates are listed
under the map as "not placed".
"""

import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib
from matplotlib import colormaps, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from aidhub.documents.hub_charts import GRID, INK, MUTED, family, load_fonts
from aidhub.domain.errors import InvalidInput

if TYPE_CHECKING:
    from aidhub.services.site_map import MapSite, SiteMap

matplotlib.use("Agg")

FORMATS = ("png", "svg")
#: Fill-rate classes: [0, 25 %), [25, 50 %), [50, 75 %), [75, 90 %), [90, 100 %].
FILL_BOUNDS = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)
FILL_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")  # RdYlBu, 5 classes
NO_REQUESTS = "#d9d9d9"
VOLUME_MAP = "Purples"
EDGE = "#404040"
MIN_SPAN = 1.0  # degrees: the least width and height of the map


# Projection and colours ------------------------------------------------------------------
def x_stretch(latitudes: Sequence[float]) -> float:
    """The aspect ratio that makes a degree of longitude as long as it is on the ground
    at the middle latitude: 1 / cos(middle latitude). 1 for no sites."""
    if not latitudes:
        return 1.0
    middle = (min(latitudes) + max(latitudes)) / 2
    return 1 / math.cos(math.radians(middle))


def extent(lats: Sequence[float], lons: Sequence[float], *, pad: float = 0.08
           ) -> tuple[float, float, float, float]:
    """(west, east, south, north) around the sites, ``pad`` of the span on each side and
    at least :data:`MIN_SPAN` degrees each way."""
    if not lats:
        return 35.0, 36.0, 33.0, 34.0
    bounds = []
    for low, high in ((min(lons), max(lons)), (min(lats), max(lats))):
        span = max(high - low, MIN_SPAN)
        middle = (low + high) / 2
        bounds += [middle - span * (0.5 + pad), middle + span * (0.5 + pad)]
    west, east, south, north = bounds
    return west, east, south, north


def fill_class(rate: float | None) -> int | None:
    """Which of the five fill-rate classes a rate (0 to 1) falls in; None for none."""
    if rate is None:
        return None
    for n, upper in enumerate(FILL_BOUNDS[1:-1]):
        if rate < upper:
            return n
    return len(FILL_COLOURS) - 1


def fill_colour(rate: float | None) -> str:
    """The colour of a distribution point: its fill-rate class, grey without requests."""
    n = fill_class(rate)
    return NO_REQUESTS if n is None else FILL_COLOURS[n]


def volume_colour(tonnes: float, top: float) -> str:
    """The colour of a point of entry: the purple ramp from 0 to ``top`` tonnes (the
    largest on the map); white when nothing came through."""
    if tonnes <= 0 or top <= 0:
        return "#ffffff"
    return to_hex(colormaps[VOLUME_MAP](_volume_norm(top)(tonnes)))


def _volume_norm(top: float) -> Normalize:
    # the ramp starts at a visible light purple, not at white
    return Normalize(vmin=-top * 0.15, vmax=top)


# Drawing ---------------------------------------------------------------------------------
def render(site_map: "SiteMap", fmt: str = "png") -> bytes:
    """The map as PNG or SVG bytes."""
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput("'%(fmt)s' is not a map format; write the map to a .png or .svg "
                           "file", field="output", fmt=fmt)
    load_fonts()
    placed = site_map.placed
    unplaced = unplaced_note(site_map.unplaced)
    lines = unplaced.count("\n") + 1 if unplaced else 0
    with rc_context({"font.family": family(False), "font.size": 8,
                     "svg.fonttype": "path"}):
        fig = Figure(figsize=(10.0, 7.2 + 0.16 * lines), dpi=150, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        labels = _draw(ax, placed)
        _colour_bars(fig, ax, placed)
        _legend(ax)
        ax.set_title(_title(site_map), loc="left", fontsize=11, fontweight="bold", pad=10,
                     color=INK)
        if unplaced:
            fig.text(0.01, 0.005, unplaced, ha="left", va="bottom", fontsize=7.5,
                     color=MUTED)
            fig.get_layout_engine().set(rect=(0, 0.022 * lines + 0.01, 1,
                                              0.99 - 0.022 * lines))
        place_labels(fig, ax, labels)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, facecolor="white")
    return out.getvalue()


def _title(site_map: "SiteMap") -> str:
    if site_map.start and site_map.end:
        period = f"{site_map.start:%Y-%m-%d} to {site_map.end:%Y-%m-%d}"
    elif site_map.start:
        period = f"from {site_map.start:%Y-%m-%d}"
    elif site_map.end:
        period = f"up to {site_map.end:%Y-%m-%d}"
    else:
        period = "all dates"
    return f"Hubs, points of entry and distribution points ({period})"


def unplaced_note(sites: Sequence["MapSite"]) -> str:
    if not sites:
        return ""
    names = ", ".join(f"{s.code} ({s.kind.replace('_', ' ')})" for s in sites)
    return "\n".join(textwrap.wrap(f"Not placed (no coordinates): {names}", 190))


#: Where a label may go around its marker, in points, in order of preference:
#: (dx, dy, horizontal alignment, vertical alignment).
LABEL_PLACES = (
    (6, 0, "left", "center"), (-6, 0, "right", "center"), (5, 5, "left", "bottom"),
    (5, -5, "left", "top"), (-5, 5, "right", "bottom"), (-5, -5, "right", "top"),
    (0, 7, "center", "bottom"), (0, -7, "center", "top"), (12, 10, "left", "bottom"),
    (12, -10, "left", "top"), (-12, 10, "right", "bottom"), (-12, -10, "right", "top"),
)
MARKER_PX = 6  # half the size of a marker, in pixels, kept free of labels


def _draw(ax, placed: Sequence["MapSite"]) -> list:
    """The axes and the markers; returns the labels, to be placed once laid out."""
    lats, lons = [s.lat for s in placed], [s.lon for s in placed]
    west, east, south, north = extent(lats, lons)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(x_stretch([south, north]))
    ax.grid(True, color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.set_xlabel("longitude (degrees east)", color=INK)
    ax.set_ylabel("latitude (degrees north)", color=INK)
    ax.tick_params(colors=MUTED, labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    top = max((float(s.received_t or 0) for s in placed if s.kind == "point_of_entry"),
              default=0.0)
    for s in sorted(placed, key=lambda s: ("distribution_point", "point_of_entry",
                                          "hub").index(s.kind)):
        if s.kind == "hub":
            ax.scatter(s.lon, s.lat, marker="s", s=46, color=INK, zorder=4)
        elif s.kind == "point_of_entry":
            ax.scatter(s.lon, s.lat, marker="^", s=70, zorder=3, linewidths=0.8,
                       color=volume_colour(float(s.received_t or 0), top), edgecolors=EDGE)
        else:
            rate = s.fill.rate if s.fill else None
            ax.scatter(s.lon, s.lat, marker="o", s=55, zorder=3, linewidths=0.8,
                       color=fill_colour(None if rate is None else float(rate)),
                       edgecolors=EDGE)
    labels = [ax.annotate(s.code, (s.lon, s.lat), xytext=(6, 0), textcoords="offset points",
                          ha="left", va="center", fontsize=6, color=INK, zorder=5,
                          fontweight="bold" if s.kind == "hub" else "normal")
              for s in sorted(placed, key=lambda s: ("hub", "point_of_entry",
                                                     "distribution_point").index(s.kind))]
    return labels


def _legend(ax) -> None:
    ax.legend(handles=[
        Line2D([], [], marker="s", color=INK, linestyle="", markersize=6, label="hub"),
        Line2D([], [], marker="^", color="#9e9ac8", markeredgecolor=EDGE, linestyle="",
               markersize=8, label="point of entry (colour: tonnes received)"),
        Line2D([], [], marker="o", color=FILL_COLOURS[3], markeredgecolor=EDGE, linestyle="",
               markersize=7, label="distribution point (colour: fill rate)"),
        Line2D([], [], marker="o", color=NO_REQUESTS, markeredgecolor=EDGE, linestyle="",
               markersize=7, label="distribution point without approved requests"),
    ], loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=7)


def _boxes_overlap(a: tuple, b: tuple) -> float:
    """The area two (x0, y0, x1, y1) boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(fig: Figure, ax, labels: list) -> None:
    """Move each label (hubs first) to the first place around its marker where it
    covers no marker and no label placed before it, or else where it covers least."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    scale = fig.dpi / 72
    markers = [tuple(ax.transData.transform(label.xy)) for label in labels]
    frame = ax.get_window_extent(renderer)
    taken = [(x - MARKER_PX, y - MARKER_PX, x + MARKER_PX, y + MARKER_PX)
             for x, y in markers]
    for label, (x, y) in zip(labels, markers, strict=True):
        box = label.get_window_extent(renderer)
        w, h = box.width, box.height
        best, best_cover = LABEL_PLACES[0], math.inf
        for place in LABEL_PLACES:
            dx, dy, ha, va = place
            left = x + dx * scale - {"left": 0, "center": w / 2, "right": w}[ha]
            bottom = y + dy * scale - {"bottom": 0, "center": h / 2, "top": h}[va]
            candidate = (left, bottom, left + w, bottom + h)
            cover = sum(_boxes_overlap(candidate, t) for t in taken)
            inside = _boxes_overlap(candidate, (frame.x0, frame.y0, frame.x1, frame.y1))
            cover += 10 * (w * h - inside)  # out of the frame is worse than an overlap
            if cover < best_cover:
                best, best_cover, chosen = place, cover, candidate
            if cover == 0:
                break
        dx, dy, ha, va = best
        label.xyann = (dx, dy)
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        taken.append(chosen)


def _colour_bars(fig: Figure, ax, placed: Sequence["MapSite"]) -> None:
    top = max((float(s.received_t or 0) for s in placed if s.kind == "point_of_entry"),
              default=0.0)
    volume = fig.colorbar(
        ScalarMappable(_volume_norm(top or 1.0), colormaps[VOLUME_MAP]),
        ax=ax, location="bottom", fraction=0.035, pad=0.02, aspect=40, shrink=0.7)
    volume.ax.set_xlim(0, top or 1.0)
    volume.set_label("tonnes received through each point of entry", fontsize=7.5,
                     color=INK)
    volume.ax.tick_params(labelsize=7, colors=MUTED)
    volume.outline.set_edgecolor(EDGE)
    fill = fig.colorbar(
        ScalarMappable(BoundaryNorm(FILL_BOUNDS, len(FILL_COLOURS)),
                       ListedColormap(FILL_COLOURS)),
        ax=ax, location="bottom", fraction=0.035, pad=0.02, aspect=40, shrink=0.7)
    fill.set_ticks(FILL_BOUNDS, labels=[f"{b:.0%}" for b in FILL_BOUNDS])
    fill.set_label("fill rate of distribution points: weight delivered good / approved",
                   fontsize=7.5, color=INK)
    fill.ax.tick_params(labelsize=7, colors=MUTED)
    fill.outline.set_edgecolor(EDGE)
