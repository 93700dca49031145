"""Errors of the JSON API as RFC 9457 problem details (``application/problem+json``).

Every error has ``type`` (a stable URI per kind of problem, documented in
docs/formats.md), ``title`` (the kind, for people), ``status``, ``detail`` (what went
wrong and what to do, as the user would read it in the CLI), and ``instance`` (the path).
Extension members say where: ``field`` and ``row`` for bad input, ``problems`` for a file
refused whole, and ``errors`` (location and message of each) for a malformed request body.
"""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from aidhub.domain.access import Forbidden
from aidhub.domain.errors import (
    AidhubError,
    AlreadyExists,
    IdempotencyConflict,
    InvalidInput,
    LedgerError,
    NotFound,
    StorageError,
)
from aidhub.domain.sync import SyncError
from aidhub.interop.problems import RejectedFile

BASE = "https://aidhub.org/problems/"
MEDIA_TYPE = "application/problem+json"
KINDS: tuple[tuple[type, int, str, str], ...] = (  # the first that matches wins
    (NotFound, 404, "not-found", "Not found"),
    (Forbidden, 403, "forbidden", "Not allowed for your role"),
    (AlreadyExists, 409, "already-exists", "Already exists"),
    (IdempotencyConflict, 409, "idempotency-conflict", "Idempotency key reused"),
    (LedgerError, 409, "ledger-rule", "Refused by the stock ledger"),
    (InvalidInput, 400, "invalid-input", "Invalid input"),
    (StorageError, 503, "database-unavailable", "Database unavailable"),
    (SyncError, 409, "sync-refused", "Batch refused"),
    (AidhubError, 400, "refused", "Refused"),
)


def problem(request: Request, status: int, kind: str, title: str, detail: str,
            **extra: Any) -> JSONResponse:
    body = {"type": BASE + kind, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **{k: v for k, v in extra.items() if v is not None}}
    headers = ({"WWW-Authenticate": "Bearer"} if status == 401
               else {"Retry-After": "5"} if status == 503 else None)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def from_error(request: Request, exc: AidhubError, status: int | None = None) -> JSONResponse:
    """The problem for a domain error (``status`` overrides the kind's, e.g. CSRF 403)."""
    for cls, code, kind, title in KINDS:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            if isinstance(exc, InvalidInput):
                extra = {"field": exc.field, "row": exc.row}
            if isinstance(exc, SyncError):
                extra["expected"] = exc.expected
            if isinstance(exc, RejectedFile):
                extra["problems"] = [str(p) for p in exc.problems]
            return problem(request, status or code, kind, title, str(exc), **extra)
    raise exc  # pragma: no cover - AidhubError is the last kind


def from_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A malformed body or parameter: every place named, in one answer."""
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
               "type": e.get("type", "")} for e in exc.errors()]
    where = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                      for e in errors[:5])
    detail = f"the request does not match the API: {where}"
    return problem(request, 422, "malformed-request", "Malformed request", detail,
                   errors=errors)
