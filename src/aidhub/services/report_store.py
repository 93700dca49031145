"""Stored reports: every generated report file kept with its kind, parameters, when and by
whom it was generated, and the hash of its inputs (for a donor report, the SHA-256 of the
canonical JSON of its figures: see ``DonorReport.inputs_hash``). Storing a report
appends an audit record that holds the SHA-256 of the file, so a stored file that was
changed afterwards no longer matches the audit chain.

The web pages and the API make reports through :func:`make_donor`, :func:`make_hub` and
:func:`make_map` and files through :func:`export_file` and :func:`iati_file`, with the
caller's :class:`~aidhub.domain.access.Scope`: admins and coordinators reach everything;
hub staff the hub reports of their hubs and exports of their hubs; partners and donors
the donor report of their own organisation and exports of their own goods. The map
(every site's figures) is for admins and coordinators. What the scope does not reach is
answered exactly as if it did not exist. A stored report is seen by whoever could make
it.

On a read-only database (a reporting replica) a report can still be made, but storing
it raises :class:`NotRecorded`, which says so, rather than a driver error.
"""

import datetime as dt
import hashlib
import io
import json
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aidhub.domain.access import Forbidden, Scope
from aidhub.domain.audit import canonical_json
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.interop.jsonable import jsonable
from aidhub.services import idempotency
from aidhub.services.context import Context, utcnow
from aidhub.store.repositories.reports import ReportsRepository

KINDS = ("donor", "hub", "map")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png", "svg": "image/svg+xml",
    "hxl": "text/csv; charset=utf-8", "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet", "xml": "application/xml",
}
LANGUAGES = ("en", "ar")
EXPORTS = ("stock", "movements", "deliveries", "3w", "iati")


class NotRecorded(AidhubError):
    """The report was made, but the database refused to store it: it is read-only."""


@dataclass(frozen=True)
class StoredReport:
    """A stored report without its content; ``size`` in bytes."""

    id: str
    kind: str
    params: dict[str, Any]
    generated_at: datetime
    generated_by: str
    inputs_hash: str
    filename: str
    media_type: str
    size: int


def _stored(r: Any) -> StoredReport:
    return StoredReport(str(r.id), r.kind, json.loads(r.params), r.generated_at,
                        r.generated_by, r.inputs_hash, r.filename, r.media_type,
                        int(r.size or 0))


def read_only(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database refusing to write: a
    PostgreSQL read-only transaction (SQLSTATE 25006, a hot standby or
    ``default_transaction_read_only``) or a read-only SQLite file."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        orig = getattr(found, "orig", None)
        for e in (found, orig):
            if e is None:
                continue
            if getattr(e, "sqlstate", None) == "25006" or getattr(e, "pgcode", None) == "25006":
                return True
            text = str(e).lower()
            if ("readonly database" in text or "read-only transaction" in text
                    or "read only transaction" in text):
                return True
        found = found.__cause__ or found.__context__
    return False


def _request(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "params": params}


def stored_for_key(ctx: Context, key: str, kind: str, params: dict[str, Any]) -> str | None:
    """The id of the report an earlier request with this idempotency key stored (the
    same request), or None: a retried form or API call makes nothing new."""
    key = idempotency.check_key(key)
    with ctx.uow() as uow:
        previous = idempotency.replay(uow, key, "report.store",
                                      idempotency.request_hash("report.store",
                                                               _request(kind, params)))
    return None if previous is None else str(previous["report"])


def save(ctx: Context, *, kind: str, params: dict[str, Any], inputs_hash: str,
         filename: str, media_type: str, content: bytes, key: str | None = None) -> str:
    """Store a generated report; returns its id. With an idempotency ``key`` used before
    for the same kind and parameters, returns the report stored then. On a read-only
    database: :class:`NotRecorded`."""
    if not content:
        raise InvalidInput("the report file is empty; generate it again", field="content")
    if len(inputs_hash) != 64:
        raise InvalidInput("give the SHA-256 of the report's inputs (64 hex digits)",
                           field="inputs_hash")
    report_id, now = new_id(), utcnow()
    values = {"id": report_id, "kind": kind[:20], "params": canonical_json(params),
              "generated_at": now, "generated_by": ctx.actor[:100],
              "inputs_hash": inputs_hash, "filename": filename[:200],
              "media_type": media_type[:100], "content": content}
    digest = idempotency.request_hash("report.store", _request(kind, params))
    try:
        with ctx.uow(write=True) as uow:
            if key is not None:
                key = idempotency.check_key(key)
                previous = idempotency.replay(uow, key, "report.store", digest)
                if previous is not None:
                    return str(previous["report"])
            ReportsRepository(uow.conn).add_report(values)
            if key is not None:
                uow.commands.add_many([{"key": key, "name": "report.store",
                                        "request_hash": digest,
                                        "result": {"report": str(report_id)}}],
                                      ctx.actor, now)
            uow.audit.append(now, ctx.actor, "report.store", str(report_id), {
                "kind": kind, "params": params, "inputs_hash": inputs_hash,
                "filename": filename, "media_type": media_type, "size": len(content),
                "content_sha256": hashlib.sha256(content).hexdigest()})
            uow.audit.flush()
            uow.commit()
    except Exception as exc:
        if read_only(exc):
            raise NotRecorded(
                "the %(kind)s report was made, but the database is read-only (a replica?), "
                "so it was not recorded among the stored reports; make it on the primary "
                "database to keep it with its generation time and inputs hash",
                kind=kind) from exc
        raise
    return str(report_id)


def _report_key(report_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(report_id).strip())
    except ValueError:
        raise NotFound("no report %(report)s; see `aidhub report list`",
                       report=report_id) from None


def get(ctx: Context, report_id: str, *, scope: Scope | None = None
        ) -> tuple[StoredReport, bytes]:
    """A stored report and its file (one the ``scope`` reaches: else as if none)."""
    stored = metadata(ctx, report_id, scope=scope)
    with ctx.uow() as uow:
        row = ReportsRepository(uow.conn).report(_report_key(stored.id))
    if row is None:  # pragma: no cover - removed in between: reports are never removed
        raise NotFound("no report %(report)s; see `aidhub report list`", report=report_id)
    return stored, bytes(row.content)


def metadata(ctx: Context, report_id: str, *, scope: Scope | None = None) -> StoredReport:
    """A stored report without its file (one the ``scope`` reaches: else as if none)."""
    key = _report_key(report_id)
    with ctx.uow() as uow:
        row = ReportsRepository(uow.conn).report(key, content=False)
        reach = _Reach(uow, scope)
        if row is None or not reach.sees(_stored(row)):
            raise NotFound("no report %(report)s; see `aidhub report list`",
                           report=report_id)
    return _stored(row)


def list_reports(ctx: Context, kind: str | None = None, *, scope: Scope | None = None
                 ) -> list[StoredReport]:
    """Stored reports (of one kind) that the ``scope`` reaches, newest first."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput("'%(kind)s' is not a kind of report; choose one of: %(kinds)s",
                           field="kind", kind=kind, kinds=", ".join(KINDS))
    with ctx.uow() as uow:
        found = [_stored(r) for r in ReportsRepository(uow.conn).reports(kind)]
        reach = _Reach(uow, scope)
        return [r for r in found if reach.sees(r)]


class _Reach:
    """The hub and organisation codes a scope reaches (None: everything)."""

    def __init__(self, uow: Any, scope: Scope | None):
        self.everything = scope is None or scope.everything
        self.hubs: set[str] = set()
        self.orgs: set[str] = set()
        if not self.everything:
            assert scope is not None
            self.hubs = {s.code for s in uow.reference.sites()
                         if s.id in (scope.hub_ids or ())}
            self.orgs = {o.code for o in (uow.reference.organisation_by_id(i)
                                          for i in scope.organisation_ids or ()) if o}

    def sees(self, report: StoredReport) -> bool:
        if self.everything:
            return True
        if report.kind == "donor":
            return report.params.get("donor") in self.orgs
        if report.kind == "hub":
            return report.params.get("hub") in self.hubs
        return False  # the map and anything else: admins and coordinators


# Making reports for the web and the API ---------------------------------------------------
@dataclass(frozen=True)
class Made:
    """A report file made, not yet stored. ``empty``: nothing happened in its period."""

    kind: str
    params: dict[str, Any]
    inputs_hash: str
    filename: str
    media_type: str
    content: bytes
    empty: bool = False


def check_language(language: str | None) -> str:
    lang = (language or "en").strip().lower()
    if lang not in LANGUAGES:
        raise InvalidInput("'%(language)s' is not a report language; choose en or ar",
                           field="language", language=language)
    return lang


def _choice(value: str | None, choices: tuple[str, ...], field: str, what: str) -> str:
    chosen = (value or "").strip().lower()
    if chosen not in choices:
        shown = {"value": value or "", "choices": " or ".join(choices)}
        if what == "a period":
            raise InvalidInput("'%(value)s' is not a period; choose %(choices)s",
                               field=field, **shown)
        if what == "a map format":
            raise InvalidInput("'%(value)s' is not a map format; choose %(choices)s",
                               field=field, **shown)
        raise InvalidInput("'%(value)s' is not a report format; choose %(choices)s",
                           field=field, **shown)
    return chosen


def _limited(scope: Scope | None) -> bool:
    return scope is not None and not scope.everything


def make_donor(ctx: Context, donor: str, start: dt.date | None, end: dt.date | None, *,
               language: str = "en", fmt: str = "pdf", scope: Scope | None = None) -> Made:
    """The donor report of ``donor`` (an organisation code) as PDF or XLSX. A donor
    outside the ``scope`` is answered as an unknown one."""
    from aidhub.services import donor_report

    lang = check_language(language)
    fmt = _choice(fmt, ("pdf", "xlsx"), "format", "a report format")
    code = (donor or "").strip().upper()
    if not code:
        raise InvalidInput("choose the donor: the organisation that owns the goods",
                           field="donor")
    if start is None or end is None:
        raise InvalidInput("give the first and the last day of the period",
                           field="from" if start is None else "to")
    organisation_id = None
    if _limited(scope):
        assert scope is not None
        with ctx.uow() as uow:
            org = uow.reference.organisation(code)
        if org is None or org.id not in (scope.organisation_ids or ()):
            raise NotFound("no donor %(donor)s: give the code of an organisation that owns "
                           "goods (see `aidhub orgs list`)", donor=code)
        organisation_id = org.id
    report = donor_report.build(ctx, code, start, end, organisation_id=organisation_id)
    if fmt == "pdf":
        from aidhub.documents.donor_report import render_pdf

        content = render_pdf(report, lang)
    else:
        from aidhub.documents.report_xlsx import render_xlsx

        content = render_xlsx(report, lang)
    params = {"donor": report.donor, "from": report.start.isoformat(),
              "to": report.end.isoformat(), "language": lang, "format": fmt}
    name = f"donor-report-{report.donor}-{report.start}-{report.end}-{lang}.{fmt}"
    return Made("donor", params, report.inputs_hash, name, MEDIA_TYPES[fmt], content,
                report.empty)


def make_hub(ctx: Context, hub: str, period: str, start: dt.date | None, *,
             language: str = "en", scope: Scope | None = None) -> Made:
    """The weekly or monthly hub report (PDF). A hub outside the ``scope`` is answered
    as an unknown one."""
    from aidhub.documents import hub_report as hub_document
    from aidhub.services import hub_report

    lang = check_language(language)
    length = _choice(period, hub_report.PERIODS, "period", "a period")
    code = (hub or "").strip().upper()
    if not code:
        raise InvalidInput("choose the hub", field="hub")
    if start is None:
        raise InvalidInput("give the first day of the period", field="from")
    if _limited(scope):
        assert scope is not None
        with ctx.uow() as uow:
            site = uow.reference.site(code)
        if site is None or site.id not in (scope.hub_ids or ()):
            raise NotFound("no hub with code '%(hub)s'; see `aidhub sites list`", hub=code)
    last = hub_report.period_end(start, length)
    report = hub_report.build(ctx, code, start, last)
    content = hub_document.render_pdf(report, lang)
    params = {"hub": report.hub, "period": length, "from": start.isoformat(),
              "to": last.isoformat(), "language": lang}
    name = f"hub-report-{report.hub}-{start}-{length}-{lang}.pdf"
    return Made("hub", params, report.inputs_hash, name, MEDIA_TYPES["pdf"], content,
                report.empty)


def make_map(ctx: Context, start: dt.date | None = None, end: dt.date | None = None, *,
             fmt: str = "png", scope: Scope | None = None) -> Made:
    """The map of every hub, point of entry and distribution point (PNG or SVG): for
    admins and coordinators, since it shows every organisation's figures."""
    from aidhub.documents import site_map as map_document
    from aidhub.services import site_map

    if _limited(scope):
        raise Forbidden("the map shows the figures of every hub and distribution point; "
                        "it is for coordinators and admins")
    fmt = _choice(fmt, map_document.FORMATS, "format", "a map format")
    figures = site_map.build(ctx, start=start, end=end)
    content = map_document.render(figures, fmt)
    digest = hashlib.sha256(canonical_json(jsonable(figures)).encode()).hexdigest()
    params = {"from": start.isoformat() if start else None,
              "to": end.isoformat() if end else None, "format": fmt}
    name = "site-map" + "".join(f"-{d}" for d in (start, end) if d) + f".{fmt}"
    return Made("map", {k: v for k, v in params.items() if v is not None}, digest, name,
                MEDIA_TYPES[fmt], content, not figures.sites)


def store(ctx: Context, made: Made, *, key: str | None = None) -> StoredReport:
    """Store a report made by :func:`make_donor`, :func:`make_hub` or :func:`make_map`."""
    report_id = save(ctx, kind=made.kind, params=made.params, inputs_hash=made.inputs_hash,
                     filename=made.filename, media_type=made.media_type,
                     content=made.content, key=key)
    return metadata(ctx, report_id)


# Export files for the web and the API -----------------------------------------------------
@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes
    rows: int


def _export_scope(ctx: Context, scope: Scope | None, site: str | None, owner: str | None
                  ) -> tuple[str | None, uuid.UUID | None]:
    """The site to read and the organisation whose goods alone may be read: hub staff
    read one of their hubs (theirs when they have one), partners and donors their own
    organisation's goods."""
    if not _limited(scope):
        return site, None
    assert scope is not None
    with ctx.uow() as uow:
        hubs = {s.code: s for s in uow.reference.sites() if s.id in (scope.hub_ids or ())}
        orgs = {o.code: o for o in (uow.reference.organisation_by_id(i)
                                    for i in scope.organisation_ids or ()) if o}
    chosen = (site or "").strip().upper()
    if hubs and (chosen in hubs or (not chosen and len(hubs) == 1 and not orgs)):
        return chosen or next(iter(hubs)), None
    if orgs:
        wanted = (owner or "").strip().upper()
        if wanted and wanted not in orgs:
            raise NotFound("no organisation %(organisation)s among yours; leave the owner "
                           "out or give %(organisations)s", organisation=wanted,
                           organisations=" or ".join(sorted(orgs)))
        if not wanted and len(orgs) > 1:
            raise InvalidInput("choose the owner: %(organisations)s", field="owner",
                               organisations=" or ".join(sorted(orgs)))
        return site, orgs[wanted or next(iter(orgs))].id
    if chosen and hubs:
        raise NotFound("no site %(site)s among your hubs; give one of %(hubs)s",
                       site=chosen, hubs=", ".join(sorted(hubs)))
    if chosen:
        raise NotFound("no site %(site)s among your hubs; give one of none", site=chosen)
    if hubs:
        raise InvalidInput("choose one of your hubs: %(hubs)s", field="site",
                           hubs=", ".join(sorted(hubs)))
    raise InvalidInput("choose one of your hubs: none", field="site")


def export_file(ctx: Context, name: str, fmt: str = "hxl", *, site: str | None = None,
                owner: str | None = None, since: dt.date | None = None,
                until: dt.date | None = None, scope: Scope | None = None) -> ExportFile:
    """Stock, movements, deliveries or the 3W table as HXL, CSV, XLSX or Parquet bytes,
    limited to what the ``scope`` reaches."""
    from aidhub.interop.hxl import write_csv
    from aidhub.services import exports

    what = (name or "").strip().lower()
    if what not in exports.EXPORTS:
        raise NotFound("no export '%(export)s'; choose one of: %(exports)s", export=name,
                       exports=", ".join(EXPORTS))
    fmt = exports.check_format(fmt or "hxl")
    site, organisation_id = _export_scope(ctx, scope, site, owner)
    table = exports.export(ctx, what, site=site or None,
                           owner=None if organisation_id else (owner or None),
                           since=since, until=until, organisation_id=organisation_id)
    if fmt in ("hxl", "csv"):
        text = io.StringIO()
        write_csv(table, text, hxl=fmt == "hxl")
        content = text.getvalue().encode("utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="aidhub-export-") as folder:
            path = Path(folder) / f"export{exports.SUFFIXES[fmt]}"
            exports.write(table, path, fmt)
            content = path.read_bytes()
    stamp = (until or utcnow().date()).isoformat()
    return ExportFile(f"aidhub-{what}-{stamp}{'-hxl' if fmt == 'hxl' else ''}"
                      f"{exports.SUFFIXES[fmt]}", MEDIA_TYPES[fmt], content, len(table.rows))


def iati_file(ctx: Context, hub: str, start: dt.date | None, end: dt.date | None, *,
              organisation: str | None = None, scope: Scope | None = None) -> ExportFile:
    """The hub's IATI 2.03 activity (XML). Hub staff: their hubs; partners and donors:
    only the goods their organisation owns, at any hub."""
    from aidhub.services import iati

    code = (hub or "").strip().upper()
    if not code:
        raise InvalidInput("choose the hub", field="site")
    if start is None or end is None:
        raise InvalidInput("give the first and the last day of the period",
                           field="from" if start is None else "to")
    _, organisation_id = _export_scope(ctx, scope, code, organisation)
    if organisation_id is not None:
        with ctx.uow() as uow:
            organisation = uow.reference.organisation_by_id(organisation_id).code
    result = iati.export_activity(ctx, hub=code, start=start, end=end,
                                  organisation=organisation or None)
    return ExportFile(f"iati-{code}-{start}-{end}.xml", MEDIA_TYPES["xml"], result.xml,
                      result.received + result.delivered)
