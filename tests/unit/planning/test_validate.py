"""Bad problems are refused before solving, every problem named by its JSON path."""

import json

import pytest

from aidhub.domain.errors import InvalidInput
from aidhub.planning import load_problem, parse_problem, problem_to_json
from tests.unit.planning.builders import hub, item, lot, need, point, problem, route


def good() -> dict:
    return problem([item("A"), item("MED", shelf_life=True)],
                   [hub("H1", lot("A", "L1", 100), lot("MED", "M1", 5, expiry=90)),
                    hub("H2", lot("A", "L2", 50), capacity=500)],
                   [point("P1", need("A", 10), need("MED", 2, 1)), point("P2", need("A", 5, 3))],
                   [route("H1", "P1"), route("H2", "P1", capacity=100), route("H1", "P2")])


def refused(data) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_problem(data)
    return caught.value


def test_a_good_problem_is_read_and_written_back_the_same():
    data = good()
    parsed = parse_problem(data)
    assert parsed.hubs[1].dispatch_capacity_kg == 500
    assert parse_problem(problem_to_json(parsed)) == parsed
    assert load_problem(json.dumps(data).encode()) == parsed


def test_text_that_is_not_json_says_where_it_breaks():
    with pytest.raises(InvalidInput, match=r"not JSON: expecting ',' delimiter at line 3, "
                                           r"column 5"):
        load_problem('{"plan_date": "2026-11-02",\n "items": []\n    "hubs": []}')
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_problem(b'{"plan_date": "\xff"}')
    with pytest.raises(InvalidInput, match=r"must be a JSON object"):
        load_problem("[1, 2]")


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda d: d["hubs"][1]["lots"][0].update(quantity=-5),
     "hubs[1].lots[0].quantity", "must not be negative (it is -5)"),
    (lambda d: d["points"][0]["needs"][0].update(priority=4),
     "points[0].needs[0].priority", "priority must be 1 (life-saving), 2 (important) or 3"),
    (lambda d: d["routes"][0].update(hub="H9"), "routes[0].hub", "no hub H9 in hubs"),
    (lambda d: d["routes"][2].update(point="P7"), "routes[2].point", "no point P7 in points"),
    (lambda d: d["points"][1]["needs"][0].update(item="B"),
     "points[1].needs[0].item", "no item B in items"),
    (lambda d: d["hubs"][0]["lots"][0].update(item="B"), "hubs[0].lots[0].item",
     "no item B in items"),
    (lambda d: d["hubs"][1].update(id="H1"), "hubs[1].id", "hub H1 is listed twice"),
    (lambda d: d["points"][1].update(id="P1"), "points[1].id", "point P1 is listed twice"),
    (lambda d: d["items"].append(item("A")), "items[2].code", "item A is listed twice"),
    (lambda d: d["hubs"][0]["lots"][1].update(expiry=None), "hubs[0].lots[1].expiry",
     "MED has a shelf life: give the expiry date of lot M1"),
    (lambda d: d["points"][1]["needs"][0].update(quantity=0), "points[1].needs",
     "point P2 needs nothing"),
    (lambda d: d["points"][1].update(needs=[]), "points[1].needs", "point P2 needs nothing"),
    (lambda d: [r.update(open=False) for r in d["routes"]], "routes", "every route is closed"),
    (lambda d: d["routes"][0].pop("cost_per_kg"), "routes[0].cost_per_kg",
     "is missing (it is required)"),
    (lambda d: d["routes"][0].update(lead_days=1.5), "routes[0].lead_days",
     "must be a whole number, not 1.5"),
    (lambda d: d["hubs"][0]["lots"][0].update(qty=3), "hubs[0].lots[0].qty",
     "unknown key 'qty'"),
    (lambda d: d["hubs"][0]["lots"][1].update(expiry="2027-02-30"), "hubs[0].lots[1].expiry",
     "is not a real date"),
    (lambda d: d["hubs"][0]["lots"][1].update(expiry="next week"), "hubs[0].lots[1].expiry",
     "must be a date written YYYY-MM-DD"),
    (lambda d: d.update(plan_date="2026/11/02"), "plan_date", "must be a date written"),
    (lambda d: d["items"][0].update(unit_weight_kg=0), "items[0].unit_weight_kg",
     "must be more than 0"),
    (lambda d: d["routes"].append(route("H1", "P1")), "routes[3]",
     "route H1 → P1 is listed twice"),
    (lambda d: d["points"][0]["needs"].append(need("A", 3, 1)), "points[0].needs[2]",
     "asks for A at priority 1 twice"),
])
def test_each_problem_names_its_field(change, field, words):
    data = good()
    change(data)
    error = refused(data)
    assert error.field == field
    assert words in str(error)
    assert f"'{field}'" in str(error) or f"{field}:" in str(error)


def test_every_problem_is_reported_at_once():
    data = good()
    data["hubs"][1]["lots"][0]["quantity"] = -5
    data["routes"][0]["hub"] = "H9"
    data["points"][1]["needs"][0]["priority"] = 0
    error = refused(data)
    lines = str(error).splitlines()
    assert lines[0] == "nothing was planned; fix these 2 problem(s) and try again:"
    assert lines[1:] == ["hubs[1].lots[0].quantity: must not be negative (it is -5)",
                         "points[1].needs[0].priority: priority must be 1 (life-saving), 2 "
                         "(important) or 3 (other), not 0"]
    # references are checked once the shape is right, also all at once
    data = good()
    data["routes"][0]["hub"] = "H9"
    data["points"][1]["needs"][0]["item"] = "Z"
    error = refused(data)
    assert [p.field for p in error.problems] == ["points[1].needs[0].item", "routes[0].hub"]


def test_many_problems_are_capped_with_a_count():
    data = good()
    for k in range(60):
        data["routes"].append(route(f"X{k}", "P1"))
    message = str(refused(data))
    assert "fix these 60 problem(s)" in message and "... and 40 more" in message


def test_optional_keys_have_defaults_and_notes_are_allowed():
    data = good()
    data.pop("min_shelf_life_days")
    data["routes"][0].pop("open")
    data["routes"][0].pop("capacity_kg")
    data["hubs"][0].pop("dispatch_capacity_kg")
    data["points"][0]["pcode"] = "SY0200"
    data["routes"][1]["note"] = "checkpoint at km 40"
    data["x-source"] = "export of 2 November"
    parsed = parse_problem(data)
    assert parsed.min_shelf_life_days == 0
    assert parsed.routes[0].open and parsed.routes[0].capacity_kg is None
    assert parsed.hubs[0].dispatch_capacity_kg is None
