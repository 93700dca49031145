"""Proof of delivery and loss reports.

The receiver's POD says, per waybill line, what arrived good, damaged, short or lost,
and the seal state; who signed; optionally a photo of the signed waybill. It posts the
good goods from the destination's IN-TRANSIT to DISTRIBUTED and the rest to LOST, closes
the release order lines it completes, and moves the requests they serve on to fulfilled
or partly fulfilled. A loss above the threshold (2 % of the weight shipped unless the
setting ``outbound.loss_threshold`` says otherwise) opens a numbered loss report, which
the hub manager reviews; the person who recorded the POD cannot review it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.ledger import MovementKind, Posting, StockKey
from aidhub.domain.requests import RequestState, transition
from aidhub.domain.screening import FourEyes
from aidhub.domain.waybills import (
    DEFAULT_LOSS_THRESHOLD,
    PodLine,
    SealState,
    WaybillState,
    check_pod,
    loss_share,
    needs_loss_report,
)
from aidhub.domain.waybills import transition as waybill_transition
from aidhub.services.context import Context
from aidhub.services.idempotency import request_hash, run_command
from aidhub.services.posting import post_for_document
from aidhub.services.reference import choice
from aidhub.services.waybills import check_time, waybill
from aidhub.store.uow import UnitOfWork

LOSS_THRESHOLD_SETTING = "outbound.loss_threshold"
PHOTO_TYPES = ("image/jpeg", "image/png", "application/pdf")
MAX_PHOTO = 8 * 1024 * 1024


def _threshold(uow: UnitOfWork) -> Decimal:
    raw = uow.inbound.setting(LOSS_THRESHOLD_SETTING)
    return Decimal(raw) if raw else DEFAULT_LOSS_THRESHOLD


def confirm(ctx: Context, number: str, lines: list[PodLine], *, key: str, signer: str,
            seal_state: str, received_at: dt.datetime | None = None,
            photo: bytes | None = None, photo_type: str = "") -> dict[str, Any]:
    """Record the proof of delivery of a waybill; all or nothing, once per waybill."""
    seal = choice(SealState, seal_state, "seal_state")
    received_at = check_time(received_at, "received_at")
    if not signer.strip():
        raise InvalidInput("give the name of the person who signed for the goods",
                           field="signer")
    if photo is not None:
        if photo_type not in PHOTO_TYPES:
            raise InvalidInput("the photo must be a JPEG, PNG or PDF", field="photo")
        if len(photo) > MAX_PHOTO:
            raise InvalidInput("the photo is larger than 8 MB; take it at a lower "
                               "resolution", field="photo")
    request = {"number": number.strip().upper(), "signer": signer.strip(),
               "seal": seal.value, "received_at": received_at and received_at.isoformat(),
               "lines": [[x.line_no, x.good, x.damaged, x.short, x.lost] for x in lines],
               "photo": request_hash("photo", photo.hex()) if photo else None}

    def work(uow: UnitOfWork, now: dt.datetime):
        wb = waybill(uow, request["number"], lock=True)
        if uow.outbound.pod_of(wb.id) is not None:
            raise InvalidInput("waybill %(waybill)s already has its proof of delivery; a "
                               "correction is a new movement, not a second POD",
                               field="number", waybill=wb.number)
        if wb.consignment_id is not None:
            raise InvalidInput("waybill %(waybill)s goes to a hub: the goods are received "
                               "there with a GRN on the consignment it became, not with a "
                               "proof of delivery", field="number", waybill=wb.number)
        target = waybill_transition(wb.number, WaybillState(wb.state), WaybillState.DELIVERED)
        if received_at is not None and wb.dispatched_at and received_at < wb.dispatched_at:
            raise InvalidInput("the goods cannot be received (%(received)s) before they were "
                               "dispatched (%(dispatched)s)", field="received_at",
                               received=received_at.isoformat(),
                               dispatched=wb.dispatched_at.isoformat())
        wb_lines = uow.outbound.waybill_lines(wb.id)
        counted = check_pod(wb.number, {x.line_no: x.quantity for x in wb_lines}, lines)
        by_no = {x.line_no: x for x in wb_lines}
        transit = uow.reference.location(wb.destination_id, "IN-TRANSIT").id
        given = uow.reference.location(wb.destination_id, "DISTRIBUTED").id
        lost = uow.reference.location(wb.destination_id, "LOST").id
        postings = []
        for c in counted:
            x = by_no[c.line_no]
            for place, q in ((given, c.good), (lost, c.damaged + c.short + c.lost)):
                if q:
                    postings += [Posting(StockKey(transit, x.item_id, x.lot_id, x.owner_id), -q),
                                 Posting(StockKey(place, x.item_id, x.lot_id, x.owner_id), q)]
        movement = post_for_document(
            uow, MovementKind.DELIVERY, postings, document=("pod", wb.number),
            key=f"{key}:pod", now=now, actor=ctx.actor, at=received_at,
            note=f"proof of delivery, signed by {request['signer']}")
        pod_id = new_id()
        uow.outbound.add_pod(
            {"id": pod_id, "waybill_id": wb.id, "received_at": received_at or now,
             "signer": request["signer"], "seal_state": seal.value, "photo": photo,
             "photo_type": photo_type if photo else "", "recorded_by": ctx.actor,
             "movement_id": movement},
            [{"pod_id": pod_id, "line_no": c.line_no, "good": c.good, "damaged": c.damaged,
              "short": c.short, "lost": c.lost} for c in counted])
        uow.outbound.update_waybill(wb.id, state=target.value)
        for c in counted:
            uow.outbound.add_to_release_line(by_no[c.line_no].release_order_line_id,
                                             delivered=c.good)
        close_lines(uow, {x.release_order_line_id for x in wb_lines})
        share = loss_share(counted, {x.line_no: uow.reference.item_by_id(x.item_id).weight_kg
                                     for x in wb_lines})
        report = None
        threshold = _threshold(uow)
        if needs_loss_report(share, threshold):
            hub = uow.reference.site_by_id(wb.hub_id)
            report = (f"LR-{hub.code}-{now.year}-"
                      f"{uow.inbound.next_number(f'loss:{hub.code}:{now.year}'):04d}")
            uow.outbound.add_loss_report({"id": new_id(), "number": report,
                                          "waybill_id": wb.id, "share": round(share, 6),
                                          "threshold": threshold, "state": "open",
                                          "opened_at": now})
        return wb.number, {"waybill": wb.number, "state": target.value,
                           "good": sum(c.good for c in counted),
                           "not_good": sum(c.damaged + c.short + c.lost for c in counted),
                           "loss_share": str(round(share, 4)), "loss_report": report}

    return run_command(ctx, key, "pod.confirm", request, work)


def close_lines(uow: UnitOfWork, line_ids: set) -> None:
    """Release order lines wholly dispatched with no waybill still on the road are
    closed; the requests they serve move on when all their lines are closed."""
    on_road = {x.release_order_line_id for x in uow.outbound.lines_on_the_road(
        [WaybillState.ISSUED.value, WaybillState.DISPATCHED.value,
         WaybillState.ARRIVED.value], list(line_ids))}
    closed = []
    for line_id in line_ids:
        ro = uow.outbound.release_line(line_id)
        if ro.dispatched >= ro.quantity and line_id not in on_road and not ro.closed:
            uow.outbound.close_release_line(line_id)
            closed.append(line_id)
    if closed:
        _fulfil(uow, closed)


def _fulfil(uow: UnitOfWork, closed: list) -> None:
    """A planned request whose every release order line is closed is fulfilled when what
    was delivered good covers what it asked for, else partly fulfilled."""
    delivered: dict = defaultdict(int)
    for request_id in uow.planning.requests_served(closed):
        rows = uow.planning.allocations_of_request(request_id)
        if not all(r.closed for r in rows):
            continue
        for r in rows:
            delivered[r.request_line_id] += (r.quantity * r.delivered // r.ro_quantity
                                             if r.ro_quantity else 0)
        lines = uow.planning.request_lines([request_id])
        req = uow.planning.requests(ids=[request_id])[0]
        if req.state is not RequestState.PLANNED:
            continue
        full = all(delivered[ln.id] >= ln.quantity for ln in lines)
        target = RequestState.FULFILLED if full else RequestState.PARTLY_FULFILLED
        transition(req.number, req.state, target)
        uow.planning.update_request(req.id, state=target.value)


def review(ctx: Context, number: str, *, key: str, decision: str) -> dict[str, Any]:
    """The hub manager's review of a loss report (not by whoever recorded the POD)."""
    if not decision.strip():
        raise InvalidInput("write the decision: what was found and what follows (claim "
                           "against the transporter, write-off...)", field="decision")
    request = {"number": number.strip().upper(), "decision": decision.strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        report = uow.outbound.loss_report(request["number"], lock=True)
        if report is None:
            raise NotFound("no loss report %(report)s", report=number)
        if report.state != "open":
            raise InvalidInput("loss report %(report)s was already reviewed",
                               field="number", report=report.number)
        pod = uow.outbound.pod_of(report.waybill_id)
        if pod.recorded_by.strip().lower() == ctx.actor.strip().lower():
            raise FourEyes("%(user)s recorded this proof of delivery and cannot review "
                           "its loss report: the hub manager must (four-eyes rule)",
                           user=ctx.actor)
        uow.outbound.update_loss_report(report.id, state="reviewed", reviewed_at=now,
                                        reviewed_by=ctx.actor, decision=request["decision"])
        return report.number, {"loss_report": report.number, "state": "reviewed"}

    return run_command(ctx, key, "loss_report.review", request, work)


# reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LossReportRow:
    number: str
    waybill: str
    hub: str
    destination: str
    share: Decimal
    threshold: Decimal
    state: str
    opened_at: dt.datetime
    pod_recorded_by: str
    signer: str
    seal_state: str
    reviewed_at: dt.datetime | None
    reviewed_by: str | None
    decision: str


LOSS_STATES = ("open", "reviewed")


def loss_reports(ctx: Context, state: str | None = None) -> list[LossReportRow]:
    """Loss reports (``open`` or ``reviewed``, or all), by number."""
    if state and state not in LOSS_STATES:
        raise InvalidInput("'%(value)s' is not one of: %(states)s", field="state",
                           value=state, states=", ".join(LOSS_STATES))
    with ctx.uow() as uow:
        rows = uow.outbound.loss_reports(state or None)
        if not rows:
            return []
        out = []
        for r in rows:
            wb = uow.outbound.waybill_by_id(r.waybill_id)
            pod = uow.outbound.pod_of(wb.id)
            out.append(LossReportRow(
                r.number, wb.number, uow.reference.site_by_id(wb.hub_id).code,
                uow.reference.site_by_id(wb.destination_id).code, r.share, r.threshold,
                r.state, r.opened_at, pod.recorded_by if pod else "",
                pod.signer if pod else "", pod.seal_state if pod else "", r.reviewed_at,
                r.reviewed_by, r.decision))
        return out
