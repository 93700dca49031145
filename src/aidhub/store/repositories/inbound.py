"""Channels, consignments with their lines and timeline, GRNs and handling units."""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from aidhub.domain.channels import Channel, Route, TransportDocument, TransportMode
from aidhub.domain.consignments import (
    ClearanceState,
    Consignment,
    ConsignmentLine,
    SealCheck,
    State,
)
from aidhub.domain.ids import new_id
from aidhub.domain.organisations import OrganisationType
from aidhub.store.tables import (
    channels,
    consignment_events,
    consignment_lines,
    consignments,
    counters,
    grn_lines,
    grns,
    handling_units,
    settings,
)


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str
    movement_id: uuid.UUID | None
    document: str


def _enum(kind, value):
    return kind(value) if value is not None else None


def _consignment(r: Row) -> Consignment:
    return Consignment(
        r.id, r.number, r.hub_id, r.consignor_id, r.consignee_id, r.channel_id,
        r.point_of_entry_id, State(r.state), r.eta,
        _enum(TransportDocument, r.document_type), r.document_number, r.vehicle, r.driver,
        r.seals, r.donor_id, r.arrived_at, r.documents_checked,
        _enum(ClearanceState, r.clearance), _enum(SealCheck, r.seal_check), r.seals_found,
        r.protest_letter, r.survey_report, r.source_hash,
    )


def _line(r: Row) -> ConsignmentLine:
    return ConsignmentLine(
        r.id, r.consignment_id, r.line_no, r.item_id, r.description, r.quantity, r.unit,
        r.batch, r.expiry, r.weight_kg, r.volume_m3, r.value, r.currency, r.donor_id,
        r.earmark, r.sscc, r.received, r.short, r.closed, r.transit_lot_id, r.in_transit,
    )


def _values(record: Any) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") and not isinstance(v, str | int) else v)
            for k, v in asdict(record).items()}


class InboundRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    # settings and numbering ------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        return self.conn.execute(
            select(settings.c.value).where(settings.c.key == key)
        ).scalar_one_or_none()

    def set_setting(self, key: str, value: str) -> None:
        stmt = self._insert(settings).values(key=key, value=value)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=[settings.c.key],
                                                     set_={"value": stmt.excluded.value}))

    def next_number(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` numbers of the counter ``name``; return the first. The row is
        locked until the transaction ends, so numbers are never handed out twice."""
        self.conn.execute(self._insert(counters).values(name=name, value=0)
                          .on_conflict_do_nothing(index_elements=[counters.c.name]))
        current = self.conn.execute(
            select(counters.c.value).where(counters.c.name == name).with_for_update()
        ).scalar_one()
        self.conn.execute(update(counters).where(counters.c.name == name)
                          .values(value=current + count))
        return current + 1

    # channels --------------------------------------------------------------------------
    def add_channel(self, channel: Channel) -> None:
        self.conn.execute(insert(channels).values(**_values(channel)))

    def channel(self, code: str | None = None, channel_id: uuid.UUID | None = None
                ) -> Channel | None:
        query = select(channels)
        query = query.where(channels.c.code == code) if code else query.where(
            channels.c.id == channel_id)
        r = self.conn.execute(query).one_or_none()
        if r is None:
            return None
        return Channel(r.id, r.code, r.name, TransportMode(r.mode), Route(r.route),
                       OrganisationType(r.provider_type))

    def channels(self) -> list[Channel]:
        return [Channel(r.id, r.code, r.name, TransportMode(r.mode), Route(r.route),
                        OrganisationType(r.provider_type))
                for r in self.conn.execute(select(channels).order_by(channels.c.code))]

    # consignments ----------------------------------------------------------------------
    def add_consignment(self, c: Consignment, lines: list[ConsignmentLine],
                        at: dt.datetime) -> None:
        self.conn.execute(insert(consignments).values(**_values(c), created_at=at))
        if lines:
            self.conn.execute(insert(consignment_lines), [_values(ln) for ln in lines])

    def consignment(self, number: str, *, lock: bool = False) -> Consignment | None:
        query = select(consignments).where(consignments.c.number == number)
        if lock:
            query = query.with_for_update()
        r = self.conn.execute(query).one_or_none()
        return _consignment(r) if r is not None else None

    def consignment_by_id(self, consignment_id: uuid.UUID) -> Consignment:
        return _consignment(self.conn.execute(
            select(consignments).where(consignments.c.id == consignment_id)).one())

    def by_source_hash(self, digest: str) -> Consignment | None:
        r = self.conn.execute(
            select(consignments).where(consignments.c.source_hash == digest)
            .order_by(consignments.c.created_at)
        ).first()
        return _consignment(r) if r is not None else None

    def consignments(self, *, hub_id: uuid.UUID | None = None,
                     states: Iterable[State] | None = None) -> list[Consignment]:
        query = select(consignments).order_by(consignments.c.created_at.desc())
        if hub_id is not None:
            query = query.where(consignments.c.hub_id == hub_id)
        if states is not None:
            query = query.where(consignments.c.state.in_([s.value for s in states]))
        return [_consignment(r) for r in self.conn.execute(query)]

    def update_consignment(self, consignment_id: uuid.UUID, **values: Any) -> None:
        values = {k: (v.value if hasattr(v, "value") and not isinstance(v, str) else v)
                  for k, v in values.items()}
        self.conn.execute(update(consignments).where(consignments.c.id == consignment_id)
                          .values(**values))

    def lines(self, consignment_id: uuid.UUID) -> list[ConsignmentLine]:
        return [_line(r) for r in self.conn.execute(
            select(consignment_lines).where(consignment_lines.c.consignment_id ==
                                            consignment_id)
            .order_by(consignment_lines.c.line_no))]

    def lines_of(self, consignment_ids: Iterable[uuid.UUID]
                 ) -> dict[uuid.UUID, list[ConsignmentLine]]:
        """The lines of many consignments at once (in pages of 1,000 ids), by consignment."""
        ids = list(consignment_ids)
        out: dict[uuid.UUID, list[ConsignmentLine]] = {i: [] for i in ids}
        for start in range(0, len(ids), 1000):
            for r in self.conn.execute(
                    select(consignment_lines)
                    .where(consignment_lines.c.consignment_id.in_(ids[start:start + 1000]))
                    .order_by(consignment_lines.c.consignment_id,
                              consignment_lines.c.line_no)):
                out[r.consignment_id].append(_line(r))
        return out

    def pipeline_totals(self, *, states: Iterable[State], hub_id: uuid.UUID | None = None,
                        hub_ids: Iterable[uuid.UUID] | None = None,
                        organisation_ids: Iterable[uuid.UUID] | None = None) -> list[Row]:
        """Per hub, channel, donor (the line's, else the consignment's) and state of the
        consignments in ``states``: how many consignments, and what their lines announced,
        received and still expect, and weigh. Limited, when ``hub_ids`` or
        ``organisation_ids`` is given, to consignments at those hubs or that concern those
        organisations (consignor, consignee, donor or a line's donor)."""
        c, ln = consignments.c, consignment_lines.c
        donor = func.coalesce(ln.donor_id, c.donor_id).label("donor_id")
        outstanding = case((ln.closed, 0), (ln.quantity > ln.received,
                                            ln.quantity - ln.received), else_=0)
        query = (select(c.hub_id, c.channel_id, donor, c.state,
                        func.count(func.distinct(c.id)).label("consignments"),
                        func.sum(ln.quantity).label("announced"),
                        func.sum(ln.received).label("received"),
                        func.sum(outstanding).label("outstanding"),
                        func.sum(func.coalesce(ln.weight_kg, 0)).label("weight_kg"))
                 .join(consignment_lines, ln.consignment_id == c.id)
                 .where(c.state.in_([s.value for s in states]))
                 .group_by(c.hub_id, c.channel_id, donor, c.state))
        if hub_id is not None:
            query = query.where(c.hub_id == hub_id)
        return list(self.conn.execute(_concerning(query, hub_ids, organisation_ids)))

    def count_by_state(self, *, states: Iterable[State],
                       hub_ids: Iterable[uuid.UUID] | None = None,
                       organisation_ids: Iterable[uuid.UUID] | None = None
                       ) -> dict[str, int]:
        """How many consignments are in each of ``states`` (limited as in
        :meth:`pipeline_totals`)."""
        c = consignments.c
        query = (select(c.state, func.count()).where(c.state.in_([s.value for s in states]))
                 .group_by(c.state))
        return dict(self.conn.execute(_concerning(query, hub_ids, organisation_ids)).all())

    def lines_in_transit(self) -> list[Row]:
        """Every consignment line with goods in its hub's IN-TRANSIT, with the hub, the
        consignment number and the owner of the goods (line donor, else consignment donor,
        else consignee)."""
        c, ln = consignments.c, consignment_lines.c
        return list(self.conn.execute(
            select(c.number, c.hub_id, ln.item_id, ln.transit_lot_id, ln.earmark,
                   ln.in_transit,
                   func.coalesce(ln.donor_id, c.donor_id, c.consignee_id).label("owner_id"))
            .join(consignments, ln.consignment_id == c.id)
            .where(ln.in_transit > 0)))

    def line(self, line_id: uuid.UUID) -> ConsignmentLine | None:
        r = self.conn.execute(select(consignment_lines).where(
            consignment_lines.c.id == line_id)).one_or_none()
        return _line(r) if r is not None else None

    def update_line(self, line_id: uuid.UUID, **values: Any) -> None:
        self.update_lines([{"id": line_id, **values}])

    def update_lines(self, changes: list[dict[str, Any]]) -> None:
        """Update many lines at once; each dict has the line's ``id`` and the new values
        (lines with the same set of columns go in one executemany)."""
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for change in changes:
            columns = tuple(sorted(k for k in change if k != "id"))
            by_columns.setdefault(columns, []).append(
                {"line": change["id"], **{f"v_{k}": change[k] for k in columns}})
        for columns, rows in by_columns.items():
            stmt = (update(consignment_lines)
                    .where(consignment_lines.c.id == bindparam("line"))
                    .values({c: bindparam(f"v_{c}") for c in columns}))
            self.conn.execute(stmt, rows)

    # the timeline ----------------------------------------------------------------------
    def add_event(self, consignment_id: uuid.UUID, at: dt.datetime, actor: str, action: str,
                  *, from_state: State | None = None, to_state: State | None = None,
                  reason: str = "", movement_id: uuid.UUID | None = None,
                  document: str = "") -> None:
        self.conn.execute(insert(consignment_events).values(
            id=new_id(), consignment_id=consignment_id, at=at, actor=actor, action=action,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value if to_state else None, reason=reason,
            movement_id=movement_id, document=document))

    def events(self, consignment_id: uuid.UUID) -> list[Event]:
        return [Event(r.at, r.actor, r.action, r.from_state, r.to_state, r.reason,
                      r.movement_id, r.document)
                for r in self.conn.execute(
                    select(consignment_events)
                    .where(consignment_events.c.consignment_id == consignment_id)
                    .order_by(consignment_events.c.at, consignment_events.c.id))]

    # GRNs and handling units -----------------------------------------------------------
    def add_grn(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(grns).values(**values))
        self.conn.execute(insert(grn_lines), lines)

    def grn(self, number: str) -> Row | None:
        return self.conn.execute(select(grns).where(grns.c.number == number)).one_or_none()

    def grns_of(self, consignment_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(grns).where(grns.c.consignment_id ==
                                                         consignment_id)
                                      .order_by(grns.c.issued_at)))

    def grn_lines(self, grn_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(select(grn_lines).where(grn_lines.c.grn_id == grn_id)
                                      .order_by(grn_lines.c.line_no)))

    def update_grn_line(self, line_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(grn_lines).where(grn_lines.c.id == line_id).values(**values))

    def add_units(self, units: list[dict[str, Any]]) -> None:
        if units:
            self.conn.execute(insert(handling_units), units)

    def unit(self, sscc: str) -> Row | None:
        return self.conn.execute(
            select(handling_units).where(handling_units.c.sscc == sscc)).one_or_none()

    def unit_with_line(self, sscc: str) -> tuple[Row, Row, Row] | None:
        """A handling unit with its GRN and GRN line."""
        unit = self.unit(sscc)
        if unit is None:
            return None
        line = self.conn.execute(
            select(grn_lines).where(grn_lines.c.id == unit.grn_line_id)).one()
        grn = self.conn.execute(select(grns).where(grns.c.id == line.grn_id)).one()
        return unit, grn, line

    def units_of_grn(self, grn_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(
            select(handling_units)
            .join(grn_lines, handling_units.c.grn_line_id == grn_lines.c.id)
            .where(grn_lines.c.grn_id == grn_id)
            .order_by(handling_units.c.sscc)))

    def move_unit(self, unit_id: uuid.UUID, location_id: uuid.UUID,
                  at: dt.datetime) -> None:
        self.conn.execute(update(handling_units).where(handling_units.c.id == unit_id)
                          .values(location_id=location_id, put_away_at=at))

    def count_units(self) -> int:
        return self.conn.execute(select(func.count()).select_from(handling_units)).scalar_one()


def _concerning(query: Select, hub_ids: Iterable[uuid.UUID] | None,
                organisation_ids: Iterable[uuid.UUID] | None) -> Select:
    """``query`` on consignments limited, when ``hub_ids`` or ``organisation_ids`` is
    given, to consignments at those hubs or that concern those organisations (consignor,
    consignee, donor or a line's donor)."""
    if hub_ids is None and organisation_ids is None:
        return query
    c = consignments.c
    hubs, orgs = list(hub_ids or ()), list(organisation_ids or ())
    other = consignment_lines.alias("other")
    return query.where(or_(
        c.hub_id.in_(hubs) if hubs else false(),
        or_(c.consignor_id.in_(orgs), c.consignee_id.in_(orgs), c.donor_id.in_(orgs),
            exists().where(and_(other.c.consignment_id == c.id,
                                other.c.donor_id.in_(orgs)))) if orgs else false()))
