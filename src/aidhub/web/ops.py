"""Operations endpoints: liveness, readiness and Prometheus metrics.

- ``/healthz``: the process answers (the database is not asked).
- ``/readyz``: the database answers and its schema is this aidhub's; else 503 and why.
- ``/metrics``: Prometheus text. It needs an API token with the ``admin`` scope
  (``Authorization: Bearer ahk_...``) unless ``AIDHUB_METRICS_PUBLIC=1``. Request
  latency by route template, method and status (timed by :class:`Timing`, outside the
  sign-in middleware, so refused requests count too); the screening backlog (open and
  escalated hits); consignments waiting by stage; vehicles on the road; and the last
  ledger verification.

The ledger verification reads every posting and can take seconds on a big ledger, so a
scrape never waits for it: a scrape starts one in a background thread when the last is
older than ``AIDHUB_METRICS_VERIFY_MINUTES`` (15 by default; 0 turns it off) and reports
the last one finished.
"""

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from starlette.routing import Match

from aidhub import __version__
from aidhub.domain.access import Permission
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.domain.screening import HitState
from aidhub.domain.waybills import ON_THE_ROAD
from aidhub.services import accounts, consignments, verify
from aidhub.services.context import Context
from aidhub.store import migrate

PUBLIC_ENV = "AIDHUB_METRICS_PUBLIC"
VERIFY_ENV = "AIDHUB_METRICS_VERIFY_MINUTES"
VERIFY_MINUTES = 15
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
log = logging.getLogger(__name__)


def install(app: FastAPI, ctx: Context) -> None:
    """Add the endpoints and the request timing to ``app`` (call it after the sign-in
    middleware is added, so that timing wraps it)."""
    disable_created_metrics()  # no *_created series: Prometheus does not need them
    ops = Ops(ctx)
    app.state.ops = ops
    app.include_router(router(ctx, ops))
    app.add_middleware(Timing, histogram=ops.latency)


class Ops:
    """One app's metrics registry, request histogram and ledger check."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.registry = CollectorRegistry()
        self.latency = Histogram("aidhub_http_request_duration_seconds",
                                 "Time to answer an HTTP request, by route template, "
                                 "method and status", ["route", "method", "status"],
                                 buckets=BUCKETS, registry=self.registry)
        self.ledger = LedgerCheck(ctx, _verify_minutes())
        self.registry.register(Figures(ctx, self.ledger))
        self.scraped = self.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # several worker processes (aidhub serve --workers): the latency histogram is
            # kept in files the workers share, and a scrape adds them all up
            self.scraped = CollectorRegistry()
            multiprocess.MultiProcessCollector(self.scraped)
            self.scraped.register(Figures(ctx, self.ledger))
        self._head: str | None = None

    def not_ready(self) -> str | None:
        """Why the app cannot serve requests now, or None."""
        try:
            with self.ctx.engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
        except Exception as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return f"the database does not answer: {reason[0] if reason else type(exc)}"
        if self._head is None:
            self._head = migrate.head_revision(self.ctx.engine)
        if current != self._head:
            return (f"the database schema is {current or 'empty'} and this aidhub needs "
                    f"{self._head}: run `aidhub db upgrade` (aidhub serve upgrades on start)")
        return None


def router(ctx: Context, ops: Ops | None = None) -> APIRouter:
    ops = ops or Ops(ctx)
    api = APIRouter(include_in_schema=False)

    @api.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @api.get("/readyz")
    def readyz():
        problem = ops.not_ready()
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem},
                                status_code=503)
        return {"status": "ok"}

    @api.get("/metrics")
    def metrics(request: Request):
        if os.environ.get(PUBLIC_ENV) != "1":
            refused = _refused(ctx, request)
            if refused is not None:
                return refused
        ops.ledger.refresh()
        return Response(generate_latest(ops.scraped), media_type=CONTENT_TYPE_LATEST)

    return api


def _refused(ctx: Context, request: Request) -> Response | None:
    """None when the request carries an API token with the admin scope."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return _text(401, "give an API token with the admin scope (Authorization: Bearer "
                          f"ahk_...), or set {PUBLIC_ENV}=1 to serve metrics to anyone")
    try:
        who = accounts.token(ctx, header[7:].strip())
    except accounts.NotSignedIn as exc:
        return _text(401, str(exc))
    except AidhubError as exc:  # the database cannot be asked
        return _text(503, str(exc))
    if not who.can(Permission.ADMIN):
        return _text(403, f"the token of {who.username} has no admin scope: metrics need "
                          "one (aidhub tokens new USER --scope admin)")
    return None


def _text(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def _verify_minutes() -> float | None:
    raw = os.environ.get(VERIFY_ENV, "").strip() or str(VERIFY_MINUTES)
    try:
        minutes = float(raw)
    except ValueError:
        raise InvalidInput("%(variable)s is '%(value)s': give minutes between ledger "
                           "verifications (0 turns them off)", variable=VERIFY_ENV,
                           value=raw) from None
    return minutes if minutes > 0 else None


# the ledger check ----------------------------------------------------------------------
@dataclass(frozen=True)
class Verified:
    ok: bool
    differences: int
    movements: int
    finished: float  # Unix time
    seconds: float


class LedgerCheck:
    """The last ``verify_ledger`` result, refreshed in a background thread, at most every
    ``minutes`` (None: never)."""

    def __init__(self, ctx: Context, minutes: float | None):
        self.ctx = ctx
        self.every = minutes * 60 if minutes else None
        self.last: Verified | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def refresh(self) -> None:
        """Start a verification if the last one is older than the interval."""
        if self.every is None:
            return
        with self._lock:
            if self.running or (self.last and time.time() - self.last.finished < self.every):
                return
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="aidhub-ledger-verify")
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running verification; whether none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            report = verify.verify_ledger(self.ctx)
            ok, differences, movements = report.ok, len(report.differences), report.movements
        except Exception:
            log.exception("the ledger verification for /metrics failed")
            ok, differences, movements = False, 0, 0
        self.last = Verified(ok, differences, movements, time.time(),
                             time.perf_counter() - start)


# the figures ---------------------------------------------------------------------------
class Figures:
    """A Prometheus collector reading the open work from the database at each scrape
    (bounded sets: open hits, consignments not yet received, vehicles on the road)."""

    def __init__(self, ctx: Context, ledger: LedgerCheck):
        self.ctx = ctx
        self.ledger = ledger

    def collect(self):
        info = GaugeMetricFamily("aidhub_info", "aidhub's version", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        up = GaugeMetricFamily("aidhub_database_up",
                               "1 if the database answered this scrape's queries")
        try:
            backlog, waiting, road = self._read()
        except Exception as exc:
            log.warning("metrics: the database did not answer: %s", exc)
            up.add_metric([], 0)
            yield up
        else:
            up.add_metric([], 1)
            yield up
            yield GaugeMetricFamily("aidhub_screening_backlog",
                                    "Screening hits waiting for a decision (open and "
                                    "escalated)", value=backlog)
            stages = GaugeMetricFamily("aidhub_consignments_waiting",
                                       "Consignments not yet received, by stage",
                                       labels=["stage"])
            for stage, count in waiting.items():
                stages.add_metric([stage], count)
            yield stages
            yield GaugeMetricFamily("aidhub_vehicles_on_the_road",
                                    "Waybills dispatched and not yet delivered", value=road)
        yield from self._ledger()

    def _read(self) -> tuple[int, dict[str, int], int]:
        with self.ctx.uow() as uow:
            backlog = sum(len(uow.screening.hits(state=s.value))
                          for s in (HitState.OPEN, HitState.ESCALATED))
            waiting = {stage.replace(" ", "_"): n
                       for stage, n in consignments.count_by_stage(uow).items()
                       if stage != "received"}
            road, _ = uow.outbound.road_counts([s.value for s in ON_THE_ROAD],
                                               dt.datetime.now(dt.UTC))
        return backlog, waiting, road

    def _ledger(self):
        check = self.ledger
        yield GaugeMetricFamily("aidhub_ledger_verify_running",
                                "1 while a ledger verification runs",
                                value=int(check.running))
        last = check.last
        if last is None:
            return
        yield GaugeMetricFamily("aidhub_ledger_verify_ok",
                                "1 if the last ledger verification found no difference",
                                value=int(last.ok))
        yield GaugeMetricFamily("aidhub_ledger_verify_differences",
                                "Differences the last ledger verification found",
                                value=last.differences)
        yield GaugeMetricFamily("aidhub_ledger_verify_timestamp_seconds",
                                "When the last ledger verification finished (Unix time)",
                                value=last.finished)
        yield GaugeMetricFamily("aidhub_ledger_verify_duration_seconds",
                                "How long the last ledger verification took",
                                value=last.seconds)
        yield GaugeMetricFamily("aidhub_ledger_movements",
                                "Movements in the ledger at the last verification",
                                value=last.movements)


# request timing ------------------------------------------------------------------------
class Timing:
    """ASGI middleware observing each HTTP request's duration by route template (not the
    raw path, so that numbers in paths do not make new series), method and status."""

    def __init__(self, app, histogram: Histogram):
        self.app = app
        self.histogram = histogram
        self._routes: list | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, asked = time.perf_counter(), dict(scope)  # routing changes the scope
        status = 500  # unless the app answers

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or self._template(asked)
            self.histogram.labels(route, scope["method"], str(status)).observe(
                time.perf_counter() - start)

    def _template(self, scope) -> str:
        """The path template of the route a request was for, when it was answered
        without reaching it (refused by the sign-in middleware, or a mount)."""
        if self._routes is None:
            self._routes = list(_flat(getattr(scope.get("app"), "routes", ())))
        partial = None
        for route in self._routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route.path
            if match is Match.PARTIAL and partial is None:
                partial = route.path
        return partial or "unmatched"


def _flat(routes):
    """Routes with a path, looking into included routers (FastAPI keeps them nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        elif getattr(route, "path", None):
            yield route
