"""JSON API for the inbound work: pre-advices, the life cycle, GRNs, pallets, pipeline.

Every request that changes data needs an ``Idempotency-Key`` header: sending the same
request again with the same key returns the first answer and changes nothing.
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import InvalidInput
from aidhub.interop.jsonable import jsonable
from aidhub.services import consignments, documents, receiving
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.services.receiving import CountLine
from aidhub.web.auth import Seen, Who, needs, staff

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                            description="Retrying with the same key changes nothing.")]


class AdviceLineIn(BaseModel):
    quantity: int = Field(gt=0)
    item: str | None = None
    description: str = ""
    unit: str | None = None
    batch: str | None = None
    expiry: dt.date | None = None
    weight_kg: str | None = None
    volume_m3: str | None = None
    value: str | None = None
    currency: str = ""
    donor: str | None = None
    earmark: str = ""
    sscc: str = ""


class PreAdviceIn(BaseModel):
    hub: str
    consignor: str
    consignee: str
    lines: list[AdviceLineIn] = Field(min_length=1)
    donor: str | None = None
    channel: str | None = None
    point_of_entry: str | None = None
    eta: dt.date | None = None
    document_type: str | None = None
    document_number: str = ""
    vehicle: str = ""
    driver: str = ""
    seals: str = ""
    pledged: bool = False


class StateIn(BaseModel):
    state: str
    reason: str = ""


class ArrivalIn(BaseModel):
    at: dt.datetime | None = None
    documents_checked: list[str] = []
    clearance: str | None = None
    seal_check: str | None = None
    seals_found: str = ""
    protest_letter: str = ""
    survey_report: str = ""


class CountIn(BaseModel):
    line: int | None
    good: int = Field(0, ge=0)
    damaged: int = Field(0, ge=0)
    batch: str | None = None
    expiry: dt.date | None = None
    over: bool = False
    close: bool = False
    item: str | None = None
    owner: str | None = None
    per_unit: int | None = Field(None, gt=0)
    priority: int | None = None
    category: str | None = None
    disposition: str | None = None
    reason: str = ""


class GrnIn(BaseModel):
    counts: list[CountIn] = Field(min_length=1)
    received_by: str
    delivered_by: str = ""
    notes: str = ""


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["inbound"], dependencies=[needs(P.READ)])

    @api.post("/consignments", status_code=201, dependencies=[needs(P.CONSIGNMENTS)])
    def register(who: Who, advice: PreAdviceIn, key: Key) -> dict[str, Any]:
        data = advice.model_dump()
        lines = [AdviceLine(**ln) for ln in data.pop("lines")]
        return consignments.register_preadvice(who, PreAdvice(**data, lines=lines), key=key)

    @api.get("/consignments")
    def list_(scope: Seen, page: Page, hub: str | None = None, state: str | None = None
              ) -> list[dict[str, Any]]:
        """The consignments the caller may see (at its hubs, or of its organisation)."""
        return page([{"hub": h, **jsonable(c)} for c, h in consignments.list_consignments(
            ctx, hub=hub, state=state, scope=scope)])

    @api.get("/consignments/{number}")
    def show(number: str, scope: Seen) -> dict[str, Any]:
        """One consignment; another organisation's answers 404, as if it did not exist."""
        return consignments.view(ctx, number, scope).as_dict()

    @api.post("/consignments/{number}/state", dependencies=[needs(P.CONSIGNMENTS)])
    def state(who: Who, number: str, body: StateIn, key: Key) -> dict[str, Any]:
        return consignments.change_state(who, number, body.state, key=key, reason=body.reason)

    @api.post("/consignments/{number}/arrival", dependencies=[needs(P.CONSIGNMENTS)])
    def arrival(who: Who, number: str, body: ArrivalIn, key: Key) -> dict[str, Any]:
        return consignments.record_arrival(who, number, key=key, **body.model_dump())

    @api.post("/consignments/{number}/grns", status_code=201, dependencies=[needs(P.RECEIVE)])
    def grn(who: Who, number: str, body: GrnIn, key: Key) -> dict[str, Any]:
        counts = [CountLine(**c.model_dump()) for c in body.counts]
        return receiving.receive(who, number, counts, key=key, received_by=body.received_by,
                                 delivered_by=body.delivered_by, notes=body.notes)

    @api.get("/grns/{number}.pdf", response_class=Response)
    def grn_pdf(number: str, scope: Seen) -> Response:
        return Response(documents.grn_pdf(ctx, number, scope), media_type="application/pdf")

    @api.get("/grns/{number}/labels.pdf", response_class=Response, dependencies=[staff])
    def labels(number: str) -> Response:
        return Response(documents.labels_pdf(ctx, number), media_type="application/pdf")

    @api.get("/units/{scan}", dependencies=[staff])
    def unit(scan: str) -> dict[str, Any]:
        return jsonable(receiving.find_unit(ctx, scan))

    @api.get("/pipeline")
    def pipeline(scope: Seen, hub: str | None = None) -> list[dict[str, Any]]:
        return jsonable(consignments.pipeline(ctx, hub=hub, scope=scope))

    return api


__all__ = ["InvalidInput", "router"]
