"""Reading what an IATI export reports: the goods a hub received (GRN lines) and delivered
(proof of delivery lines) in a period, and the declared values of lots."""

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, Row, func, select

from aidhub.store.tables import (
    consignment_lines,
    consignments,
    grn_lines,
    grns,
    pod_lines,
    pods,
    waybill_lines,
    waybills,
)


class IatiRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def receipts(self, hub_id: uuid.UUID, start: dt.datetime, end: dt.datetime,
                 owner_id: uuid.UUID | None = None) -> list[Row]:
        """GRN lines of the hub's consignments issued in [start, end), with the declared
        value, announced quantity and currency of their consignment line (None when the
        goods were not on the pre-advice)."""
        query = (select(grns.c.number.label("grn"), grns.c.issued_at,
                        consignments.c.number.label("consignment"), grn_lines.c.owner_id,
                        grn_lines.c.item_id, grn_lines.c.lot_id, grn_lines.c.good,
                        grn_lines.c.damaged, consignment_lines.c.value,
                        consignment_lines.c.quantity.label("announced"),
                        consignment_lines.c.currency)
                 .join(grns, grn_lines.c.grn_id == grns.c.id)
                 .join(consignments, grns.c.consignment_id == consignments.c.id)
                 .outerjoin(consignment_lines,
                            grn_lines.c.consignment_line_id == consignment_lines.c.id)
                 .where(consignments.c.hub_id == hub_id, grns.c.issued_at >= start,
                        grns.c.issued_at < end)
                 .order_by(grns.c.issued_at, grns.c.number, grn_lines.c.line_no))
        if owner_id is not None:
            query = query.where(grn_lines.c.owner_id == owner_id)
        return list(self.conn.execute(query))

    def deliveries(self, hub_id: uuid.UUID, start: dt.datetime, end: dt.datetime,
                   owner_id: uuid.UUID | None = None) -> list[Row]:
        """Proof of delivery lines of the hub's waybills received in [start, end), with the
        waybill's destination and consignee and the line's item, lot and owner."""
        query = (select(waybills.c.number.label("waybill"), pods.c.received_at,
                        waybills.c.destination_id, waybills.c.consignee_id,
                        waybill_lines.c.item_id, waybill_lines.c.lot_id,
                        waybill_lines.c.owner_id, pod_lines.c.good)
                 .join(pods, pod_lines.c.pod_id == pods.c.id)
                 .join(waybills, pods.c.waybill_id == waybills.c.id)
                 .join(waybill_lines, (waybill_lines.c.waybill_id == waybills.c.id)
                       & (waybill_lines.c.line_no == pod_lines.c.line_no))
                 .where(waybills.c.hub_id == hub_id, pods.c.received_at >= start,
                        pods.c.received_at < end)
                 .order_by(pods.c.received_at, waybills.c.number, pod_lines.c.line_no))
        if owner_id is not None:
            query = query.where(waybill_lines.c.owner_id == owner_id)
        return list(self.conn.execute(query))

    def valued_receipts(self, lot_ids: Iterable[uuid.UUID]) -> list[Row]:
        """Every GRN line (at any hub) that received one of these lots from a consignment
        line with a declared value: the lot, units received, line value, announced quantity
        and currency."""
        ids, rows = sorted(set(lot_ids)), []
        for start in range(0, len(ids), 500):
            rows += self.conn.execute(
                select(grn_lines.c.lot_id, grn_lines.c.good, grn_lines.c.damaged,
                       consignment_lines.c.value,
                       consignment_lines.c.quantity.label("announced"),
                       consignment_lines.c.currency)
                .join(consignment_lines,
                      grn_lines.c.consignment_line_id == consignment_lines.c.id)
                .where(grn_lines.c.lot_id.in_(ids[start:start + 500]),
                       consignment_lines.c.value.is_not(None)))
        return rows

    def first_day(self, hub_id: uuid.UUID) -> dt.date | None:
        """The day the hub first received (GRN) or delivered (POD) goods, if ever."""
        received = self.conn.execute(
            select(func.min(grns.c.issued_at))
            .join(consignments, grns.c.consignment_id == consignments.c.id)
            .where(consignments.c.hub_id == hub_id)).scalar_one()
        delivered = self.conn.execute(
            select(func.min(pods.c.received_at))
            .join(waybills, pods.c.waybill_id == waybills.c.id)
            .where(waybills.c.hub_id == hub_id)).scalar_one()
        days = [t.date() for t in (received, delivered) if t is not None]
        return min(days) if days else None
