"""Posting throughput of the ledger against a bare insert, and `stock` latency at scale.

Prints JSON. See bench/README.md.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aidhub.services import movements, stock, verify
from common import Mix, cleanup, fresh, network, pg_url


def bare_insert(ctx, requests, batch: int) -> float:
    """Rows per second of a plain executemany of the same movements into a plain table,
    committed in the same batches."""
    raw = ctx.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("CREATE TABLE bare_movements (key varchar(200), kind varchar(20), "
                    "item varchar(40), quantity bigint, source varchar(90), "
                    "destination varchar(90), batch varchar(60), expiry varchar(10), "
                    "owner varchar(40))")
        raw.commit()
        rows = [(r.key, r.kind, ln.item, ln.quantity, ln.source, ln.destination, ln.batch,
                 ln.expiry, ln.owner) for r in requests for ln in r.lines]
        mark = "%s" if ctx.engine.dialect.name == "postgresql" else "?"
        sql = f"INSERT INTO bare_movements VALUES ({', '.join([mark] * 9)})"
        start = time.perf_counter()
        for i in range(0, len(rows), batch):
            if ctx.engine.dialect.name == "sqlite":
                cur.execute("BEGIN")
            cur.executemany(sql, rows[i : i + batch])
            raw.commit()
        elapsed = time.perf_counter() - start
        cur.execute("DROP TABLE bare_movements")
        raw.commit()
    finally:
        raw.close()
    return len(rows) / elapsed


def post(ctx, requests, batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(requests), batch):
        movements.post_movements(ctx, requests[i : i + batch])
    return len(requests) / (time.perf_counter() - start)


def run(backend: str, count: int, batch: int, singles: int, ledger_size: int,
        queries: int) -> dict:
    ctx, url = fresh(backend)
    network(ctx)
    mix = Mix(seed=1)
    requests = [mix.next() for _ in range(count)]
    bare = bare_insert(ctx, requests, batch)
    batched = post(ctx, requests, batch)
    one_by_one = post(ctx, [mix.next() for _ in range(singles)], 1)
    result = {
        "backend": backend,
        "movements": count,
        "batch_size": batch,
        "bare_executemany_rows_per_s": round(bare),
        "service_batched_movements_per_s": round(batched),
        "ratio_batched_to_bare": round(batched / bare, 3),
        "service_one_per_transaction_movements_per_s": round(one_by_one),
        "one_per_transaction_sample": singles,
        "ratio_one_per_transaction_to_bare": round(one_by_one / bare, 4),
    }
    total = count + singles
    while total < ledger_size:
        n = min(batch * 20, ledger_size - total)
        post(ctx, [mix.next() for _ in range(n)], batch)
        total += n
        print(f"{backend}: {total:,} movements in the ledger", file=sys.stderr)
    timings = []
    for n in range(queries):
        site = ["H1", "H2", "H3", "H4", "H5", "H6"][n % 6]
        start = time.perf_counter()
        rows = stock.on_hand(ctx, site=site)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    result.update({
        "ledger_movements": total,
        "stock_rows_per_site": len(rows),
        "stock_p50_ms": round(statistics.median(timings), 2),
        "stock_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "ledger_verifies": verify.verify_ledger(ctx).ok,
    })
    ctx.engine.dispose()
    cleanup(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movements", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000,
                        help="movements per transaction (and per bare commit)")
    parser.add_argument("--singles", type=int, default=5000,
                        help="movements posted one per transaction")
    parser.add_argument("--ledger", type=int, default=1_000_000,
                        help="movements in the ledger when timing `stock`")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = args.backend or (["sqlite", "postgresql"] if pg_url() else ["sqlite"])
    results = [run(b, args.movements, args.batch, args.singles, args.ledger, args.queries)
               for b in backends]
    print(json.dumps({"benchmark": "ledger", "results": results}, indent=2))


if __name__ == "__main__":
    main()
