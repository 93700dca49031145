"""JSON API for reports and exports: make and store a donor report, a hub report or the
map; list the stored reports the caller may see (paginated) and fetch one, or its file;
download an export (HXL, CSV, XLSX, Parquet, or the IATI activity as XML).

The same services and the same scope as the reports page (``web/reports.py``): admins
and coordinators reach everything, hub managers their hubs, partners and donors their
own organisation's goods; anything else answers 404 as if it did not exist. Making a
report needs an ``Idempotency-Key``: a retry returns the report stored the first time.
On a read-only database the report cannot be stored: 503, problem type ``read-only``.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from aidhub.api import PREFIX, problems
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import InvalidInput
from aidhub.interop.jsonable import jsonable
from aidhub.services import report_store
from aidhub.services.context import Context
from aidhub.web.auth import Seen, Who, needs

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                            description="Retrying with the same key changes nothing.")]


class ReportParameters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    donor: str | None = Field(None, description="donor: the organisation code of the "
                              "owner of the goods.")
    hub: str | None = Field(None, description="hub: the hub (or warehouse) code.")
    period: Literal["week", "month"] = Field("week", description="hub: week or month.")
    start: dt.date | None = Field(None, alias="from", description="The first day (UTC); "
                                  "donor and hub: required; map: optional.")
    end: dt.date | None = Field(None, alias="to", description="The last day (UTC), "
                                "included; donor: required; map: optional; hub: from "
                                "the period.")
    language: Literal["en", "ar"] = Field("en", description="donor and hub: en or ar "
                                          "(right to left).")
    format: Literal["pdf", "xlsx", "png", "svg"] | None = Field(
        None, description="donor: pdf (default) or xlsx; map: png (default) or svg; hub: "
                          "pdf.")


class ReportIn(BaseModel):
    kind: Literal["donor", "hub", "map"] = Field(description="Which report to make.")
    parameters: ReportParameters = Field(description="What it is about.")


def report_json(stored: report_store.StoredReport) -> dict[str, Any]:
    return {**jsonable(stored), "file": f"{PREFIX}/reports/{stored.id}/file"}


def _file(content: bytes, filename: str, media_type: str) -> Response:
    safe = filename.replace('"', "")
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


FILE = {200: {"content": {t: {} for t in sorted(set(report_store.MEDIA_TYPES.values()))}}}


def _params(kind: str, p: ReportParameters) -> dict[str, Any]:
    """The stored parameters a request would give (to find an earlier one by its key)."""
    if kind == "donor":
        return {"donor": (p.donor or "").strip().upper(),
                "from": p.start.isoformat() if p.start else None,
                "to": p.end.isoformat() if p.end else None, "language": p.language,
                "format": p.format or "pdf"}
    if kind == "hub":
        from aidhub.services.hub_report import period_end

        return {"hub": (p.hub or "").strip().upper(), "period": p.period,
                "from": p.start.isoformat() if p.start else None,
                "to": period_end(p.start, p.period).isoformat() if p.start else None,
                "language": p.language}
    return {k: v for k, v in {"from": p.start.isoformat() if p.start else None,
                              "to": p.end.isoformat() if p.end else None,
                              "format": p.format or "png"}.items() if v is not None}


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["reports"], dependencies=[needs(P.READ),
                                                                    needs(P.REPORT)])

    @api.post("/reports", status_code=201)
    def make(request: Request, who: Who, scope: Seen, body: ReportIn, key: Key,
             response: Response) -> dict[str, Any]:
        """Make a report and store it with its generation time and inputs hash; answers
        its metadata (``empty``: nothing happened in its period) and where its file is."""
        p = body.parameters
        if p.start and p.end and p.start > p.end and body.kind != "hub":
            raise InvalidInput("the period is reversed: from %(start)s is after to %(end)s; "
                               "swap the two dates", field="to", start=p.start, end=p.end)
        earlier = report_store.stored_for_key(who, key, body.kind, _params(body.kind, p))
        if earlier is not None:
            response.status_code = 200
            return {**report_json(report_store.metadata(ctx, earlier, scope=scope)),
                    "empty": None}
        if body.kind == "donor":
            made = report_store.make_donor(who, p.donor or "", p.start, p.end,
                                           language=p.language, fmt=p.format or "pdf",
                                           scope=scope)
        elif body.kind == "hub":
            if p.format not in (None, "pdf"):
                raise InvalidInput("the hub report is a PDF: leave out format or give pdf",
                                   field="format")
            made = report_store.make_hub(who, p.hub or "", p.period, p.start,
                                         language=p.language, scope=scope)
        else:
            made = report_store.make_map(who, p.start, p.end, fmt=p.format or "png",
                                         scope=scope)
        try:
            stored = report_store.store(who, made, key=key)
        except report_store.NotRecorded as exc:
            return problems.problem(request, 503, "read-only", "Read-only database",
                                    str(exc))  # type: ignore[return-value]
        return {**report_json(stored), "empty": made.empty}

    @api.get("/reports")
    def list_reports(page: Page, scope: Seen,
                     kind: Literal["donor", "hub", "map"] | None = None
                     ) -> list[dict[str, Any]]:
        """Stored reports the caller may see, newest first."""
        return page([report_json(r) for r in report_store.list_reports(ctx, kind,
                                                                         scope=scope)])

    @api.get("/reports/{report_id}")
    def show(scope: Seen, report_id: str) -> dict[str, Any]:
        return report_json(report_store.metadata(ctx, report_id, scope=scope))

    @api.get("/reports/{report_id}/file", response_class=Response, responses=FILE)
    def file(scope: Seen, report_id: str) -> Response:
        """The stored file, as it was made."""
        stored, content = report_store.get(ctx, report_id, scope=scope)
        return _file(content, stored.filename, stored.media_type)

    @api.get("/exports/{name}", response_class=Response, responses=FILE)
    def export(scope: Seen,
               name: Annotated[str, Path(description="stock, movements, deliveries, 3w "
                                                     "or iati.")],
               format: Annotated[str | None, Query(description="hxl (default), csv, xlsx "
                                                   "or parquet; iati: xml.")] = None,
               site: Annotated[str | None, Query(description="Only this site (iati: the "
                                                 "hub, required).")] = None,
               owner: Annotated[str | None, Query(description="Only goods of this owner.")
                                ] = None,
               start: Annotated[dt.date | None, Query(alias="from", description="First "
                                                      "day (UTC).")] = None,
               end: Annotated[dt.date | None, Query(alias="to", description="Last day "
                                                    "(UTC), included.")] = None
               ) -> Response:
        """An export as a file, limited to what the caller may see."""
        if (name or "").strip().lower() == "iati":
            if format not in (None, "", "xml"):
                raise InvalidInput("the IATI export is XML: leave out format or give xml",
                                   field="format")
            found = report_store.iati_file(ctx, site or "", start, end,
                                           organisation=owner, scope=scope)
        else:
            found = report_store.export_file(ctx, name, format or "hxl", site=site,
                                             owner=owner, since=start, until=end,
                                             scope=scope)
        return _file(found.content, found.filename, found.media_type)

    return api

