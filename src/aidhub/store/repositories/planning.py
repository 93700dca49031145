"""Site planning figures, routes, requests, plans, release orders and reservations."""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from aidhub.domain.release_orders import RESERVING
from aidhub.domain.requests import Priority, Request, RequestLine, RequestState
from aidhub.domain.routes import Route
from aidhub.domain.screening import HoldState
from aidhub.domain.sites import LocationKind
from aidhub.store.tables import (
    allocations,
    balances,
    grn_lines,
    grns,
    holds,
    locations,
    plans,
    release_order_lines,
    release_orders,
    request_lines,
    requests,
    reservations,
    routes,
    site_planning,
)

# Stock a plan may promise sits in these kinds of location: not in quarantine, not on a
# vehicle (already loaded), not in a virtual location.
USABLE_KINDS = (LocationKind.ZONE.value, LocationKind.BIN.value)


def _request(r: Row) -> Request:
    return Request(r.id, r.number, r.organisation_id, r.point_id, RequestState(r.state),
                   r.created_at, r.created_by, r.needed_by, r.note, r.reason, r.submitted_at)


def _line(r: Row) -> RequestLine:
    return RequestLine(r.id, r.request_id, r.line_no, r.item_id, r.quantity,
                       Priority(r.priority), r.needed_by, r.basis, r.planned)


def _route(r: Row) -> Route:
    return Route(r.hub_id, r.point_id, r.cost_per_kg, r.lead_days, r.open, r.capacity_kg,
                 r.note)


class PlanningRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # site figures ------------------------------------------------------------------------
    def site_figures(self, site_id: uuid.UUID) -> Row | None:
        return self.conn.execute(select(site_planning).where(
            site_planning.c.site_id == site_id)).one_or_none()

    def set_site_figures(self, site_id: uuid.UUID, values: dict[str, Any], by: str,
                         at: dt.datetime) -> None:
        exists = self.conn.execute(select(site_planning.c.site_id)
                                   .where(site_planning.c.site_id == site_id)).first()
        row = {**values, "updated_at": at, "updated_by": by}
        if exists:
            self.conn.execute(update(site_planning)
                              .where(site_planning.c.site_id == site_id).values(**row))
        else:
            self.conn.execute(insert(site_planning).values(site_id=site_id, **row))

    # routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [_route(r) for r in self.conn.execute(
            select(routes).order_by(routes.c.hub_id, routes.c.point_id))]

    def route(self, hub_id: uuid.UUID, point_id: uuid.UUID) -> Route | None:
        row = self.conn.execute(select(routes).where(
            routes.c.hub_id == hub_id, routes.c.point_id == point_id)).one_or_none()
        return _route(row) if row else None

    def set_route(self, route: Route, by: str, at: dt.datetime) -> None:
        values = {"cost_per_kg": route.cost_per_kg, "lead_days": route.lead_days,
                  "open": route.open, "capacity_kg": route.capacity_kg, "note": route.note,
                  "updated_at": at, "updated_by": by}
        done = self.conn.execute(update(routes).where(
            routes.c.hub_id == route.hub_id, routes.c.point_id == route.point_id
        ).values(**values))
        if not done.rowcount:
            self.conn.execute(insert(routes).values(hub_id=route.hub_id,
                                                    point_id=route.point_id, **values))

    # requests ----------------------------------------------------------------------------
    def add_request(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(requests).values(**values))

    def request(self, number: str, *, lock: bool = False) -> Request | None:
        query = select(requests).where(requests.c.number == number)
        if lock:
            query = query.with_for_update()
        row = self.conn.execute(query).one_or_none()
        return _request(row) if row else None

    def request_rows(self, *, states: Iterable[str] | None = None,
                     organisation_id: uuid.UUID | None = None,
                     ids: Iterable[uuid.UUID] | None = None) -> list[Row]:
        query = select(requests).order_by(requests.c.created_at, requests.c.number)
        if states is not None:
            query = query.where(requests.c.state.in_(list(states)))
        if organisation_id is not None:
            query = query.where(requests.c.organisation_id == organisation_id)
        if ids is not None:
            query = query.where(requests.c.id.in_(list(ids)))
        return list(self.conn.execute(query))

    def requests(self, **filters: Any) -> list[Request]:
        return [_request(r) for r in self.request_rows(**filters)]

    def update_request(self, request_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(requests).where(requests.c.id == request_id).values(**values))

    def add_request_lines(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(request_lines), rows)

    def delete_request_line(self, request_id: uuid.UUID, line_no: int) -> int:
        return self.conn.execute(delete(request_lines).where(
            request_lines.c.request_id == request_id, request_lines.c.line_no == line_no
        )).rowcount or 0

    def request_lines(self, request_ids: Iterable[uuid.UUID]) -> list[RequestLine]:
        ids = list(request_ids)
        if not ids:
            return []
        return [_line(r) for r in self.conn.execute(
            select(request_lines).where(request_lines.c.request_id.in_(ids))
            .order_by(request_lines.c.request_id, request_lines.c.line_no))]

    def lines_by_id(self, line_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[RequestLine,
                                                                                 str]]:
        """Request lines by id, each with its request's number."""
        ids = list(line_ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            select(request_lines, requests.c.number.label("request_number"))
            .join(requests, request_lines.c.request_id == requests.c.id)
            .where(request_lines.c.id.in_(ids)))
        return {r.id: (_line(r), r.request_number) for r in rows}

    def add_planned(self, changes: dict[uuid.UUID, int]) -> None:
        for line_id, quantity in changes.items():
            self.conn.execute(update(request_lines).where(request_lines.c.id == line_id)
                              .values(planned=request_lines.c.planned + quantity))

    # plans -------------------------------------------------------------------------------
    def add_plan(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(plans).values(**values))

    def plan(self, number: str, *, lock: bool = False) -> Row | None:
        query = select(plans).where(plans.c.number == number)
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).one_or_none()

    def plan_by_id(self, plan_id: uuid.UUID) -> Row | None:
        return self.conn.execute(select(plans).where(plans.c.id == plan_id)).one_or_none()

    def plans(self, limit: int = 50) -> list[Row]:
        return list(self.conn.execute(
            select(plans.c.id, plans.c.number, plans.c.state, plans.c.plan_date,
                   plans.c.status, plans.c.created_at, plans.c.created_by,
                   plans.c.decided_at, plans.c.decided_by)
            .order_by(plans.c.created_at.desc()).limit(limit)))

    def count_plans(self, state: str) -> int:
        return self.conn.execute(select(func.count()).select_from(plans)
                                 .where(plans.c.state == state)).scalar_one()

    def update_plan(self, plan_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(plans).where(plans.c.id == plan_id).values(**values))

    # release orders ----------------------------------------------------------------------
    def add_release_order(self, values: dict[str, Any], lines: list[dict[str, Any]],
                          allocated: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(release_orders).values(**values))
        if lines:
            self.conn.execute(insert(release_order_lines), lines)
        if allocated:
            self.conn.execute(insert(allocations), allocated)

    def release_order(self, number: str, *, lock: bool = False) -> Row | None:
        query = select(release_orders).where(release_orders.c.number == number)
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).one_or_none()

    def release_order_by_id(self, order_id: uuid.UUID) -> Row | None:
        return self.conn.execute(select(release_orders).where(
            release_orders.c.id == order_id)).one_or_none()

    def release_orders(self, *, plan_id: uuid.UUID | None = None,
                       hub_id: uuid.UUID | None = None,
                       states: Iterable[str] | None = None) -> list[Row]:
        query = select(release_orders).order_by(release_orders.c.number)
        if plan_id is not None:
            query = query.where(release_orders.c.plan_id == plan_id)
        if hub_id is not None:
            query = query.where(release_orders.c.hub_id == hub_id)
        if states is not None:
            query = query.where(release_orders.c.state.in_(list(states)))
        return list(self.conn.execute(query))

    def update_release_order(self, order_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(release_orders).where(release_orders.c.id == order_id)
                          .values(**values))

    def release_order_lines(self, order_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(
            select(release_order_lines)
            .where(release_order_lines.c.release_order_id == order_id)
            .order_by(release_order_lines.c.line_no)))

    def allocations_of(self, order_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(
            select(allocations).join(release_order_lines, allocations.c.release_order_line_id
                                     == release_order_lines.c.id)
            .where(release_order_lines.c.release_order_id == order_id)))

    def organisations_served(self, line_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """The organisations whose requests these release order lines serve."""
        if not line_ids:
            return []
        rows = self.conn.execute(
            select(requests.c.organisation_id).distinct()
            .join(request_lines, request_lines.c.request_id == requests.c.id)
            .join(allocations, allocations.c.request_line_id == request_lines.c.id)
            .where(allocations.c.release_order_line_id.in_(line_ids)))
        return sorted((r.organisation_id for r in rows), key=str)

    def requests_served(self, line_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """The requests these release order lines serve."""
        if not line_ids:
            return []
        return sorted({r.request_id for r in self.conn.execute(
            select(request_lines.c.request_id)
            .join(allocations, allocations.c.request_line_id == request_lines.c.id)
            .where(allocations.c.release_order_line_id.in_(line_ids)))}, key=str)

    def allocations_of_request(self, request_id: uuid.UUID) -> list[Row]:
        """Every allocation to a request's lines with its release order line's figures."""
        return list(self.conn.execute(
            select(allocations.c.request_line_id, allocations.c.quantity,
                   release_order_lines.c.quantity.label("ro_quantity"),
                   release_order_lines.c.delivered, release_order_lines.c.closed)
            .join(request_lines, allocations.c.request_line_id == request_lines.c.id)
            .join(release_order_lines,
                  allocations.c.release_order_line_id == release_order_lines.c.id)
            .where(request_lines.c.request_id == request_id)))

    # reservations ------------------------------------------------------------------------
    def add_reservations(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(reservations), rows)

    def reservations_of(self, order_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(
            select(reservations).join(release_order_lines, reservations.c.release_order_line_id
                                      == release_order_lines.c.id)
            .where(release_order_lines.c.release_order_id == order_id)))

    def consume_reservations(self, line_id: uuid.UUID, quantity: int) -> None:
        """What is picked for a release order line is no longer only promised."""
        rows = self.conn.execute(select(reservations).where(
            reservations.c.release_order_line_id == line_id, reservations.c.quantity > 0)
            .order_by(reservations.c.id)).all()
        left = quantity
        for r in rows:
            if not left:
                break
            take = min(r.quantity, left)
            self.conn.execute(update(reservations).where(reservations.c.id == r.id)
                              .values(quantity=r.quantity - take))
            left -= take

    def clear_reservations(self, order_id: uuid.UUID) -> int:
        line_ids = select(release_order_lines.c.id).where(
            release_order_lines.c.release_order_id == order_id)
        return self.conn.execute(
            update(reservations).where(reservations.c.release_order_line_id.in_(line_ids),
                                       reservations.c.quantity > 0)
            .values(quantity=0)).rowcount or 0

    def reserved(self, site_ids: Iterable[uuid.UUID] | None = None
                 ) -> dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], int]:
        """Reserved quantity per (site, lot, owner), for release orders still open."""
        query = (select(reservations.c.site_id, reservations.c.lot_id, reservations.c.owner_id,
                        func.sum(reservations.c.quantity).label("q"))
                 .join(release_order_lines, reservations.c.release_order_line_id
                       == release_order_lines.c.id)
                 .join(release_orders, release_order_lines.c.release_order_id
                       == release_orders.c.id)
                 .where(release_orders.c.state.in_([s.value for s in RESERVING]),
                        reservations.c.quantity > 0)
                 .group_by(reservations.c.site_id, reservations.c.lot_id,
                           reservations.c.owner_id))
        if site_ids is not None:
            query = query.where(reservations.c.site_id.in_(list(site_ids)))
        return {(r.site_id, r.lot_id, r.owner_id): int(r.q) for r in self.conn.execute(query)}

    # usable stock ------------------------------------------------------------------------
    def on_hand(self, site_ids: Iterable[uuid.UUID], *, lock: bool = False
                ) -> list[Row]:
        """Unearmarked stock in the usable locations of these sites, per (site, item, lot,
        owner). With ``lock``, the balance rows are locked (PostgreSQL) so that two plan
        approvals cannot promise the same stock at the same time."""
        ids = list(site_ids)
        rows_query = (
            select(balances.c.location_id, balances.c.item_id, balances.c.lot_id,
                   balances.c.owner_id, balances.c.quantity, locations.c.site_id)
            .join(locations, balances.c.location_id == locations.c.id)
            .where(locations.c.site_id.in_(ids), locations.c.kind.in_(USABLE_KINDS),
                   balances.c.earmark == "", balances.c.quantity > 0)
            .order_by(balances.c.location_id, balances.c.item_id, balances.c.lot_id,
                      balances.c.owner_id))
        if lock and self.conn.dialect.name == "postgresql":
            rows_query = rows_query.with_for_update(of=balances)
        return list(self.conn.execute(rows_query))

    def earmarked(self, site_ids: Iterable[uuid.UUID]) -> list[Row]:
        """Earmarked stock in usable locations: kept out of plans (a donor restricted it)."""
        return list(self.conn.execute(
            select(locations.c.site_id, balances.c.item_id, balances.c.earmark,
                   func.sum(balances.c.quantity).label("quantity"))
            .join(locations, balances.c.location_id == locations.c.id)
            .where(locations.c.site_id.in_(list(site_ids)),
                   locations.c.kind.in_(USABLE_KINDS), balances.c.earmark != "",
                   balances.c.quantity > 0)
            .group_by(locations.c.site_id, balances.c.item_id, balances.c.earmark)))

    def held_lots(self, lot_ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, str]:
        """Lots on hold (all, or these), with the reason: held directly, or received from a
        consignment that is on hold now."""
        direct = select(holds.c.subject_id, holds.c.reason).where(
            holds.c.state == HoldState.ACTIVE.value, holds.c.subject == "lot")
        via = (select(grn_lines.c.lot_id, holds.c.reason)
               .join(grns, grn_lines.c.grn_id == grns.c.id)
               .join(holds, holds.c.subject_id == grns.c.consignment_id)
               .where(holds.c.state == HoldState.ACTIVE.value,
                      holds.c.subject == "consignment"))
        if lot_ids is not None:
            direct = direct.where(holds.c.subject_id.in_(lot_ids))
            via = via.where(grn_lines.c.lot_id.in_(lot_ids))
        out: dict[uuid.UUID, str] = {}
        for r in self.conn.execute(direct):
            out[r.subject_id] = r.reason
        for r in self.conn.execute(via):
            out.setdefault(r.lot_id, r.reason)
        return out

