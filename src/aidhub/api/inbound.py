"""JSON API for the inbound work: pre-advices, the life cycle, GRNs, pallets, pipeline.

Every request that changes data needs an ``Idempotency-Key`` header: sending the same
request again with the same key returns the first answer and changes nothing.
"""

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import InvalidInput
from aidhub.interop.jsonable import jsonable
from aidhub.services import consignments, documents, grns, preadvice, receiving
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.services.receiving import CountLine
from aidhub.web.auth import Seen, Who, needs, staff
from aidhub.web.receiving import MAX_UPLOAD_BYTES, check_upload

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


class TriageIn(BaseModel):
    priority: int = Field(ge=1, le=3, description="1 urgent, 2 non-urgent, 3 non-priority")
    category: str | None = Field(None, description="SUMA category (default: the item's)")
    disposition: str | None = Field(None, description="For priority 3: return, reroute, "
                                    "donate_on or dispose")
    reason: str = Field("", description="Why (needed for priority 3)")


class PutawayIn(BaseModel):
    location: str = Field(min_length=1, max_length=60, description="Storage location (bin)")


def _mapping(text: str | None) -> dict[str, int | str | None] | None:
    """The ``mapping`` form field: a JSON object {field: column header, 0-based column
    number, or null for a field the file does not have}."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInput("mapping must be a JSON object, e.g. {\"quantity\": \"Qty "
                           "shipped\", \"item_code\": 0}", field="mapping") from None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str) or
                                    (isinstance(v, int) and not isinstance(v, bool)))
            for k, v in value.items()):
        raise InvalidInput("mapping must be a JSON object of field: column header, column "
                           "number (from 0) or null", field="mapping")
    return value


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["inbound"], dependencies=[needs(P.READ)])

    @api.post("/consignments", status_code=201, dependencies=[needs(P.CONSIGNMENTS)])
    def register(who: Who, advice: PreAdviceIn, key: Key) -> dict[str, Any]:
        data = advice.model_dump()
        lines = [AdviceLine(**ln) for ln in data.pop("lines")]
        return consignments.register_preadvice(who, PreAdvice(**data, lines=lines), key=key)

    @api.post("/consignments/import", status_code=201,
              dependencies=[needs(P.CONSIGNMENTS)],
              responses={200: {"description": "With dry_run: the preview, nothing "
                                              "registered"}})
    async def import_(
        who: Who, key: Key,
        file: Annotated[UploadFile, File(description=(
            f"The packing list: CSV (UTF-8) or XLSX, at most {MAX_UPLOAD_BYTES // 1048576} "
            "MB."))],
        hub: Annotated[str, Form()], consignor: Annotated[str, Form()],
        consignee: Annotated[str, Form()], donor: Annotated[str | None, Form()] = None,
        channel: Annotated[str | None, Form()] = None,
        point_of_entry: Annotated[str | None, Form()] = None,
        eta: Annotated[dt.date | None, Form()] = None,
        document_type: Annotated[str | None, Form()] = None,
        document_number: Annotated[str, Form()] = "", vehicle: Annotated[str, Form()] = "",
        driver: Annotated[str, Form()] = "", seals: Annotated[str, Form()] = "",
        mapping: Annotated[str | None, Form(description=(
            "JSON object {field: column header, column number from 0, or null}, to choose "
            "the columns instead of letting them be guessed"))] = None,
        dry_run: Annotated[bool, Form(description=(
            "Only preview: which column each field is read from and which catalog item "
            "each line matches; nothing is registered"))] = False,
        confirm: Annotated[bool, Form(description=(
            "Accept guessed columns and suggested item matches (needed when the preview "
            "says needs_confirmation)"))] = False,
        create_missing: Annotated[bool, Form()] = False,
        force: Annotated[bool, Form(description="Import a file imported before")] = False,
    ) -> Any:
        """Register a pre-advice from a packing list, all or nothing (``dry_run`` to see
        the preview first). A wrong type or a file too big is refused with 400."""
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        check_upload(file.filename or "", data)
        chosen = _mapping(mapping)
        shown = await run_in_threadpool(preadvice.preview, who, data, mapping=chosen)
        if dry_run:
            return JSONResponse({"preview": jsonable(shown),
                                 "needs_confirmation": shown.needs_confirmation})
        if shown.needs_confirmation and not confirm:
            raise InvalidInput("nothing registered: some columns were guessed or some items "
                               "only suggested; check them (dry_run=true), then send "
                               "confirm=true or choose the columns with mapping",
                               field="confirm")
        header = PreAdvice(hub, consignor, consignee, [], donor, channel, point_of_entry,
                           eta, document_type, document_number, vehicle, driver, seals)
        return await run_in_threadpool(
            preadvice.import_file, who, data, header, key=key, mapping=chosen,
            create_missing=create_missing, force=force)

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

    @api.get("/grns/{number}")
    def show_grn(number: str, scope: Seen) -> dict[str, Any]:
        """A GRN: per line announced and counted (good, damaged, over, short), its
        triage, and its pallets with where each is; another organisation's answers 404."""
        return grns.view(ctx, number, scope).as_dict()

    @api.post("/grns/{number}/lines/{line_no}/triage", dependencies=[needs(P.RECEIVE)])
    def triage(who: Who, number: str, line_no: int, body: TriageIn, key: Key,
               scope: Seen) -> dict[str, Any]:
        """Triage a received line SUMA-style; priority 3 moves what is still in the
        receiving area to quarantine."""
        grns.view(ctx, number, scope)  # another organisation's: 404
        return receiving.triage(who, number, line_no, key=key, **body.model_dump())

    @api.post("/units/{scan}/putaway", dependencies=[needs(P.RECEIVE)])
    def putaway(who: Who, scan: str, body: PutawayIn, key: Key) -> dict[str, Any]:
        """Put a pallet (its SSCC, or the label as scanned) away from the receiving area
        into a storage location of its hub."""
        return receiving.put_away(who, scan, body.location, key=key)

    @api.get("/units/{scan}", dependencies=[staff])
    def unit(scan: str) -> dict[str, Any]:
        return jsonable(receiving.find_unit(ctx, scan))

    @api.get("/pipeline")
    def pipeline(scope: Seen, hub: str | None = None) -> list[dict[str, Any]]:
        return jsonable(consignments.pipeline(ctx, hub=hub, scope=scope))

    return api


__all__ = ["InvalidInput", "router"]
