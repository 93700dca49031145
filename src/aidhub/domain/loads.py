"""Loads: how the goods for one delivery point are split across vehicles.

A vehicle carries goods for one delivery point (its waybill names one). Lines are packed
first-fit decreasing by weight, within each vehicle's kg and m³; a line too big for the
space left is split in whole units. What no vehicle can take is returned as left over,
never silently dropped. A dispatcher can then move units between vehicles; every load is
checked against its vehicle's capacity.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from aidhub.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Vehicle:
    plate: str
    capacity_kg: Decimal
    capacity_m3: Decimal


@dataclass(frozen=True, slots=True)
class Cargo:
    """Units of one line to carry: ``key`` names the line (a pick line, a release line)."""

    key: str
    quantity: int
    unit_kg: Decimal
    unit_m3: Decimal


@dataclass
class Load:
    vehicle: Vehicle
    lines: dict[str, int] = field(default_factory=dict)
    kg: Decimal = Decimal(0)
    m3: Decimal = Decimal(0)

    def room(self, cargo: Cargo) -> int:
        """How many units of ``cargo`` still fit."""
        fits = []
        if cargo.unit_kg > 0:
            fits.append(math.floor((self.vehicle.capacity_kg - self.kg) / cargo.unit_kg))
        if cargo.unit_m3 > 0:
            fits.append(math.floor((self.vehicle.capacity_m3 - self.m3) / cargo.unit_m3))
        return max(min(fits), 0) if fits else cargo.quantity

    def add(self, cargo: Cargo, units: int) -> None:
        self.lines[cargo.key] = self.lines.get(cargo.key, 0) + units
        self.kg += cargo.unit_kg * units
        self.m3 += cargo.unit_m3 * units


def check_vehicle(v: Vehicle) -> None:
    if not v.plate.strip():
        raise InvalidInput("give the vehicle's plate number", field="plate")
    if v.capacity_kg <= 0 or v.capacity_m3 <= 0:
        raise InvalidInput("vehicle %(plate)s: give its capacity in kg and m³ (above 0)",
                           field="capacity", plate=v.plate)


def split(cargo: list[Cargo], vehicles: list[Vehicle]) -> tuple[list[Load], dict[str, int]]:
    """Loads for ``vehicles`` (in the order given, unused ones left out) and what is left
    over per line."""
    for v in vehicles:
        check_vehicle(v)
    loads = [Load(v) for v in vehicles]
    left: dict[str, int] = {}
    for c in sorted(cargo, key=lambda c: (-(c.unit_kg * c.quantity), c.key)):
        remaining = c.quantity
        for load in loads:
            if not remaining:
                break
            units = min(remaining, load.room(c))
            if units > 0:
                load.add(c, units)
                remaining -= units
        if remaining:
            left[c.key] = remaining
    return [ld for ld in loads if ld.lines], left


def check_load(load: Load) -> None:
    """A load within its vehicle's capacity, or an error saying by how much it is over."""
    v = load.vehicle
    if load.kg > v.capacity_kg:
        raise InvalidInput("vehicle %(plate)s would carry %(kg)s kg, over its capacity of "
                           "%(capacity)s kg; move %(over)s kg to another vehicle",
                           field="load", plate=v.plate, kg=format(load.kg, ",.0f"),
                           capacity=format(v.capacity_kg, ",.0f"),
                           over=format(load.kg - v.capacity_kg, ",.0f"))
    if load.m3 > v.capacity_m3:
        raise InvalidInput("vehicle %(plate)s would carry %(m3)s m³, over its capacity of "
                           "%(capacity)s m³", field="load", plate=v.plate,
                           m3=format(load.m3, ",.2f"), capacity=format(v.capacity_m3, ",.2f"))
