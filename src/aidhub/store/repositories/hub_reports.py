"""Reading for the hub report and the site map: flows through a hub per day, what was
written off, screening at a hub, requests and what was delivered against them, convoys,
untriaged GRN lines and what each point of entry brought in. Reading only.

Quantities come back per item, in the item's inventory unit; the services weigh them
with the catalog (``Decimal``), so no sum of weights is ever done in floating point by
the database. Periods are half-open ``[since, until)`` in UTC.
"""

import datetime as dt
import uuid

from sqlalchemy import Connection, Row, and_, case, distinct, func, or_, select

from aidhub.domain.ledger import MovementKind
from aidhub.domain.requests import RequestState
from aidhub.domain.screening import HitState
from aidhub.domain.sites import LocationKind
from aidhub.domain.waybills import WaybillState
from aidhub.store.tables import (
    allocations,
    consignment_events,
    consignment_lines,
    consignments,
    convoys,
    grn_lines,
    grns,
    locations,
    movements,
    party_links,
    postings,
    release_order_lines,
    release_orders,
    request_lines,
    requests,
    routes,
    screening_hits,
    waybills,
)

#: Requests a partner asked for and a coordinator approved (whatever happened since).
APPROVED_STATES = (RequestState.APPROVED.value, RequestState.PLANNED.value,
                   RequestState.FULFILLED.value, RequestState.PARTLY_FULFILLED.value)
#: Movements that bring goods into a hub's shelves, and that take them out.
FLOW_KINDS = (MovementKind.RECEIPT.value, MovementKind.DISPATCH.value)
#: Screening hits still waiting for a person.
OPEN_HITS = (HitState.OPEN.value, HitState.ESCALATED.value)

_original = movements.alias("original")


class HubReportsRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # the ledger ------------------------------------------------------------------------
    def flows(self, site_id: uuid.UUID, since: dt.datetime, until: dt.datetime
              ) -> list[Row]:
        """Per UTC day, flow ('receipt' or 'dispatch') and item: the net quantity posted
        at the site's physical locations by receipts and dispatches (and by reversals
        of them, which count against the movement they undo). Receipts are positive,
        dispatches negative."""
        kind = func.coalesce(_original.c.kind, movements.c.kind)
        day = func.date(movements.c.at)
        query = (
            select(day.label("day"), kind.label("flow"), postings.c.item_id,
                   func.sum(postings.c.quantity).label("quantity"))
            .select_from(
                movements.join(postings, postings.c.movement_id == movements.c.id)
                .join(locations, postings.c.location_id == locations.c.id)
                .outerjoin(_original, movements.c.reverses == _original.c.id))
            .where(movements.c.at >= since, movements.c.at < until,
                   locations.c.site_id == site_id, locations.c.physical,
                   or_(movements.c.kind.in_(FLOW_KINDS),
                       and_(movements.c.kind == MovementKind.REVERSAL.value,
                            _original.c.kind.in_(FLOW_KINDS))))
            .group_by(day, kind, postings.c.item_id)
        )
        return list(self.conn.execute(query))

    def write_offs(self, site_id: uuid.UUID, since: dt.datetime, until: dt.datetime
                   ) -> list[Row]:
        """Per place ('lost' or 'disposed'), movement kind and item: the net quantity
        posted into the site's LOST and DISPOSED locations (shorts on arrival, count
        differences, disposals; a gain found in a count is negative)."""
        query = (
            select(locations.c.kind.label("place"), movements.c.kind, postings.c.item_id,
                   func.sum(postings.c.quantity).label("quantity"))
            .select_from(movements.join(postings, postings.c.movement_id == movements.c.id)
                         .join(locations, postings.c.location_id == locations.c.id))
            .where(movements.c.at >= since, movements.c.at < until,
                   locations.c.site_id == site_id,
                   locations.c.kind.in_([LocationKind.LOST.value,
                                         LocationKind.DISPOSED.value]))
            .group_by(locations.c.kind, movements.c.kind, postings.c.item_id)
        )
        return list(self.conn.execute(query))

    # inbound ---------------------------------------------------------------------------
    def damaged_on_arrival(self, site_id: uuid.UUID, since: dt.datetime,
                           until: dt.datetime) -> list[Row]:
        """Per item, what the site's GRNs of the period counted damaged."""
        query = (
            select(grn_lines.c.item_id, func.sum(grn_lines.c.damaged).label("quantity"))
            .select_from(grn_lines.join(grns, grn_lines.c.grn_id == grns.c.id)
                         .join(consignments, grns.c.consignment_id == consignments.c.id))
            .where(consignments.c.hub_id == site_id, grns.c.issued_at >= since,
                   grns.c.issued_at < until, grn_lines.c.damaged > 0)
            .group_by(grn_lines.c.item_id)
        )
        return list(self.conn.execute(query))

    def untriaged_grn_lines(self, site_id: uuid.UUID) -> int:
        """GRN lines of the site's consignments still waiting for their triage."""
        query = (
            select(func.count())
            .select_from(grn_lines.join(grns, grn_lines.c.grn_id == grns.c.id)
                         .join(consignments, grns.c.consignment_id == consignments.c.id))
            .where(consignments.c.hub_id == site_id, grn_lines.c.triaged_at.is_(None))
        )
        return int(self.conn.execute(query).scalar_one())

    def received_by_entry(self, since: dt.datetime | None, until: dt.datetime | None
                          ) -> list[Row]:
        """Per point of entry and item: what GRNs of the period counted in (good and
        damaged) at any hub, from consignments that came through that point of entry."""
        query = (
            select(consignments.c.point_of_entry_id, grn_lines.c.item_id,
                   func.sum(grn_lines.c.good + grn_lines.c.damaged).label("quantity"))
            .select_from(grn_lines.join(grns, grn_lines.c.grn_id == grns.c.id)
                         .join(consignments, grns.c.consignment_id == consignments.c.id))
            .where(consignments.c.point_of_entry_id.is_not(None))
            .group_by(consignments.c.point_of_entry_id, grn_lines.c.item_id)
        )
        if since is not None:
            query = query.where(grns.c.issued_at >= since)
        if until is not None:
            query = query.where(grns.c.issued_at < until)
        return list(self.conn.execute(query))

    # screening -------------------------------------------------------------------------
    def hits(self, site_id: uuid.UUID, since: dt.datetime, until: dt.datetime
             ) -> list[Row]:
        """Screening hits on parties of the site's consignments or on their lines that
        are still open (open, escalated) or were decided in the period: kind (party,
        goods), state, created_at, decided_at."""
        site_lines = (select(consignment_lines.c.id)
                      .join(consignments,
                            consignment_lines.c.consignment_id == consignments.c.id)
                      .where(consignments.c.hub_id == site_id))
        site_parties = (select(party_links.c.party_id)
                        .join(consignments, party_links.c.consignment_id == consignments.c.id)
                        .where(consignments.c.hub_id == site_id))
        query = (
            select(screening_hits.c.kind, screening_hits.c.state, screening_hits.c.created_at,
                   screening_hits.c.decided_at)
            .where(or_(screening_hits.c.consignment_line_id.in_(site_lines),
                       screening_hits.c.party_id.in_(site_parties)),
                   or_(screening_hits.c.state.in_(OPEN_HITS),
                       and_(screening_hits.c.decided_at >= since,
                            screening_hits.c.decided_at < until)))
        )
        return list(self.conn.execute(query))

    def consignment_decisions(self, site_id: uuid.UUID, since: dt.datetime,
                              until: dt.datetime) -> list[Row]:
        """Per state reached (held, cleared, rejected): how many of the site's
        consignments reached it in the period."""
        query = (
            select(consignment_events.c.to_state,
                   func.count(distinct(consignment_events.c.consignment_id)).label("n"))
            .join(consignments, consignment_events.c.consignment_id == consignments.c.id)
            .where(consignments.c.hub_id == site_id, consignment_events.c.at >= since,
                   consignment_events.c.at < until,
                   consignment_events.c.to_state.in_(("held", "cleared", "rejected")))
            .group_by(consignment_events.c.to_state)
        )
        return list(self.conn.execute(query))

    # requests --------------------------------------------------------------------------
    def points_served(self, site_id: uuid.UUID) -> set[uuid.UUID]:
        """Distribution points with a route from the site, or sent goods by its release
        orders."""
        by_route = select(routes.c.point_id).where(routes.c.hub_id == site_id)
        by_order = (select(release_order_lines.c.point_id)
                    .join(release_orders,
                          release_order_lines.c.release_order_id == release_orders.c.id)
                    .where(release_orders.c.hub_id == site_id))
        return {r[0] for r in self.conn.execute(by_route.union(by_order))}

    def requests(self, since: dt.datetime | None, until: dt.datetime | None) -> list[Row]:
        """Per distribution point and state: requests submitted in the period."""
        query = (select(requests.c.point_id, requests.c.state,
                        func.count().label("n"))
                 .where(requests.c.submitted_at.is_not(None))
                 .group_by(requests.c.point_id, requests.c.state))
        return list(self.conn.execute(_submitted(query, since, until)))

    def approved_lines(self, since: dt.datetime | None, until: dt.datetime | None
                       ) -> list[Row]:
        """The lines of requests submitted in the period and approved since (planned,
        fulfilled or partly fulfilled included), with their point and item."""
        query = (select(requests.c.point_id, request_lines.c.id, request_lines.c.item_id,
                        request_lines.c.quantity)
                 .join(requests, request_lines.c.request_id == requests.c.id)
                 .where(requests.c.state.in_(APPROVED_STATES)))
        return list(self.conn.execute(_submitted(query, since, until)))

    def allocations(self, since: dt.datetime | None, until: dt.datetime | None
                    ) -> list[Row]:
        """What release order lines promised the approved lines of :meth:`approved_lines`,
        with how much each release order line has delivered good so far."""
        query = (select(allocations.c.request_line_id, allocations.c.quantity,
                        release_order_lines.c.delivered,
                        release_order_lines.c.quantity.label("ordered"))
                 .select_from(
                     allocations.join(release_order_lines, allocations.c.release_order_line_id
                                      == release_order_lines.c.id)
                     .join(request_lines, allocations.c.request_line_id == request_lines.c.id)
                     .join(requests, request_lines.c.request_id == requests.c.id))
                 .where(requests.c.state.in_(APPROVED_STATES)))
        return list(self.conn.execute(_submitted(query, since, until)))

    # outbound --------------------------------------------------------------------------
    def convoys(self, site_id: uuid.UUID, since: dt.datetime, until: dt.datetime
                ) -> list[Row]:
        """The site's convoys formed in the period, with how many of their waybills
        are on the road, delivered or cancelled."""
        def count(*states: str):
            return func.sum(case((waybills.c.state.in_(states), 1), else_=0))

        query = (
            select(convoys.c.number, convoys.c.created_at, convoys.c.route,
                   convoys.c.notification, func.count(waybills.c.id).label("waybills"),
                   count(WaybillState.ISSUED.value, WaybillState.DISPATCHED.value,
                         WaybillState.ARRIVED.value).label("open"),
                   count(WaybillState.DELIVERED.value).label("delivered"),
                   count(WaybillState.CANCELLED.value).label("cancelled"))
            .select_from(convoys.outerjoin(waybills, waybills.c.convoy_id == convoys.c.id))
            .where(convoys.c.hub_id == site_id, convoys.c.created_at >= since,
                   convoys.c.created_at < until)
            .group_by(convoys.c.id, convoys.c.number, convoys.c.created_at, convoys.c.route,
                      convoys.c.notification)
            .order_by(convoys.c.created_at, convoys.c.number)
        )
        return list(self.conn.execute(query))


def _submitted(query, since: dt.datetime | None, until: dt.datetime | None):
    if since is not None:
        query = query.where(requests.c.submitted_at >= since)
    if until is not None:
        query = query.where(requests.c.submitted_at < until)
    return query

