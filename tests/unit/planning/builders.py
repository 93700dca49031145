"""Small allocation problems in their JSON form, written the way a reader of the test
would say them: ``lot("A", "L1", 100)``, ``need("A", 80, 1)``, ``route("H1", "P1")``."""

import datetime as dt
import json

PLAN_DATE = dt.date(2026, 11, 2)


def day(offset: int) -> str:
    """The plan date plus ``offset`` days, as text."""
    return (PLAN_DATE + dt.timedelta(days=offset)).isoformat()


def item(code: str, kg: float = 1.0, shelf_life: bool = False) -> dict:
    return {"code": code, "unit_weight_kg": kg, "shelf_life": shelf_life}


def lot(item_code: str, lot_code: str, quantity: int, expiry: int | None = None,
        received: int | None = None) -> dict:
    out = {"item": item_code, "lot": lot_code, "quantity": quantity,
           "expiry": None if expiry is None else day(expiry)}
    if received is not None:
        out["received"] = day(received)
    return out


def hub(hub_id: str, *lots: dict, capacity: float | None = None) -> dict:
    return {"id": hub_id, "dispatch_capacity_kg": capacity, "lots": list(lots)}


def need(item_code: str, quantity: int, priority: int = 1, submitted: str | None = None,
         request: str | None = None) -> dict:
    out = {"item": item_code, "quantity": quantity, "priority": priority}
    if submitted is not None:
        out["submitted"] = submitted
    if request is not None:
        out["request"] = request
    return out


def point(point_id: str, *needs: dict) -> dict:
    return {"id": point_id, "needs": list(needs)}


def route(hub_id: str, point_id: str, cost: float = 1.0, lead: int = 1, open: bool = True,
          capacity: float | None = None) -> dict:
    return {"hub": hub_id, "point": point_id, "cost_per_kg": cost, "lead_days": lead,
            "open": open, "capacity_kg": capacity}


def problem(items: list[dict], hubs: list[dict], points: list[dict], routes: list[dict],
            min_shelf_life_days: int = 0) -> dict:
    return {"plan_date": PLAN_DATE.isoformat(), "min_shelf_life_days": min_shelf_life_days,
            "items": items, "hubs": hubs, "points": points, "routes": routes}


def text(data: dict) -> str:
    return json.dumps(data)
