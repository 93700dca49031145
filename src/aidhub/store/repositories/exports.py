"""Reading for exports and `aidhub query`: stock (now or at a past moment), postings,
proof-of-delivery lines, and whole tables for the DuckDB copy. Reading only."""

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, func, select

from aidhub.store.tables import (
    balances,
    items,
    locations,
    lots,
    movements,
    organisations,
    pod_lines,
    pods,
    postings,
    sites,
    waybill_lines,
    waybills,
)

_hub = sites.alias("hub")
_point = sites.alias("point")
_consignee = organisations.alias("consignee")


class ExportsRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # stock ---------------------------------------------------------------------------
    def stock(self, *, site_id: uuid.UUID | None, owner_id: uuid.UUID | None,
              until: dt.datetime | None) -> list[Row]:
        """Physical stock by location, item, lot, owner and earmark (non-zero only): from
        the balances, or, with ``until``, summed from the postings of movements before it.
        """
        if until is None:
            source = select(balances.c.location_id, balances.c.item_id, balances.c.lot_id,
                            balances.c.owner_id, balances.c.earmark, balances.c.quantity
                            ).where(balances.c.physical, balances.c.quantity != 0)
        else:
            total = func.sum(postings.c.quantity)
            source = (
                select(postings.c.location_id, postings.c.item_id, postings.c.lot_id,
                       postings.c.owner_id, postings.c.earmark, total.label("quantity"))
                .join(movements, postings.c.movement_id == movements.c.id)
                .join(locations, postings.c.location_id == locations.c.id)
                .where(movements.c.at < until, locations.c.physical)
                .group_by(postings.c.location_id, postings.c.item_id, postings.c.lot_id,
                          postings.c.owner_id, postings.c.earmark)
                .having(total != 0)
            )
        if owner_id is not None:
            source = source.where(source.selected_columns.owner_id == owner_id)
        s = source.subquery("stock")
        query = (
            select(sites.c.code.label("site"), sites.c.name.label("site_name"), sites.c.pcode,
                   locations.c.code.label("location"), locations.c.kind.label("location_kind"),
                   items.c.code.label("item"), items.c.name_en.label("item_name"),
                   items.c.unit, items.c.category, items.c.weight_kg, lots.c.batch,
                   lots.c.expiry, organisations.c.code.label("owner"),
                   organisations.c.name.label("owner_name"), s.c.earmark, s.c.quantity)
            .select_from(s.join(locations, s.c.location_id == locations.c.id)
                         .join(sites, locations.c.site_id == sites.c.id)
                         .join(items, s.c.item_id == items.c.id)
                         .join(lots, s.c.lot_id == lots.c.id)
                         .join(organisations, s.c.owner_id == organisations.c.id))
            .order_by(sites.c.code, locations.c.code, items.c.code, lots.c.expiry,
                      lots.c.batch, organisations.c.code, s.c.earmark)
        )
        if site_id is not None:
            query = query.where(locations.c.site_id == site_id)
        return list(self.conn.execute(query))

    # movements -----------------------------------------------------------------------
    def postings(self, *, site_id: uuid.UUID | None, owner_id: uuid.UUID | None,
                 since: dt.datetime | None, until: dt.datetime | None) -> list[Row]:
        """Every posting of movements in [since, until), with its movement, place, item,
        lot and owner; with ``site_id``, only postings at that site's locations."""
        query = (
            select(movements.c.seq, movements.c.at, movements.c.kind, movements.c.reference,
                   sites.c.code.label("site"), sites.c.name.label("site_name"), sites.c.pcode,
                   locations.c.code.label("location"),
                   locations.c.kind.label("location_kind"), items.c.code.label("item"),
                   items.c.name_en.label("item_name"), items.c.unit, items.c.category,
                   lots.c.batch, lots.c.expiry, organisations.c.code.label("owner"),
                   postings.c.earmark, postings.c.quantity)
            .select_from(postings.join(movements, postings.c.movement_id == movements.c.id)
                         .join(locations, postings.c.location_id == locations.c.id)
                         .join(sites, locations.c.site_id == sites.c.id)
                         .join(items, postings.c.item_id == items.c.id)
                         .join(lots, postings.c.lot_id == lots.c.id)
                         .join(organisations, postings.c.owner_id == organisations.c.id))
            .order_by(movements.c.at, movements.c.node_id, movements.c.seq,
                      postings.c.line_no)
        )
        query = _within(query, movements.c.at, since, until)
        if site_id is not None:
            query = query.where(locations.c.site_id == site_id)
        if owner_id is not None:
            query = query.where(postings.c.owner_id == owner_id)
        return list(self.conn.execute(query))

    # deliveries ----------------------------------------------------------------------
    def delivery_lines(self, *, site_id: uuid.UUID | None, owner_id: uuid.UUID | None,
                       since: dt.datetime | None, until: dt.datetime | None) -> list[Row]:
        """Proof-of-delivery lines received in [since, until), with their waybill line, hub,
        distribution point and consignee; ``site_id`` matches the hub or the point."""
        query = (
            select(waybills.c.number.label("waybill"), _hub.c.code.label("hub"),
                   _point.c.code.label("point"), _point.c.name.label("point_name"),
                   _point.c.pcode, _point.c.lat, _point.c.lon,
                   _consignee.c.code.label("consignee"),
                   _consignee.c.name.label("consignee_name"),
                   items.c.code.label("item"), items.c.name_en.label("item_name"),
                   items.c.unit, items.c.category, items.c.weight_kg, lots.c.batch,
                   lots.c.expiry, organisations.c.code.label("owner"),
                   organisations.c.name.label("owner_name"), waybill_lines.c.sscc,
                   waybill_lines.c.quantity.label("shipped"), pod_lines.c.good,
                   pod_lines.c.damaged, pod_lines.c.short, pod_lines.c.lost,
                   waybills.c.dispatched_at, pods.c.received_at)
            .select_from(
                pod_lines.join(pods, pod_lines.c.pod_id == pods.c.id)
                .join(waybills, pods.c.waybill_id == waybills.c.id)
                .join(waybill_lines, (waybill_lines.c.waybill_id == waybills.c.id)
                      & (waybill_lines.c.line_no == pod_lines.c.line_no))
                .join(_hub, waybills.c.hub_id == _hub.c.id)
                .join(_point, waybills.c.destination_id == _point.c.id)
                .outerjoin(_consignee, waybills.c.consignee_id == _consignee.c.id)
                .join(items, waybill_lines.c.item_id == items.c.id)
                .join(lots, waybill_lines.c.lot_id == lots.c.id)
                .join(organisations, waybill_lines.c.owner_id == organisations.c.id))
            .order_by(pods.c.received_at, waybills.c.number, pod_lines.c.line_no)
        )
        query = _within(query, pods.c.received_at, since, until)
        if site_id is not None:
            query = query.where((waybills.c.hub_id == site_id)
                                | (waybills.c.destination_id == site_id))
        if owner_id is not None:
            query = query.where(waybill_lines.c.owner_id == owner_id)
        return list(self.conn.execute(query))

    # whole tables, for `aidhub query` ----------------------------------------------------
    def table_rows(self, table: Table, names: Sequence[str], *, batch: int = 50_000
                   ) -> Iterator[Sequence[Row[Any]]]:
        """The rows of ``table`` (only the columns named), in batches."""
        query = select(*(table.c[n] for n in names)).execution_options(yield_per=batch)
        yield from self.conn.execute(query).partitions()


def _within(query: Select, column: Any, since: dt.datetime | None,
            until: dt.datetime | None) -> Select:
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query
