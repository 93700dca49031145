"""Two guards every request passes, as plain ASGI middleware (issue #9):

- :class:`BodyLimit`: a request body larger than the limit is refused with 413 and a
  problem document, before the application reads it whole. A declared ``Content-Length``
  over the limit is refused at once; a body sent without one (chunked) is counted as it
  arrives and refused when it passes the limit. Answers are not touched, so streamed
  downloads (PDFs, exports) are as before. The limit is ``AIDHUB_MAX_REQUEST_MB``
  megabytes (default 20: a proof-of-delivery photo of 8 MB is a third larger in base64).
- :class:`DatabaseUnavailable`: when the database cannot be reached (the server is
  restarting, the network is down, SQLite is locked for too long), the request is
  answered 503 with ``Retry-After`` and a problem document instead of a 500, wherever the
  error was raised (the sign-in middleware asks the database before any route runs).
  Nothing half-done is left behind: the command's transaction was rolled back with the
  connection, and retrying with the same idempotency key does it once.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aidhub.api import problems
from aidhub.domain.errors import StorageError
from aidhub.web import i18n

ENV = "AIDHUB_MAX_REQUEST_MB"
DEFAULT_MB = 20
RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


def max_body_bytes() -> int:
    """The request body limit in bytes, from ``AIDHUB_MAX_REQUEST_MB`` (default 20)."""
    raw = os.environ.get(ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MB
    except ValueError:
        log.warning("%s=%r is not a number of megabytes; using %s", ENV, raw, DEFAULT_MB)
        mb = DEFAULT_MB
    return max(1, int(mb * 1024 * 1024))


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (worth retrying later),
    not that the request was wrong."""
    if isinstance(exc, StorageError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _problem_bytes(path: str, status: int, kind: str, title: str, detail: str
                   ) -> bytes:
    return json.dumps({"type": problems.BASE + kind, "title": title, "status": status,
                       "detail": detail, "instance": path}).encode()


async def _answer(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]
                  ) -> None:
    headers = [(b"content-type", problems.MEDIA_TYPE.encode()),
               (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int | None = None):
        self.app = app
        self.max_bytes = max_bytes if max_bytes is not None else max_body_bytes()

    def _detail(self) -> str:
        mb = self.max_bytes / (1024 * 1024)
        return (f"the request is larger than this server accepts ({mb:,.0f} MB); send a "
                "smaller file (a photo at a lower resolution, a packing list split in two)")

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = _problem_bytes(scope.get("path", ""), 413, "too-large",
                              "Request too large", self._detail())
        await _answer(send, 413, body, [(b"connection", b"close")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False  # the server refuses a malformed length itself
            if too_big:
                await self._refuse(scope, send)
                return
        seen = 0
        over = False  # the body passed the limit: whatever the app answers becomes 413
        answered = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not answered:
                    over = True  # the app sees the client gone and stops reading
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal answered
            if over:
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await self._refuse(scope, send)
                return  # the app's own answer to a body it never got whole is dropped
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not over or answered:
                raise
        if over and not answered:
            await self._refuse(scope, send)


class DatabaseUnavailable:
    """Answer 503 with ``Retry-After`` when the database cannot be reached (see the module
    docstring); a page request gets ``error.html`` from ``templates`` (when given), the
    API a problem document."""

    def __init__(self, app: ASGIApp, templates: Any = None):
        self.app = app
        self.templates = templates

    def _page(self, scope: Scope) -> Response:
        request = Request(scope)
        request.state.principal = None
        message = i18n.translate(request, "The database is not answering just now (it may "
                                 "be restarting). Nothing is lost: try again in a few "
                                 "seconds.")
        return self.templates.TemplateResponse(
            request, "error.html", {"message": message}, status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_S)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            found = _unavailable_in(exc)
            if started or found is None:
                raise
            log.warning("database unavailable for %s %s: %s", scope.get("method"),
                        scope.get("path"), reason(found))
            path = scope.get("path", "")
            if self.templates is not None and not path.startswith("/api/"):
                await self._page(scope)(scope, receive, send)
                return
            body = _problem_bytes(path, 503, "database-unavailable",
                                  "Database unavailable", unavailable_detail())
            await _answer(send, 503, body,
                          [(b"retry-after", str(RETRY_AFTER_S).encode())])


def unavailable_detail() -> str:
    return (f"the database is not answering just now (it may be restarting). Try again in "
            f"{RETRY_AFTER_S} seconds; send a change again with the same Idempotency-Key "
            "and it is made once")


def _unavailable_in(exc: BaseException) -> BaseException | None:
    if is_unavailable(exc):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _unavailable_in(inner)
            if found is not None:
                return found
    return None


def reason(exc: BaseException) -> str:
    """The first line of what the database driver said."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
