"""The donor report: what one donor's goods did in a period, from the ledger.

The donor is the **owner** of the goods (every posting carries it). The period is whole
UTC days, both included: [start 00:00, end + 1 day 00:00). Sections:

- **received**: goods that entered the hubs' stock (physical locations) by a receipt in
  the period, by where they came from (the channel of the consignment whose GRN posted the
  receipt; a transfer from another hub; a return from a distribution point; or a receipt
  with no GRN) and SUMA category;
- **announced**: each consignment line received in the period against what its
  pre-advice announced (GRNs up to the end of the period), and goods not announced;
- **stock**: physical stock at the end of the period by site and lot, with expiry bands
  counted from the last day (expired: the expiry date is on or before it);
- **deliveries**: per destination and item, goods dispatched to it in the period, goods
  distributed there in the period, and goods lost on the way there (proofs of delivery),
  with the destination's governorate (admin1 P-code, and its name where known);
- **losses**: proof-of-delivery lines with damaged, short or lost goods, and adjustments
  (losses and count gains) and disposals with the reason recorded on the movement;
- **trace**: each lot received or shipped in the period: its GRNs, waybills and PODs;
- **tie_out**: per item, ``opening + received = closing + dispatched + lost + disposed +
  returned``. Stock (opening and closing) is summed from the postings at physical
  locations; the flows from the postings at the virtual side of the same movements
  (EXTERNAL or IN-TRANSIT for receipts, IN-TRANSIT or DISTRIBUTED for dispatches, LOST,
  DISPOSED, EXTERNAL for returns to the source). So the check is the ledger's double entry
  seen per item: it fails when a posting was changed behind the ledger's back.

"lost" in the tie-out is what left the hubs' stock as a loss (adjustments, net of gains
found in counts); goods lost on the way after dispatch are part of "dispatched" and are
shown under deliveries and losses. A transfer between hubs is dispatched from one hub and
received at the other: both figures count it, and they cancel in the tie-out.
"""

import csv
import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from aidhub.domain.audit import canonical_json
from aidhub.domain.catalog import SumaCategory
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.sites import SiteKind
from aidhub.services.context import Context, utcnow
from aidhub.services.exports import admin_pcodes, period
from aidhub.store.repositories.exports import ExportsRepository
from aidhub.store.repositories.reports import ReportsRepository
from aidhub.store.uow import UnitOfWork

BANDS = ("expired", "30", "90", "180", "later", "none")  # see expiry_band
_GRAM = Decimal("0.001")


def expiry_band(expiry: dt.date | None, as_at: dt.date) -> str:
    """How soon a lot expires, counted from the day stock is counted at: "expired" (on
    or before that day), "30" (within 1–30 days), "90" (31–90), "180" (91–180),
    "later", or "none" (no expiry)."""
    if expiry is None:
        return "none"
    days = (expiry - as_at).days
    if days <= 0:
        return "expired"
    return next((b for b, limit in (("30", 30), ("90", 90), ("180", 180)) if days <= limit),
                "later")


# The report as plain figures ---------------------------------------------------------------
@dataclass(frozen=True)
class ItemInfo:
    name_en: str
    name_ar: str | None
    category: str
    unit: str
    weight_kg: Decimal  # per unit


@dataclass(frozen=True)
class Received:
    """Goods received into stock from one source, of one item. ``source_kind`` is
    "channel" (``source`` the channel code, ``source_name`` its name), "transfer" (from
    the hub ``source``), "return" (from the distribution point ``source``), "consignment"
    (a consignment with no channel recorded) or "direct" (a receipt with no GRN)."""

    source_kind: str
    source: str
    source_name: str
    category: str
    item: str
    quantity: int
    weight_kg: Decimal


@dataclass(frozen=True)
class Announced:
    """A consignment line received in the period (all its GRNs up to the end of the
    period), or goods received that were not announced (``line_no`` None)."""

    consignment: str
    line_no: int | None
    grns: tuple[str, ...]
    item: str
    announced: int
    good: int
    damaged: int
    over: int
    short: int

    @property
    def received(self) -> int:
        return self.good + self.damaged

    @property
    def difference(self) -> int:
        """Received minus announced: below zero, less came than was announced."""
        return self.received - self.announced

    @property
    def findings(self) -> tuple[str, ...]:
        """"not_announced", "damaged", "short", "over", "outstanding" (less received than
        announced, and no short recorded yet), or nothing: received as announced."""
        found = ["not_announced"] if self.line_no is None else []
        found += [k for k, v in (("damaged", self.damaged), ("short", self.short),
                                 ("over", self.over)) if v and not (k == "over" and found)]
        if self.line_no is not None and self.difference < 0 and not self.short:
            found.append("outstanding")
        return tuple(found)


@dataclass(frozen=True)
class StockLine:
    site: str
    item: str
    batch: str
    expiry: dt.date | None
    band: str
    quantity: int
    weight_kg: Decimal


@dataclass(frozen=True)
class Delivery:
    """Goods of one item sent to one destination: dispatched to it, distributed there and
    lost on the way there, in the period. ``kind`` is the destination site's kind."""

    adm1: str | None
    destination: str
    destination_name: str
    kind: str
    item: str
    dispatched: int
    delivered: int
    lost: int


@dataclass(frozen=True)
class Loss:
    """One write-off. ``kind``: "damaged", "short", "lost" (on the way, from a proof of
    delivery), "adjustment" (a loss from stock; below zero: a gain found in a count),
    "lost_inbound" (goods lost on their way into a hub) or "disposal". ``document`` is
    the waybill (with its loss report) or the movement number and reference."""

    day: dt.date
    site: str
    kind: str
    document: str
    item: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class Trace:
    """A lot, the GRNs that received it (number, day, quantity), and one waybill line
    that carried it with its proof of delivery (None: not shipped in the period)."""

    item: str
    batch: str
    expiry: dt.date | None
    grns: tuple[tuple[str, dt.date, int], ...]
    waybill: str | None = None
    dispatched: dt.date | None = None
    destination: str | None = None
    shipped: int = 0
    pod: dt.date | None = None
    good: int = 0
    lost: int = 0  # damaged, short or lost


@dataclass(frozen=True)
class TieOut:
    item: str
    opening: int
    received: int
    dispatched: int
    lost: int
    disposed: int
    returned: int
    closing: int

    @property
    def expected_closing(self) -> int:
        return (self.opening + self.received - self.dispatched - self.lost - self.disposed
                - self.returned)

    @property
    def difference(self) -> int:
        return self.closing - self.expected_closing

    @property
    def ok(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class DonorReport:
    donor: str
    donor_name: str
    donor_name_ar: str | None
    start: dt.date
    end: dt.date
    items: dict[str, ItemInfo]
    governorates: dict[str, tuple[str, str]]  # admin1 P-code -> English and Arabic names
    received: tuple[Received, ...]
    announced: tuple[Announced, ...]
    stock: tuple[StockLine, ...]
    deliveries: tuple[Delivery, ...]
    losses: tuple[Loss, ...]
    trace: tuple[Trace, ...]
    tie_out: tuple[TieOut, ...]
    generated_at: dt.datetime = field(default_factory=utcnow, compare=False)

    @property
    def empty(self) -> bool:
        """Nothing of the donor's was received, held, moved or lost in the period."""
        return not (self.received or self.announced or self.stock or self.deliveries
                    or self.losses or self.trace or self.tie_out)

    @property
    def balanced(self) -> bool:
        return all(t.ok for t in self.tie_out)

    def weight(self, item: str, quantity: int) -> Decimal:
        return (self.items[item].weight_kg * quantity).quantize(_GRAM)

    def figures(self) -> dict[str, Any]:
        """Everything the report prints, as JSON-ready data (not when it was made)."""
        data = asdict(self)
        data.pop("generated_at")
        return data

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`figures`: the same figures give the
        same hash, whatever the language, format or time of generation."""
        return hashlib.sha256(canonical_json(self.figures()).encode()).hexdigest()


# Building it ------------------------------------------------------------------------------
def build(ctx: Context, donor: str, start: dt.date, end: dt.date, *,
          organisation_id: uuid.UUID | None = None) -> DonorReport:
    """The donor report of ``donor`` (an organisation code) for the days ``start`` to
    ``end``, both included. With ``organisation_id`` (the caller may see only that
    organisation's goods), any other donor is refused as if it did not exist."""
    if start is None or end is None:
        raise InvalidInput("give the first and the last day of the period (--from and --to)",
                           field="from" if start is None else "to")
    since, until = period(start, end)
    assert since is not None and until is not None  # both days are given
    with ctx.uow(snapshot=True) as uow:
        org = uow.reference.organisation((donor or "").strip().upper())
        if org is None or (organisation_id is not None and org.id != organisation_id):
            raise NotFound("no donor %(donor)s: give the code of an organisation that owns "
                           "goods (see `aidhub orgs list`)", donor=donor)
        return _Builder(uow, org.id, since, until, end).report(org, start, end)


class _Builder:
    def __init__(self, uow: UnitOfWork, owner_id: uuid.UUID, since: dt.datetime,
                 until: dt.datetime, end: dt.date):
        self.uow, self.owner_id, self.since, self.until, self.end = (uow, owner_id, since,
                                                                      until, end)
        self.exports = ExportsRepository(uow.conn)
        self.reads = ReportsRepository(uow.conn)
        self.items: dict[str, ItemInfo] = {}
        self._grn_lines: list[Any] | None = None
        self._codes: dict[uuid.UUID, str] = {}

    def item(self, item_id: uuid.UUID) -> str:
        """The item's code; its names, category, unit and weight are kept for the report."""
        code = self._codes.get(item_id)
        if code is None:
            it = self.uow.reference.item_by_id(item_id)
            self.items[it.code] = ItemInfo(it.name_en, it.name_ar, it.category.value, it.unit,
                                           it.weight_kg)
            code = self._codes[item_id] = it.code
        return code

    def report(self, org: Any, start: dt.date, end: dt.date) -> DonorReport:
        flows = self.reads.virtual_flows(self.owner_id, self.since, self.until)
        opening = self.exports.stock(site_id=None, owner_id=self.owner_id, until=self.since)
        closing = self.exports.stock(site_id=None, owner_id=self.owner_id, until=self.until)
        for code in {r.item for r in (*opening, *closing)} - set(self.items):
            self.item(self.uow.reference.item(code).id)
        sections = {"received": self.received(flows), "announced": self.announced(),
                    "stock": self.stock(closing), "deliveries": self.deliveries(flows),
                    "losses": self.losses(), "trace": self.trace(),
                    "tie_out": self.tie_out(flows, opening, closing)}
        known = names_of_governorates()
        places = {d.adm1 for d in sections["deliveries"]}
        return DonorReport(
            org.code, org.name, org.name_ar, start, end, dict(sorted(self.items.items())),
            {p: known[p] for p in sorted(places) if p in known}, **sections)

    # each section ---------------------------------------------------------------------
    def received(self, flows: list[Any]) -> tuple[Received, ...]:
        receipts = [r for r in flows if r.movement_kind == "receipt"]
        sources = self.sources({r.consignment_id for r in receipts if r.consignment_id})
        totals: dict[tuple, int] = defaultdict(int)
        for r in receipts:
            kind, code, name = sources.get(r.consignment_id, ("direct", "", ""))
            item = self.item(r.item_id)
            totals[(kind, code, name, self.items[item].category, item)] -= int(r.quantity)
        rows = [Received(*key, q, (self.items[key[4]].weight_kg * q).quantize(_GRAM))
                for key, q in totals.items() if q]
        order = {c.value: n for n, c in enumerate(SumaCategory)}
        return tuple(sorted(rows, key=lambda x: (x.source_kind, x.source,
                                                 order.get(x.category, 99), x.item)))

    def sources(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str, str]]:
        site = self.uow.reference.site_by_id
        found: dict[uuid.UUID, tuple[str, str, str]] = {}
        for r in self.reads.consignment_sources(ids):
            if r.from_hub_id is not None:
                point = site(r.waybill_destination_id)
                if point.kind is SiteKind.DISTRIBUTION_POINT:
                    found[r.id] = ("return", point.code, point.name)
                else:
                    hub = site(r.from_hub_id)
                    found[r.id] = ("transfer", hub.code, hub.name)
            elif r.id not in found:
                found[r.id] = (("channel", r.channel, r.channel_name) if r.channel
                               else ("consignment", "", ""))
        return found

    def grn_lines(self) -> list[Any]:
        if self._grn_lines is None:
            self._grn_lines = self.reads.grn_lines(self.owner_id, self.since, self.until)
        return self._grn_lines

    def announced(self) -> tuple[Announced, ...]:
        lines: dict[uuid.UUID, dict[str, Any]] = {}
        for r in self.grn_lines():
            key = r.consignment_line_id or r.grn_line_id
            line = lines.setdefault(key, {
                "consignment": r.consignment, "line_no": r.line_no, "grns": [],
                "item": self.item(r.item_id), "announced": int(r.announced or 0),
                "good": 0, "damaged": 0, "over": 0, "short": 0})
            if r.grn not in line["grns"]:
                line["grns"].append(r.grn)
            for name in ("good", "damaged", "over", "short"):
                line[name] += int(getattr(r, name))
        return tuple(Announced(**{**v, "grns": tuple(v["grns"])}) for v in lines.values())

    def stock(self, closing: list[Any]) -> tuple[StockLine, ...]:
        totals: dict[tuple, int] = defaultdict(int)
        for r in closing:
            totals[(r.site, r.item, r.batch, r.expiry)] += int(r.quantity)
        return tuple(
            StockLine(site, item, batch, expiry, expiry_band(expiry, self.end), q,
                      (self.items[item].weight_kg * q).quantize(_GRAM))
            for (site, item, batch, expiry), q in sorted(
                totals.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3] or dt.date.max,
                                                kv[0][2]))
            if q)

    def deliveries(self, flows: list[Any]) -> tuple[Delivery, ...]:
        sums: dict[tuple[uuid.UUID, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in flows:
            q, key = int(r.quantity), (r.site_id, self.item(r.item_id))
            if r.movement_kind == "dispatch":
                sums[key][0] += q
            if r.location_kind == "distributed":
                sums[key][1] += q
            elif r.location_kind == "lost" and r.movement_kind == "delivery":
                sums[key][2] += q
        rows = []
        for (site_id, item), (sent, given, lost) in sums.items():
            if not (sent or given or lost):
                continue
            site = self.uow.reference.site_by_id(site_id)
            rows.append(Delivery(admin_pcodes(site.pcode)[0], site.code, site.name,
                                 site.kind.value, item, sent, given, lost))
        return tuple(sorted(rows, key=lambda d: (d.adm1 or "~", d.destination, d.item)))

    def losses(self) -> tuple[Loss, ...]:
        found: list[Loss] = []
        lines = self.exports.delivery_lines(site_id=None, owner_id=self.owner_id,
                                            since=self.since, until=self.until)
        reports = {r.waybill: r for r in self.reads.loss_reports(
            {r.waybill for r in lines if r.damaged or r.short or r.lost})}
        for r in lines:
            report = reports.get(r.waybill)
            document = r.waybill + (f" · {report.number}" if report else "")
            reason = report.decision if report and report.decision else ""
            for kind in ("damaged", "short", "lost"):
                if getattr(r, kind):
                    found.append(Loss(r.received_at.date(), r.point, kind, document, r.item,
                                      int(getattr(r, kind)), reason))
        by_movement: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        notes: dict[tuple, Any] = {}
        for r in self.reads.write_offs(self.owner_id, self.since, self.until):
            key = (r.at, r.seq, r.id, r.site_id, self.item(r.item_id))
            by_movement[key][r.location_kind] += int(r.quantity)
            notes[key] = r
        for key, kinds in by_movement.items():
            r, site = notes[key], self.uow.reference.site_by_id(key[3]).code
            document = f"#{r.seq}" + (f" {r.reference}" if r.reference else "")
            reason = r.note if r.actual_kind != "reversal" else f"reversal: {r.note}"
            on_the_way = -kinds.get("in_transit", 0)
            if r.movement_kind == "disposal":
                parts = [("disposal", kinds.get("disposed", 0))]
            elif r.movement_kind == "delivery":  # with a POD: its lines, above
                parts = [] if r.pod_id else [("lost", kinds.get("lost", 0))]
            else:
                parts = [("adjustment", kinds.get("lost", 0) - on_the_way),
                         ("lost_inbound", on_the_way)]
            found += [Loss(r.at.date(), site, kind, document, key[4], q, reason)
                      for kind, q in parts if q]
        return tuple(sorted(found, key=lambda x: (x.day, x.site, x.document, x.item, x.kind)))

    def trace(self) -> tuple[Trace, ...]:
        shipped = self.reads.waybill_lines(self.owner_id, self.since, self.until)
        bills: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for r in shipped:
            bills[r.lot_id].append(r)
        lots = set(bills) | {r.lot_id for r in self.grn_lines() if r.issued_at >= self.since}
        grns: dict[uuid.UUID, list[tuple[str, dt.date, int]]] = defaultdict(list)
        for r in self.reads.lot_receipts(self.owner_id, lots, self.until):
            grns[r.lot_id].append((r.grn, r.issued_at.date(), int(r.good + r.damaged)))
        rows = []
        for lot_id in lots:
            lot = self.uow.reference.lot_by_id(lot_id)
            head = (self.item(lot.item_id), lot.batch, lot.expiry, tuple(grns[lot_id]))
            rows += [Trace(*head) for _ in range(not bills[lot_id])]
            rows += [Trace(*head, r.waybill, _day(r.dispatched_at),
                           self.uow.reference.site_by_id(r.destination_id).code,
                           int(r.quantity), _day(r.received_at), int(r.good or 0),
                           int((r.damaged or 0) + (r.short or 0) + (r.lost or 0)))
                     for r in bills[lot_id]]
        return tuple(sorted(rows, key=lambda t: (t.item, t.expiry or dt.date.max, t.batch,
                                                 t.waybill or "")))

    def tie_out(self, flows: list[Any], opening: list[Any], closing: list[Any]
                ) -> tuple[TieOut, ...]:
        sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in opening:
            sums[r.item]["opening"] += int(r.quantity)
        for r in closing:
            sums[r.item]["closing"] += int(r.quantity)
        sign = {"receipt": ("received", -1), "dispatch": ("dispatched", 1),
                "adjustment": ("lost", 1), "disposal": ("disposed", 1),
                "return": ("returned", 1)}
        for r in flows:
            if r.movement_kind in sign:
                name, factor = sign[r.movement_kind]
                sums[self.item(r.item_id)][name] += factor * int(r.quantity)
        names = ("opening", "received", "dispatched", "lost", "disposed", "returned",
                 "closing")
        return tuple(TieOut(item, *(v.get(n, 0) for n in names))
                     for item, v in sorted(sums.items()) if any(v.values()))


def _day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(dt.UTC).date() if moment is not None else None


@cache
def names_of_governorates() -> dict[str, tuple[str, str]]:
    """Admin1 P-code -> English and Arabic name, from the OCHA table aidhub ships (Syria's
    14 governorates); other countries' areas are shown by P-code only."""
    table = resources.files("aidhub.demo") / "data" / "syria-admin1-pcodes.csv"
    with table.open(encoding="utf-8") as f:
        return {r["admin1_pcode"]: (r["admin1_name_en"], r["admin1_name_ar"])
                for r in csv.DictReader(f) if not r["admin1_pcode"].startswith("#")}
