"""Routes from hubs to distribution points, as the planner sees them.

A route has a cost per kg, a lead time in days, and may be closed (a crossing shuts, a
road is cut) or limited to a capacity in kg for the planning period. A hub and a point
with no route between them are not connected.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Route:
    hub_id: uuid.UUID
    point_id: uuid.UUID
    cost_per_kg: Decimal
    lead_days: int
    open: bool = True
    capacity_kg: Decimal | None = None
    note: str = ""


def check_route(cost_per_kg: Decimal, lead_days: int, capacity_kg: Decimal | None,
                open: bool, note: str) -> None:
    if cost_per_kg < 0:
        raise InvalidInput("the cost per kg cannot be negative", field="cost_per_kg")
    if lead_days < 0:
        raise InvalidInput("lead days cannot be negative", field="lead_days")
    if capacity_kg is not None and capacity_kg < 0:
        raise InvalidInput("the capacity cannot be negative (leave it out for no limit)",
                           field="capacity_kg")
    if not open and not note.strip():
        raise InvalidInput("say why the route is closed (it is shown on the plan)",
                           field="note")
