"""Stored reports: every generated report file kept with its kind, parameters, when and by
whom it was generated, and the hash of its inputs (for a donor report, the SHA-256 of the
canonical JSON of its figures: see ``DonorReport.inputs_hash``). Storing a report
appends an audit record that holds the SHA-256 of the file, so a stored file that was
changed afterwards no longer matches the audit chain."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidhub.domain.audit import canonical_json
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.services.context import Context, utcnow
from aidhub.store.repositories.reports import ReportsRepository


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


def save(ctx: Context, *, kind: str, params: dict[str, Any], inputs_hash: str,
         filename: str, media_type: str, content: bytes) -> str:
    """Store a generated report; returns its id."""
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
    with ctx.uow(write=True) as uow:
        ReportsRepository(uow.conn).add_report(values)
        uow.audit.append(now, ctx.actor, "report.store", str(report_id), {
            "kind": kind, "params": params, "inputs_hash": inputs_hash,
            "filename": filename, "media_type": media_type, "size": len(content),
            "content_sha256": hashlib.sha256(content).hexdigest()})
        uow.audit.flush()
        uow.commit()
    return str(report_id)


def get(ctx: Context, report_id: str) -> tuple[StoredReport, bytes]:
    """A stored report and its file."""
    try:
        key = uuid.UUID(str(report_id).strip())
    except ValueError:
        raise NotFound(f"no report {report_id}; see `aidhub report list`") from None
    with ctx.uow() as uow:
        row = ReportsRepository(uow.conn).report(key)
    if row is None:
        raise NotFound(f"no report {report_id}; see `aidhub report list`")
    return _stored(row), bytes(row.content)


def list_reports(ctx: Context, kind: str | None = None) -> list[StoredReport]:
    """Stored reports (of one kind), newest first."""
    with ctx.uow() as uow:
        return [_stored(r) for r in ReportsRepository(uow.conn).reports(kind)]
