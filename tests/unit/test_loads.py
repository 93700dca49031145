"""Splitting a delivery across vehicles within kg and m³."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.errors import InvalidInput
from aidhub.domain.loads import Cargo, Load, Vehicle, check_load, split

TRUCK = Vehicle("AB-1234", D(20000), D(60))
PICKUP = Vehicle("CD-5678", D(1500), D(6))


def test_heavy_lines_are_split_in_whole_units_across_trucks():
    loads, left = split([Cargo("flour", 600, D("50.2"), D("0.072")),
                         Cargo("kits", 200, D(9), D("0.05"))], [TRUCK, TRUCK, PICKUP])
    assert left == {}
    for load in loads:
        check_load(load)
    assert sum(ld.lines.get("flour", 0) for ld in loads) == 600
    assert loads[0].lines["flour"] == 398  # 20,000 kg / 50.2 kg


def test_volume_binds_before_weight():
    loads, left = split([Cargo("tents", 100, D(40), D("0.3"))], [PICKUP])
    assert loads[0].lines == {"tents": 20} and left == {"tents": 80}


def test_an_overloaded_truck_is_refused_with_the_excess():
    load = Load(PICKUP)
    load.add(Cargo("flour", 40, D("50.2"), D("0.072")), 40)
    with pytest.raises(InvalidInput, match="2,008 kg, over its capacity of 1,500 kg; move 508"):
        check_load(load)


def test_a_vehicle_needs_a_plate_and_capacity():
    with pytest.raises(InvalidInput, match="plate"):
        split([], [Vehicle(" ", D(1), D(1))])
    with pytest.raises(InvalidInput, match="capacity"):
        split([], [Vehicle("X", D(0), D(1))])


cargo = st.lists(st.tuples(st.integers(1, 500), st.sampled_from(["0.5", "9", "25.1", "50.2"]),
                           st.sampled_from(["0.001", "0.03", "0.07"])), max_size=6)


@given(cargo, st.integers(1, 4))
def test_nothing_is_lost_and_no_vehicle_is_over(rows, trucks):
    items = [Cargo(f"c{n}", q, D(kg), D(m3)) for n, (q, kg, m3) in enumerate(rows)]
    loads, left = split(items, [TRUCK] * trucks)
    for load in loads:
        assert load.kg <= TRUCK.capacity_kg and load.m3 <= TRUCK.capacity_m3
    for c in items:
        carried = sum(ld.lines.get(c.key, 0) for ld in loads)
        assert carried + left.get(c.key, 0) == c.quantity
