"""Checking the books: balances against movements, and the audit chain."""

import json
from dataclasses import dataclass, field

from aidhub.domain.audit import verify_chain
from aidhub.domain.ledger import StockKey
from aidhub.services.context import Context


@dataclass
class LedgerReport:
    movements: int = 0
    balances: int = 0
    differences: list[str] = field(default_factory=list)
    # not errors in the books, but promises they can no longer keep: stock reserved for a
    # release order that has since been moved, lost or put in quarantine; and balances
    # below zero that an open sync conflict explains (two sites took the same goods)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify_ledger(ctx: Context) -> LedgerReport:
    """Recompute every balance from the postings and compare with the balances table;
    also check that each movement balances and no physical balance is negative (unless
    an open sync conflict says why: two sites took the same goods while apart)."""
    report = LedgerReport()
    with ctx.uow() as uow:
        report.movements = uow.ledger.count_movements()
        recomputed = dict(uow.ledger.recomputed_balances())
        stored: dict[StockKey, int] = {}
        in_conflict = uow.ledger.keys_in_conflict()
        for key, quantity, physical in uow.ledger.stored_balances():
            stored[key] = quantity
            if physical and quantity < 0:
                if key in in_conflict:
                    report.warnings.append(f"{_key(uow, key)}: physical balance is "
                                           f"{quantity}, awaiting an open sync conflict")
                else:
                    report.differences.append(
                        f"{_key(uow, key)}: physical balance is {quantity}")
        report.balances = len(stored)
        for key in sorted(set(recomputed) | set(stored), key=str):
            want, have = recomputed.get(key, 0), stored.get(key, 0)
            if want != have:
                report.differences.append(
                    f"{_key(uow, key)}: balance table says {have}, movements sum to {want}"
                )
        for movement_id, total in uow.ledger.unbalanced_movements():
            report.differences.append(f"movement {movement_id}: postings sum to {total}, not 0")
        report.differences += _in_transit(uow, stored)
        report.warnings += _over_reserved(uow)
    return report


def _in_transit(uow, stored: dict[StockKey, int]) -> list[str]:
    """What the documents say is on its way is in the IN-TRANSIT location it was posted
    to: every waybill on the road (at its destination), and every consignment line still
    in transit (at its hub; a transfer's waybill is counted as the consignment it became).
    Goods dispatched without a document, such as moves posted by hand, may be there too."""
    from aidhub.domain.waybills import ON_THE_ROAD

    expected: dict[StockKey, int] = {}
    numbers: dict[StockKey, list[str]] = {}

    def expect(key: StockKey, quantity: int, document: str) -> None:
        expected[key] = expected.get(key, 0) + quantity
        numbers.setdefault(key, []).append(document)

    for x in uow.outbound.lines_on_the_road([s.value for s in ON_THE_ROAD]):
        if x.consignment_id is None:
            transit = uow.reference.location(x.destination_id, "IN-TRANSIT")
            expect(StockKey(transit.id, x.item_id, x.lot_id, x.owner_id), x.quantity,
                   f"waybill {x.number}")
    for x in uow.inbound.lines_in_transit():
        transit = uow.reference.location(x.hub_id, "IN-TRANSIT")
        expect(StockKey(transit.id, x.item_id, x.transit_lot_id, x.owner_id, x.earmark),
               x.in_transit, f"consignment {x.number}")
    out = []
    for key, quantity in expected.items():
        have = stored.get(key, 0)
        if have < quantity:
            out.append(f"{_key(uow, key)}: {', '.join(sorted(set(numbers[key])))} "
                       f"carry {quantity:,} but only {have:,} are in transit")
    return out


def _over_reserved(uow) -> list[str]:
    """Reservations larger than the usable stock they were made on."""
    reserved = uow.planning.reserved()
    if not reserved:
        return []
    usable: dict[tuple, int] = {}
    for row in uow.planning.on_hand({site for site, _, _ in reserved}):
        key = (row.site_id, row.lot_id, row.owner_id)
        usable[key] = usable.get(key, 0) + row.quantity
    out = []
    for (site_id, lot_id, owner_id), quantity in sorted(reserved.items(), key=str):
        have = usable.get((site_id, lot_id, owner_id), 0)
        if have < quantity:
            site = uow.reference.site_by_id(site_id)
            lot = uow.reference.lot_by_id(lot_id)
            item = uow.reference.item_by_id(lot.item_id)
            owner = uow.reference.organisation_by_id(owner_id)
            out.append(f"{site.code} {item.code} lot {lot.batch or '(no batch)'} owned by "
                       f"{owner.code}: {quantity:,} reserved for release orders but only "
                       f"{have:,} usable on hand")
    return out


def _key(uow, key: StockKey) -> str:
    loc = uow.reference.locations_by_id([key.location_id]).get(key.location_id)
    site = uow.reference.site_by_id(loc.site_id) if loc else None
    item = uow.reference.item_by_id(key.item_id)
    lot = uow.reference.lot_by_id(key.lot_id)
    where = f"{site.code}/{loc.code}" if site and loc else str(key.location_id)
    what = item.code if item else str(key.item_id)
    if lot is not None and lot.batch:
        what += f" lot {lot.batch}"
    return f"{where} {what}"


@dataclass
class AuditReport:
    """``first_break`` is the number of the first record found broken (None when the
    problem is not in one record, such as a movement with no record at all)."""

    records: int
    problem: str | None = None
    first_break: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_audit(ctx: Context) -> AuditReport:
    """Walk every audit chain held here (the local node's; on the central server also each
    site node's); check the head the local node recorded, and that every movement of a
    node whose chain is here has the stored postings its audit record holds. (A site
    node holds only its own chain: the central server checks everyone's.)"""
    with ctx.uow() as uow:
        chains = uow.audit.chains()
        checked = 0
        audited: dict[str, tuple[int, list]] = {}
        for n, node_id in enumerate(chains):
            whose = "" if n == 0 else f"{uow.audit.node_name(node_id)}'s chain: "
            records = list(uow.audit.records(node_id))
            count, broken = verify_chain(records)
            checked += count
            if broken is not None:
                return AuditReport(checked, whose + broken.reason, broken.seq)
            if n == 0:
                head_seq, head_hash = uow.audit.head()
                last = records[-1] if records else None
                if (last.seq if last else 0) != head_seq or (last and last.hash != head_hash):
                    end = last.seq if last else 0
                    return AuditReport(checked, f"the chain ends at record {end} but the "
                                       f"node recorded {head_seq} records (records were "
                                       "removed)", end + 1)
            for rec in records:
                if rec.action.startswith("movement."):
                    payload = json.loads(rec.payload)
                    audited[payload["id"]] = (rec.seq, payload["postings"])
        for movement_id, seq, stored in uow.ledger.movements_with_postings(chains):
            entry = audited.pop(str(movement_id), None)
            if entry is None:
                return AuditReport(checked, f"movement {seq} has no audit record (written "
                                   "behind the ledger's back)")
            if entry[1] != [list(p) for p in stored]:
                return AuditReport(checked, f"movement {seq}'s stored postings differ "
                                   "from its audit record (edited)", entry[0])
        if audited:
            seq = min(v[0] for v in audited.values())
            return AuditReport(checked, "an audited movement is missing from the ledger", seq)
        return AuditReport(checked)


def recent_audit(ctx: Context, limit: int = 20) -> list:
    with ctx.uow() as uow:
        return uow.audit.recent(limit)
