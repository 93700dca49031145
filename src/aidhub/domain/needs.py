"""Needs computed from planning figures: how much of an item a population needs.

A planning figure is an amount per person (or household) per day, per month or once,
with its source. Sphere 2018 gives the defaults; a response can set its own (a colder
place needs more blankets, a response may agree a 20 L water figure). Each figure says
how much of it one unit of an item provides (a pack of six 1.5 L bottles gives 9 L), so a
need for 1,200 people for 30 days becomes a whole number of units, rounded up, and the
computation is kept as text so anyone can check it.

Food is planned through a ration table: grams per person per day of each commodity,
with its energy, which must reach the kcal figure.
"""

import enum
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aidhub.domain.errors import InvalidInput

DAYS_PER_MONTH = Decimal(30)


class Basis(enum.StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"


class Period(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    ONCE = "once"


@dataclass(frozen=True, slots=True)
class Content:
    """How much of a figure's unit one unit of ``item`` provides."""

    item: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RationComponent:
    """One commodity of a ration: grams per person per day, energy per 100 g, and the net
    grams in one unit of the item (a 50 kg bag holds 50,000 g)."""

    item: str
    grams_per_day: Decimal
    kcal_per_100g: Decimal
    content_g: Decimal

    @property
    def kcal_per_day(self) -> Decimal:
        return self.grams_per_day * self.kcal_per_100g / 100


@dataclass(frozen=True, slots=True)
class Figure:
    code: str
    label: str
    amount: Decimal
    unit: str
    per: Basis
    period: Period
    source: str
    contents: tuple[Content, ...] = ()
    ration: tuple[RationComponent, ...] = ()

    @property
    def describe(self) -> str:
        per = {Period.DAY: " per day", Period.MONTH: " per month", Period.ONCE: ""}[self.period]
        return f"{_num(self.amount)} {self.unit} per {self.per.value}{per}"

    def ration_kcal(self) -> Decimal:
        return sum((c.kcal_per_day for c in self.ration), Decimal(0))


@dataclass(frozen=True, slots=True)
class ComputedNeed:
    item: str
    quantity: int
    basis: str


@dataclass(frozen=True, slots=True)
class Figures:
    """The planning figures of one response."""

    response: str
    figures: tuple[Figure, ...] = field(default_factory=tuple)

    def get(self, code: str) -> Figure:
        for f in self.figures:
            if f.code == code.strip().lower():
                return f
        raise InvalidInput("no planning figure '%(code)s'; known: %(known)s", field="figure",
                           code=code, known=", ".join(f.code for f in self.figures))


def compute(figure: Figure, *, persons: int | None, households: int | None, days: int,
            item: str | None = None) -> list[ComputedNeed]:
    """The quantities of items ``figure`` asks for, for a population over ``days``."""
    head = persons if figure.per is Basis.PERSON else households
    if head is None or head <= 0:
        if figure.per is Basis.PERSON:
            raise InvalidInput("'%(figure)s' is counted per person: give the number of people "
                               "(or set it on the distribution point)", field="persons",
                               figure=figure.label)
        raise InvalidInput("'%(figure)s' is counted per household: give the number of "
                           "households (or set it on the distribution point)",
                           field="households", figure=figure.label)
    if figure.period is not Period.ONCE and days <= 0:
        raise InvalidInput("give the number of days to cover (at least 1)", field="days")
    heads = f"{head:,} {'people' if figure.per is Basis.PERSON else 'households'}"
    if figure.ration:
        return _ration(figure, head, heads, days)
    periods, span = _periods(figure.period, days)
    total = figure.amount * head * periods
    content = _content(figure, item)
    quantity = math.ceil(total / content.amount) if total > 0 else 0
    basis = (f"{figure.label}: {figure.describe} ({figure.source}) × {heads}{span} = "
             f"{_num(total)} {figure.unit}; {content.item} gives {_num(content.amount)} "
             f"{figure.unit} per unit → {quantity:,} units (rounded up)")
    return [ComputedNeed(content.item, quantity, basis)]


def _ration(figure: Figure, head: int, heads: str, days: int) -> list[ComputedNeed]:
    kcal = figure.ration_kcal()
    short = "" if kcal >= figure.amount else (
        f"; WARNING: the ration gives only {_num(kcal)} kcal, below {_num(figure.amount)}")
    out = []
    for c in figure.ration:
        grams = c.grams_per_day * head * days
        quantity = math.ceil(grams / c.content_g) if grams > 0 else 0
        basis = (f"{figure.label}: {figure.describe} ({figure.source}) through the ration "
                 f"table ({_num(kcal)} kcal per person per day{short}); {c.item} "
                 f"{_num(c.grams_per_day)} g × {heads} × {days} days = "
                 f"{_num(grams / 1000)} kg at {_num(c.content_g / 1000)} kg per unit → "
                 f"{quantity:,} units (rounded up)")
        out.append(ComputedNeed(c.item, quantity, basis))
    return out


def _periods(period: Period, days: int) -> tuple[Decimal, str]:
    if period is Period.DAY:
        return Decimal(days), f" × {days} days"
    if period is Period.MONTH:
        months = Decimal(days) / DAYS_PER_MONTH
        return months, f" × {days} days ({_num(months)} months)"
    return Decimal(1), ""


def _content(figure: Figure, item: str | None) -> Content:
    if not figure.contents:
        raise InvalidInput("'%(figure)s' names no item that provides it; add one to "
                           "the planning figures", field="item", figure=figure.label)
    if item is None:
        return figure.contents[0]
    for c in figure.contents:
        if c.item == item.strip().upper():
            return c
    raise InvalidInput("item %(item)s does not provide '%(figure)s'; use one of: %(known)s",
                       field="item", item=item, figure=figure.label,
                       known=", ".join(c.item for c in figure.contents))


def _num(value: Decimal | int) -> str:
    d = Decimal(value)
    text = f"{d:,.2f}".rstrip("0").rstrip(".")
    return text


# The defaults: Sphere Handbook 2018 minimum standards ----------------------------------
_HYGIENE = "Sphere 2018, WASH: hygiene promotion standard 1.2 (minimum hygiene items)"

SPHERE_2018 = Figures(
    response="Sphere 2018 defaults",
    figures=(
        Figure("water", "Drinking and domestic water", Decimal(15), "L", Basis.PERSON,
               Period.DAY, "Sphere 2018, WASH: water supply standard 2.1",
               contents=(Content("WASH-WATER-1500ML-PK6", Decimal(9)),)),
        Figure("food", "Food energy", Decimal(2100), "kcal", Basis.PERSON, Period.DAY,
               "Sphere 2018, food security standard 6.1 (general nutrition requirements)",
               ration=(
                   # energy per 100 g: USDA FoodData Central standard reference values
                   RationComponent("FOOD-WFLOUR-50KG", Decimal(360), Decimal(364),
                                   Decimal(50000)),
                   RationComponent("FOOD-RICE-25KG", Decimal(100), Decimal(365),
                                   Decimal(25000)),
                   RationComponent("FOOD-LENTIL-RED-25KG", Decimal(50), Decimal(352),
                                   Decimal(25000)),
                   RationComponent("FOOD-SUNOIL-4L", Decimal(30), Decimal(884),
                                   Decimal(3680)),
               )),
        Figure("soap_bathing", "Bathing soap", Decimal(250), "g", Basis.PERSON,
               Period.MONTH, _HYGIENE,
               contents=(Content("HYG-SOAP-100G-CTN72", Decimal(7200)),)),
        Figure("soap_laundry", "Laundry soap", Decimal(200), "g", Basis.PERSON,
               Period.MONTH, _HYGIENE,
               contents=(Content("HYG-SOAP-LAUNDRY-200G-CTN50", Decimal(10000)),)),
        Figure("water_containers", "Water containers", Decimal(2), "containers",
               Basis.HOUSEHOLD, Period.ONCE, _HYGIENE + "; 10-20 L each",
               contents=(Content("WASH-JERRY-20L", Decimal(1)),
                         Content("WASH-BUCKET-14L", Decimal(1)))),
        Figure("hygiene_kit", "Hygiene kits", Decimal(1), "kits", Basis.HOUSEHOLD,
               Period.MONTH, _HYGIENE + "; one family kit covers a month",
               contents=(Content("HYG-KIT-FAM5", Decimal(1)),)),
        Figure("covered_space", "Covered living space", Decimal("3.5"), "m²", Basis.PERSON,
               Period.ONCE, "Sphere 2018, shelter and settlement standard 3 (living space)",
               contents=(Content("SHEL-TENT-FAM-16M2", Decimal(16)),)),
    ),
)


# The figures as JSON (a response's own figures are kept and loaded in this form) ------
def to_json(figures: Figures) -> dict[str, Any]:
    return {"response": figures.response, "figures": [
        {"code": f.code, "label": f.label, "amount": str(f.amount), "unit": f.unit,
         "per": f.per.value, "period": f.period.value, "source": f.source,
         "contents": [{"item": c.item, "amount": str(c.amount)} for c in f.contents],
         "ration": [{"item": c.item, "grams_per_day": str(c.grams_per_day),
                     "kcal_per_100g": str(c.kcal_per_100g), "content_g": str(c.content_g)}
                    for c in f.ration]}
        for f in figures.figures]}


def from_json(data: Any) -> Figures:
    """Planning figures from their JSON form; every mistake names its place."""
    if not isinstance(data, dict) or not isinstance(data.get("figures"), list):
        raise InvalidInput('expected {"response": ..., "figures": [...]}', field="figures")
    out, seen = [], set()
    for n, f in enumerate(data["figures"]):
        where = f"figures[{n}]"
        if not isinstance(f, dict):
            raise InvalidInput("expected an object", field=where)
        code = str(f.get("code", "")).strip().lower()
        if not code or code in seen:
            at = f"{where}.code"
            raise InvalidInput("give each figure a unique code ('%(code)s')", field=at,
                               code=code)
        seen.add(code)
        try:
            per, period = Basis(f.get("per")), Period(f.get("period"))
        except ValueError:
            at = f"{where}.per"
            raise InvalidInput("per is person or household; period is day, month or once",
                               field=at) from None
        contents = tuple(Content(str(c["item"]).strip().upper(), _dec(c, "amount",
                                                                       f"{where}.contents"))
                         for c in f.get("contents") or [])
        ration = tuple(RationComponent(str(c["item"]).strip().upper(),
                                       _dec(c, "grams_per_day", f"{where}.ration"),
                                       _dec(c, "kcal_per_100g", f"{where}.ration"),
                                       _dec(c, "content_g", f"{where}.ration"))
                       for c in f.get("ration") or [])
        if not contents and not ration:
            raise InvalidInput("give the items that provide this figure (contents or ration)",
                               field=where)
        out.append(Figure(code, str(f.get("label") or code), _dec(f, "amount", where),
                          str(f.get("unit") or ""), per, period, str(f.get("source") or ""),
                          contents, ration))
    return Figures(str(data.get("response") or "unnamed response"), tuple(out))


def _dec(obj: dict, key: str, where: str) -> Decimal:
    at = f"{where}.{key}"
    try:
        value = Decimal(str(obj[key]))
    except Exception:
        raise InvalidInput("give %(key)s as a number", field=at, key=key) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("%(key)s must be above zero", field=at, key=key)
    return value
