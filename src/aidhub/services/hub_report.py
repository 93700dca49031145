"""The hub report: what happened at one hub in a week or a month, as plain figures.

Of the period: throughput (tonnes received onto the hub's shelves and dispatched from
them, per day), screening decisions, requests of the points the hub serves and their fill
rate (see :mod:`aidhub.services.site_map`), convoys formed, and losses (on the road,
damaged on arrival, written off or disposed at the hub). At the end of the period (or
now, when the period is not over): stock by SUMA category and its expiry risk (RITA's
alerts: red under 3 months, yellow under 9). At the time of printing: the inbound
pipeline, the screening queue and the documents still open (consignments waiting for a
GRN, GRN lines not triaged, waybills without a proof of delivery, loss reports not
reviewed). Weights are in tonnes, from the catalog's weight per unit.

``organisation_id`` limits the report to hubs that organisation operates; any other hub
is answered exactly as an unknown one.
"""

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from aidhub.domain.audit import canonical_json
from aidhub.domain.catalog import ExpiryAlert, expiry_alert
from aidhub.domain.consignments import State
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.sites import Site, SiteKind
from aidhub.domain.values import parse_code
from aidhub.interop.jsonable import jsonable
from aidhub.services import consignments, delivery, waybills
from aidhub.services.context import Context, utcnow
from aidhub.services.site_map import KG_PER_TONNE, PointFill, fill_by_point, period
from aidhub.store.repositories.exports import ExportsRepository
from aidhub.store.repositories.hub_reports import APPROVED_STATES, HubReportsRepository
from aidhub.store.uow import UnitOfWork

PERIODS = ("week", "month")
HUB_KINDS = (SiteKind.HUB, SiteKind.WAREHOUSE)
#: Expiry bands, most urgent first: RITA's alerts, then later expiry, then none.
EXPIRY_BANDS = ("expired", "red", "yellow", "later", "none")
EXPIRING_LOTS = 12  # lots listed by name (expired and red ones, soonest first)
TONNE = Decimal("0.001")


# The figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineStage:
    stage: str  # consignments.STAGES: expected, arrived, in screening, cleared, ...
    channel: str
    consignments: int
    announced: int  # units, as announced on the consignments' lines
    received: int
    outstanding: int
    tonnes: Decimal  # announced weight


@dataclass(frozen=True)
class DayFlow:
    day: dt.date
    tonnes_in: Decimal
    tonnes_out: Decimal


@dataclass(frozen=True)
class CategoryStock:
    category: str  # a SumaCategory value
    lots: int
    quantity: int  # units (of different items: a count of things, not a measure)
    tonnes: Decimal


@dataclass(frozen=True)
class ExpiryBand:
    band: str  # one of EXPIRY_BANDS
    lots: int
    tonnes: Decimal


@dataclass(frozen=True)
class ExpiringLot:
    item: str
    item_name: str
    batch: str
    expiry: dt.date
    days_left: int  # negative: expired that many days ago
    quantity: int
    unit: str
    tonnes: Decimal
    item_name_ar: str = ""


@dataclass(frozen=True)
class Screening:
    open_hits: int  # waiting for a decision now
    escalated_hits: int
    oldest_open: dt.datetime | None
    in_screening: int  # consignments in screening, held or under review now
    hits_decided: dict[str, int] = field(default_factory=dict)  # in the period, by state
    consignments: dict[str, int] = field(default_factory=dict)  # held, cleared, rejected


@dataclass(frozen=True)
class PointRequests:
    point: str
    point_name: str
    requests: int  # submitted in the period, any state
    approved: int  # of them, approved (and planned, fulfilled...) since
    requested_t: Decimal
    delivered_t: Decimal
    fill_rate: Decimal | None  # delivered over requested, 0 to 1


@dataclass(frozen=True)
class ConvoyRow:
    number: str
    formed_at: dt.datetime
    route: str
    notification: str
    waybills: int
    on_the_road: int
    delivered: int
    cancelled: int


@dataclass(frozen=True)
class Losses:
    shipped_t: Decimal  # on the waybills whose proof of delivery came in the period
    damaged_t: Decimal
    short_t: Decimal
    lost_t: Decimal
    damaged_on_arrival_t: Decimal  # counted damaged on the hub's GRNs
    written_off_t: Decimal  # net into the hub's LOST (shorts on arrival, count differences)
    disposed_t: Decimal

    @property
    def transit_t(self) -> Decimal:
        return self.damaged_t + self.short_t + self.lost_t

    @property
    def transit_rate(self) -> Decimal | None:
        """What did not arrive good, over what was shipped (0 to 1)."""
        return self.transit_t / self.shipped_t if self.shipped_t else None

    @property
    def any(self) -> bool:
        return any((self.transit_t, self.damaged_on_arrival_t, self.written_off_t,
                    self.disposed_t))


@dataclass(frozen=True)
class WaitingWaybill:
    waybill: str
    destination: str
    state: str
    since: dt.datetime


@dataclass(frozen=True)
class OpenLossReport:
    number: str
    waybill: str
    share: Decimal  # of the weight shipped, 0 to 1
    opened_at: dt.datetime


@dataclass(frozen=True)
class OpenDocuments:
    awaiting_grn: list[str]  # consignments cleared or partly received
    untriaged_grn_lines: int
    awaiting_pod: list[WaitingWaybill]
    loss_reports: list[OpenLossReport]

    @property
    def count(self) -> int:
        return len(self.awaiting_grn) + len(self.awaiting_pod) + len(self.loss_reports)


@dataclass(frozen=True)
class HubReport:
    hub: str
    hub_name: str
    start: dt.date
    end: dt.date  # the last day, included
    generated_at: dt.datetime
    stock_as_at: dt.date
    pipeline: list[PipelineStage]
    throughput: list[DayFlow]  # every day of the period
    stock: list[CategoryStock]
    expiry: list[ExpiryBand]  # every band, in EXPIRY_BANDS order
    expiring: list[ExpiringLot]
    screening: Screening
    requests: list[PointRequests]
    request_states: dict[str, int]
    convoys: list[ConvoyRow]
    losses: Losses
    documents: OpenDocuments

    @property
    def tonnes_in(self) -> Decimal:
        return sum((d.tonnes_in for d in self.throughput), Decimal(0))

    @property
    def tonnes_out(self) -> Decimal:
        return sum((d.tonnes_out for d in self.throughput), Decimal(0))

    @property
    def stock_tonnes(self) -> Decimal:
        return sum((c.tonnes for c in self.stock), Decimal(0))

    @property
    def fill_rate(self) -> Decimal | None:
        """Over all the points the hub serves."""
        asked = sum((p.requested_t for p in self.requests), Decimal(0))
        got = sum((p.delivered_t for p in self.requests), Decimal(0))
        return got / asked if asked else None

    def figures(self) -> dict:
        """Every figure, JSON-ready: the report without its time of generation."""
        return {k: v for k, v in jsonable(self).items() if k != "generated_at"}

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`figures`: the same figures give the
        same hash, whatever the language or the time of generation."""
        return hashlib.sha256(canonical_json(self.figures()).encode()).hexdigest()

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no goods in or out, no screening decision, no
        request, no convoy, no loss."""
        return not (any(d.tonnes_in or d.tonnes_out for d in self.throughput)
                    or self.screening.hits_decided or self.screening.consignments
                    or self.request_states or self.convoys or self.losses.any)


# The period ------------------------------------------------------------------------------
def period_end(start: dt.date, length: str) -> dt.date:
    """The last day of the week or month that begins on ``start``: 2026-11-01 + month is
    2026-11-30, 2026-01-31 + month is 2026-02-27 (the day before 2026-02-28)."""
    choice = length.strip().lower()
    if choice == "week":
        return start + dt.timedelta(days=6)
    if choice == "month":
        month = start.month % 12 + 1
        year = start.year + (start.month == 12)
        for day in (start.day, 30, 29, 28):
            try:
                return dt.date(year, month, day) - dt.timedelta(days=1)
            except ValueError:
                continue
    raise InvalidInput("'%(period)s' is not a period; choose week or month", field="period",
                       period=length)


def _hub(uow: UnitOfWork, code: str, organisation_id: uuid.UUID | None) -> Site:
    clean = parse_code(code, "hub")
    found = uow.reference.site(clean)
    if found is None or (organisation_id is not None and found.operator_id != organisation_id):
        raise NotFound("no hub with code '%(hub)s'; see `aidhub sites list`", hub=clean)
    if found.kind not in HUB_KINDS:
        if found.kind is SiteKind.POINT_OF_ENTRY:
            raise InvalidInput("%(site)s is a point of entry, not a hub or warehouse",
                               field="hub", site=found.code)
        raise InvalidInput("%(site)s is a distribution point, not a hub or warehouse",
                           field="hub", site=found.code)
    return found


# Building --------------------------------------------------------------------------------
def build(ctx: Context, hub: str, start: dt.date, end: dt.date, *,
          organisation_id: uuid.UUID | None = None, now: dt.datetime | None = None
          ) -> HubReport:
    """The report of ``hub`` from ``start`` to ``end`` (both days included)."""
    since, until = period(start, end)
    now = now or utcnow()
    with ctx.uow(snapshot=True) as uow:
        site = _hub(uow, hub, organisation_id)
        repo = HubReportsRepository(uow.conn)
        items = {i.id: i for i in uow.reference.items()}
        arabic = {i.code: i.name_ar or "" for i in items.values()}
        flows = throughput(repo, items, site.id, start, end, since, until)
        stock_until = until if until <= now else None
        as_at = end if stock_until else now.date()
        stock_rows = ExportsRepository(uow.conn).stock(site_id=site.id, owner_id=None,
                                                       until=stock_until)
        screening_rows = repo.hits(site.id, since, until)
        decisions = {r.to_state: int(r.n)
                     for r in repo.consignment_decisions(site.id, since, until)}
        requests, states = _requests(uow, repo, items, site.id, since, until)
        convoys = [ConvoyRow(r.number, r.created_at, r.route, r.notification,
                             int(r.waybills), int(r.open or 0), int(r.delivered or 0),
                             int(r.cancelled or 0))
                   for r in repo.convoys(site.id, since, until)]
        losses = _losses(uow, repo, items, site, since, until)
        awaiting_grn = [c.number for c in uow.inbound.consignments(
            hub_id=site.id, states=[State.CLEARED, State.PARTIALLY_RECEIVED])]
        untriaged = repo.untriaged_grn_lines(site.id)
    pipeline = _pipeline(ctx, site.code)
    documents = OpenDocuments(sorted(awaiting_grn), untriaged, _awaiting_pod(ctx, site.code),
                              _open_loss_reports(ctx, site.code))
    return HubReport(
        site.code, site.name, start, end, now, as_at, pipeline, flows,
        stock_by_category(stock_rows), *expiry_risk(stock_rows, as_at, arabic),
        _screening(screening_rows, decisions, pipeline, since, until), requests, states,
        convoys, losses, documents)


def tonnes(kg: Decimal) -> Decimal:
    return (kg / KG_PER_TONNE).quantize(TONNE)


def _day(value) -> dt.date:
    """func.date() gives a date on PostgreSQL and 'YYYY-MM-DD' on SQLite."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def throughput(repo: HubReportsRepository, items: dict, site_id: uuid.UUID, start: dt.date,
               end: dt.date, since: dt.datetime, until: dt.datetime) -> list[DayFlow]:
    """Tonnes in and out on every day from ``start`` to ``end``."""
    kg: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    for r in repo.flows(site_id, since, until):
        kg[(_day(r.day), r.flow)] += items[r.item_id].weight_kg * int(r.quantity)
    days = (end - start).days + 1
    return [DayFlow(day, tonnes(kg[(day, "receipt")]), tonnes(-kg[(day, "dispatch")]))
            for day in (start + dt.timedelta(days=n) for n in range(days))]


def stock_by_category(rows) -> list[CategoryStock]:
    """Stock rows (ExportsRepository.stock) summed by SUMA category, heaviest first."""
    sums: dict[str, list] = defaultdict(lambda: [set(), 0, Decimal(0)])
    for r in rows:
        s = sums[r.category]
        s[0].add((r.item, r.batch))
        s[1] += int(r.quantity)
        s[2] += r.weight_kg * int(r.quantity)
    out = [CategoryStock(cat, len(s[0]), s[1], tonnes(s[2])) for cat, s in sums.items()]
    return sorted(out, key=lambda c: (-c.tonnes, c.category))


def _band(expiry: dt.date | None, as_at: dt.date) -> str:
    alert = expiry_alert(expiry, as_at)
    if expiry is None:
        return "none"
    return alert.value if alert is not None else "later"


def expiry_risk(rows, as_at: dt.date, arabic: dict[str, str]
                ) -> tuple[list[ExpiryBand], list[ExpiringLot]]:
    """Stock rows by expiry band, and the lots expired or expiring within 3 months."""
    bands: dict[str, list] = {b: [set(), Decimal(0)] for b in EXPIRY_BANDS}
    lots: dict[tuple, list] = {}
    for r in rows:
        band = _band(r.expiry, as_at)
        bands[band][0].add((r.item, r.batch))
        bands[band][1] += r.weight_kg * int(r.quantity)
        if band in (ExpiryAlert.EXPIRED.value, ExpiryAlert.RED.value):
            lot = lots.setdefault((r.item, r.batch, r.expiry),
                                  [r.item_name, r.unit, 0, Decimal(0)])
            lot[2] += int(r.quantity)
            lot[3] += r.weight_kg * int(r.quantity)
    listed = [ExpiringLot(item, name, batch, expiry, (expiry - as_at).days, qty, unit,
                          tonnes(kg), arabic.get(item, ""))
              for (item, batch, expiry), (name, unit, qty, kg) in lots.items()]
    listed.sort(key=lambda x: (x.expiry, x.item, x.batch))
    return ([ExpiryBand(b, len(v[0]), tonnes(v[1])) for b, v in bands.items()],
            listed[:EXPIRING_LOTS])


def _screening(rows, decisions: dict[str, int], pipeline: list[PipelineStage],
               since: dt.datetime, until: dt.datetime) -> Screening:
    waiting = [r for r in rows if r.state in ("open", "escalated")]
    decided: dict[str, int] = defaultdict(int)
    for r in rows:  # an escalated hit was decided once and still waits for a person
        if r.decided_at is not None and since <= r.decided_at < until:
            decided[r.state] += 1
    return Screening(
        sum(1 for r in waiting if r.state == "open"),
        sum(1 for r in waiting if r.state == "escalated"),
        min((r.created_at for r in waiting), default=None),
        sum(p.consignments for p in pipeline if p.stage == "in screening"),
        dict(sorted(decided.items())), dict(sorted(decisions.items())))


def _requests(uow, repo, items, site_id, since, until
              ) -> tuple[list[PointRequests], dict[str, int]]:
    served = repo.points_served(site_id)
    fills = fill_by_point(repo, items, since, until)
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for r in repo.requests(since, until):
        if r.point_id in served:
            counts[r.point_id][r.state] = int(r.n)
    states: dict[str, int] = defaultdict(int)
    out = []
    for point_id, by_state in counts.items():
        for state, n in by_state.items():
            states[state] += n
        fill = fills.get(point_id, PointFill())
        point = uow.reference.site_by_id(point_id)
        out.append(PointRequests(
            point.code, point.name, sum(by_state.values()),
            sum(n for s, n in by_state.items() if s in APPROVED_STATES), tonnes(fill.requested_kg),
            tonnes(fill.delivered_kg), fill.rate))
    out.sort(key=lambda p: (p.fill_rate is None, p.fill_rate or 0, p.point))
    return out, dict(sorted(states.items()))


def _losses(uow, repo, items, site: Site, since, until) -> Losses:
    transit = [Decimal(0)] * 4
    for r in ExportsRepository(uow.conn).delivery_lines(site_id=site.id, owner_id=None,
                                                        since=since, until=until):
        if r.hub == site.code:
            for i, q in enumerate((r.shipped, r.damaged, r.short, r.lost)):
                transit[i] += r.weight_kg * int(q)
    on_arrival = sum((items[r.item_id].weight_kg * int(r.quantity)
                      for r in repo.damaged_on_arrival(site.id, since, until)), Decimal(0))
    places: dict[str, Decimal] = defaultdict(Decimal)
    for r in repo.write_offs(site.id, since, until):
        places[r.place] += items[r.item_id].weight_kg * int(r.quantity)
    return Losses(*(tonnes(x) for x in transit), tonnes(on_arrival), tonnes(places["lost"]),
                  tonnes(places["disposed"]))


def _pipeline(ctx: Context, hub: str) -> list[PipelineStage]:
    sums: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for r in consignments.pipeline(ctx, hub=hub):
        s = sums[(r.stage, r.channel)]
        for i, v in enumerate((r.consignments, r.announced, r.received, r.outstanding,
                               r.weight_kg)):
            s[i] += v
    order = list(consignments.STAGES)
    return [PipelineStage(stage, channel, *v[:4], tonnes(v[4]))
            for (stage, channel), v in sorted(sums.items(),
                                              key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]


def _awaiting_pod(ctx: Context, hub: str) -> list[WaitingWaybill]:
    rows = [WaitingWaybill(b.waybill, b.destination, b.state, b.since)
            for b in waybills.board(ctx, hub=hub) if b.state != "issued"]
    return sorted(rows, key=lambda w: (w.since, w.waybill))


def _open_loss_reports(ctx: Context, hub: str) -> list[OpenLossReport]:
    return [OpenLossReport(r.number, r.waybill, r.share, r.opened_at)
            for r in delivery.loss_reports(ctx, "open") if r.hub == hub]
