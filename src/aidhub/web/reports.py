"""The reports page: make a donor report (PDF or XLSX, English or Arabic), a hub report
(a week or a month) and the map of sites; download the exports (HXL, CSV, XLSX, Parquet
and IATI XML); and the stored reports the user may see, newest first, each to download.

Reports are made through the same services as `aidhub report` and stored the same way,
with their generation time and the hash of their inputs (``services/report_store.py``).
What a user may make and see follows their scope: admins and coordinators everything;
hub staff with the report permission (hub managers) the hub reports and exports of their
hubs; partners and donors the donor report and exports of their own organisation's goods.
Anything else answers as if it did not exist (404).

On a read-only database (a reporting replica) a report is still made and handed over as
a download, with the header ``X-Aidhub-Not-Recorded: 1``: it could not be stored.
"""

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Forbidden, Scope
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound
from aidhub.services import exports, reference, report_store
from aidhub.services.context import Context
from aidhub.web import forms
from aidhub.web.auth import Seen, Who, needs
from aidhub.web.forms import translate
from aidhub.web.i18n import error_detail, error_text

HUB_KINDS = ("hub", "warehouse")
SHOWN = 100  # stored reports listed on the page (the API pages through all)
FORMS = ("donor", "hub", "map", "export")


def _period(request: Request, data: dict[str, Any], *, required: bool
            ) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the form, checked: both given when ``required``, and
    not in reverse order (the message goes next to the last day)."""
    fields = forms.Posted(data, request)  # the messages in the request's language
    start, end = forms.date(fields, "from"), forms.date(fields, "to")
    if required and start is None:
        raise InvalidInput(translate(request, "Give the first day of the period."),
                           field="from")
    if required and end is None:
        raise InvalidInput(translate(request, "Give the last day of the period."),
                           field="to")
    if start and end and start > end:
        raise InvalidInput(translate(
            request, "The last day (%(end)s) is before the first (%(start)s): swap the "
                     "two dates.", start=start.isoformat(), end=end.isoformat()), field="to")
    return start, end


def _download(content: bytes, filename: str, media_type: str,
              headers: dict[str, str] | None = None) -> Response:
    safe = filename.replace('"', "")
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{safe}\"; "
                               f"filename*=UTF-8''{quote(safe)}",
        **(headers or {})})


def not_recorded(made: report_store.Made) -> Response:
    """The report handed over as a file when the database could not store it."""
    return _download(made.content, made.filename, made.media_type,
                     {"X-Aidhub-Not-Recorded": "1"})


def choices(ctx: Context, scope: Scope) -> dict[str, Any]:
    """What the forms offer the user: donors (organisations) they may report on, hubs
    they may report on, sites and owners for the exports and hubs for IATI."""
    sites = reference.list_sites(ctx)
    orgs = reference.list_organisations(ctx)
    hubs = [s for s in sites if s.kind.value in HUB_KINDS]
    if scope.everything:
        return {"donors": orgs, "hubs": hubs, "map": True, "export_sites": sites,
                "owners": orgs, "iati_hubs": hubs, "own_owner": None}
    own_hubs = [s for s in hubs if s.id in (scope.hub_ids or ())]
    own_orgs = [o for o in orgs if o.id in (scope.organisation_ids or ())]
    return {"donors": own_orgs, "hubs": own_hubs, "map": False,
            "export_sites": sites if own_orgs else own_hubs,
            "owners": own_orgs or orgs, "iati_hubs": hubs if own_orgs else own_hubs,
            "own_owner": own_orgs[0].code if len(own_orgs) == 1 and not own_hubs else None}


def describe(params: dict[str, Any]) -> str:
    """ECHO 2026-11-01…2026-11-30 ar pdf: the parameters in a line."""
    shown = dict(params)
    words = [str(shown.pop(k)) for k in ("donor", "hub") if k in shown]
    if "from" in shown or "to" in shown:
        words.append(f"{shown.pop('from', '…')}…{shown.pop('to', '…')}")
    words += [str(shown.pop(k)) for k in ("period", "language", "format") if k in shown]
    return " ".join(words + [f"{k}={v}" for k, v in shown.items()])


async def _sees_everything(request: Request) -> None:
    who = request.state.principal
    if not who.sees_everything:
        raise Forbidden(translate(
            request, "%(username)s may not make the map: it shows the figures of every hub "
            "and distribution point, for coordinators and admins", username=who.username))


everything = Depends(_sees_everything)  # admins and coordinators: the map


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ), needs(P.REPORT)],
                      include_in_schema=False)
    render = forms.renderer(templates)

    def page(request: Request, scope: Scope, *, form: str | None = None,
             values: dict[str, Any] | None = None, error: AidhubError | None = None,
             status: int = 200, made: str | None = None, empty: bool = False):
        offered = choices(ctx, scope)
        shown = {"donor": bool(offered["donors"]), "hub": bool(offered["hubs"]),
                 "map": offered["map"], "export": True}
        errors: dict[str, str] = {}
        problem = None
        if error is not None:
            field = getattr(error, "field", None) or ""
            if not shown.get(form or ""):  # a form the page does not offer this user
                problem = error_text(request, error)
            elif field in ("donor", "hub", "from", "to", "period", "language", "format",
                           "site", "owner"):
                errors[field] = error_detail(request, error)
            elif isinstance(error, NotFound) and form in ("donor", "hub"):
                errors[form] = error_text(request, error)
            else:
                problem = error_detail(request, error)
        stored = report_store.list_reports(ctx, scope=scope)
        return render(request, "reports.html", {
            **offered, "form": form, "values": values or {}, "errors": errors,
            "problem": problem, "reports": stored[:SHOWN], "more": len(stored) - SHOWN,
            "describe": describe, "made": made, "empty": empty,
            "export_names": report_store.EXPORTS, "export_formats": exports.FORMATS,
        }, status)

    def refused(request: Request, scope: Scope, form: str, data: dict[str, Any],
                exc: AidhubError):
        status = 404 if isinstance(exc, NotFound) else 400
        return page(request, scope, form=form, values=data, error=exc, status=status)

    @pages.get("/reports", response_class=HTMLResponse)
    def show(request: Request, scope: Seen, made: str | None = None, empty: str = ""):
        return page(request, scope, made=made, empty=empty == "1")

    async def generate(request: Request, who: Context, scope: Scope, form: str):
        data = await forms.posted(request)
        key = forms.key(data)
        made = None
        try:
            if form == "donor":
                start, end = _period(request, data, required=True)
                made = report_store.make_donor(
                    who, forms.text(data, "donor"), start, end,
                    language=forms.text(data, "language") or "en",
                    fmt=forms.text(data, "format") or "pdf", scope=scope)
            elif form == "hub":
                start = forms.date(data, "from")
                if start is None:
                    raise InvalidInput(translate(request, "Give the first day of the "
                                                          "period."), field="from")
                made = report_store.make_hub(
                    who, forms.text(data, "hub"), forms.text(data, "period") or "week", start,
                    language=forms.text(data, "language") or "en", scope=scope)
            else:
                start, end = _period(request, data, required=False)
                made = report_store.make_map(who, start, end,
                                             fmt=forms.text(data, "format") or "png", scope=scope)
            stored = report_store.store(who, made, key=key)
        except report_store.NotRecorded:
            assert made is not None
            return not_recorded(made)
        except AidhubError as exc:
            if isinstance(exc, Forbidden):
                raise
            return refused(request, scope, form, data, exc)
        query = {"made": stored.id, **({"empty": "1"} if made.empty else {})}
        return RedirectResponse(f"/reports?{urlencode(query)}#stored", status_code=303)

    @pages.post("/reports/donor", response_class=HTMLResponse)
    async def donor(request: Request, who: Who, scope: Seen):
        return await generate(request, who, scope, "donor")

    @pages.post("/reports/hub", response_class=HTMLResponse)
    async def hub(request: Request, who: Who, scope: Seen):
        return await generate(request, who, scope, "hub")

    @pages.post("/reports/map", response_class=HTMLResponse, dependencies=[everything])
    async def site_map(request: Request, who: Who, scope: Seen):
        return await generate(request, who, scope, "map")

    @pages.get("/reports/exports/{name}", response_class=HTMLResponse)
    def export(request: Request, scope: Seen, name: str):
        data = dict(request.query_params)
        try:
            start, end = _period(request, data, required=name == "iati")
            if name == "iati":
                found = report_store.iati_file(
                    ctx, forms.text(data, "site"), start, end,
                    organisation=forms.text(data, "owner") or None, scope=scope)
            else:
                found = report_store.export_file(
                    ctx, name, forms.text(data, "format") or "hxl",
                    site=forms.text(data, "site") or None, owner=forms.text(data, "owner") or None,
                    since=start, until=end, scope=scope)
        except AidhubError as exc:
            return refused(request, scope, "export", {**data, "name": name}, exc)
        return _download(found.content, found.filename, found.media_type)

    @pages.get("/reports/{report_id}")
    def download(scope: Seen, report_id: str):
        stored, content = report_store.get(ctx, report_id, scope=scope)
        return _download(content, stored.filename, stored.media_type)

    return pages
