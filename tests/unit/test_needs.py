"""Needs from planning figures: Sphere 2018 defaults, rounding up, the explanation."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain import needs
from aidhub.domain.errors import InvalidInput

SPHERE = needs.SPHERE_2018


def test_water_is_15_litres_per_person_per_day():
    (need,) = needs.compute(SPHERE.get("water"), persons=1000, households=None, days=30)
    # 15 L x 1,000 people x 30 days = 450,000 L in packs of 9 L
    assert (need.item, need.quantity) == ("WASH-WATER-1500ML-PK6", 50000)
    assert "15 L per person per day" in need.basis and "Sphere 2018" in need.basis


def test_soap_is_per_month_and_rounded_up():
    (bathing,) = needs.compute(SPHERE.get("soap_bathing"), persons=100, households=None,
                               days=30)
    (laundry,) = needs.compute(SPHERE.get("soap_laundry"), persons=100, households=None,
                               days=30)
    # 250 g x 100 = 25 kg in cartons of 7.2 kg -> 3.47 -> 4; 200 g x 100 = 20 kg / 10 kg -> 2
    assert (bathing.quantity, laundry.quantity) == (4, 2)


def test_household_items_and_covered_space():
    (jerrycans,) = needs.compute(SPHERE.get("water_containers"), persons=None,
                                 households=200, days=0)
    (kits,) = needs.compute(SPHERE.get("hygiene_kit"), persons=None, households=200, days=30)
    (tents,) = needs.compute(SPHERE.get("covered_space"), persons=50, households=None,
                             days=0)
    assert (jerrycans.quantity, kits.quantity, tents.quantity) == (400, 200, 11)  # 175/16
    (buckets,) = needs.compute(SPHERE.get("water_containers"), persons=None, households=3,
                               days=0, item="wash-bucket-14l")
    assert buckets.item == "WASH-BUCKET-14L"


def test_food_goes_through_the_ration_table_and_reaches_2100_kcal():
    food = SPHERE.get("food")
    assert food.ration_kcal() >= Decimal(2100)
    lines = needs.compute(food, persons=1000, households=None, days=30)
    by_item = {n.item: n.quantity for n in lines}
    # 360 g x 1,000 x 30 = 10,800 kg of flour in 50 kg bags
    assert by_item["FOOD-WFLOUR-50KG"] == 216
    assert all("kcal" in n.basis for n in lines)


def test_a_short_ration_is_flagged():
    food = SPHERE.get("food")
    thin = needs.Figure(food.code, food.label, food.amount, food.unit, food.per, food.period,
                        food.source, ration=food.ration[:1])
    (line,) = needs.compute(thin, persons=10, households=None, days=1)
    assert "WARNING" in line.basis


def test_missing_population_or_days_is_explained():
    with pytest.raises(InvalidInput, match="number of households"):
        needs.compute(SPHERE.get("hygiene_kit"), persons=100, households=None, days=30)
    with pytest.raises(InvalidInput, match="days"):
        needs.compute(SPHERE.get("water"), persons=100, households=None, days=0)
    with pytest.raises(InvalidInput, match="does not provide"):
        needs.compute(SPHERE.get("water"), persons=1, households=None, days=1, item="RICE")
    with pytest.raises(InvalidInput, match="no planning figure 'fuel'"):
        SPHERE.get("fuel")


def test_figures_round_trip_and_bad_figures_name_the_field():
    again = needs.from_json(json.loads(json.dumps(needs.to_json(SPHERE))))
    assert again == SPHERE
    data = needs.to_json(SPHERE)
    data["figures"][0]["amount"] = "-3"
    with pytest.raises(InvalidInput, match=r"figures\[0\]\.amount"):
        needs.from_json(data)
    data = needs.to_json(SPHERE)
    data["figures"][1]["code"] = "water"
    with pytest.raises(InvalidInput, match="unique code"):
        needs.from_json(data)


@given(persons=st.integers(1, 10**6), days=st.integers(1, 365))
def test_quantities_always_cover_the_need(persons, days):
    figure = SPHERE.get("water")
    (need,) = needs.compute(figure, persons=persons, households=None, days=days)
    content = figure.contents[0].amount
    assert need.quantity * content >= figure.amount * persons * days
    assert (need.quantity - 1) * content < figure.amount * persons * days
