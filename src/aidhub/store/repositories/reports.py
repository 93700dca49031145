"""Reading for reports: one owner's flows in a period as the ledger's virtual side sees
them, where received goods came from, GRN lines against what was announced, losses and
disposals with their reasons, and the documents that carried each lot; and the stored
reports themselves. Stock at a moment and proof-of-delivery lines are read with
:class:`~aidhub.store.repositories.exports.ExportsRepository`.

A reversal is counted as the kind of movement it reverses: its postings have the opposite
sign, so a reversed receipt takes its goods out of "received" again.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, or_, select

from aidhub.store.tables import (
    channels,
    consignment_lines,
    consignments,
    grn_lines,
    grns,
    locations,
    loss_reports,
    movements,
    pod_lines,
    pods,
    postings,
    reports,
    waybill_lines,
    waybills,
)

_original = movements.alias("original")
# the kind of a movement, a reversal taking the kind of the movement it reverses
_KIND = func.coalesce(_original.c.kind, movements.c.kind)
# the movement a GRN posted: the movement itself, or the one a reversal reverses
_POSTED = func.coalesce(movements.c.reverses, movements.c.id)
_CHUNK = 500


def _virtual_postings(owner_id: uuid.UUID, since: dt.datetime, until: dt.datetime):
    """The owner's postings at virtual locations of movements in [since, until)."""
    return (postings.join(movements, postings.c.movement_id == movements.c.id)
            .join(locations, postings.c.location_id == locations.c.id)
            .outerjoin(_original, movements.c.reverses == _original.c.id)), and_(
        postings.c.owner_id == owner_id, ~locations.c.physical,
        movements.c.at >= since, movements.c.at < until)


class ReportsRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # the ledger ----------------------------------------------------------------------
    def virtual_flows(self, owner_id: uuid.UUID, since: dt.datetime,
                      until: dt.datetime) -> list[Row]:
        """The owner's postings at virtual locations (EXTERNAL, IN-TRANSIT, DISTRIBUTED,
        LOST, DISPOSED) of movements in [since, until), summed by kind of movement, kind
        of location, site and item, and by the consignment whose GRN posted the movement
        (None for any other movement)."""
        joined, where = _virtual_postings(owner_id, since, until)
        joined = joined.outerjoin(grns, grns.c.movement_id == _POSTED)
        query = (select(_KIND.label("movement_kind"), locations.c.kind.label("location_kind"),
                        locations.c.site_id, postings.c.item_id, grns.c.consignment_id,
                        func.sum(postings.c.quantity).label("quantity"))
                 .select_from(joined).where(where)
                 .group_by(_KIND, locations.c.kind, locations.c.site_id, postings.c.item_id,
                           grns.c.consignment_id))
        return list(self.conn.execute(query))

    def write_offs(self, owner_id: uuid.UUID, since: dt.datetime,
                   until: dt.datetime) -> list[Row]:
        """Adjustments (losses, and gains found in counts), disposals and deliveries of the
        owner's goods in [since, until), and their reversals: per movement, site, kind of
        location and item, the quantity posted at the virtual side, with the movement's
        number, reference and note (the reason given), and for a delivery the proof of
        delivery that posted it (None: a delivery posted by hand)."""
        joined, where = _virtual_postings(owner_id, since, until)
        joined = joined.outerjoin(pods, pods.c.movement_id == _POSTED)
        query = (select(movements.c.id, movements.c.seq, movements.c.at,
                        movements.c.kind.label("actual_kind"), _KIND.label("movement_kind"),
                        movements.c.reference, movements.c.note, locations.c.site_id,
                        locations.c.kind.label("location_kind"), postings.c.item_id,
                        pods.c.id.label("pod_id"),
                        func.sum(postings.c.quantity).label("quantity"))
                 .select_from(joined)
                 .where(where, _KIND.in_(("adjustment", "disposal", "delivery")))
                 .group_by(movements.c.id, movements.c.seq, movements.c.at, movements.c.kind,
                           _KIND, movements.c.reference, movements.c.note,
                           locations.c.site_id, locations.c.kind, postings.c.item_id,
                           pods.c.id)
                 .order_by(movements.c.at, movements.c.seq))
        return list(self.conn.execute(query))

    # where received goods came from --------------------------------------------------
    def consignment_sources(self, ids: Iterable[uuid.UUID]) -> list[Row]:
        """Each consignment's number and channel, and, for one made from a waybill (a
        transfer from another hub, or goods returned from a distribution point), that
        waybill's hub and destination."""
        rows: list[Row] = []
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), _CHUNK):
            rows += self.conn.execute(
                select(consignments.c.id, consignments.c.number,
                       channels.c.code.label("channel"), channels.c.name.label("channel_name"),
                       waybills.c.hub_id.label("from_hub_id"),
                       waybills.c.destination_id.label("waybill_destination_id"))
                .select_from(
                    consignments.outerjoin(channels, consignments.c.channel_id == channels.c.id)
                    .outerjoin(consignment_lines,
                               (consignment_lines.c.consignment_id == consignments.c.id)
                               & consignment_lines.c.waybill_line_id.is_not(None))
                    .outerjoin(waybill_lines,
                               consignment_lines.c.waybill_line_id == waybill_lines.c.id)
                    .outerjoin(waybills, waybill_lines.c.waybill_id == waybills.c.id))
                .where(consignments.c.id.in_(wanted[start:start + _CHUNK]))
                .distinct())
        return rows

    # GRN lines against the pre-advice ------------------------------------------------
    def grn_lines(self, owner_id: uuid.UUID, since: dt.datetime,
                  until: dt.datetime) -> list[Row]:
        """GRN lines of the owner's goods issued before ``until`` that belong to a
        consignment line received in [since, until), or were themselves issued then
        (goods not on the pre-advice have no consignment line): with the GRN, the
        consignment, and the line's announced quantity."""
        in_period = (select(grn_lines.c.consignment_line_id)
                     .join(grns, grn_lines.c.grn_id == grns.c.id)
                     .where(grn_lines.c.owner_id == owner_id, grns.c.issued_at >= since,
                            grns.c.issued_at < until,
                            grn_lines.c.consignment_line_id.is_not(None)))
        query = (select(grns.c.number.label("grn"), grns.c.issued_at,
                        consignments.c.id.label("consignment_id"),
                        consignments.c.number.label("consignment"),
                        grn_lines.c.id.label("grn_line_id"), grn_lines.c.consignment_line_id,
                        consignment_lines.c.line_no, consignment_lines.c.quantity.label(
                            "announced"), grn_lines.c.item_id, grn_lines.c.lot_id,
                        grn_lines.c.good, grn_lines.c.damaged, grn_lines.c.over,
                        grn_lines.c.short)
                 .select_from(grn_lines.join(grns, grn_lines.c.grn_id == grns.c.id)
                              .join(consignments, grns.c.consignment_id == consignments.c.id)
                              .outerjoin(consignment_lines, grn_lines.c.consignment_line_id
                                         == consignment_lines.c.id))
                 .where(grn_lines.c.owner_id == owner_id, grns.c.issued_at < until,
                        or_(grns.c.issued_at >= since,
                            grn_lines.c.consignment_line_id.in_(in_period)))
                 .order_by(consignments.c.number, consignment_lines.c.line_no,
                           grns.c.issued_at, grns.c.number, grn_lines.c.line_no))
        return list(self.conn.execute(query))

    def lot_receipts(self, owner_id: uuid.UUID, lot_ids: Iterable[uuid.UUID],
                     until: dt.datetime) -> list[Row]:
        """The GRN lines that received these lots of the owner's goods before ``until``."""
        rows: list[Row] = []
        wanted = sorted(set(lot_ids))
        for start in range(0, len(wanted), _CHUNK):
            rows += self.conn.execute(
                select(grn_lines.c.lot_id, grns.c.number.label("grn"), grns.c.issued_at,
                       grn_lines.c.good, grn_lines.c.damaged)
                .join(grns, grn_lines.c.grn_id == grns.c.id)
                .where(grn_lines.c.owner_id == owner_id, grns.c.issued_at < until,
                       grn_lines.c.lot_id.in_(wanted[start:start + _CHUNK]))
                .order_by(grns.c.issued_at, grns.c.number, grn_lines.c.line_no))
        return rows

    # waybills ------------------------------------------------------------------------
    def waybill_lines(self, owner_id: uuid.UUID, since: dt.datetime,
                      until: dt.datetime) -> list[Row]:
        """Waybill lines of the owner's goods dispatched, or delivered (proof of delivery
        received), in [since, until); with the proof-of-delivery line when there is one
        and it was received before ``until``."""
        pod = and_(pods.c.waybill_id == waybills.c.id, pods.c.received_at < until)
        query = (select(waybills.c.number.label("waybill"), waybills.c.dispatched_at,
                        waybills.c.destination_id, waybill_lines.c.line_no,
                        waybill_lines.c.item_id, waybill_lines.c.lot_id,
                        waybill_lines.c.quantity, pods.c.received_at, pod_lines.c.good,
                        pod_lines.c.damaged, pod_lines.c.short, pod_lines.c.lost)
                 .select_from(
                     waybill_lines.join(waybills, waybill_lines.c.waybill_id == waybills.c.id)
                     .outerjoin(pods, pod)
                     .outerjoin(pod_lines, (pod_lines.c.pod_id == pods.c.id)
                                & (pod_lines.c.line_no == waybill_lines.c.line_no)))
                 .where(waybill_lines.c.owner_id == owner_id,
                        or_(and_(waybills.c.dispatched_at >= since,
                                 waybills.c.dispatched_at < until),
                            pods.c.received_at >= since))
                 .order_by(waybills.c.dispatched_at, waybills.c.number,
                           waybill_lines.c.line_no))
        return list(self.conn.execute(query))

    def loss_reports(self, waybill_numbers: Iterable[str]) -> list[Row]:
        """The loss reports opened for these waybills: number, state and decision."""
        rows: list[Row] = []
        wanted = sorted(set(waybill_numbers))
        for start in range(0, len(wanted), _CHUNK):
            rows += self.conn.execute(
                select(waybills.c.number.label("waybill"), loss_reports.c.number,
                       loss_reports.c.state, loss_reports.c.decision)
                .join(waybills, loss_reports.c.waybill_id == waybills.c.id)
                .where(waybills.c.number.in_(wanted[start:start + _CHUNK])))
        return rows

    # stored reports ------------------------------------------------------------------
    def add_report(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(reports), values)

    def report(self, report_id: uuid.UUID, *, content: bool = True) -> Row | None:
        columns = [c for c in reports.c if content or c.name != "content"]
        return self.conn.execute(select(*columns, func.length(reports.c.content)
                                        .label("size"))
                                 .where(reports.c.id == report_id)).one_or_none()

    def reports(self, kind: str | None = None) -> list[Row]:
        """Every stored report (without its content, with its size), newest first."""
        query = (select(*(c for c in reports.c if c.name != "content"),
                        func.length(reports.c.content).label("size"))
                 .order_by(reports.c.generated_at.desc(), reports.c.id.desc()))
        if kind is not None:
            query = query.where(reports.c.kind == kind)
        return list(self.conn.execute(query))
