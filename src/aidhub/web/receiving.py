"""Pages for receiving: importing a packing list as a pre-advice (upload, column mapping,
preview, import), the consignment's forms (state, arrival, counting goods in), the GRN
with its discrepancies and triage, and putting pallets away by scanning their labels.

Forms are protected by the double-submit CSRF token; whoever is signed in is recorded as
the one who acted, and needs the permission each form names. A refused form comes back
with the message next to the field (or the line) and what was typed kept.
"""

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from aidhub.domain.access import ORGANISATION_ROLES
from aidhub.domain.access import Permission as P
from aidhub.domain.catalog import SumaCategory
from aidhub.domain.consignments import RECEIVABLE, TRANSITIONS, ClearanceState, SealCheck, State
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound, StorageError
from aidhub.domain.receiving import Disposition
from aidhub.interop.packing_list import PACKING_LIST_COLUMNS, parse_packing_list
from aidhub.interop.problems import Problem, RejectedFile
from aidhub.interop.tables import guess_mapping
from aidhub.services import channels, consignments, grns, preadvice, receiving, reference
from aidhub.services.consignments import PreAdvice
from aidhub.services.context import Context
from aidhub.services.receiving import CountLine
from aidhub.web import forms
from aidhub.web.auth import Seen, Who, needs, seen, staff
from aidhub.web.forms import Values, translate
from aidhub.web.i18n import choice, error_detail, error_text

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a packing list larger than this is refused
ALLOWED_SUFFIXES = (".csv", ".xlsx")
UPLOAD_DIR = Path(tempfile.gettempdir()) / (  # one per system user: not shared
    f"aidhub-uploads-{os.getuid()}" if hasattr(os, "getuid") else "aidhub-uploads")
UPLOAD_KEEP_SECONDS = 24 * 3600  # an uploaded file waits this long for its import
PREVIEW_ROWS = 200  # lines shown in the preview (problems and unsure matches first)
HEADER_FIELDS = ("hub", "consignor", "consignee", "donor", "channel", "point_of_entry",
                 "eta", "document_type", "document_number", "vehicle", "driver", "seals")
# states the consignment page offers to move to by hand; arrival and the GRN have forms
MANUAL_STATES = frozenset(State) - {State.ARRIVED, State.PARTIALLY_RECEIVED, State.RECEIVED}
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _field_errors(request: Request, exc: AidhubError) -> tuple[dict[str, str], str]:
    """({field: message} for an error about one field, else the general message), in the
    request's language."""
    if isinstance(exc, InvalidInput) and exc.field and not isinstance(exc, RejectedFile):
        return {exc.field: error_detail(request, exc)}, ""
    return {}, error_text(request, exc)


def _shown(request: Request, problem: Problem | str) -> str:
    """A problem of a file in the request's language (one the service wrote as text stays
    as it is)."""
    return problem if isinstance(problem, str) else problem.translated(
        choice(request).gettext)


# uploads --------------------------------------------------------------------------------
class UploadRefused(InvalidInput):
    """The file sent is too big, of the wrong type, or missing."""


def check_upload(filename: str, data: bytes, request: Request | None = None) -> None:
    """Refuse a file that is not a CSV or XLSX packing list, or is too big (the message in
    the language of ``request``, English without one)."""
    name = (filename or "").strip().lower()
    if not name.endswith(ALLOWED_SUFFIXES):
        raise UploadRefused(translate(
            request, "'%(name)s' is not a packing list aidhub reads: send a .csv (CSV UTF-8) "
            "or .xlsx (Excel workbook) file", name=filename), field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(translate(
            request, "the file is %(size)s MB; packing lists up to %(most)s MB are accepted: "
            "split it, or remove pictures and other sheets",
            size=round(len(data) / 1048576, 1), most=MAX_UPLOAD_BYTES // 1048576),
            field="file")
    if not data:
        raise UploadRefused(translate(request, "the file is empty"), field="file")
    if name.endswith(".xlsx") and not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(translate(
            request, "the file is named .xlsx but is not an Excel workbook; save it as Excel "
            "Workbook (.xlsx) or CSV UTF-8"), field="file")


def _no_file(request: Request | None) -> UploadRefused:
    return UploadRefused(translate(request, "choose the packing list file (.csv or .xlsx)"),
                         field="file")


async def read_upload(sent: Any, request: Request | None = None) -> tuple[bytes, str]:
    """The content and name of a file field, read up to the size limit (one byte more, to
    tell a file that is too big)."""
    if sent is None or isinstance(sent, str) or not getattr(sent, "filename", ""):
        raise _no_file(request)
    data = await sent.read(MAX_UPLOAD_BYTES + 1)
    check_upload(sent.filename, data, request)
    return data, sent.filename


def _stash(data: bytes, request: Request | None = None) -> str:
    """Keep an uploaded file until it is imported (by its SHA-256); forget old ones."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        (UPLOAD_DIR / digest).write_bytes(data)
    except OSError as exc:
        raise StorageError(translate(
            request, "the server cannot keep the file until it is imported (%(folder)s: "
            "%(problem)s); tell the administrator", folder=UPLOAD_DIR,
            problem=exc.strerror)) from None
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for old in UPLOAD_DIR.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    return digest


def _unstash(digest: str, request: Request | None = None) -> bytes:
    if not _DIGEST.match(digest or ""):
        raise _no_file(request)
    try:
        return (UPLOAD_DIR / digest).read_bytes()
    except OSError:
        raise UploadRefused(translate(
            request, "the file sent earlier is no longer here; choose it again"),
            field="file") from None


def _mapping(data: dict[str, Any]) -> dict[str, int | None] | None:
    """The columns chosen in the form ({field: 0-based column, None: not in the file}),
    or None when none were chosen yet (the columns are then guessed)."""
    if not any(f"map_{f}" in data for f in PACKING_LIST_COLUMNS):
        return None
    chosen: dict[str, int | None] = {}
    for field in PACKING_LIST_COLUMNS:
        text = forms.text(data, f"map_{field}")
        chosen[field] = int(text) if text.isdigit() else None
    return chosen


def _in_row(request: Request, problem: Problem) -> str:
    """A problem shown on its row of the preview: the column, then what is wrong, in the
    request's language."""
    return (f"{problem.column}: " if problem.column else "") + problem.text(
        choice(request).gettext)


def _marked(problem: Problem | str, rows: list[str]) -> str | None:
    """The GRN form's line a problem of the counts is shown next to: the consignment's line
    it names, or the form row of the count it names; None for the rest."""
    if not isinstance(problem, Problem):
        return None
    if problem.line is not None:
        return str(problem.line)
    if problem.count is not None and 0 < problem.count <= len(rows):
        return rows[problem.count - 1]
    return None


def _row_of(problem: Problem | str) -> int | None:
    return problem.row if isinstance(problem, Problem) else None


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    render = forms.renderer(templates)

    def can(request: Request, permission: P) -> bool:
        return request.state.principal.can(permission)

    # importing a packing list -------------------------------------------------------------
    def import_page(request: Request, values: dict[str, Any], *, errors=None,
                    error: str = "", problems=(), data: bytes | None = None,
                    mapping: dict[str, int | None] | None = None, status: int = 200):
        sites = reference.list_sites(ctx)
        context: dict[str, Any] = {
            "values": values, "errors": errors or {}, "error": error,
            "hubs": [s for s in sites if s.kind.value in ("hub", "warehouse")],
            "entries": [s for s in sites if s.kind.value == "point_of_entry"],
            "orgs": reference.list_organisations(ctx),
            "channels": channels.list_channels(ctx), "max_mb": MAX_UPLOAD_BYTES // 1048576,
            "fields": list(PACKING_LIST_COLUMNS), "preview": None, "headers": [],
            "chosen": {}, "row_problems": {}, "problems": [], "shown": [], "seen": "",
        }
        general = [p for p in problems if _row_of(p) is None]
        by_row: dict[int, list[str]] = {}
        for p in problems:
            if _row_of(p) is not None:
                by_row.setdefault(p.row, []).append(_in_row(request, p))
        context["row_problems"] = by_row
        context["problems"] = [_shown(request, p) for p in general]
        if data is not None:
            try:
                guess = guess_mapping(data, PACKING_LIST_COLUMNS)
            except AidhubError as exc:
                context["errors"] = {**context["errors"], "file": error_text(request, exc)}
            else:
                context["headers"] = [(i, guess.label(i)) for i in range(len(guess.headers))
                                      if guess.headers[i].strip() or guess.tags[i].strip()]
                chosen = mapping if mapping is not None else guess.mapping()
                context["chosen"] = {f: chosen.get(f) for f in PACKING_LIST_COLUMNS}
                context["seen"] = json.dumps(context["chosen"], sort_keys=True)
                context["unsure"] = {f for f, c in guess.fields.items()
                                     if c is not None and c.how == "guessed"}
                try:
                    shown = preadvice.preview(ctx, data, mapping=mapping)
                except RejectedFile as exc:
                    context["row_problems"] = {**by_row}
                    for p in exc.problems:
                        if _row_of(p) is not None:
                            context["row_problems"].setdefault(p.row, []).append(
                                _in_row(request, p))
                    context["parse_problems"] = [_shown(request, p) for p in exc.problems]
                except AidhubError as exc:
                    context["mapping_error"] = error_text(request, exc)
                else:
                    context["preview"] = shown
                    marked = set(context["row_problems"])
                    ordered = sorted(shown.lines, key=lambda ln: (
                        ln.row not in marked, ln.sure, ln.row))
                    context["shown"] = sorted(ordered[:PREVIEW_ROWS], key=lambda ln: ln.row)
                    context["sure"] = sum(1 for ln in shown.lines if ln.sure)
                    context["suggested"] = sum(1 for ln in shown.lines
                                               if not ln.sure and ln.item)
        return render(request, "preadvice_upload.html", context, status)

    @pages.get("/consignments/import", response_class=HTMLResponse, dependencies=[staff])
    def import_form(request: Request):
        return import_page(request, {"key": str(uuid.uuid4())})

    @pages.post("/consignments/import", response_class=HTMLResponse,
                dependencies=[needs(P.CONSIGNMENTS)])
    async def import_(request: Request, who: Who):
        data = await forms.posted(request)
        form = await request.form()  # the same, kept to close its files
        values = forms.kept(data)
        values.setdefault("key", str(uuid.uuid4()))
        sent = data.get("file")
        content: bytes | None = None
        try:
            if sent is not None and not isinstance(sent, str) and sent.filename:
                content, name = await read_upload(sent, request)
                digest = _stash(content, request)
                # another file: its columns are guessed again; the same one keeps the choice
                mapping = _mapping(data) if digest == forms.text(data, "upload") else None
                values.update(upload=digest, filename=name)
                fresh = True
            else:
                content = _unstash(forms.text(data, "upload"), request)
                mapping = _mapping(data)
                fresh = False
        except UploadRefused as exc:
            earlier = None  # a file refused in place of one sent before: keep that one
            with contextlib.suppress(UploadRefused):
                earlier = (_unstash(forms.text(data, "upload"), request)
                           if forms.text(data, "upload") else None)
            if earlier is None:
                values.pop("upload", None)
                values.pop("filename", None)
            return await run_in_threadpool(
                import_page, request, values, errors={"file": error_detail(request, exc)},
                data=earlier,
                mapping=_mapping(data) if earlier is not None else None, status=400)
        finally:
            await form.close()
        seen_now = json.dumps(mapping, sort_keys=True) if mapping is not None else ""
        if forms.text(data, "action") != "import" or fresh or (
                mapping is not None and seen_now != forms.text(data, "seen")):
            note = "" if forms.text(data, "action") != "import" else translate(
                request, "The file or its columns changed: check the preview, then import.")
            return await run_in_threadpool(import_page, request, values, error=note,
                                           data=content, mapping=mapping)
        header = PreAdvice(
            forms.text(data, "hub"), forms.text(data, "consignor"),
            forms.text(data, "consignee"), [],
            forms.text(data, "donor") or None, forms.text(data, "channel") or None,
            forms.text(data, "point_of_entry") or None, forms.text(data, "eta") or None,
            forms.text(data, "document_type") or None, forms.text(data, "document_number"),
            forms.text(data, "vehicle"), forms.text(data, "driver"), forms.text(data, "seals"))
        try:  # reading and matching a large file takes a while: not on the event loop
            result = await run_in_threadpool(
                preadvice.import_file, who, content, header, key=forms.key(data),
                mapping=mapping, create_missing=bool(data.get("create_missing")),
                force=bool(data.get("force")))
        except RejectedFile as exc:
            problems = _import_problems(content, mapping, exc)
            message = translate(
                request, "Nothing was registered: fix the problems shown and import again.")
            return await run_in_threadpool(
                import_page, request, values, error=message, problems=problems, data=content,
                mapping=mapping, status=400)
        except AidhubError as exc:
            errors, message = _field_errors(request, exc)
            if errors and not set(errors) <= {*HEADER_FIELDS, "file"}:
                errors, message = {}, error_text(request, exc)
            return await run_in_threadpool(
                import_page, request, values, errors=errors, error=message, data=content,
                mapping=mapping, status=400)
        return RedirectResponse(f"/consignments/{result['number']}", status_code=303)

    def _import_problems(content: bytes, mapping, exc: RejectedFile) -> list[Problem | str]:
        """The problems of a refused import, each on its file row where one is named
        (register_preadvice names lines by their place: line 3 is the third line)."""
        rows: list[int] = []
        with contextlib.suppress(AidhubError):
            rows = [ln.row for ln in parse_packing_list(content, mapping).lines]
        return [replace(p, row=rows[p.line - 1], line=None)
                if isinstance(p, Problem) and p.line and p.line <= len(rows) else p
                for p in exc.problems]

    # the consignment's forms ---------------------------------------------------------------
    def consignment_page(request: Request, number: str, scope, *, values=None, errors=None,
                         error: str = "", form: str = "", line_errors=None,
                         status: int = 200):
        v = consignments.view(ctx, number, scope)
        c = v.consignment
        principal = request.state.principal
        is_staff = _is_staff(principal)
        return render(request, "consignment.html", {
            "v": v, "values": values or {}, "errors": errors or {}, "error": error,
            "form": form, "line_errors": line_errors or {},
            "next_states": [s for s in State if s in TRANSITIONS[c.state]
                            and s in MANUAL_STATES],
            "may_consign": is_staff and can(request, P.CONSIGNMENTS),
            "may_receive": is_staff and can(request, P.RECEIVE),
            "arrival_open": c.state in (State.PRE_ADVISED, State.IN_TRANSIT, State.ARRIVED),
            "receivable": c.state in RECEIVABLE,
            "to_count": [(ln, item) for ln, item in v.lines if not ln.closed],
            "clearances": [s.value for s in ClearanceState],
            "seal_checks": [s.value for s in SealCheck],
            "received_by": principal.name,
        }, status)

    @pages.get("/consignments/{number}", response_class=HTMLResponse)
    def show(request: Request, number: str, scope: Seen):
        return consignment_page(request, number, scope)

    def back(number: str, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"/consignments/{number.strip().upper()}{anchor}",
                                status_code=303)

    async def consignment_form(request: Request, number: str, scope, form: str,
                               failed: str, act: Callable[[Values], Any]):
        """A form of the consignment's page: ``act(data)`` on a consignment the user sees,
        then back to its page; refused, the page again with ``failed`` (or the message next
        to the field) and what was typed kept."""
        def done(data: Values):
            consignments.view(ctx, number, scope)  # another organisation's: 404
            act(data)
            return back(number)

        def refused(data: Values, exc: AidhubError, errors: dict[str, str], message: str):
            return consignment_page(request, number, scope, values=forms.kept(data),
                                    errors=errors, error=message or failed, form=form,
                                    status=_status(exc))

        return await _submit(request, done, refused)

    @pages.post("/consignments/{number}/state", response_class=HTMLResponse,
                dependencies=[needs(P.CONSIGNMENTS)])
    async def change_state(request: Request, who: Who, number: str, scope: Seen):
        def act(data: Values):
            target = forms.text(data, "state")
            if not target:
                raise InvalidInput(translate(request, "choose the state to move to"),
                                   field="state")
            consignments.change_state(who, number, target, key=forms.key(data),
                                      reason=forms.text(data, "reason"))

        return await consignment_form(request, number, scope, "state", translate(
            request, "The state was not changed."), act)

    @pages.post("/consignments/{number}/arrival", response_class=HTMLResponse,
                dependencies=[needs(P.CONSIGNMENTS)])
    async def arrival(request: Request, who: Who, number: str, scope: Seen):
        def act(data: Values):
            consignments.record_arrival(
                who, number, key=forms.key(data), at=forms.when(data, "at"),
                documents_checked=forms.text(data, "documents").split(","),
                clearance=forms.text(data, "clearance") or None,
                seal_check=forms.text(data, "seal_check") or None,
                seals_found=forms.text(data, "seals_found"),
                protest_letter=forms.text(data, "protest_letter"),
                survey_report=forms.text(data, "survey_report"))

        return await consignment_form(request, number, scope, "arrival", translate(
            request, "The arrival was not recorded."), act)

    @pages.post("/consignments/{number}/receive", response_class=HTMLResponse,
                dependencies=[needs(P.RECEIVE)])
    async def receive(request: Request, who: Who, number: str, scope: Seen):
        data = await forms.posted(request)
        rows: list[str] = []  # the form row of each count, to put problems next to it
        try:
            v = consignments.view(ctx, number, scope)
            counts, rows, problems = _counts(v, data)
            if problems:
                raise _Rows(problems)
            if not counts:
                raise InvalidInput(translate(
                    request, "nothing counted: give the good (or damaged) quantity of each "
                    "line that arrived"), field="lines")
            result = receiving.receive(who, number, counts, key=forms.key(data),
                                       received_by=forms.text(data, "received_by"),
                                       delivered_by=forms.text(data, "delivered_by"),
                                       notes=forms.text(data, "notes"))
        except _Rows as exc:
            return consignment_page(request, number, scope, values=forms.kept(data),
                                    error=translate(
                                        request, "No GRN issued: fix the lines marked below."),
                                    form="receive",
                                    line_errors=exc.rows, status=400)
        except AidhubError as exc:
            line_errors: dict[str, list[str]] = {}
            general: list[str] = []
            for p in getattr(exc, "problems", ()) or ():
                marked = _marked(p, rows)
                if marked is None:
                    general.append(_shown(request, p))
                else:
                    line_errors.setdefault(marked, []).append(
                        p.text(choice(request).gettext))
            errors, message = _field_errors(request, exc)
            if line_errors:
                message = translate(request, "No GRN issued: fix the lines marked below.")
                if general:
                    message += "\n" + "\n".join(general)
            return consignment_page(request, number, scope, values=forms.kept(data),
                                    errors=errors, error=message or translate(
                                        request, "No GRN issued."), form="receive",
                                    line_errors=line_errors, status=_status(exc))
        return RedirectResponse(f"/grns/{result['grn']}", status_code=303)

    # the GRN ---------------------------------------------------------------------------------
    def grn_page(request: Request, number: str, *, values=None, errors=None, error: str = "",
                 line: int | None = None, status: int = 200):
        g = grns.view(ctx, number, seen(request))
        principal = request.state.principal
        is_staff = _is_staff(principal)
        return render(request, "grn.html", {
            "g": g, "values": values or {}, "errors": errors or {}, "error": error,
            "error_line": line, "may_receive": is_staff and can(request, P.RECEIVE),
            "staff": is_staff, "categories": [c.value for c in SumaCategory],
            "dispositions": [d.value for d in Disposition],
            "in_recv": {u.line_no for u in g.units if u.put_away_at is None},
        }, status)

    @pages.get("/grns/{number}", response_class=HTMLResponse)
    def show_grn(request: Request, number: str):
        return grn_page(request, number)

    @pages.post("/grns/{number}/lines/{line_no}/triage", response_class=HTMLResponse,
                dependencies=[needs(P.RECEIVE)])
    async def triage(request: Request, who: Who, number: str, line_no: int):
        def act(data: Values):
            grns.view(ctx, number, seen(request))  # another organisation's: 404
            priority = forms.count(data, "priority")
            if priority is None:
                raise InvalidInput(translate(request, "choose the priority (1, 2 or 3)"),
                                   field="priority")
            receiving.triage(who, number, line_no, key=forms.key(data), priority=priority,
                             category=forms.text(data, "category") or None,
                             disposition=forms.text(data, "disposition") or None,
                             reason=forms.text(data, "reason"))
            return RedirectResponse(f"/grns/{number.strip().upper()}#line-{line_no}",
                                    status_code=303)

        def refused(data: Values, exc: AidhubError, errors: dict[str, str], message: str):
            return grn_page(request, number, values=forms.kept(data), errors=errors,
                            error=message or translate(
                                request, "Line %(line)s not triaged.", line=line_no),
                            line=line_no, status=_status(exc))

        return await _submit(request, act, refused)

    # putaway ---------------------------------------------------------------------------------
    def putaway_page(request: Request, scan: str = "", *, values=None, errors=None,
                     error: str = "", done: str = "", status: int = 200):
        unit, places, waiting = None, [], []
        errors = dict(errors or {})
        if scan.strip():
            try:
                unit = receiving.find_unit(ctx, scan)
            except AidhubError as exc:
                errors.setdefault("scan", error_text(request, exc))
            else:
                places = [loc for _, loc in reference.list_locations(ctx, unit.site)
                          if loc.physical and loc.code not in ("RECV", "QUARANTINE")
                          and loc.kind.value != "vehicle"]
                waiting = [u for u in grns.view(ctx, unit.grn).units
                           if u.location == "RECV" and u.sscc != unit.sscc]
        return render(request, "putaway.html", {
            "scan": scan.strip(), "unit": unit, "places": places, "waiting": waiting,
            "values": values or {},
            "errors": errors, "error": error, "done": done,
            "may_receive": can(request, P.RECEIVE),
        }, status)

    @pages.get("/putaway", response_class=HTMLResponse, dependencies=[staff])
    def putaway(request: Request, scan: str = "", done: str = ""):
        return putaway_page(request, scan, done=done)

    @pages.post("/putaway", response_class=HTMLResponse, dependencies=[needs(P.RECEIVE)])
    async def put_away(request: Request, who: Who):
        def act(data: Values):
            scan, location = forms.text(data, "scan"), forms.text(data, "location")
            if not scan:
                raise InvalidInput(translate(request, "scan or type the pallet label (SSCC)"),
                                   field="scan")
            if not location:
                raise InvalidInput(translate(request, "choose or type the storage location"),
                                   field="location")
            result = receiving.put_away(who, scan, location, key=forms.key(data))
            query = urlencode({"scan": result["sscc"], "done": result["location"]})
            return RedirectResponse(f"/putaway?{query}", status_code=303)

        def refused(data: Values, exc: AidhubError, errors: dict[str, str], message: str):
            errors = {("location" if k == "to" else k): m for k, m in errors.items()}
            if errors and not set(errors) <= {"scan", "location"}:
                errors, message = {}, error_text(request, exc)
            return putaway_page(request, forms.text(data, "scan"), values=forms.kept(data),
                                errors=errors, error=message, status=_status(exc))

        return await _submit(request, act, refused)

    return pages


def _is_staff(principal) -> bool:
    """Hub staff, coordinators and admins (not partners or donors), as auth.staff."""
    return not (principal.roles() and principal.roles() <= ORGANISATION_ROLES)


class _Rows(AidhubError):
    """Problems of the receive form, by form row."""

    def __init__(self, rows: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in rows.values() for m in ms))
        self.rows = rows


def _status(exc: AidhubError) -> int:
    return 404 if isinstance(exc, NotFound) else 400


async def _submit(request: Request, act: Callable[[Values], Any],
                  refused: Callable[[Values, AidhubError, dict[str, str], str], Any]):
    """A posted form: its fields once the CSRF token is checked, ``act(data)`` answering
    the request; refused, ``refused(data, exc, errors, message)`` shows the form again
    with the message next to the field it is about (``errors``) or above the form."""
    data = await forms.posted(request)
    try:
        return act(data)
    except AidhubError as exc:
        errors, message = _field_errors(request, exc)
        return refused(data, exc, errors, message)


def _counts(v, data: dict[str, Any]) -> tuple[list[CountLine], list[str], dict[str, list[str]]]:
    """The counts typed in the receive form: one per announced line with a quantity, and
    one for goods that were not announced (row 'new'). Returns the counts, the form row of
    each, and the problems found in the form itself (not whole numbers...)."""
    counts: list[CountLine] = []
    rows: list[str] = []
    problems: dict[str, list[str]] = {}
    names = [str(ln.line_no) for ln, _ in v.lines if not ln.closed] + ["new"]
    for row in names:
        good, damaged = forms.text(data, f"good_{row}"), forms.text(data, f"damaged_{row}")
        if not (good or damaged):
            continue
        try:
            per = forms.count(data, f"per_{row}")
            priority = forms.count(data, f"priority_{row}")
            counts.append(CountLine(
                None if row == "new" else int(row), good or 0, damaged or 0,
                forms.text(data, f"batch_{row}") or None, forms.text(data, f"expiry_{row}") or None,
                over=bool(data.get(f"over_{row}")), close=bool(data.get(f"close_{row}")),
                item=forms.text(data, f"item_{row}") or None,
                owner=forms.text(data, f"owner_{row}") or None, per_unit=per, priority=priority))
            rows.append(row)
        except AidhubError as exc:
            request = forms.request_of(data)
            problems.setdefault(row, []).append(
                error_text(request, exc) if request is not None else str(exc))
    return counts, rows, problems
