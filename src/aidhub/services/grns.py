"""Reading a goods received note as people check it: per line what was announced and
what was counted (good, damaged, over, short), how it was triaged, and its pallets with
where each one is now.

Writing a GRN, triaging and putting away are in :mod:`aidhub.services.receiving`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.errors import NotFound
from aidhub.interop.jsonable import jsonable
from aidhub.services import consignments
from aidhub.services.context import Context


@dataclass(frozen=True)
class GrnLineView:
    line_no: int
    advice_line: int | None  # the pre-advice line counted (None: goods not announced)
    item: str
    item_name: str
    unit: str
    category: str  # the item's SUMA category, or the one the line was triaged as
    batch: str
    expiry: dt.date | None
    owner: str
    announced: int | None
    good: int
    damaged: int
    over: int
    short: int
    quarantined: bool
    priority: int | None
    disposition: str | None
    triage_reason: str
    triaged_by: str | None
    triaged_at: dt.datetime | None

    @property
    def discrepancy(self) -> bool:
        """Counted differs from announced: damaged, over, short, or not announced."""
        return bool(self.damaged or self.over or self.short or self.advice_line is None)


@dataclass(frozen=True)
class UnitRow:
    sscc: str
    line_no: int
    quantity: int
    location: str
    put_away_at: dt.datetime | None


@dataclass(frozen=True)
class GrnView:
    number: str
    consignment: str
    consignment_state: str
    hub: str
    issued_at: dt.datetime
    received_by: str
    delivered_by: str
    notes: str
    lines: list[GrnLineView]
    units: list[UnitRow]

    @property
    def discrepancies(self) -> list[GrnLineView]:
        return [ln for ln in self.lines if ln.discrepancy]

    def as_dict(self) -> dict[str, Any]:
        return jsonable({**self.__dict__, "lines": [
            {**jsonable(ln), "discrepancy": ln.discrepancy} for ln in self.lines]})


def view(ctx: Context, number: str, scope: Scope = EVERYTHING) -> GrnView:
    """One GRN (if the caller may see its consignment; otherwise as if it did not
    exist)."""
    with ctx.uow() as uow:
        g = uow.inbound.grn(str(number).strip().upper())
        if g is None:
            raise NotFound("no GRN %(number)s", number=number)
        c = uow.inbound.consignment_by_id(g.consignment_id)
        if not consignments.visible(uow, c, scope):
            raise NotFound("no GRN %(number)s", number=number)
        orgs = {o.id: o.code for o in uow.reference.organisations()}
        advice = {ln.id: ln for ln in uow.inbound.lines(c.id)}
        rows = uow.inbound.grn_lines(g.id)
        lines = []
        for row in rows:
            item = uow.reference.item_by_id(row.item_id)
            lot = uow.reference.lot_by_id(row.lot_id)
            announced = advice.get(row.consignment_line_id)
            lines.append(GrnLineView(
                line_no=row.line_no, advice_line=announced.line_no if announced else None,
                item=item.code, item_name=item.name_en, unit=item.unit,
                category=row.category or item.category.value, batch=lot.batch or "",
                expiry=lot.expiry, owner=orgs.get(row.owner_id, ""),
                announced=announced.quantity if announced else None, good=row.good,
                damaged=row.damaged, over=row.over, short=row.short,
                quarantined=row.quarantined, priority=row.priority,
                disposition=row.disposition, triage_reason=row.triage_reason or "",
                triaged_by=row.triaged_by, triaged_at=row.triaged_at))
        line_of = {row.id: row.line_no for row in rows}
        found = uow.inbound.units_of_grn(g.id)
        where = uow.reference.locations_by_id({u.location_id for u in found})
        units = [UnitRow(u.sscc, line_of[u.grn_line_id], u.quantity,
                         where[u.location_id].code if u.location_id in where else "",
                         u.put_away_at) for u in found]
        return GrnView(g.number, c.number, c.state.value,
                       uow.reference.site_by_id(c.hub_id).code, g.issued_at, g.received_by,
                       g.delivered_by, g.notes, lines, units)
