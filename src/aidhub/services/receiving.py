"""Counting goods in (the GRN), SUMA triage, handling units with SSCCs, putaway, scanning.

A GRN records, per line, what was counted good and damaged, and what is over or short.
It posts one receipt movement: announced goods out of the hub's IN-TRANSIT (anything else
out of EXTERNAL), good goods into the receiving area RECV, damaged goods into QUARANTINE.
Goods triaged priority 3, and expired goods, go to QUARANTINE too: they never become usable
stock. Good goods get handling units (pallets) with SSCCs, labels, and are put away.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aidhub.documents.gs1 import make_sscc, parse_scan
from aidhub.domain.catalog import SumaCategory
from aidhub.domain.consignments import RECEIVABLE, IllegalTransition, State, transition
from aidhub.domain.errors import AidhubError, InvalidInput, LedgerError, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.receiving import (
    Disposition,
    GrnPlaces,
    LineCount,
    Priority,
    ReceiptPart,
    ShortClosure,
    Triage,
    assess,
    check_triage,
    grn_postings,
)
from aidhub.domain.values import parse_code, parse_date, parse_quantity
from aidhub.interop.jsonable import jsonable
from aidhub.interop.problems import Problem, rejected
from aidhub.services import reference, screening, transfers
from aidhub.services.consignments import consignment, hub_places, line_owner, post_for
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.lots import lot_for
from aidhub.store.uow import UnitOfWork


@dataclass(frozen=True)
class CountLine:
    """What the reception officer counted for one pre-advice line (``line``) or for goods
    that were not on it (``line`` None: then ``item`` says what they are)."""

    line: int | None
    good: Any = 0
    damaged: Any = 0
    batch: str | None = None
    expiry: Any = None
    over: bool = False
    close: bool = False
    item: str | None = None
    owner: str | None = None
    per_unit: int | None = None
    priority: int | None = None
    category: str | None = None
    disposition: str | None = None
    reason: str = ""


@dataclass
class _Part:
    count: CountLine
    line: Any  # ConsignmentLine | None
    item: Any
    lot: Any
    owner: uuid.UUID
    earmark: str
    good: int
    damaged: int
    triage: Triage | None
    quarantined: bool = False
    from_transit: int = 0
    over: int = 0
    short: int = 0


def receive(ctx: Context, number: str, counts: list[CountLine], *, key: str,
            received_by: str, delivered_by: str = "", notes: str = "") -> dict[str, Any]:
    """Issue a GRN for what was counted; all or nothing. Returns its number."""
    if not received_by.strip():
        raise InvalidInput("say who counted the goods (received by)", field="received_by")
    if not counts:
        raise InvalidInput("nothing counted", field="lines")
    request = {"number": str(number).upper(), "counts": jsonable(counts),
               "received_by": received_by, "delivered_by": delivered_by, "notes": notes}

    def work(uow: UnitOfWork, now: dt.datetime):
        c = consignment(uow, number, lock=True)
        if c.state not in RECEIVABLE:
            transition(c.number, c.state, State.RECEIVED)  # raises, saying why not
        holds = screening.active_holds(uow, c)
        if holds:
            raise IllegalTransition("consignment %(number)s is on hold: %(reason)s; "
                                    "nothing can be received until the hold is released",
                                    number=c.number, reason=holds[0].reason)
        parts = _parts(uow, c, counts, now.date())
        places = hub_places(uow, c.hub_id)
        postings, shorts = _postings(uow, c, parts, places)
        movement = post_for(uow, MovementKind.RECEIPT, list(postings), c, f"{key}:grn", now,
                         ctx.actor, f"GRN for {c.number}")
        hub = uow.reference.site_by_id(c.hub_id)
        grn_no = (f"GRN-{hub.code}-{now.year}-"
                  f"{uow.inbound.next_number(f'grn:{hub.code}:{now.year}'):05d}")
        grn_id = new_id()
        rows = []
        for n, p in enumerate(parts, start=1):
            rows.append({
                "id": new_id(), "grn_id": grn_id, "line_no": n,
                "consignment_line_id": p.line.id if p.line else None, "item_id": p.item.id,
                "lot_id": p.lot.id, "owner_id": p.owner, "earmark": p.earmark,
                "good": p.good, "damaged": p.damaged, "over": p.over, "short": p.short,
                "quarantined": p.quarantined,
                "priority": int(p.triage.priority) if p.triage else None,
                "category": p.triage.category.value if p.triage else None,
                "disposition": (p.triage.disposition.value if p.triage and
                                p.triage.disposition else None),
                "triage_reason": p.triage.reason if p.triage else "",
                "triaged_at": now if p.triage else None,
                "triaged_by": ctx.actor if p.triage else None,
            })
        uow.inbound.add_grn(
            {"id": grn_id, "number": grn_no, "consignment_id": c.id, "issued_at": now,
             "received_by": received_by.strip(), "delivered_by": delivered_by.strip(),
             "notes": notes.strip(), "movement_id": movement}, rows)
        units = _handling_units(uow, parts, rows, places, now)
        _update_lines(uow, parts, shorts)
        lines = uow.inbound.lines(c.id)
        done = all(ln.closed or ln.received >= ln.quantity for ln in lines)
        target = State.RECEIVED if done else State.PARTIALLY_RECEIVED
        transition(c.number, c.state, target)
        uow.inbound.update_consignment(c.id, state=target)
        uow.inbound.add_event(c.id, now, ctx.actor, "GRN issued", from_state=c.state,
                              to_state=target, movement_id=movement, document=grn_no,
                              reason=_summary(parts))
        transfers.received(uow, c.id, target, now, ctx.actor)
        return grn_no, {"grn": grn_no, "consignment": c.number, "state": target.value,
                        "handling_units": units}

    return run_command(ctx, key, "grn.issue", request, work)


def _summary(parts: list[_Part]) -> str:
    good = sum(p.good for p in parts)
    damaged = sum(p.damaged for p in parts)
    over = sum(p.over for p in parts)
    short = sum(p.short for p in parts)
    bits = [f"{good} good"]
    bits += [f"{v} {k}" for k, v in (("damaged", damaged), ("over", over), ("short", short))
             if v]
    return ", ".join(bits)


def _triage(count: CountLine, item, expiry: dt.date | None, today: dt.date) -> Triage | None:
    if count.priority is None:
        return None
    try:
        priority = Priority(int(count.priority))
    except ValueError:
        raise InvalidInput("'%(priority)s' is not a SUMA priority (1, 2 or 3)",
                           field="priority", priority=count.priority) from None
    category = (reference.choice(SumaCategory, count.category, "category")
                if count.category else item.category)
    disposition = (reference.choice(Disposition, count.disposition, "disposition")
                   if count.disposition else None)
    triage = Triage(priority, category, disposition, count.reason.strip())
    check_triage(triage, expiry, today)
    return triage


def _parts(uow: UnitOfWork, c, counts: list[CountLine], today: dt.date) -> list[_Part]:
    lines = {ln.line_no: ln for ln in uow.inbound.lines(c.id)}
    parts: list[_Part] = []
    problems: list[Problem] = []
    grouped: dict[int | None, list[tuple[int, CountLine]]] = defaultdict(list)
    for n, count in enumerate(counts, start=1):
        grouped[count.line].append((n, count))
    for line_no, group in grouped.items():
        line = None
        if line_no is not None:
            line = lines.get(line_no)
            if line is None:
                problems.append(Problem(None, None, "count %(count)s: consignment %(number)s "
                                        "has no line %(line)s",
                                        values={"count": group[0][0], "number": c.number,
                                                "line": line_no}))
                continue
            if line.closed:
                problems.append(Problem(None, None, "line %(line)s was closed by an earlier GRN",
                                        values={"line": line_no}))
                continue
        group_parts: list[_Part] = []
        for n, count in group:
            try:
                group_parts.append(_part(uow, c, line, count, today))
            except AidhubError as exc:
                problems.append(Problem.around(exc, line=line_no) if line_no is not None
                                else Problem.around(exc, count=n))
        if problems or not group_parts:
            continue
        if line is not None:
            try:
                outcome = assess(line.quantity, line.received, [
                    LineCount(p.good, p.damaged, p.count.over, p.count.close)
                    for p in group_parts], f"line {line_no}")
            except InvalidInput as exc:
                problems.append(Problem.of(None, None, exc, exc.field))
                continue
            group_parts[0].over, group_parts[-1].short = outcome.over, outcome.short
            remaining = line.in_transit
            for p in group_parts:
                p.from_transit = min(remaining, p.good + p.damaged)
                remaining -= p.from_transit
        else:
            for p in group_parts:
                p.over = p.good + p.damaged
        parts += group_parts
    if problems:
        raise rejected(problems)
    return parts


def _part(uow: UnitOfWork, c, line, count: CountLine, today: dt.date) -> _Part:
    good = parse_quantity(count.good or 0, "good", allow_zero=True)
    damaged = parse_quantity(count.damaged or 0, "damaged", allow_zero=True)
    if good + damaged == 0:
        raise InvalidInput("nothing counted: give the good and damaged quantities",
                           field="good")
    if line is not None and line.item_id is not None:
        item = uow.reference.item_by_id(line.item_id)
        if count.item and parse_code(count.item, "item") != item.code:
            raise InvalidInput("the line is %(item)s, not %(given)s; count other goods "
                               "as goods not on the pre-advice", field="item",
                               item=item.code, given=count.item)
    elif count.item:
        item = reference.item(uow, count.item)
    elif line is not None:
        raise InvalidInput("the line is unidentified: say which catalog item the goods are "
                           "(--item)", field="item")
    else:
        raise InvalidInput("the line is not on the pre-advice: say which catalog item the "
                           "goods are (--item)", field="item")
    batch = count.batch if count.batch is not None else (line.batch if line else None)
    expiry = (parse_date(count.expiry, "expiry") if count.expiry not in (None, "")
              else (line.expiry if line and batch == line.batch else None))
    lot = lot_for(uow, item, batch, expiry, create=True, strict=True)
    if line is not None:
        owner, earmark = line_owner(line, c), line.earmark
    else:
        owner = (reference.organisation(uow, count.owner).id if count.owner
                 else (c.donor_id or c.consignee_id))
        earmark = ""
    if count.per_unit is not None and count.per_unit <= 0:
        raise InvalidInput("units per pallet must be above zero", field="per_unit")
    triage = _triage(count, item, lot.expiry, today)
    expired = lot.expiry is not None and lot.expiry < today
    quarantined = expired or bool(triage and triage.priority is Priority.NON_PRIORITY)
    return _Part(count, line, item, lot, owner, earmark, good, damaged, triage, quarantined)


def _postings(uow: UnitOfWork, c, parts: list[_Part], places: dict[str, uuid.UUID]
              ) -> tuple[tuple[Posting, ...], list[tuple[Any, int]]]:
    receipt_parts, shorts, closures = [], [], []
    for p in parts:
        good_to_recv = 0 if p.quarantined else p.good
        receipt_parts.append(ReceiptPart(
            p.item.id, p.lot.id, p.owner, p.earmark, good_to_recv,
            p.damaged + (p.good - good_to_recv), p.line.transit_lot_id if p.line else None,
            p.from_transit))
    by_line: dict[uuid.UUID, list[_Part]] = defaultdict(list)
    for p in parts:
        if p.line is not None:
            by_line[p.line.id].append(p)
    for group in by_line.values():
        line = group[0].line
        if any(p.count.close for p in group):
            left = line.in_transit - sum(p.from_transit for p in group)
            if left > 0:
                closures.append(ShortClosure(line.item_id or group[0].item.id,
                                             line.transit_lot_id, group[0].owner,
                                             line.earmark, left))
            shorts.append((line, sum(p.short for p in group)))
    grn_places = GrnPlaces(places["EXTERNAL"], places["IN-TRANSIT"], places["RECV"],
                           places["QUARANTINE"], places["LOST"])
    return grn_postings(receipt_parts, closures, grn_places), shorts


def _update_lines(uow: UnitOfWork, parts: list[_Part], shorts: list[tuple[Any, int]]) -> None:
    closing = {line.id: short for line, short in shorts}
    by_line: dict[uuid.UUID, list[_Part]] = defaultdict(list)
    for p in parts:
        if p.line is not None:
            by_line[p.line.id].append(p)
    changes = []
    for line_id, group in by_line.items():
        line = group[0].line
        counted = sum(p.good + p.damaged for p in group)
        taken = sum(p.from_transit for p in group)
        values: dict[str, Any] = {"received": line.received + counted,
                                  "in_transit": max(0, line.in_transit - taken)}
        if line.item_id is None:
            values["item_id"] = group[0].item.id
        if line_id in closing:
            values.update(closed=True, short=closing[line_id], in_transit=0)
        changes.append({"id": line_id, **values})
    uow.inbound.update_lines(changes)


def _handling_units(uow: UnitOfWork, parts: list[_Part], rows: list[dict[str, Any]],
                    places: dict[str, uuid.UUID], now: dt.datetime) -> list[str]:
    """One handling unit per pallet of good goods counted into the receiving area (by
    ``per_unit`` units per pallet; one for the whole part when not given)."""
    wanted: list[tuple[dict[str, Any], int]] = []
    for p, row in zip(parts, rows, strict=True):
        if p.quarantined or p.good == 0:
            continue
        size = p.count.per_unit or p.good
        full, rest = divmod(p.good, size)
        wanted += [(row, size)] * full + ([(row, rest)] if rest else [])
    if not wanted:
        return []
    prefix = uow.inbound.setting("gs1.company_prefix")
    if not prefix:
        raise InvalidInput("set the GS1 company prefix before receiving pallets: "
                           "`aidhub settings set gs1.company_prefix 0614141`",
                           field="gs1.company_prefix")
    first = uow.inbound.next_number("sscc", len(wanted))
    units = []
    for n, (row, quantity) in enumerate(wanted):
        units.append({"id": new_id(), "sscc": make_sscc(prefix, first + n),
                      "grn_line_id": row["id"], "quantity": quantity,
                      "location_id": places["RECV"], "created_at": now})
    uow.inbound.add_units(units)
    return [u["sscc"] for u in units]


# triage after counting ------------------------------------------------------------------
def triage(ctx: Context, grn: str, line_no: int, *, key: str, priority: int,
           category: str | None = None, disposition: str | None = None,
           reason: str = "") -> dict[str, Any]:
    """Triage a received GRN line SUMA-style. Priority 3 moves what is still in the
    receiving area to quarantine: it will not become usable stock."""
    request = {"grn": grn.upper(), "line": line_no, "priority": priority,
               "category": category, "disposition": disposition, "reason": reason}

    def work(uow: UnitOfWork, now: dt.datetime):
        g, row = _grn_line(uow, grn, line_no)
        item = uow.reference.item_by_id(row.item_id)
        lot = uow.reference.lot_by_id(row.lot_id)
        t = _triage(CountLine(None, priority=priority, category=category,
                              disposition=disposition, reason=reason), item, lot.expiry,
                    now.date())
        c = uow.inbound.consignment_by_id(g.consignment_id)
        movement = None
        if t.priority is Priority.NON_PRIORITY:
            movement = _quarantine_units(uow, c, g, row, now, ctx.actor, key)
        uow.inbound.update_grn_line(row.id, priority=int(t.priority),
                                    category=t.category.value,
                                    disposition=t.disposition.value if t.disposition else None,
                                    triage_reason=t.reason, triaged_at=now,
                                    triaged_by=ctx.actor)
        uow.inbound.add_event(c.id, now, ctx.actor, "triaged", document=g.number,
                              movement_id=movement,
                              reason=f"line {line_no} ({item.code}): priority "
                                     f"{int(t.priority)}, {t.category.value}"
                                     + (f", {t.disposition.value}" if t.disposition else "")
                                     + (f" — {t.reason}" if t.reason else ""))
        return f"{g.number}/{line_no}", {"grn": g.number, "line": line_no,
                                         "priority": int(t.priority)}

    return run_command(ctx, key, "grn.triage", request, work)


def _grn_line(uow: UnitOfWork, grn: str, line_no: int):
    g = uow.inbound.grn(grn.strip().upper())
    if g is None:
        raise NotFound("no GRN %(number)s", number=grn)
    row = next((r for r in uow.inbound.grn_lines(g.id) if r.line_no == line_no), None)
    if row is None:
        raise NotFound("%(grn)s has no line %(line)s", grn=g.number, line=line_no)
    return g, row


def _quarantine_units(uow: UnitOfWork, c, g, row, now: dt.datetime, actor: str,
                      key: str) -> uuid.UUID | None:
    places = hub_places(uow, c.hub_id)
    units = [u for u in uow.inbound.units_of_grn(g.id)
             if u.grn_line_id == row.id and u.location_id == places["RECV"]]
    if any(u.put_away_at is not None for u in uow.inbound.units_of_grn(g.id)
           if u.grn_line_id == row.id):
        raise LedgerError("some pallets of this line are already put away; move them back "
                          "to the receiving area before triaging it priority 3")
    quantity = sum(u.quantity for u in units)
    if not quantity:
        return None
    postings = [Posting(StockKey(places["RECV"], row.item_id, row.lot_id, row.owner_id,
                                 row.earmark), -quantity),
                Posting(StockKey(places["QUARANTINE"], row.item_id, row.lot_id, row.owner_id,
                                 row.earmark), quantity)]
    movement = post_for(uow, MovementKind.TRANSFER, postings, c, f"{key}:quarantine", now, actor,
                     "priority 3: held for disposition")
    for u in units:
        uow.inbound.move_unit(u.id, places["QUARANTINE"], now)
    return movement


# putaway and scanning -------------------------------------------------------------------
@dataclass(frozen=True)
class UnitView:
    sscc: str
    item: str
    item_name: str
    batch: str
    expiry: dt.date | None
    quantity: int
    unit: str
    owner: str
    site: str
    location: str
    grn: str
    consignment: str
    priority: int | None


def find_unit(ctx: Context, scanned: str) -> UnitView:
    """The handling unit a scanned (or typed, or pasted) label names."""
    label = parse_scan(scanned)
    if not label.sscc:
        raise InvalidInput("the label carries no SSCC; scan the pallet label (its barcode "
                           "starts with (00))", field="scan")
    with ctx.uow() as uow:
        return _unit_view(uow, label.sscc)


def _unit_view(uow: UnitOfWork, sscc: str) -> UnitView:
    found = uow.inbound.unit_with_line(sscc)
    if found is None:
        raise NotFound("no handling unit with SSCC %(sscc)s", sscc=sscc)
    u, g, line = found
    item = uow.reference.item_by_id(line.item_id)
    lot = uow.reference.lot_by_id(line.lot_id)
    loc = uow.reference.locations_by_id([u.location_id])[u.location_id]
    site = uow.reference.site_by_id(loc.site_id)
    orgs = {o.id: o.code for o in uow.reference.organisations()}
    c = uow.inbound.consignment_by_id(g.consignment_id)
    return UnitView(u.sscc, item.code, item.name_en, lot.batch, lot.expiry, u.quantity,
                    item.unit, orgs[line.owner_id], site.code, loc.code, g.number, c.number,
                    line.priority)


def put_away(ctx: Context, scanned: str, location: str, *, key: str) -> dict[str, Any]:
    """Move a handling unit from the receiving area to a bin of the same hub. It must have
    been triaged priority 1 or 2, and must not have expired."""
    label = parse_scan(scanned)
    if not label.sscc:
        raise InvalidInput("scan the pallet label (its SSCC)", field="scan")
    request = {"sscc": label.sscc, "to": location.strip().upper()}

    def work(uow: UnitOfWork, now: dt.datetime):
        found = uow.inbound.unit_with_line(label.sscc)
        if found is None:
            raise NotFound("no handling unit with SSCC %(sscc)s", sscc=label.sscc)
        u, g, row = found
        c = uow.inbound.consignment_by_id(g.consignment_id)
        places = hub_places(uow, c.hub_id)
        if u.location_id != places["RECV"]:
            here = uow.reference.locations_by_id([u.location_id])[u.location_id]
            raise LedgerError("pallet %(sscc)s is not in the receiving area (it is at "
                              "%(location)s); move it with `aidhub transfer`",
                              sscc=u.sscc, location=here.code)
        if row.priority is None:
            raise InvalidInput("triage %(grn)s line %(line)s first (priority 1 or "
                               "2) before putting it away", field="priority",
                               grn=g.number, line=row.line_no)
        if row.priority == int(Priority.NON_PRIORITY):
            raise InvalidInput("priority 3 goods are not put away into stock",
                               field="priority")
        lot = uow.reference.lot_by_id(row.lot_id)
        if lot.expiry is not None and lot.expiry < now.date():
            raise InvalidInput("lot %(batch)s expired on %(expiry)s: it is blocked",
                               field="expiry", batch=lot.batch, expiry=lot.expiry)
        target = uow.reference.location(c.hub_id, parse_code(location, "to"))
        if target is None or not target.physical or target.code in ("RECV", "QUARANTINE"):
            raise InvalidInput("'%(location)s' is not a storage location of this hub; see "
                               "`aidhub locations list`", field="to", location=location)
        postings = [Posting(StockKey(places["RECV"], row.item_id, row.lot_id, row.owner_id,
                                     row.earmark), -u.quantity),
                    Posting(StockKey(target.id, row.item_id, row.lot_id, row.owner_id,
                                     row.earmark), u.quantity)]
        movement = post_for(uow, MovementKind.TRANSFER, postings, c, f"{key}:putaway", now,
                         ctx.actor, f"put away {u.sscc}")
        uow.inbound.move_unit(u.id, target.id, now)
        uow.inbound.add_event(c.id, now, ctx.actor, "put away", movement_id=movement,
                              document=g.number, reason=f"{u.sscc} → {target.code}")
        return u.sscc, {"sscc": u.sscc, "location": target.code}

    return run_command(ctx, key, "unit.put_away", request, work)
