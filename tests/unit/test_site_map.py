"""The site map's projection and colours, and drawing it without a database."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from matplotlib.colors import to_rgb

from aidhub.documents import site_map as m
from aidhub.domain.errors import InvalidInput
from aidhub.services.site_map import MapSite, PointFill, SiteMap


def test_a_degree_east_is_stretched_to_its_length_on_the_ground():
    assert m.x_stretch([]) == 1.0
    assert m.x_stretch([0.0]) == 1.0
    assert m.x_stretch([60.0, 60.0]) == pytest.approx(2.0)
    # the middle latitude counts, not the mean of the sites
    assert m.x_stretch([32.0, 37.0, 37.0, 37.0]) == pytest.approx(
        1 / math.cos(math.radians(34.5)))


def test_the_extent_pads_the_sites_and_is_never_a_point():
    west, east, south, north = m.extent([33.0, 37.0], [36.0, 42.0], pad=0.1)
    assert (west, east) == pytest.approx((35.4, 42.6))
    assert (south, north) == pytest.approx((32.6, 37.4))
    west, east, south, north = m.extent([35.0], [36.0], pad=0)
    assert (east - west, north - south) == pytest.approx((m.MIN_SPAN, m.MIN_SPAN))
    assert (west + east) / 2 == pytest.approx(36.0)


@pytest.mark.parametrize(("rate", "klass"), [
    (0.0, 0), (0.2499, 0), (0.25, 1), (0.4999, 1), (0.5, 2), (0.75, 3), (0.875, 3),
    (0.8999, 3), (0.9, 4), (1.0, 4), (1.2, 4), (None, None),
])
def test_fill_rates_fall_in_five_classes(rate, klass):
    assert m.fill_class(rate) == klass


def test_fill_colours_go_from_red_to_blue_and_grey_without_requests():
    assert m.fill_colour(0.1) == "#d7191c"
    assert m.fill_colour(0.875) == "#abd9e9"
    assert m.fill_colour(1.0) == "#2c7bb6"
    assert m.fill_colour(None) == m.NO_REQUESTS
    assert len(set(m.FILL_COLOURS)) == 5 and m.NO_REQUESTS not in m.FILL_COLOURS


def _lightness(colour: str) -> float:
    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_more_tonnes_through_a_point_of_entry_is_darker():
    assert m.volume_colour(0, 100) == "#ffffff"
    assert m.volume_colour(5, 0) == "#ffffff"
    shades = [_lightness(m.volume_colour(t, 100)) for t in (1, 25, 50, 100)]
    assert shades == sorted(shades, reverse=True) and len(set(shades)) == 4
    assert _lightness(m.volume_colour(1, 100)) < _lightness("#ffffff")  # visible


def _sites() -> list[MapSite]:
    return [
        MapSite("DAM-HUB", "Damascus", "hub", 33.51, 36.29),
        MapSite("SYDAM", "Damascus airport", "point_of_entry", 33.41, 36.52,
                received_t=Decimal("12.5")),
        MapSite("DP-A", "Point A", "distribution_point", 33.57, 36.40,
                fill=PointFill(Decimal(800), Decimal(700))),
        MapSite("DP-B", "Point B", "distribution_point", None, None, fill=PointFill()),
    ]


def test_a_map_with_placed_and_unplaced_sites():
    figures = SiteMap(dt.date(2026, 11, 1), dt.date(2026, 11, 30), _sites())
    assert [s.code for s in figures.unplaced] == ["DP-B"]
    assert m.unplaced_note(figures.unplaced) == (
        "Not placed (no coordinates): DP-B (distribution point)")
    assert m.unplaced_note([]) == ""
    assert m.render(figures, "png").startswith(b"\x89PNG")
    assert b"<svg" in m.render(figures, ".SVG")
    with pytest.raises(InvalidInput, match=r"field 'output'.*png or \.svg"):
        m.render(figures, "jpg")


def test_a_map_with_no_site_placed_still_draws():
    figures = SiteMap(None, None, [MapSite("X", "X", "hub", None, None)])
    assert m.render(figures, "png").startswith(b"\x89PNG")
