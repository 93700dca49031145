"""Pre-advices and the consignment life cycle: registering what is coming, marking it on
its way and arrived, screening decisions, and reading the timeline and the pipeline."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.catalog import Item
from aidhub.domain.channels import TransportDocument
from aidhub.domain.consignments import (
    ON_THE_WAY,
    ClearanceState,
    Consignment,
    ConsignmentLine,
    IllegalTransition,
    SealCheck,
    State,
    check_clearance_step,
    transition,
)
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound, Term
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.sites import SiteKind
from aidhub.domain.values import parse_date, parse_decimal, parse_quantity
from aidhub.interop.jsonable import jsonable
from aidhub.interop.problems import Problem, rejected
from aidhub.services import reference, screening
from aidhub.services.channels import channel as find_channel
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.services.lots import lot_for
from aidhub.services.posting import post_for_document
from aidhub.store.repositories.inbound import Event
from aidhub.store.uow import UnitOfWork


@dataclass(frozen=True)
class AdviceLine:
    """A pre-advice line as given: a catalog code, or a description of unidentified goods."""

    quantity: Any
    item: str | None = None
    description: str = ""
    unit: str | None = None
    batch: str | None = None
    expiry: Any = None
    weight_kg: Any = None
    volume_m3: Any = None
    value: Any = None
    currency: str = ""
    donor: str | None = None
    earmark: str = ""
    sscc: str = ""


@dataclass(frozen=True)
class PreAdvice:
    """What a consignor announces: who sends to whom, how, when, and the lines."""

    hub: str
    consignor: str
    consignee: str
    lines: list[AdviceLine] = field(default_factory=list)
    donor: str | None = None
    channel: str | None = None
    point_of_entry: str | None = None
    eta: Any = None
    document_type: str | None = None
    document_number: str = ""
    vehicle: str = ""
    driver: str = ""
    seals: str = ""
    pledged: bool = False


def register_preadvice(ctx: Context, advice: PreAdvice, *, key: str,
                       source_hash: str | None = None) -> dict[str, Any]:
    """Register a pre-advice (or a pledge): the consignment and its lines, all or nothing.
    Every bad line is reported with its number and field."""
    request = jsonable(advice)
    if source_hash:
        request["source_hash"] = source_hash

    def work(uow: UnitOfWork, now: dt.datetime):
        hub = reference.site(uow, advice.hub)
        if hub.kind not in (SiteKind.HUB, SiteKind.WAREHOUSE):
            raise InvalidInput("%(site)s is a %(kind)s; goods are received at a hub or "
                               "warehouse", field="hub", site=hub.code,
                               kind=Term(hub.kind))
        consignor = reference.organisation(uow, advice.consignor)
        consignee = reference.organisation(uow, advice.consignee)
        donor = reference.organisation(uow, advice.donor) if advice.donor else None
        chan = find_channel(uow, advice.channel) if advice.channel else None
        entry = None
        if advice.point_of_entry:
            entry = reference.site(uow, advice.point_of_entry)
            if entry.kind is not SiteKind.POINT_OF_ENTRY:
                raise InvalidInput("%(site)s is not a point of entry",
                                   field="point_of_entry", site=entry.code)
        doc_type = reference.choice(TransportDocument, advice.document_type,
                                    "document_type") if advice.document_type else None
        eta = parse_date(advice.eta, "eta") if advice.eta not in (None, "") else None
        if not advice.lines:
            raise InvalidInput("a pre-advice needs at least one line", field="lines")
        consignment_id = new_id()
        lines, problems = [], []
        expiries: dict[tuple[uuid.UUID, str], tuple[int, dt.date | None]] = {}
        for n, line in enumerate(advice.lines, start=1):
            try:
                parsed = _line(uow, consignment_id, n, line)
                _check_lot_expiry(uow, parsed, expiries)
                lines.append(parsed)
            except AidhubError as exc:
                problems.append(Problem.around(exc, line=n))
        if problems:
            raise rejected(problems, "registered")
        year = now.year
        serial = uow.inbound.next_number(f"consignment:{hub.code}:{year}")
        number = f"{hub.code}-IN-{year}-{serial:05d}"
        state = State.PLEDGED if advice.pledged else State.PRE_ADVISED
        uow.inbound.add_consignment(Consignment(
            consignment_id, number, hub.id, consignor.id, consignee.id,
            chan.id if chan else None, entry.id if entry else None, state, eta, doc_type,
            advice.document_number.strip(), advice.vehicle.strip(), advice.driver.strip(),
            advice.seals.strip(), donor.id if donor else None, source_hash=source_hash,
        ), lines, now)
        uow.inbound.add_event(consignment_id, now, ctx.actor, "registered", to_state=state,
                              reason=f"{len(lines)} lines")
        hits = screening.screen_consignment(uow, uow.inbound.consignment_by_id(consignment_id),
                                            ctx.actor, now)
        if hits:
            uow.inbound.add_event(consignment_id, now, ctx.actor, "screened",
                                  reason=f"{hits} screening hit(s) to decide")
        return number, {"number": number, "lines": len(lines), "hits": hits}

    return run_command(ctx, key, "consignment.register", request, work)


def _line(uow: UnitOfWork, consignment_id: uuid.UUID, n: int, line: AdviceLine
          ) -> ConsignmentLine:
    quantity = parse_quantity(line.quantity)
    item: Item | None = reference.item(uow, line.item) if line.item else None
    description = (line.description or "").strip()
    if item is None and not description:
        raise InvalidInput("give the item code or describe the goods", field="item")
    unit = (line.unit or (item.unit if item else "")).strip().lower()
    if not unit:
        raise InvalidInput("give the unit the quantity is counted in", field="unit")
    if item is not None and unit != item.unit:
        raise InvalidInput("%(item)s is counted in '%(unit)s', not '%(given)s'; convert "
                           "the quantity to the inventory unit", field="unit",
                           item=item.code, unit=item.unit, given=unit)
    expiry = parse_date(line.expiry, "expiry") if line.expiry not in (None, "") else None

    def decimal(value: Any, name: str) -> Decimal | None:
        return None if value in (None, "") else parse_decimal(value, name)

    donor = reference.organisation(uow, line.donor).id if line.donor else None
    currency = (line.currency or "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise InvalidInput("'%(currency)s' is not a currency code (USD, EUR...)",
                           field="currency", currency=line.currency)
    return ConsignmentLine(
        new_id(), consignment_id, n, item.id if item else None,
        (description or (item.name_en if item else ""))[:300], quantity, unit,
        (line.batch or "").strip(), expiry, decimal(line.weight_kg, "weight_kg"),
        decimal(line.volume_m3, "volume_m3"), decimal(line.value, "value"), currency, donor,
        (line.earmark or "").strip()[:60], (line.sscc or "").strip(),
    )


def _check_lot_expiry(uow: UnitOfWork, line: ConsignmentLine,
                      seen: dict[tuple[uuid.UUID, str], tuple[int, dt.date | None]]) -> None:
    """A batch has one expiry date: the same on every line, and the one already known."""
    if line.item_id is None or not line.batch or line.expiry is None:
        return
    key = (line.item_id, line.batch)
    if key in seen and seen[key][1] != line.expiry:
        raise InvalidInput("batch %(batch)s is also on line %(line)s with expiry "
                           "%(expiry)s; one batch has one expiry date", field="expiry",
                           batch=line.batch, line=seen[key][0], expiry=seen[key][1])
    seen.setdefault(key, (line.line_no, line.expiry))
    known = uow.reference.lot(line.item_id, line.batch)
    if known is not None and known.expiry is not None and known.expiry != line.expiry:
        raise InvalidInput("batch %(batch)s is known to expire on %(known)s, not "
                           "%(given)s; check the batch number and the date",
                           field="expiry", batch=line.batch, known=known.expiry,
                           given=line.expiry)


def consignment(uow: UnitOfWork, number: str, *, lock: bool = False) -> Consignment:
    found = uow.inbound.consignment(str(number).strip().upper(), lock=lock)
    if found is None:
        raise NotFound("no consignment %(number)s; see `aidhub consignments list`",
                       number=number)
    return found


def line_owner(line: ConsignmentLine, c: Consignment) -> uuid.UUID:
    """Whose goods these are: the line's donor, else the consignment's, else the
    consignee's."""
    return line.donor_id or c.donor_id or c.consignee_id


# the life cycle -----------------------------------------------------------------------
def change_state(ctx: Context, number: str, target: State | str, *, key: str,
                 reason: str = "") -> dict[str, Any]:
    """Move a consignment to another state of its life cycle, with who, when and why.

    Goods announced on identified lines enter the hub's IN-TRANSIT location when the
    consignment is first on its way (in transit or arrived); if it is then cancelled,
    lost or returned, they leave it again (to EXTERNAL, or to LOST)."""
    target = reference.choice(State, target, "state") if isinstance(target, str) else target
    request = {"number": str(number).upper(), "to": target.value, "reason": reason.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        c = consignment(uow, number, lock=True)
        movement = apply_state(uow, c, target, reason.strip(), now, ctx.actor, key)
        return c.number, {"number": c.number, "state": target.value,
                          "movement": str(movement) if movement else None}

    return run_command(ctx, key, "consignment.state", request, work)


def apply_state(uow: UnitOfWork, c: Consignment, target: State, reason: str,
                now: dt.datetime, actor: str, key: str) -> uuid.UUID | None:
    """Move ``c`` to ``target`` inside the caller's unit of work: check the life cycle,
    post what the change means for stock, record the event, screen on entering screening.
    Returns the movement posted, if any."""
    transition(c.number, c.state, target, reason)
    if target in (State.CANCELLED, State.LOST) and c.document_type is TransportDocument.WAYBILL:
        raise IllegalTransition(
            "consignment %(number)s came on waybill %(waybill)s from another site: "
            "record its arrival and count what came on the GRN; what did not arrive is "
            "closed short there", number=c.number, waybill=c.document_number)
    if target is State.CLEARED:
        undecided = screening.open_hits(uow, c)
        if undecided:
            raise IllegalTransition(
                "consignment %(number)s has %(count)s undecided screening hit(s); "
                "a screening officer decides them first (`aidhub hits list`)",
                number=c.number, count=len(undecided))
    movement = None
    if target in ON_THE_WAY and c.state not in ON_THE_WAY:
        movement = _announce(uow, c, now, actor, key)
    elif target in (State.CANCELLED, State.LOST, State.RETURNED):
        movement = _withdraw(uow, c, target, reason, now, actor, key)
    changes: dict[str, Any] = {"state": target}
    if target is State.ARRIVED and c.arrived_at is None:
        changes["arrived_at"] = now
    uow.inbound.update_consignment(c.id, **changes)
    uow.inbound.add_event(c.id, now, actor, target.value, from_state=c.state, to_state=target,
                          reason=reason, movement_id=movement)
    if target is State.SCREENING:
        hits = screening.screen_consignment(uow, uow.inbound.consignment_by_id(c.id), actor,
                                            now)
        if hits:
            apply_state(uow, uow.inbound.consignment_by_id(c.id), State.HELD,
                   f"{hits} screening hit(s) to decide", now, actor, key)
    return movement


def hub_places(uow: UnitOfWork, hub_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The ids of the hub's locations inbound work posts between, by code."""
    codes = ("EXTERNAL", "IN-TRANSIT", "LOST", "QUARANTINE", "RECV")
    found = {code: uow.reference.location(hub_id, code) for code in codes}
    if found["RECV"] is None:
        site = uow.reference.site_by_id(hub_id)
        raise InvalidInput("hub %(hub)s has no receiving area RECV; add it with "
                           "`aidhub locations add %(hub)s RECV --kind zone`",
                           field="hub", hub=site.code)
    return {code: loc.id for code, loc in found.items() if loc is not None}


def _announce(uow: UnitOfWork, c: Consignment, now: dt.datetime, actor: str,
              key: str) -> uuid.UUID | None:
    """Post the identified lines into the hub's IN-TRANSIT location."""
    places = hub_places(uow, c.hub_id)
    postings: list[Posting] = []
    changes: list[dict[str, Any]] = []
    for line in uow.inbound.lines(c.id):
        if line.item_id is None or line.outstanding == 0:
            continue
        item = uow.reference.item_by_id(line.item_id)
        lot = lot_for(uow, item, line.batch, line.expiry, create=True, strict=False)
        owner = line_owner(line, c)
        qty = line.outstanding
        postings += [Posting(StockKey(places["EXTERNAL"], item.id, lot.id, owner, line.earmark),
                             -qty),
                     Posting(StockKey(places["IN-TRANSIT"], item.id, lot.id, owner,
                                      line.earmark), qty)]
        changes.append({"id": line.id, "transit_lot_id": lot.id, "in_transit": qty})
    uow.inbound.update_lines(changes)
    if not postings:
        return None
    return post_for(uow, MovementKind.INBOUND, postings, c, f"{key}:inbound", now, actor,
                 "announced on the pre-advice")


def _withdraw(uow: UnitOfWork, c: Consignment, target: State, reason: str,
              now: dt.datetime, actor: str, key: str) -> uuid.UUID | None:
    """Take what the lines still have in IN-TRANSIT out again."""
    places = hub_places(uow, c.hub_id)
    to = places["LOST"] if target is State.LOST else places["EXTERNAL"]
    postings: list[Posting] = []
    changes: list[dict[str, Any]] = []
    for line in uow.inbound.lines(c.id):
        if line.in_transit <= 0:
            continue
        owner = line_owner(line, c)
        postings += [Posting(StockKey(places["IN-TRANSIT"], line.item_id, line.transit_lot_id,
                                      owner, line.earmark), -line.in_transit),
                     Posting(StockKey(to, line.item_id, line.transit_lot_id, owner,
                                      line.earmark), line.in_transit)]
        changes.append({"id": line.id, "in_transit": 0})
    uow.inbound.update_lines(changes)
    if not postings:
        return None
    kind = MovementKind.RETURN if to == places["EXTERNAL"] else MovementKind.ADJUSTMENT
    return post_for(uow, kind, postings, c, f"{key}:withdraw", now, actor, reason)


def post_for(uow: UnitOfWork, kind: MovementKind, postings: list[Posting], c: Consignment,
             key: str, now: dt.datetime, actor: str, note: str) -> uuid.UUID:
    """Post a movement made for a consignment (its number is the reference)."""
    return post_for_document(uow, kind, postings, document=("consignment", c.number),
                             key=key, now=now, actor=actor, note=note)


# arrival at the point of entry ----------------------------------------------------------
def record_arrival(ctx: Context, number: str, *, key: str, at: dt.datetime | None = None,
                   documents_checked: list[str] | None = None,
                   clearance: str | None = None, seal_check: str | None = None,
                   seals_found: str = "", protest_letter: str = "",
                   survey_report: str = "") -> dict[str, Any]:
    """Record the arrival at the point of entry: when, the documents checked, the customs
    clearance step, and the seal check. A broken seal or a seal number that does not match
    needs a protest letter (to the carrier) and a survey report reference."""
    clearance_state = (reference.choice(ClearanceState, clearance, "clearance")
                       if clearance else None)
    seal = reference.choice(SealCheck, seal_check, "seal_check") if seal_check else None
    if seal in (SealCheck.BROKEN, SealCheck.NUMBER_MISMATCH):
        if not protest_letter.strip():
            raise InvalidInput("the seal is not intact: give the reference of the protest "
                               "letter to the carrier", field="protest_letter")
        if not survey_report.strip():
            raise InvalidInput("the seal is not intact: give the reference of the survey "
                               "report", field="survey_report")
    docs = ", ".join(d.strip() for d in (documents_checked or []) if d.strip())
    request = {"number": str(number).upper(), "at": at.isoformat() if at else None,
               "documents": docs, "clearance": clearance_state.value if clearance_state
               else None, "seal_check": seal.value if seal else None,
               "seals_found": seals_found, "protest_letter": protest_letter,
               "survey_report": survey_report}

    def work(uow: UnitOfWork, now: dt.datetime):
        c = consignment(uow, number, lock=True)
        if c.state is not State.ARRIVED:
            apply_state(uow, c, State.ARRIVED, "", at or now, ctx.actor, key)
        if clearance_state is not None:
            check_clearance_step(c.clearance, clearance_state)
        changes = {"arrived_at": c.arrived_at or at or now}
        for name, value in (("documents_checked", docs), ("clearance", clearance_state),
                            ("seal_check", seal), ("seals_found", seals_found.strip()),
                            ("protest_letter", protest_letter.strip()),
                            ("survey_report", survey_report.strip())):
            if value:
                changes[name] = value
        uow.inbound.update_consignment(c.id, **changes)
        detail = "; ".join(f"{k.replace('_', ' ')}: {v.value if hasattr(v, 'value') else v}"
                           for k, v in changes.items() if k != "arrived_at")
        uow.inbound.add_event(c.id, now, ctx.actor, "arrival recorded", reason=detail)
        screening.screen_consignment(uow, uow.inbound.consignment_by_id(c.id), ctx.actor, now)
        return c.number, {"number": c.number}

    return run_command(ctx, key, "consignment.arrival", request, work)


# reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsignmentView:
    consignment: Consignment
    hub: str
    consignor: str
    consignee: str
    channel: str
    point_of_entry: str
    lines: list[tuple[ConsignmentLine, Item | None]]
    events: list[Event]
    grns: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with each line's item code beside it."""
        return jsonable({**self.__dict__, "lines": [
            {**jsonable(ln), "item": item.code if item else None} for ln, item in self.lines]})


def visible(uow: UnitOfWork, c: Consignment, scope: Scope,
            lines: list[ConsignmentLine] | None = None) -> bool:
    """Whether ``scope`` sees ``c``: at one of its hubs, or one of its organisations is the
    consignor, consignee or a donor of it (``lines``: its lines, when already read)."""
    if scope.everything:
        return True
    orgs = {c.consignor_id, c.consignee_id, c.donor_id}
    orgs |= {ln.donor_id for ln in (uow.inbound.lines(c.id) if lines is None else lines)}
    return scope.allows(c.hub_id, orgs)


def view(ctx: Context, number: str, scope: Scope = EVERYTHING) -> ConsignmentView:
    """One consignment with its lines, timeline and GRNs; one the caller may not see is
    answered as if it did not exist."""
    with ctx.uow() as uow:
        c = consignment(uow, number)
        own_lines = uow.inbound.lines(c.id)
        if not visible(uow, c, scope, own_lines):
            raise NotFound("no consignment %(number)s; see `aidhub consignments list`",
                           number=number)
        chan = uow.inbound.channel(channel_id=c.channel_id) if c.channel_id else None
        entry = uow.reference.site_by_id(c.point_of_entry_id) if c.point_of_entry_id else None
        lines = [(ln, uow.reference.item_by_id(ln.item_id) if ln.item_id else None)
                 for ln in own_lines]
        return ConsignmentView(
            c, uow.reference.site_by_id(c.hub_id).code,
            uow.reference.organisation_by_id(c.consignor_id).code,
            uow.reference.organisation_by_id(c.consignee_id).code,
            f"{chan.code} ({chan.describe()})" if chan else "",
            entry.code if entry else "", lines, uow.inbound.events(c.id),
            [g.number for g in uow.inbound.grns_of(c.id)],
        )


def list_consignments(ctx: Context, *, hub: str | None = None, state: str | None = None,
                      scope: Scope = EVERYTHING) -> list[tuple[Consignment, str]]:
    with ctx.uow() as uow:
        hub_id = reference.site(uow, hub).id if hub else None
        states = [reference.choice(State, state, "state")] if state else None
        found = uow.inbound.consignments(hub_id=hub_id, states=states)
        lines = uow.inbound.lines_of(c.id for c in found) if not scope.everything else {}
        return [(c, uow.reference.site_by_id(c.hub_id).code) for c in found
                if visible(uow, c, scope, lines.get(c.id))]


STAGES = {
    "expected": (State.PLEDGED, State.PRE_ADVISED, State.IN_TRANSIT),
    "arrived": (State.ARRIVED,),
    "in screening": (State.SCREENING, State.HELD, State.UNDER_REVIEW),
    "cleared": (State.CLEARED,),
    "receiving": (State.PARTIALLY_RECEIVED,),
    "received": (State.RECEIVED, State.CLOSED),
}
STAGE_OF = {s: stage for stage, states in STAGES.items() for s in states}


@dataclass(frozen=True)
class PipelineRow:
    hub: str
    channel: str
    donor: str
    stage: str
    consignments: int
    announced: int
    received: int
    outstanding: int
    weight_kg: Decimal


def pipeline(ctx: Context, *, hub: str | None = None,
             scope: Scope = EVERYTHING) -> list[PipelineRow]:
    """The inbound pipeline: per hub, channel, donor and stage, how many consignments and
    how much was announced, received and is still expected."""
    with ctx.uow() as uow:
        hub_id = reference.site(uow, hub).id if hub else None
        orgs = {o.id: o.code for o in uow.reference.organisations()}
        chans = {ch.id: ch.code for ch in uow.inbound.channels()}
        sites = {s.id: s.code for s in uow.reference.sites()}
        totals: dict[tuple[str, str, str, str], list] = defaultdict(
            lambda: [0, 0, 0, 0, Decimal(0)])
        for r in uow.inbound.pipeline_totals(states=list(STAGE_OF), hub_id=hub_id,
                                             **_limits(scope)):
            # a consignment has one state, so the states of a stage add up
            row = totals[(sites[r.hub_id], chans.get(r.channel_id, ""),
                          orgs.get(r.donor_id, "") if r.donor_id else "",
                          STAGE_OF[State(r.state)])]
            for k, value in enumerate((r.consignments, r.announced, r.received,
                                       r.outstanding)):
                row[k] += int(value)
            row[4] += Decimal(str(r.weight_kg))
        order = list(STAGES)
        return [PipelineRow(h, ch, d, st, *v)
                for (h, ch, d, st), v in sorted(totals.items(),
                                                key=lambda kv: (kv[0][0], order.index(kv[0][3]),
                                                                kv[0][1], kv[0][2]))]


def count_by_stage(uow: UnitOfWork, scope: Scope = EVERYTHING) -> dict[str, int]:
    """How many consignments ``scope`` sees at each stage of STAGES, counted in SQL."""
    by_stage = dict.fromkeys(STAGES, 0)
    for state, n in uow.inbound.count_by_state(states=list(STAGE_OF),
                                               **_limits(scope)).items():
        by_stage[STAGE_OF[State(state)]] += n
    return by_stage


def _limits(scope: Scope) -> dict[str, Any]:
    """The repository's hub and organisation limits for ``scope`` (none: everything)."""
    if scope.everything:
        return {}
    return {"hub_ids": scope.hub_ids or (), "organisation_ids": scope.organisation_ids}


__all__ = ["IllegalTransition"]
