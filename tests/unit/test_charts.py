"""Charts for reports: small valid PNGs, readable (title, unit, totals), an empty chart
that says so, Arabic mirrored, and long lists kept short."""

import io

from PIL import Image

from aidhub.documents import charts

LABELS = ["Food & drink", "Health", "Shelter & construction"]
SERIES = [("LB-ROAD", [12000.0, 300.0, 0.0]), ("Received without a GRN", [5000.0, 0.0, 2800.0])]


def texts(fig) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [ax.get_title(loc) for loc in ("left", "right")]
        found += [t.get_text() for t in ax.texts + ax.get_yticklabels()]
        found.append(ax.get_xlabel())
    for legend in fig.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return [t for t in found if t]


def test_a_chart_is_a_small_png_at_print_resolution():
    png = charts.bar_chart("Received by category", LABELS, SERIES,
                           value_label="Gross weight (kg)")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    width, height = Image.open(io.BytesIO(png)).size
    assert width == charts.WIDTH * charts.DPI and 300 < height < width
    assert len(png) < 40_000


def test_a_chart_has_a_title_a_unit_totals_and_a_legend():
    fig = charts.bar_figure("Received by category", LABELS, SERIES,
                            value_label="Gross weight (kg)")
    shown = texts(fig)
    assert "Received by category" in shown and "Gross weight (kg)" in shown
    assert {" 17,000 ", " 300 ", " 2,800 "} <= set(shown)  # each bar's total
    assert {"LB-ROAD", "Received without a GRN"} <= set(shown)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == LABELS
    colours = {p.get_facecolor()[:3] for p in fig.axes[0].patches}
    assert len(colours) == 2


def test_a_chart_with_nothing_to_show_says_so():
    for labels, series in (([], []), (LABELS, [("x", [0.0, 0.0, 0.0])])):
        fig = charts.bar_figure("Delivered by governorate", labels, series,
                                value_label="kg")
        assert charts.NO_DATA["en"] in texts(fig)
        assert not fig.axes[0].patches
    png = charts.bar_chart("Delivered by governorate", [], [], value_label="kg")
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size[0] > 0
    assert charts.NO_DATA["ar"] in texts(charts.bar_figure("x", [], [], value_label="kg",
                                                           language="ar"))


def test_an_arabic_chart_is_mirrored_and_in_arabic():
    fig = charts.bar_figure("المستلم حسب الفئة", ["الغذاء والشراب", "الصحة"],
                            [("أ", [5.0, 2.0]), ("ب", [1.0, 1.0])],
                            value_label="الوزن الإجمالي (كغ)", language="ar")
    ax = fig.axes[0]
    assert ax.xaxis_inverted() and ax.yaxis.get_ticks_position() == "right"
    assert ax.get_title("right") == "المستلم حسب الفئة"
    names = [t.get_text() for t in fig.legends[0].get_texts()]
    assert names == ["ب", "أ"]  # read from the right: the first series first
    assert ax.get_yticklabels()[0].get_fontfamily()[0] == "Noto Naskh Arabic"
    png = charts.bar_chart("المستلم", ["الصحة"], [("أ", [3.0])], value_label="كغ",
                           language="ar")
    assert png.startswith(b"\x89PNG")


def test_long_lists_are_kept_readable():
    many = [(f"S{n}", [1.0] * 20) for n in range(10)]
    fig = charts.bar_figure("t", [f"L{n}" for n in range(20)], many, value_label="kg")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == charts.MAX_BARS and ticks[-1] == "Other"
    names = {t.get_text() for t in fig.legends[0].get_texts()}
    assert names == {"S0", "S1", "S2", "S3", "S4", "S5", "Other"}
    assert " 50 " in texts(fig)  # the last bar: 5 labels x 10 series
