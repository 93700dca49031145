"""Outbound at scale: 2,000 release order lines picked, loaded on 100 trucks, dispatched
and delivered, on a ledger of 1,000,000 movements.

Prints JSON. See bench/README.md.

The measured hub holds 20 items in 3 lots each (the earliest-expiring lot, in one bin, is
enough for every point; two later lots of other owners sit in other bins). 100
distribution points each ask for the 20 items, about 900 kg a line, so a point's goods
fill most of a 20,000 kg / 60 m³ truck. The requests are approved and planned (solve and
approve by different people), the release order is accepted, then the ledger is grown
with :class:`common.Mix` on the other hubs, so the measured hub's stock is untouched.
Timed, each step through the services as a user would run it: the pick list for the
whole release order, confirming every pick line, proposing the loads for 100 trucks,
issuing a waybill per proposed load, dispatching each, and the proof of delivery of each
(all good but a couple of damaged units on every tenth waybill); then `verify_ledger`.

    .venv/bin/python bench/outbound.py                    # SQLite; PostgreSQL too if
    AIDHUB_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/outbound.py
    .venv/bin/python bench/outbound.py --quick            # a 20,000-movement ledger
"""

import argparse
import json
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as Bar
from sqlalchemy import func, select

from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import (
    delivery,
    movements,
    picking,
    planning,
    reference,
    release_orders,
    requests,
    verify,
    waybills,
)
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.services.requests import LineInput
from aidhub.services.waybills import LoadLine
from aidhub.store.tables import movements as movements_table
from common import Mix, cleanup, fresh, network, pg_url

ROOT = Path(__file__).resolve().parent.parent
HUB = "DAM-HUB"
PARTNER = "SARC"
TRANSPORTER = "TRANSCO"
TRUCK_KG, TRUCK_M3 = Decimal(20000), Decimal(60)
LINE_KG = 900  # about what one release order line weighs
#: (kg, kg per m³) of the measured items, in turn
KINDS = [(25, 700), (50, 750), (20, 600), (10, 500), (5, 450), (12.5, 650), (30, 800),
         (15, 550), (40, 720), (8, 480)]
LOTS = [("L1", "2028-03-31"), ("L2", "2028-09-30"), ("L3", "2029-03-31")]


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def hub(ctx, n_points: int, n_items: int, seed: int) -> tuple[list[str], list[str], dict]:
    """The measured hub, its partner, transporter, points, routes, items and stock; and
    what each point needs of each item."""
    rng = random.Random(seed)
    reference.add_organisation(ctx, key="o-sarc", code=PARTNER, name="Syrian Arab Red "
                               "Crescent", type="ngo")
    reference.add_organisation(ctx, key="o-transco", code=TRANSPORTER,
                               name="Transco Trucking", type="private")
    reference.add_site(ctx, key="s-hub", code=HUB, name="Damascus hub", kind="hub",
                       operator="WFP")
    bins = [f"A-{n:02d}" for n in range(1, n_items + 1)] + [f"B-{n:02d}" for n in range(1, 11)]
    for b in bins:
        reference.add_location(ctx, key=f"l-{b}", site_code=HUB, code=b, kind="bin")
    reference.add_location(ctx, key="l-stage", site_code=HUB, code="STAGE", kind="staging")
    points = [f"DP-{n:03d}" for n in range(1, n_points + 1)]
    for n, p in enumerate(points):
        reference.add_site(ctx, key=f"s-{p}", code=p, name=f"Point {p}",
                           kind="distribution_point", pcode="SY0200", population=5000)
        requests.set_route(ctx, HUB, p, key=f"r-{p}", cost_per_kg="0.05",
                           lead_days=1 + n % 3)
    items = [f"OUT-{n:02d}" for n in range(1, n_items + 1)]
    rows = ["code,name_en,suma_category,unit,weight_kg,volume_m3,shelf_life"]
    for n, code in enumerate(items):
        kg, density = KINDS[n % len(KINDS)]
        rows.append(f"{code},Item {code},food_drink,bag,{kg},{round(kg / density, 4)},yes")
    reference.import_catalog(ctx, "\n".join(rows).encode(), key="catalog-out")
    need = {(p, code): round(LINE_KG / KINDS[n % len(KINDS)][0] * rng.uniform(0.9, 1.05))
            for p in points for n, code in enumerate(items)}
    receipts, k = [], 0
    for n, code in enumerate(items):
        total = sum(need[(p, code)] for p in points)
        # the first lot covers every point with 5 % to spare, received in four trucks;
        # the later lots, of other owners, cover 30 % and 20 % more in shared bins
        stock = [("L1", f"A-{n + 1:02d}", "WFP", [total * 105 // 400] * 4),
                 ("L2", f"B-{1 + n % 10:02d}", "ECHO", [total * 30 // 100]),
                 ("L3", f"B-{1 + (n + 5) % 10:02d}", "UNICEF", [total * 20 // 100])]
        for batch, loc, owner, parts in stock:
            expiry = dict(LOTS)[batch]
            for qty in parts:
                k += 1
                receipts.append(MovementRequest("receipt", [LineRequest(
                    code, qty, f"{HUB}/EXTERNAL", f"{HUB}/{loc}", batch, expiry, owner)],
                    f"rcv-{k}"))
    movements.post_movements(ctx, receipts)
    return points, items, need


def release(ctx, points: list[str], items: list[str], need: dict) -> tuple[str, dict]:
    """Approved requests, a plan solved and approved by two people, and the release order
    accepted. Returns its number and the set-up timings."""
    started = time.perf_counter()
    for p in points:
        number = requests.create(
            ctx.as_actor("partner"), key=f"rq-{p}", organisation_code=PARTNER, point=p,
            submit=True, lines=[LineInput(item=i, quantity=need[(p, i)], priority=1 + n % 3)
                                for n, i in enumerate(items)])["request"]
        requests.change_state(ctx.as_actor("coordinator"), number, "approved",
                              key=f"ok-{p}")
    t_requests = time.perf_counter() - started
    solved, t_solve = timed(lambda: planning.solve(ctx.as_actor("planner"), key="plan"))
    approved, t_approve = timed(lambda: planning.approve(ctx.as_actor("manager"),
                                                         solved["plan"], key="plan-ok"))
    (ro,) = approved["release_orders"]
    release_orders.change_state(ctx.as_actor("manager"), ro, "accepted", key="ro-acc")
    return ro, {"requests_seconds": round(t_requests, 2),
                "plan_solve_seconds": round(t_solve, 2),
                "plan_approve_seconds": round(t_approve, 2)}


class Progress:
    """Rich progress on a terminal, a line every 20 batches otherwise (both on stderr)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.calls, self.bar = label, total, 0, 0, None
        if sys.stderr.isatty():
            self.bar = Bar("{task.description}", BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn(), console=Console(stderr=True))
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()

    def advance(self, n: int) -> None:
        self.done += n
        self.calls += 1
        if self.bar:
            self.bar.update(self.task, completed=self.done)
        elif self.calls % 20 == 0 or self.done >= self.total:
            print(f"{self.label}: {self.done:,} / {self.total:,}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar:
            self.bar.stop()


def ledger_size(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(movements_table)).scalar_one()


def grow(ctx, backend: str, target: int, batch: int) -> dict:
    """Movements on the other hubs until the ledger holds ``target``."""
    mix = Mix(seed=1)
    todo = max(target - ledger_size(ctx), 0)
    bar = Progress(f"{backend}: growing the ledger", todo)
    start = time.perf_counter()
    posted = 0
    while posted < todo:
        n = min(batch, todo - posted)
        movements.post_movements(ctx, [mix.next() for _ in range(n)])
        posted += n
        bar.advance(n)
    bar.close()
    elapsed = time.perf_counter() - start
    return {"ledger_grown_by": posted,
            "ledger_growth_movements_per_s": round(posted / elapsed) if posted else None}


def run(backend: str, n_points: int, n_items: int, ledger: int, batch: int,
        seed: int) -> dict:
    ctx, url = fresh(backend)
    network(ctx)
    points, items, need = hub(ctx, n_points, n_items, seed)
    ro, setup = release(ctx, points, items, need)
    ro_lines = len(release_orders.view(ctx, ro).lines)
    growth = grow(ctx, backend, ledger, batch)
    size = ledger_size(ctx)
    print(f"{backend}: {size:,} movements in the ledger; timing {ro}", file=sys.stderr)

    pl, t_generate = timed(lambda: picking.generate(ctx.as_actor("storekeeper"), ro,
                                                    key="pl"))
    lines = [x.line_no for x in picking.view(ctx, pl["pick_list"]).lines]
    picker = ctx.as_actor("picker")
    _, t_pick = timed(lambda: [picking.confirm(picker, pl["pick_list"], n, key=f"pick-{n}")
                               for n in lines])
    picked_state = picking.view(ctx, pl["pick_list"]).state

    trucks = [Vehicle(f"SY-{10000 + n}", TRUCK_KG, TRUCK_M3) for n in range(n_points)]
    (proposals, left), t_propose = timed(lambda: waybills.propose(ctx, ro, trucks))
    dispatcher = ctx.as_actor("dispatcher")

    def issue_all():
        return [waybills.issue(
            dispatcher, ro, p.destination, key=f"wb-{n}", driver=f"Driver {n}",
            vehicle=next(t for t in trucks if t.plate == p.plate), transporter=TRANSPORTER,
            seals=[f"S-{n:04d}"],
            lines=[LoadLine(uuid.UUID(x["pick_line"]), x["quantity"]) for x in p.lines]
        )["waybill"] for n, p in enumerate(proposals)]

    bills, t_issue = timed(issue_all)
    wb_lines = sum(len(p.lines) for p in proposals)
    _, t_dispatch = timed(lambda: [waybills.dispatch(dispatcher, wb, key=f"go-{wb}")
                                   for wb in bills])
    pods = {}
    for n, wb in enumerate(bills):
        shipped = [(x.line_no, x.quantity) for x in waybills.view(ctx, wb).lines]
        pods[wb] = [PodLine(no, good=q - (2 if n % 10 == 0 and no == 1 else 0),
                            damaged=2 if n % 10 == 0 and no == 1 else 0)
                    for no, q in shipped]
    receiver = ctx.as_actor("receiver")
    done, t_pod = timed(lambda: [delivery.confirm(receiver, wb, pods[wb], key=f"pod-{wb}",
                                                  signer="Amal", seal_state="intact")
                                 for wb in bills])
    report, t_verify = timed(lambda: verify.verify_ledger(ctx))
    ctx.engine.dispose()
    cleanup(url)
    return {
        "backend": backend,
        "ledger_movements_when_picking": size,
        **growth,
        "points": n_points,
        "items": n_items,
        **setup,
        "release_order_lines": ro_lines,
        "pick_lines": pl["lines"],
        "pick_lots_passed_over": pl["skipped"],
        "pick_list_generate_seconds": round(t_generate, 3),
        "pick_list_generate_lines_per_s": round(ro_lines / t_generate),
        "pick_list_under_2_s": t_generate < 2,
        "pick_confirm_lines_per_s": round(len(lines) / t_pick, 1),
        "pick_confirm_seconds": round(t_pick, 2),
        "pick_list_done": picked_state == "done",
        "vehicles": len(trucks),
        "loads_proposed": len(proposals),
        "pick_lines_left_unloaded": len(left),
        "propose_seconds": round(t_propose, 3),
        "propose_lines_per_s": round(wb_lines / t_propose),
        "waybills": len(bills),
        "waybill_lines": wb_lines,
        "issue_lines_per_s": round(wb_lines / t_issue, 1),
        "issue_seconds": round(t_issue, 2),
        "dispatch_lines_per_s": round(wb_lines / t_dispatch, 1),
        "dispatch_seconds": round(t_dispatch, 2),
        "delivery_lines_per_s": round(wb_lines / t_pod, 1),
        "delivery_seconds": round(t_pod, 2),
        "units_delivered_good": sum(d["good"] for d in done),
        "units_damaged": sum(d["not_good"] for d in done),
        "loss_reports": sum(1 for d in done if d["loss_report"]),
        "verify_ledger_seconds": round(t_verify, 2),
        "ledger_verifies": report.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=int, default=None,
                        help="movements in the ledger when timing (default 1,000,000; "
                             "20,000 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a 20,000-movement ledger")
    parser.add_argument("--points", type=int, default=100,
                        help="distribution points (one truck each)")
    parser.add_argument("--items", type=int, default=20, help="items each point asks for")
    parser.add_argument("--batch", type=int, default=1000,
                        help="movements per transaction when growing the ledger")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    ledger = args.ledger if args.ledger is not None else 20_000 if args.quick else 1_000_000
    backends = args.backend or (["sqlite", "postgresql"] if pg_url() else ["sqlite"])
    from aidhub.planning.solver import _quiet_banner

    _quiet_banner()  # HiGHS's banner would otherwise land in the JSON
    results = {"benchmark": "outbound",
               "results": [run(b, args.points, args.items, ledger, args.batch, args.seed)
                           for b in backends]}
    text = json.dumps(results, indent=2)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"outbound-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
