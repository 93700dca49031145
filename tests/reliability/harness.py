"""Kill aidhub with SIGKILL at random points and check what it left (issue #9).

One :class:`Campaign` works on one database (SQLite file or PostgreSQL). It builds a small
hub once, then for every kill point:

1. prepares a fresh target for the operation (a packing list not seen before, a cleared
   consignment, a draft plan, an issued waybill), through the services like a user;
2. records the target's *effect components* (counts and states that the command changes,
   e.g. for a GRN: the command row, GRNs of the consignment, GRN lines, the receipt
   movement, pallets, the consignment's state, the timeline event, the audit record) and
   a digest of every table;
3. starts the worker (:mod:`tests.reliability.worker`) as a real process — a fork of this
   already-imported interpreter, or a fresh ``python -m tests.reliability.worker`` — waits
   a seeded random delay from its start (from 0 to the time such a run typically takes,
   learnt from complete runs) and sends SIGKILL; half of the runs pause a few ms before
   each statement of the write transaction, so that kills land inside it more often; on
   PostgreSQL it then waits until the server has ended the dead client's session, as a
   restarted aidhub would find it;
4. checks: ``verify_ledger`` and ``verify_audit`` pass; the effect is all or nothing (every
   component as before, and every table unchanged; or every component as after a complete
   run); what the process reported agrees (a COMMIT that returned has its effect, a kill
   before the write transaction began has none);
5. retries the same command with the same key in a fresh process, and again in this one:
   exactly one effect (the components the command changes once changed exactly once), the
   ledger and the chain still verify, the first retry returns the result the killed
   process got (when it got one), and the second retry changes nothing at all.

Where a kill landed is read from the worker's progress markers: *before* the write
transaction began, *inside* it, while the COMMIT was *in flight*, *after* the COMMIT
returned, or after the process had already *exited* (the kill came too late); and, as a
cross-check, whether the effect exists afterwards.
"""

import dataclasses
import hashlib
import json
import os
import random
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as sql_select

from aidhub.domain.errors import AidhubError
from aidhub.domain.loads import Vehicle
from aidhub.services import (
    channels,
    consignments,
    picking,
    planning,
    reference,
    release_orders,
    requests,
    verify,
    waybills,
)
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context, open_context
from aidhub.services.requests import LineInput
from aidhub.store import tables as t
from tests import helpers
from tests.reliability import worker

ROOT = Path(__file__).resolve().parents[2]
OPS = ("import", "receive", "approve", "dispatch")
LANDINGS = ("before", "inside", "in_flight", "after", "exited")
PAUSE_MS = 4.0  # per statement of the write transaction, in the kill points that pause
MARKED_PAUSE_MS = 20.0  # the same, in the kill points timed from BEGIN or COMMIT


@dataclass
class Target:
    """What one kill point runs: ``op`` on ``target`` with idempotency key ``key``.
    ``ids`` are what the effect queries need; ``once`` names the components that a
    complete command changes by exactly that much (the rest must simply change)."""

    op: str
    target: str
    key: str
    ids: dict[str, Any]
    once: dict[str, int]


@dataclass
class Outcome:
    """What happened at one kill point."""

    op: str
    mode: str
    delay_ms: float | None
    pause_ms: float
    at: str = "S"  # the marker the delay counted from
    landed: str = ""  # one of LANDINGS
    effect: str = ""  # "absent" or "present" right after the kill
    refused_retry: bool = False
    seconds: float = 0.0  # how long the first process ran
    markers: str = ""  # what it wrote
    retry_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class Run:
    """A process that ran (part of) a command: its exit, markers and reported result."""

    status: str  # "killed" | "exited"
    markers: str
    result: Any = None
    error: dict[str, str] | None = None
    seconds: float = 0.0


# effects -----------------------------------------------------------------------------
def _count(conn, table, *where) -> int:
    return conn.execute(sql_select(func.count()).select_from(table).where(*where)).scalar()


def _sum(conn, column, *where) -> int:
    return int(conn.execute(sql_select(func.coalesce(func.sum(column), 0)).where(*where))
               .scalar())


def _postings(conn, kind: str, reference: str) -> int:
    moves = sql_select(t.movements.c.id).where(t.movements.c.kind == kind,
                                               t.movements.c.reference == reference)
    return _count(conn, t.postings, t.postings.c.movement_id.in_(moves))


def _audit(conn, action: str) -> int:
    return _count(conn, t.audit_records, t.audit_records.c.action == action)


def effect(ctx: Context, target: Target) -> dict[str, int]:
    """The components of ``target``'s effect, as they are in the database now."""
    ids, key = target.ids, target.key
    with ctx.engine.connect() as conn:
        if target.op == "import":
            cons = sql_select(t.consignments.c.id).where(
                t.consignments.c.source_hash == ids["hash"]).scalar_subquery()
            return {
                "command": _count(conn, t.commands, t.commands.c.key == key),
                "consignments": _count(conn, t.consignments,
                                       t.consignments.c.source_hash == ids["hash"]),
                "lines": _count(conn, t.consignment_lines,
                                t.consignment_lines.c.consignment_id.in_(cons)),
                "registered": _count(conn, t.consignment_events,
                                     t.consignment_events.c.consignment_id.in_(cons),
                                     t.consignment_events.c.action == "registered"),
                "audit": _audit(conn, "consignment.register"),
            }
        if target.op == "receive":
            cid = ids["consignment_id"]
            grns = sql_select(t.grns.c.id).where(t.grns.c.consignment_id == cid)
            lines = sql_select(t.grn_lines.c.id).where(t.grn_lines.c.grn_id.in_(grns))
            return {
                "commands": _count(conn, t.commands, t.commands.c.key.in_([key, f"{key}:grn"])),
                "grns": _count(conn, t.grns, t.grns.c.consignment_id == cid),
                "grn_lines": _count(conn, t.grn_lines, t.grn_lines.c.grn_id.in_(grns)),
                "receipts": _count(conn, t.movements, t.movements.c.kind == "receipt",
                                   t.movements.c.reference == target.target),
                "postings": _postings(conn, "receipt", target.target),
                "pallets": _count(conn, t.handling_units,
                                  t.handling_units.c.grn_line_id.in_(lines)),
                "received": _count(conn, t.consignments, t.consignments.c.id == cid,
                                   t.consignments.c.state == "received"),
                "counted": _sum(conn, t.consignment_lines.c.received,
                                t.consignment_lines.c.consignment_id == cid),
                "timeline": _count(conn, t.consignment_events,
                                   t.consignment_events.c.consignment_id == cid,
                                   t.consignment_events.c.action == "GRN issued"),
                "audit": _audit(conn, "grn.issue"),
            }
        if target.op == "approve":
            pid = ids["plan_id"]
            orders = sql_select(t.release_orders.c.id).where(
                t.release_orders.c.plan_id == pid)
            lines = sql_select(t.release_order_lines.c.id).where(
                t.release_order_lines.c.release_order_id.in_(orders))
            return {
                "command": _count(conn, t.commands, t.commands.c.key == key),
                "approved": _count(conn, t.plans, t.plans.c.id == pid,
                                   t.plans.c.state == "approved"),
                "release_orders": _count(conn, t.release_orders,
                                         t.release_orders.c.plan_id == pid),
                "lines": _count(conn, t.release_order_lines,
                                t.release_order_lines.c.release_order_id.in_(orders)),
                "reserved": _sum(conn, t.reservations.c.quantity,
                                 t.reservations.c.release_order_line_id.in_(lines)),
                "allocated": _sum(conn, t.allocations.c.quantity,
                                  t.allocations.c.release_order_line_id.in_(lines)),
                "planned": _sum(conn, t.request_lines.c.planned,
                                t.request_lines.c.request_id == ids["request_id"]),
                "audit": _audit(conn, "plan.approve"),
            }
        if target.op == "dispatch":
            wid = ids["waybill_id"]
            return {
                "commands": _count(conn, t.commands,
                                   t.commands.c.key.in_([key, f"{key}:dispatch"])),
                "dispatched": _count(conn, t.waybills, t.waybills.c.id == wid,
                                     t.waybills.c.state == "dispatched",
                                     t.waybills.c.dispatch_movement_id.is_not(None)),
                "movements": _count(conn, t.movements, t.movements.c.kind == "dispatch",
                                    t.movements.c.reference == target.target),
                "postings": _postings(conn, "dispatch", target.target),
                "order_dispatched": _sum(conn, t.release_order_lines.c.dispatched,
                                         t.release_order_lines.c.release_order_id
                                         == ids["order_id"]),
                "departed": _count(conn, t.waybill_events, t.waybill_events.c.waybill_id == wid,
                                   t.waybill_events.c.event == "departed"),
                "audit": _audit(conn, "waybill.dispatch"),
            }
        if target.op in ("split", "duplicate"):
            return {"movements": _count(conn, t.movements,
                                        t.movements.c.reference == target.target)}
    raise ValueError(f"no effect defined for {target.op}")


def digest(ctx: Context) -> dict[str, str]:
    """A digest of every table's rows (order-independent), by table."""
    out = {}
    with ctx.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # the driver's rows: faster
        for table in t.metadata.sorted_tables:
            cursor.execute(f'SELECT * FROM "{table.name}"')
            rows = sorted(map(repr, cursor.fetchall()))
            out[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        cursor.close()
        conn.rollback()
    return out


def _differs(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(name for name in a if a[name] != b.get(name))


# starting and killing the worker ---------------------------------------------------------
HANG_S = 120.0  # a worker silent this long is killed and reported as hung


def _read_all(fd: int, pid: int) -> tuple[bytes, bool]:
    """Everything the worker writes until it is gone; (bytes, hung)."""
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], HANG_S)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return b"".join(chunks) + _read_all(fd, pid)[0], True
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _parse(raw: bytes) -> tuple[str, Any, dict[str, str] | None]:
    """Markers, result and error from what a worker wrote."""
    markers, result, error = "", None, None
    pos = 0
    while pos < len(raw):
        byte = raw[pos:pos + 1].decode()
        pos += 1
        if byte in "DE":
            end = raw.find(b"\n", pos)
            payload = raw[pos:end if end >= 0 else len(raw)]
            pos = len(raw) if end < 0 else end + 1
            try:
                value = json.loads(payload)
            except ValueError:  # killed halfway through writing it
                markers += byte.lower()
                continue
            if byte == "D":
                result = value
            else:
                error = value
        markers += byte
    return markers, result, error


@dataclass(frozen=True)
class Plan:
    """How one run is started and killed: ``mode`` 'fork' (a child of this interpreter,
    which has imported aidhub already: a few ms) or 'spawn' (``python -m
    tests.reliability.worker``, a new interpreter: about a second); SIGKILL ``delay_s``
    after the worker wrote the marker ``at`` (None: let it finish); the worker's pauses."""

    mode: str = "fork"
    delay_s: float | None = None
    at: str = "S"
    pause_ms: float = 0.0
    linger_ms: float = 0.0
    seed: int = 0


class Starter:
    """Starts the worker as a real process and kills it as a :class:`Plan` says."""

    def __init__(self, url: str):
        self.url = url
        self.n = 0

    def _start(self, plan: Plan, target: Target
               ) -> tuple[int, int, str, subprocess.Popen | None]:
        self.n += 1
        name = f"aidhub-kill-{os.getpid()}-{self.n}"
        if plan.mode == "fork":
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: run the command, never return into the caller
                code = 70
                try:
                    os.close(r)
                    code = worker.run(self.url, target.op, target.target, target.key, fd=w,
                                      pause_ms=plan.pause_ms, linger_ms=plan.linger_ms,
                                      seed=plan.seed, application_name=name)
                finally:
                    os._exit(code)
            os.close(w)
            return pid, r, name, None
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.worker", "--url", self.url,
             "--op", target.op, "--target", target.target, "--key", target.key,
             "--pause-ms", str(plan.pause_ms), "--linger-ms", str(plan.linger_ms),
             "--seed", str(plan.seed), "--application-name", name],
            cwd=ROOT, env=env, stdout=subprocess.PIPE)
        return proc.pid, proc.stdout.fileno(), name, proc

    def run(self, plan: Plan, target: Target) -> Run:
        """Start the worker, kill it as planned, and return once the process is gone (and,
        on PostgreSQL, once the server has ended its session)."""
        pid, fd, name, proc = self._start(plan, target)
        raw = b""
        started = None
        while True:  # read markers up to the one the kill waits for
            ready, _, _ = select.select([fd], [], [], HANG_S)
            byte = os.read(fd, 1) if ready else b""
            raw += byte
            if byte == b"S":
                started = time.perf_counter()
            if not byte or byte.decode(errors="replace") in (plan.at, "D", "E"):
                break
        hung = not ready
        if plan.delay_s is not None and raw.endswith(plan.at.encode()):
            time.sleep(plan.delay_s)
            os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still the child's
        elif hung:
            os.kill(pid, signal.SIGKILL)
        rest, hung_later = _read_all(fd, pid)
        raw += rest
        if proc is not None:
            proc.wait()
            proc.stdout.close()
            killed = proc.returncode == -signal.SIGKILL
        else:
            os.close(fd)
            _, status = os.waitpid(pid, 0)
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        seconds = time.perf_counter() - started if started else 0.0
        if self.url.startswith("postgresql"):
            _wait_session_gone(self.url, name)
        markers, result, error = _parse(raw)
        if not markers.startswith("S"):
            error = {"type": "WorkerDidNotStart", "message": repr(raw[:200])}
        elif hung or hung_later:
            error = {"type": "WorkerHung", "message": f"silent for {HANG_S:.0f} s after "
                     f"writing {markers!r}; killed"}
        return Run("killed" if killed else "exited", markers, result, error, seconds)


_PG_ENGINES: dict[str, Any] = {}


def _wait_session_gone(url: str, name: str, timeout: float = 60) -> None:
    """Wait until PostgreSQL has noticed the dead client and ended its session (rolling
    back what it had not committed), as a restarted aidhub would find it."""
    from aidhub.store import database

    engine = _PG_ENGINES.get(url)
    if engine is None:
        engine = _PG_ENGINES[url] = database.create(url, pool=False)
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                      "WHERE application_name = :n"), {"n": name}).scalar()
            conn.rollback()
            if not alive:
                return
            time.sleep(0.005)
    raise RuntimeError(f"PostgreSQL kept the session of killed worker {name} for {timeout} s")


# the hub and its targets ----------------------------------------------------------------
TRUCK = Vehicle("SY-KILL", D(20000), D(60))


def build_hub(ctx: Context) -> None:
    """The outbound test hub (tests/helpers.py), with a receiving area and a GS1 prefix."""
    helpers.make_outbound_hub(ctx)
    reference.add_location(ctx, key="kill-recv", site_code=worker.HUB, code="RECV",
                           kind="zone")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="kill-gs1")


def _id(ctx: Context, table, number: str):
    with ctx.engine.connect() as conn:
        return conn.execute(sql_select(table.c.id).where(table.c.number == number)).scalar_one()


def _draft_plan(ctx: Context, tag: str) -> tuple[str, str]:
    """Ten bags of rice received, a request for them approved, a plan solved (a draft)."""
    helpers.receive(ctx, "RICE", 10, key=f"prep-{tag}-stock", batch=f"P-{tag}",
                    expiry="2028-12-31")
    req = requests.create(ctx.as_actor("partner"), key=f"prep-{tag}-rq",
                          organisation_code="SARC", point="DP-A", submit=True,
                          lines=[LineInput(item="RICE", quantity=10, priority=1)])["request"]
    requests.change_state(ctx.as_actor("coordinator"), req, "approved", key=f"prep-{tag}-ok")
    plan = planning.solve(ctx.as_actor("planner"), key=f"prep-{tag}-plan")["plan"]
    return req, plan


def prepare(ctx: Context, op: str, tag: str) -> Target:
    """A fresh target for ``op``, made through the services; ``tag`` is unique per call."""
    key = f"kill-{op}-{tag}"
    if op == "import":
        # the consignment remembers the file's SHA-256 (interop/packing_list.py)
        content_hash = hashlib.sha256(worker.packing_list(tag)).hexdigest()
        return Target(op, tag, key, {"hash": content_hash},
                      {"command": 1, "consignments": 1, "lines": worker.PACKING_LINES,
                       "registered": 1, "audit": 1})
    if op == "receive":
        number = consignments.register_preadvice(ctx, PreAdvice(
            worker.HUB, "WFP", "WFP", donor="ECHO", document_number=f"CMR-{tag}",
            lines=[AdviceLine(20, item="RICE", batch=f"R-{tag}", expiry="2028-12-31"),
                   AdviceLine(5, item="TARP")]), key=f"prep-{tag}-pa")["number"]
        for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
            consignments.change_state(ctx, number, state, key=f"prep-{tag}-s{n}")
        return Target(op, number, key, {"consignment_id": _id(ctx, t.consignments, number)},
                      {"commands": 2, "grns": 1, "grn_lines": 2, "receipts": 1, "received": 1,
                       "counted": 24, "timeline": 1, "audit": 1})
    if op == "approve":
        req, plan = _draft_plan(ctx, tag)
        return Target(op, plan, key, {"plan_id": _id(ctx, t.plans, plan),
                                      "request_id": _id(ctx, t.requests, req)},
                      {"command": 1, "approved": 1, "release_orders": 1, "reserved": 10,
                       "allocated": 10, "planned": 10, "audit": 1})
    if op == "dispatch":
        _, plan = _draft_plan(ctx, tag)
        (ro,) = planning.approve(ctx.as_actor("manager"), plan,
                                 key=f"prep-{tag}-approve")["release_orders"]
        release_orders.change_state(ctx, ro, "accepted", key=f"prep-{tag}-accept")
        pl = picking.generate(ctx, ro, key=f"prep-{tag}-pl")["pick_list"]
        for x in picking.view(ctx, pl).lines:
            picking.confirm(ctx, pl, x.line_no, key=f"prep-{tag}-pick-{x.line_no}")
        wb = waybills.issue(ctx.as_actor("dispatcher"), ro, "DP-A", key=f"prep-{tag}-wb",
                            vehicle=TRUCK, driver="Khaled Haddad",
                            transporter="TRANSCO")["waybill"]
        return Target(op, wb, key, {"waybill_id": _id(ctx, t.waybills, wb),
                                    "order_id": _id(ctx, t.release_orders, ro)},
                      {"commands": 2, "dispatched": 1, "movements": 1,
                       "order_dispatched": 10, "departed": 1, "audit": 1})
    if op == "split":
        return Target(op, f"SPLIT-{tag}", key, {}, {"movements": 2})
    if op == "duplicate":
        return Target(op, f"DUP-{tag}", key, {}, {"movements": 1})
    raise ValueError(op)


# one kill point ---------------------------------------------------------------------------
_REFUSAL = re.compile(r"already imported as consignment (\S+) ")


def _in_process(ctx: Context, target: Target) -> tuple[Any, dict[str, str] | None]:
    try:
        result = worker.OPERATIONS[target.op](ctx, target.target, target.key)
    except Exception as exc:
        return None, {"type": type(exc).__name__, "message": str(exc)}
    return json.loads(json.dumps(result, sort_keys=True, default=str)), None


def _books(ctx: Context, when: str) -> list[str]:
    out = []
    ledger = verify.verify_ledger(ctx)
    if not ledger.ok:
        out.append(f"{when}: the ledger does not verify: {ledger.differences[:3]}")
    audit = verify.verify_audit(ctx)
    if not audit.ok:
        out.append(f"{when}: the audit chain does not verify: {audit.problem}")
    return out


def _landing(run: Run) -> str:
    if run.status == "exited":
        return "exited"
    if "B" not in run.markers:
        return "before"
    if "c" not in run.markers:
        return "inside"
    if "C" not in run.markers:
        return "in_flight"
    return "after"


def _imported_as(ctx: Context, content_hash: str) -> list[str]:
    with ctx.engine.connect() as conn:
        return list(conn.execute(sql_select(t.consignments.c.number).where(
            t.consignments.c.source_hash == content_hash)).scalars())


def _retry_error(ctx: Context, target: Target, error: dict[str, str] | None,
                 done_before: bool) -> tuple[bool, str | None]:
    """(refused, failure) for a retry that raised ``error``. The one refusal accepted: a
    packing list already imported (same content) is refused before its key is looked at
    (services/preadvice.py), which is right only when the first attempt did import it, as
    the consignment the refusal names."""
    if error is None:
        return False, None
    found = _REFUSAL.search(error["message"])
    if (target.op == "import" and done_before and error["type"] == "InvalidInput"
            and found and _imported_as(ctx, target.ids["hash"]) == [found.group(1)]):
        return True, None
    return False, f"{error['type']}: {error['message']}"


def kill_point(ctx: Context, starter: Starter, target: Target, plan: Plan,
               retry_plan: Plan | None = None) -> Outcome:
    """Run ``target`` in a process killed as ``plan`` says, then check the books, the
    effect, and two retries with the same key (the first in a process started as
    ``retry_plan`` says, never killed). See the module docstring."""
    out = Outcome(target.op, plan.mode, None if plan.delay_s is None else
                  round(plan.delay_s * 1000, 1), plan.pause_ms, plan.at)
    fail = out.failures.append
    base, before = effect(ctx, target), digest(ctx)
    ctx.engine.dispose()  # no open connection is carried into the child
    run = starter.run(plan, target)
    out.landed, out.seconds, out.markers = _landing(run), run.seconds, run.markers
    if run.error:  # SIGKILL gives no chance to raise: any error is the command's own
        fail(f"the worker failed: {run.error['type']}: {run.error['message']}")

    # 1. after the kill: the books, and all or nothing
    out.failures += _books(ctx, "after the kill")
    killed, after_kill = effect(ctx, target), digest(ctx)
    out.effect = "absent" if killed == base else "present"
    if out.effect == "absent" and after_kill != before:
        fail(f"after the kill the command's effect is absent but tables changed: "
             f"{_differs(before, after_kill)}")
    if out.landed in ("before", "inside") and out.effect == "present":
        fail(f"the kill landed {out.landed} the transaction's COMMIT but the effect is there")
    if out.landed in ("after", "exited") and out.effect == "absent" and not run.error:
        fail("the COMMIT returned but the effect is missing")

    # 2. the retry, in a fresh process: exactly one effect
    retry = starter.run(dataclasses.replace(retry_plan or Plan(), delay_s=None), target)
    out.retry_seconds = retry.seconds
    refused, why = _retry_error(ctx, target, retry.error, out.effect == "present")
    out.refused_retry = refused
    if why:
        fail(f"the retry failed: {why}")
    out.failures += _books(ctx, "after the retry")
    done, after_retry = effect(ctx, target), digest(ctx)
    for name, delta in target.once.items():
        if done[name] - base[name] != delta:
            fail(f"after the retry {name} changed by {done[name] - base[name]}, not {delta} "
                 f"(before {base[name]}, after the kill {killed[name]}, now {done[name]})")
    for name in done:
        if name not in target.once and done[name] == base[name]:
            fail(f"after the retry {name} is still {done[name]}: the command did nothing")
    if out.effect == "present":
        if killed != done and all(killed[n] - base[n] == d for n, d in target.once.items()):
            fail(f"the retry of a completed command did it again: {killed} became {done}")
        elif killed != done:
            fail(f"the kill left a partial effect: {killed} (before {base}, complete {done})")
        elif after_kill != after_retry:
            fail(f"the retry of a completed command changed {_differs(after_kill, after_retry)}")
    if run.result is not None and retry.result is not None and run.result != retry.result:
        fail(f"the retry returned {retry.result}, the first run {run.result}")

    # 3. a second retry, in this process: nothing changes, the same answer
    again, error = _in_process(ctx, target)
    _, why = _retry_error(ctx, target, error, True)
    if why:
        fail(f"the second retry failed: {why}")
    if retry.result is not None and again is not None and again != retry.result:
        fail(f"the second retry returned {again}, the first {retry.result}")
    changed = _differs(after_retry, digest(ctx))
    if changed:
        fail(f"the second retry changed {changed}")
    return out


# a campaign: many kill points on one database -------------------------------------------
@dataclass
class Summary:
    """Kill points and their outcomes; several summaries (databases) can be added up."""

    backend: str
    seed: int
    outcomes: list[Outcome] = field(default_factory=list)
    typical_ms: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    write_transactions: dict[str, set[int]] = field(default_factory=dict)
    completed_runs: int = 0
    other_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def kill_points(self) -> int:
        return len(self.outcomes)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok) + len(self.other_failures)

    def add(self, other: "Summary") -> None:
        self.outcomes += other.outcomes
        for op, times in other.typical_ms.items():
            for how, values in times.items():
                self.typical_ms.setdefault(op, {}).setdefault(how, []).extend(values)
        for op, counts in other.write_transactions.items():
            self.write_transactions.setdefault(op, set()).update(counts)
        self.completed_runs += other.completed_runs
        self.other_failures += other.other_failures
        self.seconds += other.seconds

    def as_json(self) -> dict[str, Any]:
        def landings(outcomes: list[Outcome]) -> dict[str, int]:
            landed = Counter(o.landed for o in outcomes)
            return {k: landed.get(k, 0) for k in LANDINGS}

        by_op: dict[str, Any] = {}
        for op in sorted({o.op for o in self.outcomes}):
            mine = [o for o in self.outcomes if o.op == op]
            random_kills = [o for o in mine if o.at == "S"]
            by_op[op] = {
                "kill_points": len(mine),
                "survived": sum(1 for o in mine if o.ok),
                "failed": sum(1 for o in mine if not o.ok),
                "landed": landings(mine),
                "landed_random_kills": landings(random_kills),
                "effect_after_kill": {k: sum(1 for o in mine if o.effect == k)
                                      for k in ("absent", "present")},
                "kills_with_pauses": sum(1 for o in mine if o.pause_ms),
                "kills_timed_from_a_marker": dict(Counter(o.at for o in mine if o.at != "S")),
                "spawned_interpreters": sum(1 for o in mine if o.mode == "spawn"),
                "retries_refused_as_already_imported": sum(o.refused_retry for o in mine),
                "typical_ms": {how: round(statistics.median(v), 1)
                               for how, v in self.typical_ms.get(op, {}).items()},
                "write_transactions_per_run": sorted(self.write_transactions.get(op, ())),
            }
        failures = [f"{o.op} ({o.mode}, delay {o.delay_ms} ms after {o.at}, pause "
                    f"{o.pause_ms} ms, landed {o.landed}): {f}"
                    for o in self.outcomes for f in o.failures] + self.other_failures
        return {
            "backend": self.backend, "seed": self.seed,
            "kill_points": self.kill_points,
            "survived": sum(1 for o in self.outcomes if o.ok),
            "failed": self.failed,
            "landed": landings(self.outcomes),
            "effect_after_kill": {k: sum(1 for o in self.outcomes if o.effect == k)
                                  for k in ("absent", "present")},
            "complete_runs_checked": self.completed_runs,
            "seconds": round(self.seconds, 1),
            "by_operation": by_op,
            "failures": failures[:30],
        }


class Campaign:
    """Kill points on one database; ``url`` must hold an empty, migrated aidhub database.

    Each operation is first timed on complete runs (plain, and with pauses), which are
    checked too. Then every kill point draws, from the seeded generator: whether the
    worker pauses (``pause_ms`` per statement, and lingers a little after its COMMIT), and
    the delay, uniform from 0 to the typical time of such a run. Two kill points per
    operation are timed from a marker instead, so that some surely land inside the
    transaction (just after BEGIN) and after it (just after COMMIT returned)."""

    def __init__(self, url: str, backend: str, *, seed: int = 1, pause_ms: float = PAUSE_MS):
        self.url = url
        self.ctx = open_context(url, actor="tester")
        self.starter = Starter(url)
        self.rng = random.Random(seed)
        self.pause_ms = pause_ms
        self.summary = Summary(backend, seed)
        self.n = 0
        self._times: dict[tuple[str, bool], list[float]] = {}

    def setup(self) -> "Campaign":
        build_hub(self.ctx)
        return self

    def target(self, op: str) -> Target:
        self.n += 1
        return prepare(self.ctx, op, f"{self.n}")

    def _pauses(self, paused: bool) -> dict[str, float]:
        return ({"pause_ms": self.pause_ms, "linger_ms": 5 * self.pause_ms} if paused
                else {"pause_ms": 0.0, "linger_ms": 0.0})

    def _typical(self, op: str, paused: bool) -> float:
        """The median of the last complete runs of ``op`` (paused or not), in seconds."""
        return statistics.median(self._times[op, paused][-15:])

    def _timed(self, op: str, paused: bool, outcome: Outcome) -> None:
        """Learn how long ``op`` takes from the runs that did the whole command: one that
        was killed too late, or a retry after a kill that had left nothing."""
        times = self._times.setdefault((op, paused), [])
        if outcome.landed == "exited" and outcome.ok:
            times.append(outcome.seconds)
        elif outcome.effect == "absent" and outcome.ok:
            times.append(outcome.retry_seconds)

    def calibrate(self, op: str) -> None:
        """Time one complete run of ``op`` plain and one paused, before the first kill;
        each is checked like a kill point that came too late."""
        for paused in (False, True):
            plan = Plan(seed=self.rng.randrange(2**31), **self._pauses(paused))
            outcome = kill_point(self.ctx, self.starter, self.target(op), plan, plan)
            self.summary.completed_runs += 1
            self.summary.other_failures += [f"{op}, a complete run: {f}"
                                            for f in outcome.failures]
            self.summary.write_transactions.setdefault(op, set()).add(
                outcome.markers.count("B"))
            self._timed(op, paused, outcome)

    def kill(self, op: str, *, mode: str = "fork", at: str = "S") -> Outcome:
        """One seeded kill point (``at`` 'S': a random delay after the start; 'B' or 'C':
        just after the write transaction began, or its COMMIT returned)."""
        paused = at != "S" or self.rng.random() < 0.5
        typical = self._typical(op, paused)
        if at != "S":
            delay = 0.0
        elif mode == "spawn":  # the delay counts from the worker's first byte, after imports
            delay = self.rng.uniform(0, typical * 1.2)
        else:
            delay = self.rng.uniform(0, typical)
        plan = Plan(mode, delay, at, seed=self.rng.randrange(2**31), **self._pauses(paused))
        retry = Plan(seed=plan.seed, **self._pauses(paused))
        if at != "S":  # slow enough that the kill surely lands where it is aimed
            plan = dataclasses.replace(plan, pause_ms=MARKED_PAUSE_MS, linger_ms=200.0)
        try:
            outcome = kill_point(self.ctx, self.starter, self.target(op), plan, retry)
        except AidhubError as exc:  # the harness could not even check: a failure too
            outcome = Outcome(op, mode, round(delay * 1000, 1), plan.pause_ms, at,
                              failures=[f"checking failed: {exc}"])
        if at == "S" and mode == "fork":
            self._timed(op, paused, outcome)
        self.summary.outcomes.append(outcome)
        return outcome

    def run(self, kills_per_op: int, ops: tuple[str, ...] = OPS, *, spawned_per_op: int = 0
            ) -> Summary:
        """``kills_per_op`` kill points per operation, interleaved: two timed from a
        marker (when there are at least four), ``spawned_per_op`` in new interpreters, the
        rest forked."""
        start = time.perf_counter()
        for op in ops:
            if (op, False) not in self._times:
                self.calibrate(op)
        marked = ["B", "C"] if kills_per_op >= 4 else []
        for i in range(kills_per_op):
            for op in ops:
                if i < len(marked):
                    self.kill(op, at=marked[i])
                else:
                    self.kill(op, mode="spawn" if i - len(marked) < spawned_per_op else "fork")
        self.summary.other_failures += _books(self.ctx, "at the end")
        self.summary.seconds += time.perf_counter() - start
        for (op, paused), times in self._times.items():
            self.summary.typical_ms.setdefault(op, {})["paused" if paused else "plain"] = [
                round(x * 1000, 1) for x in times]
        return self.summary

    def close(self) -> None:
        self.ctx.engine.dispose()
        engine = _PG_ENGINES.pop(self.url, None)
        if engine is not None:
            engine.dispose()
