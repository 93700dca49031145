"""Throughput of 8 concurrent dispatchers taking from one lot on PostgreSQL (and SQLite for
comparison), against one dispatcher, with a check that no update was lost.

Prints JSON. See bench/README.md.
"""

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aidhub.domain.errors import InsufficientStock
from aidhub.services import movements, stock, verify
from aidhub.services.context import Context
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.store import database
from common import cleanup, fresh, network, pg_url


def dispatch(ctx: Context, key: str, qty: int) -> None:
    movements.post_movement(ctx, MovementRequest("dispatch", [LineRequest(
        "ITEM-00", qty, "H1/A-01", "H1/DISTRIBUTED", "", None, "WFP")], key))


def run(url: str, ctx: Context, workers: int, per_worker: int, tag: str) -> dict:
    total = workers * per_worker
    movements.post_movement(ctx, MovementRequest("receipt", [LineRequest(
        "ITEM-00", total, "H1/EXTERNAL", "H1/A-01", None, None, "WFP")], f"stock-{tag}"))
    before = sum(r.quantity for r in stock.on_hand(ctx, site="H1", item="ITEM-00"))
    done = [0] * workers
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers + 1)

    def worker(n: int) -> None:
        engine = database.create(url)
        mine = Context(engine, actor=f"w{n}")
        try:
            barrier.wait()
            for i in range(per_worker):
                try:
                    dispatch(mine, f"{tag}-{n}-{i}", 1)
                    done[n] += 1
                except InsufficientStock:
                    break
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    after = sum(r.quantity for r in stock.on_hand(ctx, site="H1", item="ITEM-00"))
    dispatched = sum(done)
    return {
        "workers": workers,
        "dispatches": dispatched,
        "seconds": round(elapsed, 3),
        "dispatches_per_s": round(dispatched / elapsed, 1),
        "lost_updates": (before - after) - dispatched,
        "errors": [repr(e) for e in errors],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-worker", type=int, default=250)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = args.backend or (["postgresql", "sqlite"] if pg_url() else ["sqlite"])
    results = []
    for backend in backends:
        ctx, url = fresh(backend)
        network(ctx)
        many = run(url, ctx, args.workers, args.per_worker, "many")
        one = run(url, ctx, 1, args.per_worker * args.workers, "one")
        results.append({
            "backend": backend,
            "concurrent": many,
            "single": one,
            "ratio_concurrent_to_single": round(
                many["dispatches_per_s"] / one["dispatches_per_s"], 2),
            "ledger_verifies": verify.verify_ledger(ctx).ok,
            "audit_verifies": verify.verify_audit(ctx).ok,
        })
        ctx.engine.dispose()
        cleanup(url)
    print(json.dumps({"benchmark": "concurrency", "results": results}, indent=2))


if __name__ == "__main__":
    main()
