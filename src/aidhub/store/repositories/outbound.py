"""Pick lists, convoys, waybills with their tracking events, proofs of delivery, loss
reports, and what has been picked, dispatched and delivered of release order lines."""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, Table, case, func, insert, select, update

from aidhub.store.tables import (
    balances,
    consignment_lines,
    consignments,
    convoys,
    grn_lines,
    grns,
    locations,
    loss_reports,
    lots,
    movements,
    organisations,
    pick_lines,
    pick_lists,
    pod_lines,
    pods,
    postings,
    release_order_lines,
    sites,
    waybill_events,
    waybill_lines,
    waybills,
)


class OutboundRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def _add(self, table: Table, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
        if rows:
            self.conn.execute(insert(table), rows if isinstance(rows, list) else [rows])

    def _one(self, table: Table, *, lock: bool = False, **where: Any) -> Row | None:
        query = select(table).where(*(table.c[k] == v for k, v in where.items()))
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).one_or_none()

    def _update(self, table: Table, row_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(table).where(table.c.id == row_id).values(**values))

    # release order lines -----------------------------------------------------------------
    def release_line(self, line_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        return self._one(release_order_lines, lock=lock, id=line_id)

    def add_to_release_line(self, line_id: uuid.UUID, **deltas: int) -> None:
        self.conn.execute(update(release_order_lines)
                          .where(release_order_lines.c.id == line_id)
                          .values(**{k: release_order_lines.c[k] + v
                                     for k, v in deltas.items()}))

    def close_release_line(self, line_id: uuid.UUID) -> None:
        self._update(release_order_lines, line_id, closed=True)

    def holdings(self, site_id: uuid.UUID, item_id: uuid.UUID, *, lock: bool = False
                 ) -> list[Row]:
        """What every physical location of a site holds of an item, unearmarked, per lot and
        owner, with the lot's batch and expiry (rows locked on PostgreSQL with ``lock``)."""
        query = (select(balances.c.location_id, locations.c.code, locations.c.kind,
                        balances.c.lot_id, lots.c.batch, lots.c.expiry, balances.c.owner_id,
                        balances.c.quantity)
                 .join(locations, balances.c.location_id == locations.c.id)
                 .join(lots, balances.c.lot_id == lots.c.id)
                 .where(locations.c.site_id == site_id, balances.c.item_id == item_id,
                        balances.c.physical, balances.c.earmark == "",
                        balances.c.quantity > 0)
                 .order_by(balances.c.location_id, balances.c.lot_id, balances.c.owner_id))
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update(of=balances)
        return list(self.conn.execute(query))

    # pick lists --------------------------------------------------------------------------
    def add_pick_list(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self._add(pick_lists, values)
        self._add(pick_lines, lines)

    def pick_list(self, number: str, *, lock: bool = False) -> Row | None:
        return self._one(pick_lists, lock=lock, number=number)

    def pick_list_by_id(self, list_id: uuid.UUID) -> Row | None:
        return self._one(pick_lists, id=list_id)

    def pick_lists_of(self, order_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(pick_lists).where(
            pick_lists.c.release_order_id == order_id).order_by(pick_lists.c.number)))

    def pick_lines(self, list_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(pick_lines).where(
            pick_lines.c.pick_list_id == list_id).order_by(pick_lines.c.line_no)))

    def pick_line_by_no(self, list_id: uuid.UUID, line_no: int) -> Row | None:
        return self._one(pick_lines, pick_list_id=list_id, line_no=line_no)

    def lines_left_to_pick(self, list_id: uuid.UUID) -> int:
        return self.conn.execute(select(func.count()).select_from(pick_lines).where(
            pick_lines.c.pick_list_id == list_id,
            pick_lines.c.picked < pick_lines.c.quantity)).scalar_one()

    def waiting_to_load(self, order_id: uuid.UUID, point_id: uuid.UUID | None = None
                        ) -> list[tuple[Row, Row]]:
        """Picked units not yet on a waybill: (pick line, release order line) pairs."""
        query = (select(pick_lines, release_order_lines.c.point_id.label("ro_point"),
                        release_order_lines.c.item_id.label("ro_item"))
                 .join(release_order_lines,
                       pick_lines.c.release_order_line_id == release_order_lines.c.id)
                 .where(release_order_lines.c.release_order_id == order_id,
                        pick_lines.c.picked > pick_lines.c.loaded)
                 .order_by(pick_lines.c.pick_list_id, pick_lines.c.line_no))
        if point_id is not None:
            query = query.where(release_order_lines.c.point_id == point_id)
        return list(self.conn.execute(query))

    def pick_line(self, line_id: uuid.UUID) -> Row | None:
        return self._one(pick_lines, id=line_id)

    def update_pick_line(self, line_id: uuid.UUID, **values: Any) -> None:
        self._update(pick_lines, line_id, **values)

    def add_pick_lines(self, lines: list[dict[str, Any]]) -> None:
        self._add(pick_lines, lines)

    def update_pick_list(self, list_id: uuid.UUID, **values: Any) -> None:
        self._update(pick_lists, list_id, **values)

    # convoys -----------------------------------------------------------------------------
    def add_convoy(self, values: dict[str, Any]) -> None:
        self._add(convoys, values)

    def convoy(self, number: str) -> Row | None:
        return self._one(convoys, number=number)

    def convoy_by_id(self, convoy_id: uuid.UUID) -> Row | None:
        return self._one(convoys, id=convoy_id)

    def convoys(self, hub_id: uuid.UUID | None = None) -> list[Row]:
        """Convoys, newest first."""
        query = select(convoys).order_by(convoys.c.created_at.desc(), convoys.c.number.desc())
        if hub_id is not None:
            query = query.where(convoys.c.hub_id == hub_id)
        return list(self.conn.execute(query))

    # waybills ----------------------------------------------------------------------------
    def add_waybill(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self._add(waybills, values)
        self._add(waybill_lines, lines)

    def waybill(self, number: str, *, lock: bool = False) -> Row | None:
        return self._one(waybills, lock=lock, number=number)

    def waybill_by_id(self, waybill_id: uuid.UUID) -> Row | None:
        return self._one(waybills, id=waybill_id)

    def waybills(self, *, hub_id: uuid.UUID | None = None,
                 states: Iterable[str] | None = None,
                 convoy_id: uuid.UUID | None = None) -> list[Row]:
        query = select(waybills).order_by(waybills.c.number)
        if hub_id is not None:
            query = query.where(waybills.c.hub_id == hub_id)
        if states is not None:
            query = query.where(waybills.c.state.in_(list(states)))
        if convoy_id is not None:
            query = query.where(waybills.c.convoy_id == convoy_id)
        return list(self.conn.execute(query))

    def waybills_of_order(self, order_id: uuid.UUID) -> list[Row]:
        """The waybills carrying lines of a release order."""
        return list(self.conn.execute(
            select(waybills.c.number, waybills.c.state).distinct()
            .join(waybill_lines, waybill_lines.c.waybill_id == waybills.c.id)
            .join(release_order_lines,
                  waybill_lines.c.release_order_line_id == release_order_lines.c.id)
            .where(release_order_lines.c.release_order_id == order_id)))

    def update_waybill(self, waybill_id: uuid.UUID, **values: Any) -> None:
        self._update(waybills, waybill_id, **values)

    def waybill_of_consignment(self, consignment_id: uuid.UUID) -> Row | None:
        """The transfer waybill that became this consignment at the receiving hub."""
        return self._one(waybills, consignment_id=consignment_id)

    def returned(self, line_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Of each waybill line, how much came back on consignments (cancelled ones aside)."""
        if not line_ids:
            return {}
        rows = self.conn.execute(
            select(consignment_lines.c.waybill_line_id,
                   func.sum(consignment_lines.c.quantity - consignment_lines.c.short))
            .join(consignments, consignment_lines.c.consignment_id == consignments.c.id)
            .where(consignment_lines.c.waybill_line_id.in_(line_ids),
                   consignments.c.state != "cancelled")
            .group_by(consignment_lines.c.waybill_line_id))
        return {line_id: int(q) for line_id, q in rows}

    def waybill_lines(self, waybill_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(waybill_lines).where(
            waybill_lines.c.waybill_id == waybill_id).order_by(waybill_lines.c.line_no)))

    def lines_on_the_road(self, states: Iterable[str],
                          release_lines: list[uuid.UUID] | None = None) -> list[Row]:
        """Waybill lines whose goods are on the road (all, or those of these release order
        lines), with each waybill's destination."""
        query = (select(waybill_lines, waybills.c.destination_id, waybills.c.number,
                        waybills.c.consignment_id)
                 .join(waybills, waybill_lines.c.waybill_id == waybills.c.id)
                 .where(waybills.c.state.in_(list(states))))
        if release_lines is not None:
            query = query.where(waybill_lines.c.release_order_line_id.in_(release_lines))
        return list(self.conn.execute(query))

    def add_event(self, values: dict[str, Any]) -> None:
        self._add(waybill_events, values)

    def events(self, waybill_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(waybill_events).where(
            waybill_events.c.waybill_id == waybill_id).order_by(waybill_events.c.at,
                                                                waybill_events.c.recorded_at)))

    def last_events(self, waybill_ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
        if not waybill_ids:
            return {}
        newest = (select(waybill_events.c.waybill_id, func.max(waybill_events.c.at)
                         .label("at")).where(waybill_events.c.waybill_id.in_(waybill_ids))
                  .group_by(waybill_events.c.waybill_id).subquery())
        rows = self.conn.execute(select(waybill_events).join(
            newest, (waybill_events.c.waybill_id == newest.c.waybill_id)
            & (waybill_events.c.at == newest.c.at)))
        return {r.waybill_id: r for r in rows}

    def road_counts(self, states: Iterable[str], news_after: dt.datetime
                    ) -> tuple[int, int]:
        """How many waybills are in ``states``, and how many of them have had no news (an
        event, else the issue) after ``news_after``."""
        newest = (select(waybill_events.c.waybill_id, func.max(waybill_events.c.at)
                         .label("at")).group_by(waybill_events.c.waybill_id).subquery())
        since = func.coalesce(newest.c.at, waybills.c.issued_at)
        vehicles, quiet = self.conn.execute(
            select(func.count(), func.sum(case((since < news_after, 1), else_=0)))
            .select_from(waybills.outerjoin(newest, newest.c.waybill_id == waybills.c.id))
            .where(waybills.c.state.in_(list(states)))).one()
        return vehicles, int(quiet or 0)

    # tracing -----------------------------------------------------------------------------
    def lot_movements(self, lot_id: uuid.UUID) -> list[Row]:
        """Every posting of a lot, with its movement, location and site, in order."""
        return list(self.conn.execute(
            select(movements.c.seq, movements.c.at, movements.c.kind, movements.c.reference,
                   movements.c.id.label("movement_id"), postings.c.quantity,
                   locations.c.code.label("location"), sites.c.code.label("site"),
                   organisations.c.code.label("owner"))
            .join(movements, postings.c.movement_id == movements.c.id)
            .join(locations, postings.c.location_id == locations.c.id)
            .join(sites, locations.c.site_id == sites.c.id)
            .join(organisations, postings.c.owner_id == organisations.c.id)
            .where(postings.c.lot_id == lot_id)
            .order_by(movements.c.at, movements.c.seq, postings.c.line_no)))

    def lot_receipts(self, lot_id: uuid.UUID) -> list[Row]:
        """The GRN lines that brought a lot in, with their GRN and consignment."""
        return list(self.conn.execute(
            select(grns.c.number.label("grn"), grns.c.issued_at, consignments.c.number,
                   consignments.c.donor_id, consignments.c.channel_id,
                   consignments.c.consignor_id, consignments.c.hub_id, grn_lines.c.good,
                   grn_lines.c.damaged, grn_lines.c.owner_id)
            .join(grns, grn_lines.c.grn_id == grns.c.id)
            .join(consignments, grns.c.consignment_id == consignments.c.id)
            .where(grn_lines.c.lot_id == lot_id).order_by(grns.c.issued_at)))

    def lot_waybills(self, lot_id: uuid.UUID) -> list[Row]:
        """The waybill lines that carried a lot, with their waybill and any POD line."""
        return list(self.conn.execute(
            select(waybills.c.number, waybills.c.state, waybills.c.destination_id,
                   waybills.c.dispatched_at, waybill_lines.c.line_no, waybill_lines.c.quantity,
                   waybill_lines.c.sscc, pods.c.signer, pods.c.received_at, pod_lines.c.good,
                   pod_lines.c.damaged, pod_lines.c.short, pod_lines.c.lost)
            .join(waybills, waybill_lines.c.waybill_id == waybills.c.id)
            .outerjoin(pods, pods.c.waybill_id == waybills.c.id)
            .outerjoin(pod_lines, (pod_lines.c.pod_id == pods.c.id)
                       & (pod_lines.c.line_no == waybill_lines.c.line_no))
            .where(waybill_lines.c.lot_id == lot_id).order_by(waybills.c.number)))

    # proof of delivery and losses --------------------------------------------------------
    def add_pod(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self._add(pods, values)
        self._add(pod_lines, lines)

    def pod_of(self, waybill_id: uuid.UUID) -> Row | None:
        return self._one(pods, waybill_id=waybill_id)

    def pod_lines(self, pod_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(pod_lines).where(pod_lines.c.pod_id == pod_id)
                                      .order_by(pod_lines.c.line_no)))

    def add_loss_report(self, values: dict[str, Any]) -> None:
        self._add(loss_reports, values)

    def loss_report(self, number: str, *, lock: bool = False) -> Row | None:
        return self._one(loss_reports, lock=lock, number=number)

    def loss_report_of(self, waybill_id: uuid.UUID) -> Row | None:
        return self._one(loss_reports, waybill_id=waybill_id)

    def loss_reports(self, state: str | None = None) -> list[Row]:
        query = select(loss_reports).order_by(loss_reports.c.number)
        if state:
            query = query.where(loss_reports.c.state == state)
        return list(self.conn.execute(query))

    def count_loss_reports(self, state: str) -> int:
        return self.conn.execute(select(func.count()).select_from(loss_reports)
                                 .where(loss_reports.c.state == state)).scalar_one()

    def update_loss_report(self, report_id: uuid.UUID, **values: Any) -> None:
        self._update(loss_reports, report_id, **values)
