"""JSON API for outbound: pick lists, loads and waybills, dispatch and tracking, convoys
and the board, proof of delivery and loss reports.

Every request that changes data needs an ``Idempotency-Key`` header: sending the same
request again with the same key returns the first answer and changes nothing. The
signed-in user (session or API token) is recorded as the one who acted.
"""

import base64
import binascii
import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, field_validator

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import InvalidInput
from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.interop.jsonable import jsonable
from aidhub.services import delivery, picking, waybills
from aidhub.services.context import Context
from aidhub.services.waybills import LoadLine
from aidhub.web.auth import Seen, Who, needs, staff

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                            description="Retrying with the same key changes nothing.")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PickListIn(BaseModel):
    ship_date: dt.date | None = Field(None, description="The day the goods leave (default: "
                                      "today).")
    min_shelf_life_days: int | None = Field(None, ge=0, description="Days a lot must still "
                                            "be good on arrival (default 30).")


class PickIn(BaseModel):
    quantity: int | None = Field(None, gt=0, description="Units picked (default: what the "
                                 "line still asks for, or the whole pallet scanned).")
    sscc: str | None = Field(None, description="The pallet label scanned (SSCC or a GS1 "
                             "scan with AI 00).")
    location: str | None = Field(None, description="The bin picked from, when not the one "
                                 "proposed.")
    batch: str | None = Field(None, description="The lot picked, when not the one proposed.")
    reason: str = Field("", description="Why another bin or lot, or a lot on hold or "
                        "short-dated, was picked (required then).")


class VehicleIn(BaseModel):
    plate: Text = Field(description="The vehicle's plate number.")
    capacity_kg: Decimal = Field(gt=0, description="Most kg it carries.")
    capacity_m3: Decimal = Field(gt=0, description="Most m³ it carries.")

    def vehicle(self) -> Vehicle:
        return Vehicle(self.plate, self.capacity_kg, self.capacity_m3)


class ProposalIn(BaseModel):
    vehicles: list[VehicleIn] = Field(min_length=1, description="The vehicles at hand, in "
                                      "the order to fill them.")


class LoadLineIn(BaseModel):
    pick_line: uuid.UUID = Field(description="The pick line's id (from the load proposal).")
    quantity: int = Field(gt=0, description="Units of it on this vehicle.")


class WaybillIn(VehicleIn):
    release_order: Text = Field(description="The release order the goods were picked for.")
    point: Text = Field(description="The distribution point the vehicle goes to.")
    driver: Text = Field(description="The driver's full name (screened).")
    transporter: Text = Field(description="The transporter's organisation code (screened).")
    seals: list[str] = Field([], description="Seal numbers put on the vehicle.")
    lines: list[LoadLineIn] | None = Field(None, min_length=1, description="What the "
                                           "vehicle carries, each pick line once; leave out "
                                           "for everything picked for the point and not yet "
                                           "loaded.")
    convoy: str | None = Field(None, description="The convoy number it travels in.")

    @field_validator("lines")
    @classmethod
    def _each_pick_line_once(cls, lines: list[LoadLineIn] | None) -> list[LoadLineIn] | None:
        seen = set()
        for x in lines or []:
            if x.pick_line in seen:
                raise ValueError(f"pick line {x.pick_line} is given twice: give it once "
                                 "with the whole quantity")
            seen.add(x.pick_line)
        return lines


class EventIn(BaseModel):
    event: str = Field(description="departed, at_checkpoint, delayed or arrived.")
    place: str = Field("", description="Where (required at a checkpoint).")
    at: AwareDatetime | None = Field(None, description="When it happened, with its time "
                                     "zone (default: now).")
    note: str = Field("", description="Anything to know.")


class CancelIn(BaseModel):
    reason: Text = Field(description="Why the waybill is cancelled.")


class PodLineIn(BaseModel):
    line_no: int = Field(ge=1, description="The waybill line.")
    good: int = Field(0, ge=0, description="Units received in good condition.")
    damaged: int = Field(0, ge=0)
    short: int = Field(0, ge=0)
    lost: int = Field(0, ge=0)


class PodIn(BaseModel):
    lines: list[PodLineIn] = Field(min_length=1, description="What arrived, per line; a "
                                   "line left out, or units not counted, are short.")
    signer: str = Field(description="Who signed for the goods at the destination.")
    seal_state: str = Field(description="intact, broken, number_mismatch or none.")
    received_at: AwareDatetime | None = Field(None, description="When the goods were "
                                              "received, with its time zone (default: now).")
    photo: str | None = Field(None, description="A photo or scan of the signed waybill, "
                              "base64 (JPEG, PNG or PDF, at most 8 MB).")
    photo_type: str = Field("", description="image/jpeg, image/png or application/pdf.")


class ConvoyIn(BaseModel):
    hub: str | None = Field(None, description="The hub the convoy leaves from (one of "
                            "yours); when waybills are given, by default the hub they "
                            "leave from.")
    waybills: list[Text] = Field([], max_length=200, description="The waybills (one per "
                                 "vehicle) that travel together: issued at the hub, not "
                                 "yet dispatched and in no other convoy. The convoy is "
                                 "formed with all of them or not at all; leave out to "
                                 "make an empty convoy that vehicles join when their "
                                 "waybills are issued.")
    route: str = Field("", description="The road it takes.")
    checkpoints: str = Field("", description="The checkpoints on the way.")
    notification: str = Field("", description="The escort or humanitarian notification "
                              "reference.")


class ConvoyWaybillOut(BaseModel):
    waybill: str = Field(description="The waybill number (one vehicle).")
    state: str = Field(description="issued, dispatched, arrived, delivered or cancelled.")
    plate: str = Field(description="The vehicle's plate number.")
    driver: str = Field(description="The driver's name.")
    destination: str = Field(description="The site code the vehicle goes to.")


class ConvoyOut(BaseModel):
    convoy: str = Field(description="The convoy number (CV-hub-year-n).")
    hub: str = Field(description="The hub it leaves from.")
    route: str
    checkpoints: str
    notification: str = Field(description="The escort or humanitarian notification "
                              "reference.")
    created_at: dt.datetime
    created_by: str
    waybills: list[ConvoyWaybillOut] = Field(description="Its vehicles, by waybill.")


def convoy_out(v: waybills.ConvoyView) -> ConvoyOut:
    return ConvoyOut(convoy=v.number, hub=v.hub, route=v.route, checkpoints=v.checkpoints,
                     notification=v.notification, created_at=v.created_at,
                     created_by=v.created_by,
                     waybills=[ConvoyWaybillOut(**x) for x in v.vehicles])


class ReviewIn(BaseModel):
    decision: str = Field(description="What was found and what follows (claim against the "
                          "transporter, write-off...).")


def _pdf(data: bytes, number: str) -> Response:
    name = number.strip().upper()
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


PDF = {200: {"content": {"application/pdf": {}}}}


def _photo(raw: str | None) -> bytes | None:
    if raw is None or not raw.strip():
        return None
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the photo is not base64", field="photo") from None


def waybill_json(v: waybills.WaybillView) -> dict[str, Any]:
    return {**jsonable(v), "weight_kg": str(v.weight_kg),
            "volume_m3": str(sum((ln.volume_m3 for ln in v.lines), Decimal(0)))}


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["outbound"], dependencies=[needs(P.READ)])

    # pick lists --------------------------------------------------------------------------
    @api.post("/release-orders/{number}/pick-lists", status_code=201, dependencies=[needs(P.PICK)])
    def generate(who: Who, number: str, body: PickListIn, key: Key) -> dict[str, Any]:
        """A pick list for what an accepted release order still has to pick (FEFO), with
        every lot passed over and why."""
        return picking.generate(who, number, key=key,
                                ship_date=body.ship_date,
                                min_shelf_life_days=body.min_shelf_life_days)

    @api.get("/pick-lists/{number}", dependencies=[staff])
    def show_pick_list(number: str) -> dict[str, Any]:
        return jsonable(picking.view(ctx, number))

    @api.post("/pick-lists/{number}/lines/{line_no}/pick", dependencies=[needs(P.PICK)])
    def pick(who: Who, number: str, line_no: int, body: PickIn, key: Key) -> dict[str, Any]:
        """Confirm a pick: the goods go from their bin to the hub's staging area."""
        return picking.confirm(who, number, line_no, key=key,
                               quantity=body.quantity, sscc=body.sscc,
                               location=body.location, batch=body.batch,
                               reason=body.reason)

    @api.get("/pick-lists/{number}/pdf", response_class=Response, responses=PDF,
             dependencies=[staff])
    def pick_list_pdf(number: str) -> Response:
        """The pick list as a PDF, in walking order."""
        from aidhub.services import outbound_documents

        return _pdf(outbound_documents.pick_list_pdf(ctx, number), number)

    # loads and waybills ------------------------------------------------------------------
    @api.post("/release-orders/{number}/load-proposal", dependencies=[needs(P.DISPATCH)])
    def load_proposal(who: Who, number: str, body: ProposalIn) -> dict[str, Any]:
        """How the picked goods could go on the vehicles given (nothing is written), and
        what would be left over."""
        proposals, left = waybills.propose(who, number, [v.vehicle() for v in body.vehicles])
        return {"proposals": jsonable(proposals), "left_over": jsonable(left)}

    @api.post("/waybills", status_code=201, dependencies=[needs(P.DISPATCH)])
    def issue(who: Who, body: WaybillIn, key: Key) -> dict[str, Any]:
        """Issue the waybill for one vehicle to one distribution point; the driver, the
        transporter and the receiving organisations are screened."""
        lines = (None if body.lines is None else
                 [LoadLine(x.pick_line, x.quantity) for x in body.lines])
        return waybills.issue(who, body.release_order, body.point, key=key,
                              vehicle=body.vehicle(), driver=body.driver,
                              transporter=body.transporter, seals=body.seals, lines=lines,
                              convoy=body.convoy)

    @api.get("/waybills/{number}")
    def show_waybill(number: str, scope: Seen) -> dict[str, Any]:
        return waybill_json(waybills.view(ctx, number, scope))

    @api.get("/waybills/{number}/pdf", response_class=Response, responses=PDF)
    def waybill_pdf(number: str, scope: Seen) -> Response:
        """The waybill as a PDF (English and Arabic)."""
        from aidhub.services import outbound_documents

        return _pdf(outbound_documents.waybill_pdf(ctx, number, scope), number)

    @api.post("/waybills/{number}/dispatch", dependencies=[needs(P.DISPATCH)])
    def dispatch(who: Who, number: str, key: Key) -> dict[str, Any]:
        """The vehicle leaves: the goods go from staging to the destination's in-transit."""
        return waybills.dispatch(who, number, key=key)

    @api.post("/waybills/{number}/events", status_code=201, dependencies=[needs(P.DISPATCH)])
    def track(who: Who, number: str, body: EventIn, key: Key) -> dict[str, Any]:
        """Record where the vehicle is: departed, at_checkpoint, delayed, arrived."""
        return waybills.track(who, number, body.event, key=key,
                              place=body.place, at=body.at, note=body.note)

    @api.post("/waybills/{number}/cancel", dependencies=[needs(P.DISPATCH)])
    def cancel(who: Who, number: str, body: CancelIn, key: Key) -> dict[str, Any]:
        """Cancel a waybill before dispatch; its goods wait to be loaded again."""
        return waybills.cancel(who, number, key=key, reason=body.reason)

    @api.post("/waybills/{number}/pod", status_code=201, dependencies=[needs(P.DELIVER)])
    def pod(who: Who, number: str, body: PodIn, key: Key) -> dict[str, Any]:
        """The proof of delivery: once per waybill. A loss above the threshold opens a
        loss report."""
        lines = [PodLine(x.line_no, x.good, x.damaged, x.short, x.lost) for x in body.lines]
        return delivery.confirm(who, number, lines, key=key,
                                signer=body.signer, seal_state=body.seal_state,
                                received_at=body.received_at, photo=_photo(body.photo),
                                photo_type=body.photo_type.strip())

    # convoys and the board ---------------------------------------------------------------
    @api.post("/convoys", status_code=201, dependencies=[needs(P.DISPATCH)])
    def create_convoy(who: Who, scope: Seen, body: ConvoyIn, key: Key) -> ConvoyOut:
        """A convoy from one of your hubs: formed from the waybills given (all or
        nothing), or empty for vehicles to join when their waybills are issued. Returns
        the convoy with its waybills."""
        if body.waybills:
            made = waybills.form_convoy(who, body.hub, body.waybills, key=key,
                                        route=body.route, checkpoints=body.checkpoints,
                                        notification=body.notification, scope=scope)
        elif body.hub and body.hub.strip():
            made = waybills.create_convoy(who, body.hub, key=key, route=body.route,
                                          checkpoints=body.checkpoints,
                                          notification=body.notification, scope=scope)
        else:
            raise InvalidInput("give the waybills that travel together, or the hub of an "
                               "empty convoy", field="waybills")
        return convoy_out(waybills.convoy(ctx, made["convoy"], scope))

    @api.get("/convoys", dependencies=[staff])
    def list_convoys(page: Page, scope: Seen, hub: str | None = None) -> list[ConvoyOut]:
        """The convoys of your hubs, newest first, with their waybills."""
        return page([convoy_out(v) for v in waybills.convoys(ctx, hub=hub or None,
                                                             scope=scope)])

    @api.get("/convoys/{number}", dependencies=[staff])
    def show_convoy(number: str, scope: Seen) -> ConvoyOut:
        """One convoy with its waybills; one of another hub answers 404."""
        return convoy_out(waybills.convoy(ctx, number, scope))

    @api.get("/board", dependencies=[staff])
    def board(page: Page, hub: str | None = None) -> list[dict[str, Any]]:
        """Every vehicle issued or on the road, longest without news first."""
        return jsonable(page(waybills.board(ctx, hub=hub or None)))

    # loss reports ------------------------------------------------------------------------
    @api.get("/loss-reports", dependencies=[staff])
    def list_loss_reports(page: Page, state: Literal["open", "reviewed"] | None = None
                          ) -> list[dict[str, Any]]:
        return jsonable(page(delivery.loss_reports(ctx, state)))

    @api.post("/loss-reports/{number}/review", dependencies=[needs(P.REVIEW_LOSSES)])
    def review(who: Who, number: str, body: ReviewIn, key: Key) -> dict[str, Any]:
        """The hub manager's review; not by whoever recorded the proof of delivery."""
        return delivery.review(who, number, key=key,
                               decision=body.decision)

    @api.get("/loss-reports/{number}/pdf", response_class=Response, responses=PDF,
             dependencies=[staff])
    def loss_report_pdf(number: str) -> Response:
        from aidhub.services import outbound_documents

        return _pdf(outbound_documents.loss_report_pdf(ctx, number), number)

    return api

