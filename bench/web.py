"""The web app under load: 20 clients at once for 60 s per request kind, on PostgreSQL with
the demo scenario and a ledger grown to 1,000,000 movements.

Measured: p50/p95/p99 latency, requests per second and errors for the dashboard page,
the stock page and the stock API, a consignment's page and API, and a receive command
(a GRN through the API). In the same run, the same load against a bare FastAPI endpoint
doing one trivial SQL query on the same database gives the floor that the server, the
driver and the machine set. Targets (issue 7): p95 under 300 ms for pages and under
150 ms for API reads, with no errors.

    AIDHUB_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/web.py
    ... bench/web.py --movements 20000 --seconds 10      # a quick look
    ... bench/web.py --reuse        # keep the ledger of an earlier run (no regrowing)
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console

from aidhub.demo.scenario import load as load_demo
from aidhub.services import accounts, consignments, movements, stock
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import open_context
from aidhub.services.movements import LineRequest, MovementRequest
from common import fresh, pg_url

HERE = Path(__file__).parent
console = Console(stderr=True)
BARE_APP = '''
import os
from fastapi import FastAPI
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["BENCH_URL"], pool_size=20, max_overflow=10)
app = FastAPI()
@app.get("/bare")
def bare():
    with engine.connect() as conn:
        return {"one": conn.execute(text("SELECT 1")).scalar_one()}
if __name__ == "__main__":  # served as aidhub serve serves: N workers, a socket each
    import sys, uvicorn
    from aidhub.web.workers import Workers, listen
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    config = uvicorn.Config("bare_app:app", port=port, workers=workers, log_level="warning")
    if workers == 1:
        uvicorn.Server(config).run()
    else:
        Workers(config, listen("127.0.0.1", port, workers)).run()
'''


# The bare endpoint's p95 on the reference machine (the 2-core development machine at its
# usual speed, 2026-12-01: 1,650 req/s): a run on a slower or busier day is scaled to it.
REFERENCE_BARE_P95_MS = 15


def grow(ctx, target: int, batch: int = 1000) -> int:
    """Move single units back and forth between two bins of the hubs until the ledger
    holds ``target`` movements (every movement valid, balances unchanged in the end)."""
    rows = [r for r in stock.on_hand(ctx)
            if r.location_kind == "bin" and r.quantity >= 2 and not r.earmark]
    if not rows:
        raise SystemExit("the demo has no stock to move")
    have = ledger_size(ctx)
    todo, n, back = max(0, target - have), 0, False
    start = time.perf_counter()
    while n < todo:
        # one batch takes a unit of each row to the other bin, the next brings it back
        # (a batch is checked against the balances as a whole)
        reqs = []
        for i, r in enumerate(rows[:min(batch, todo - n)]):
            there = "A-02" if r.location != "A-02" else "A-01"
            src, dst = (there, r.location) if back else (r.location, there)
            reqs.append(MovementRequest("transfer", [LineRequest(
                r.item, 1, f"{r.site}/{src}", f"{r.site}/{dst}", r.batch or None, None,
                r.owner)], f"grow-{n + i}"))
        movements.post_movements(ctx, reqs)
        n += len(reqs)
        back = not back
        if n % 50_000 < len(reqs):
            console.print(f"ledger: {have + n:,} movements "
                          f"({n / (time.perf_counter() - start):,.0f}/s)")
    return have + n


def receivable(ctx, count: int, run: str) -> list[str]:
    """Consignments cleared and waiting for a GRN, one per receive command to send."""
    hub = "DAM-HUB"
    out = []
    for n in range(count):
        number = consignments.register_preadvice(ctx, PreAdvice(
            hub=hub, consignor="WFP", consignee="WFP", donor="ECHO",
            # one lot for them all: received into the same stock line, so that a run
            # with --reuse finds the hub's stock list as long as the first run did
            lines=[AdviceLine(10, item="FOOD-RICE-25KG", batch="WEB-BENCH",
                              expiry="2028-06-30")]), key=f"web-pa-{run}-{n}")["number"]
        for k, state in enumerate(("in_transit", "arrived", "screening", "cleared")):
            consignments.change_state(ctx, number, state, key=f"web-{run}-{n}-{k}")
        out.append(number)
    return out


def ledger_size(ctx) -> int:
    from sqlalchemy import func, select

    from aidhub.store.tables import movements as table

    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    log = open(HERE / "results" / f"web-server-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return proc
        except httpx.HTTPError:
            try:
                httpx.get(f"http://127.0.0.1:{port}/bare", timeout=1)
                return proc
            except httpx.HTTPError:
                time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server did not start: see {log.name}")


async def hammer(base: str, make, headers: dict, clients: int, seconds: float,
                 key: str = "b") -> dict:
    """``clients`` clients sending ``make(i)`` = (method, path, json) for ``seconds`` (or
    until ``make`` gives None), each
    one after the other on a keep-alive connection of its own, as a browser or a script
    would. (Until 2026-12-01 the loops shared one httpx client with a pool of ``clients``
    connections; against the same server the two ways measured within the noise of this
    machine, about ±20 % at p95.)"""
    times: list[float] = []
    errors: dict[str, int] = {}
    stop = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def loop():
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            await requests(client)

    async def requests(client: httpx.AsyncClient):
        while time.monotonic() < stop:
            i = next(counter)
            request = make(i)
            if request is None:  # nothing left to send (the consignments to receive)
                return
            method, path, body = request
            t = time.perf_counter()
            try:
                r = await client.request(method, path, json=body,
                                         headers={**headers, "Idempotency-Key": f"{key}-{i}"})
                ok = r.status_code < 400
                reason = str(r.status_code)
            except httpx.HTTPError as exc:
                ok, reason = False, type(exc).__name__
            times.append(time.perf_counter() - t)
            if not ok:
                errors[reason] = errors.get(reason, 0) + 1

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    began = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    return {"requests": len(times), "seconds": round(elapsed, 1),
            "rps": round(len(times) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1),
            "p99_ms": round(q[98] * 1000, 1), "errors": sum(errors.values()),
            "error_kinds": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--movements", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="aidhub serve --workers (default: one per CPU core)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the PostgreSQL ledger of an earlier run (no regrowing)")
    args = ap.parse_args()
    if args.backend == "postgresql" and not pg_url():
        raise SystemExit("set AIDHUB_BENCH_DATABASE_URL to a PostgreSQL database to wipe")
    reuse = args.reuse and args.backend == "postgresql"
    if reuse:
        url = pg_url()
        ctx = open_context(url, actor="bench")
    else:
        ctx, url = fresh(args.backend)
    t0 = time.perf_counter()
    if not reuse or not ledger_size(ctx):
        load_demo(ctx, seed=7, start=dt.date.today() - dt.timedelta(weeks=4), weeks=4)
        accounts.add_user(ctx, "bench", name="Bench", password="load test passphrase",
                          key="bu")
        accounts.grant(ctx, "bench", "admin", "WFP", key="bg")
    total = grow(ctx, args.movements)
    setup = {"ledger_movements": total, "demo_and_growth_s": round(time.perf_counter() - t0)}
    console.print("preparing consignments to receive")
    run = str(int(time.time()))
    # 60 a second for the phase, at most 4,000 (4 minutes to prepare): when they are all
    # received the phase ends, and reports its own seconds
    waiting = receivable(ctx, min(int(args.seconds * 60) + 200, 4000), run)
    token = accounts.new_token(ctx, "bench", f"bench-{run}", scopes=["read", "receive"],
                               key=f"bt-{run}")["token"]
    detail = waiting[-1]
    port, bare_port = free_port(), free_port()
    (HERE / "results").mkdir(exist_ok=True)
    app = start([sys.executable, "-m", "aidhub", "--database", url, "serve", "--port",
                 str(port), "--workers", str(args.workers)], {}, port)
    bare_file = HERE / "results" / "bare_app.py"
    bare_file.write_text(BARE_APP)
    bare = start([sys.executable, str(bare_file), str(bare_port), str(args.workers)],
                 {"BENCH_URL": url, "PYTHONPATH": str(bare_file.parent)}, bare_port)
    auth = {"Authorization": f"Bearer {token}"}
    received = iter(waiting[:-1])

    def receive(_):
        number = next(received, None)
        if number is None:  # all received: the phase ends (it reports its own seconds)
            return None
        return "POST", f"/api/v1/consignments/{number}/grns", {
            "counts": [{"line": 1, "good": 10, "priority": 1}], "received_by": "bench"}

    kinds = {
        "dashboard page": lambda i: ("GET", "/dashboard", None),
        "stock page": lambda i: ("GET", "/stock?site=DAM-HUB", None),
        "stock API": lambda i: ("GET", "/api/v1/stock?site=DAM-HUB", None),
        "consignment page": lambda i: ("GET", f"/consignments/{detail}", None),
        "consignment API": lambda i: ("GET", f"/api/v1/consignments/{detail}", None),
        "receive command": receive,
    }
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        if httpx.get(f"{base}/dashboard", headers=auth).status_code == 404:
            kinds.pop("dashboard page")  # not built yet
        results["bare SELECT 1"] = asyncio.run(hammer(
            f"http://127.0.0.1:{bare_port}", lambda i: ("GET", "/bare", None), {},
            args.clients, args.seconds))
        for name, make in kinds.items():
            console.print(f"{name}: {args.clients} clients for {args.seconds:.0f} s")
            results[name] = asyncio.run(hammer(base, make, auth, args.clients,
                                               args.seconds, key=f"{run}-{name}"))
    finally:
        app.terminate()
        bare.terminate()
    floor = results["bare SELECT 1"]["p95_ms"] or 1
    for r in results.values():
        r["p95_vs_bare"] = round(r["p95_ms"] / floor, 1)
    # issue 7 sets targets for reads (pages 300 ms, API 150 ms); the receive command is a
    # write, measured and reported without one. The same code on the same machine has
    # measured a bare p95 anywhere from 15 to 72 ms on different days, so each p95 is also
    # given at the reference speed: its ratio to this run's bare p95, times the reference
    # machine's bare p95 (see REFERENCE_BARE_P95_MS)
    reads = {name: r for name, r in results.items()
             if name not in ("bare SELECT 1", "receive command")}
    targets = {name: (r["p95_ms"] < target(name)) and not r["errors"]
               for name, r in reads.items()}
    at_reference = {name: round(r["p95_ms"] / floor * REFERENCE_BARE_P95_MS)
                    for name, r in reads.items()}
    print(json.dumps({"backend": args.backend, "clients": args.clients,
                      "workers": args.workers,
                      "seconds_per_kind": args.seconds, **setup, "results": results,
                      "targets_met": targets,
                      "p95_at_reference_speed_ms": at_reference,
                      "targets_met_at_reference_speed": {
                          name: at_reference[name] < target(name) and not r["errors"]
                          for name, r in reads.items()}}, indent=2))


def target(name: str) -> int:
    """The p95 issue 7 asks of a read, in ms: 300 for a page, 150 for the API."""
    return 300 if "page" in name else 150


if __name__ == "__main__":
    main()
