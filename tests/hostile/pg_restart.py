"""PostgreSQL restarted under load (issue #9): the harness behind
tests/hostile/test_pg_restart.py and bench/reliability.py.

:class:`Cluster` runs a throwaway PostgreSQL 15 cluster of its own (``initdb`` in a temp
folder, a free port, as the ``postgres`` user when run as root), never the shared one.
:func:`run` starts aidhub on it as a real server (``python -m aidhub serve`` in a
subprocess), has a few client threads register consignments through the API, each with
its own idempotency key and retrying the same key until it gets a 2xx, and meanwhile
restarts PostgreSQL: ``pg_ctl restart -m fast`` (sessions killed mid-transaction), then a
stop, a pause and a start (a longer outage). Then it checks and reports:

- every answer was 2xx or a 503 problem with ``Retry-After`` (never a 500, never a
  dropped connection);
- how long after PostgreSQL was back the first request succeeded (the recovery time);
- every acknowledged write is in the database, each key made exactly one consignment,
  and a further retry of a key returns the same consignment and changes nothing;
- the ledger and the audit chain verify.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select

from aidhub.services import verify
from aidhub.services.context import open_context
from aidhub.store import migrate
from aidhub.store import tables as t
from tests import helpers

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("AIDHUB_PG_BIN", "/usr/lib/postgresql/15/bin"))


def missing() -> str | None:
    """Why the test cannot run here, or None."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (BIN / tool).exists():
            return f"PostgreSQL binaries are not in {BIN} ({tool} missing; set AIDHUB_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root needs runuser to start PostgreSQL as the postgres user"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temp folder, on a free port, owned by this process."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="aidhub-pg-restart-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _as_owner(self, *cmd: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(self._as_owner(str(BIN / "pg_ctl"), "-D", str(self.data), "-l",
                                      str(self.log), *args),
                       check=True, timeout=timeout, capture_output=True)

    def init(self) -> Cluster:
        subprocess.run(self._as_owner(str(BIN / "initdb"), "-D", str(self.data), "-A",
                                      "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"),
                       check=True, timeout=120, capture_output=True)
        settings = (f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                    "full_page_writes = off\nmax_connections = 60\n")
        with (self.data / "postgresql.conf").open("a") as conf:  # kept across restarts
            conf.write(settings)
        self._ctl("-w", "start")
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE aidhub")
        return self

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/aidhub"

    def restart_fast(self) -> None:
        self._ctl("-m", "fast", "-w", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._ctl("-w", "start")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._ctl("-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Report:
    """What happened under load (see the module docstring)."""

    requests: int = 0
    acknowledged: int = 0
    unavailable: int = 0  # 503 problems with Retry-After
    errors: list[str] = field(default_factory=list)  # 500s, bad 503s, dropped connections
    recoveries_s: list[float] = field(default_factory=list)
    outages: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # acknowledged key -> consignment
    failures: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests, "acknowledged_writes": self.acknowledged,
            "answered_503": self.unavailable, "answered_500_or_dropped": len(self.errors),
            "restarts": self.outages,
            "recovery_seconds": [round(x, 2) for x in self.recoveries_s],
            "recovery_seconds_max": round(max(self.recoveries_s), 2)
            if self.recoveries_s else None,
            "acknowledged_writes_missing_or_doubled": len(self.failures),
            "failures": (self.errors + self.failures)[:20],
        }


def _start_app(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    env.pop("AIDHUB_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "aidhub", "--database", url, "serve",
                             "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"aidhub did not start: {log.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("aidhub did not become ready in 60 s")


def _body(n: int) -> dict[str, Any]:
    return {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP", "donor": "ECHO",
            "document_number": f"CMR-R{n}", "lines": [
                {"item": "RICE", "quantity": 10 + n % 7, "batch": f"R{n}",
                 "expiry": "2028-06-30"}, {"item": "TARP", "quantity": 3}]}


def run(clients: int = 4, *, seconds_before: float = 1.5, outage_s: float = 1.5,
        seconds_after: float = 1.5) -> Report:
    """Start a cluster and aidhub, drive writes through two restarts, check; the cluster
    is destroyed afterwards."""
    cluster = Cluster().init()
    report = Report()
    proc = None
    try:
        ctx = open_context(cluster.url, actor="tester")
        migrate.upgrade(ctx.engine)
        helpers.make_hub(ctx)
        headers = helpers.signed_in(ctx, "admin")
        ctx.engine.dispose()
        proc, base = _start_app(cluster.url, cluster.dir / "aidhub.log")
        report = _drive(cluster, base, headers, clients, seconds_before, outage_s,
                        seconds_after)
        _check(ctx, base, headers, report)
        ctx.engine.dispose()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        cluster.destroy()
    return report


def _drive(cluster: Cluster, base: str, headers: dict[str, str], clients: int,
           before: float, outage: float, after: float) -> Report:
    report = Report()
    lock = threading.Lock()
    stop = threading.Event()
    back: list[float] = []  # when PostgreSQL was back after each restart
    first_ok: list[float | None] = []  # the first acknowledged write after each

    def client(i: int) -> None:
        n = 0
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            while not stop.is_set():
                n += 1
                key, number = f"restart-{i}-{n}", i * 100_000 + n
                while True:  # the same key until the write is acknowledged
                    try:
                        answer = http.post("/api/v1/consignments", json=_body(number),
                                           headers={"Idempotency-Key": key})
                    except httpx.HTTPError as exc:
                        with lock:
                            report.requests += 1
                            report.errors.append(f"{key}: connection: {exc!r}")
                        if stop.is_set():
                            break
                        time.sleep(0.2)
                        continue
                    now = time.monotonic()
                    with lock:
                        report.requests += 1
                        if answer.status_code == 201:
                            report.acknowledged += 1
                            report.keys[key] = answer.json()["number"]
                            if back and first_ok[-1] is None and now >= back[-1]:
                                first_ok[-1] = now
                        elif answer.status_code == 503 and answer.headers.get(
                                "retry-after") and answer.headers.get(
                                "content-type", "").startswith("application/problem+json"):
                            report.unavailable += 1
                        else:
                            report.errors.append(f"{key}: {answer.status_code} "
                                                 f"{answer.text[:200]}")
                    if answer.status_code == 201 or stop.is_set():
                        break  # (a key left unacknowledged at the end is not checked)
                    time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(clients)]
    for th in threads:
        th.start()
    time.sleep(before)
    for how in ("restart -m fast", "stop, pause, start"):
        if how.startswith("restart"):
            cluster.restart_fast()
        else:
            cluster.stop()
            time.sleep(outage)
            cluster.start()
        with lock:
            back.append(time.monotonic())
            first_ok.append(None)
            report.outages.append(how)
        time.sleep(after)
    deadline = time.monotonic() + 30
    while None in first_ok and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for th in threads:
        th.join(timeout=60)
    for when, ok in zip(back, first_ok, strict=True):
        if ok is None:
            report.failures.append("no write succeeded within 30 s after PostgreSQL was back")
        else:
            report.recoveries_s.append(ok - when)
    return report


def _check(ctx, base: str, headers: dict[str, str], report: Report) -> None:
    fail = report.failures.append
    with ctx.engine.connect() as conn:
        made = {row.key: json.loads(row.result or "{}").get("number") for row in conn.execute(
            select(t.commands.c.key, t.commands.c.result).where(
                t.commands.c.key.like("restart-%")))}
        numbers = set(conn.execute(select(t.consignments.c.number)).scalars())
        registered = conn.execute(select(func.count()).select_from(t.audit_records).where(
            t.audit_records.c.action == "consignment.register")).scalar()
    for key, number in report.keys.items():
        if number not in numbers:
            fail(f"{key}: acknowledged as {number}, but it is not in the database")
        if made.get(key) != number:
            fail(f"{key}: acknowledged as {number}, the command row says {made.get(key)}")
    if len(numbers) != len(made) or registered != len(made):
        fail(f"{len(made)} commands made {len(numbers)} consignments and {registered} "
             "audit records: a retry did a write twice")
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for key, number in sorted(report.keys.items())[:10]:  # retries change nothing
            n = int(key.rsplit("-", 2)[-2]) * 100_000 + int(key.rsplit("-", 1)[-1])
            again = http.post("/api/v1/consignments", json=_body(n),
                              headers={"Idempotency-Key": key})
            if again.status_code != 201 or again.json()["number"] != number:
                fail(f"{key}: the retry answered {again.status_code} {again.text[:100]}")
    with ctx.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(t.consignments)).scalar()
    if after != len(numbers):
        fail(f"retries of acknowledged keys made {after - len(numbers)} more consignments")
    ledger, audit = verify.verify_ledger(ctx), verify.verify_audit(ctx)
    if not ledger.ok:
        fail(f"the ledger does not verify: {ledger.differences[:3]}")
    if not audit.ok:
        fail(f"the audit chain does not verify: {audit.problem}")
