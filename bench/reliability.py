"""Crash safety under SIGKILL (issue #9): many kill points on SQLite and PostgreSQL.

The harness of tests/reliability (see harness.py there) starts aidhub as a real process
importing a packing list, receiving a GRN, approving a plan or dispatching a waybill,
kills it with SIGKILL at a seeded random moment, and checks the restarted books: the
ledger and the audit chain verify, the command happened entirely or not at all, and the
retry with the same idempotency key has exactly one effect. The CI test runs 200 kill
points; this runs ``--kills`` (2,000 by default) split over the backends, on a fresh
database every ``--per-database`` kill points (so that checking stays as cheap as at the
start). Prints JSON: kill points, survived, failed (must be 0), per backend and operation,
and where the kills landed (before the write transaction, inside it, with the COMMIT in
flight, after the COMMIT returned, after the process had exited) and whether the effect
was there afterwards. Exit status 1 when any kill point failed.

It then tries hostile inputs (tests/hostile/campaign.py: hypothesis-made packing lists,
planner problem files and API bodies, zip and XML bombs, oversized bodies, climbing file
names) on a fresh database per backend, and restarts a throwaway PostgreSQL cluster of its
own under load (tests/hostile/pg_restart.py): ``hostile`` says how many inputs were tried
and how many got a 5xx or left a partial write (both must be 0), ``postgresql_restart``
how long aidhub took to answer again once PostgreSQL was back, and whether any request got
a 500 or any acknowledged write was lost or doubled. Exit status 1 on any of those too.

Last, ``backup_restore``: per backend, the benchmarks' network grown with
:class:`common.Mix` to ``--backup-movements`` movements (1,000,000 by default; 0 skips
it), then ``aidhub backup`` of it timed (online: SQLite's backup API, PostgreSQL's
pg_dump, the dump hashed and archived), and ``aidhub restore`` of that file into an
empty database (SQLite: a new file; PostgreSQL: the benchmark database, wiped once the
backup is written) timed with everything it does: the hash check, the restore, the
comparison with the manifest, and the verification of the ledger and the audit chain.
Reported: seconds (each stage apart too), the backup file's size, movements per second,
and whether the restored books verify (exit status 1 if not).

    .venv/bin/python bench/reliability.py --kills 400
    .venv/bin/python bench/reliability.py --kills 0 --hostile-examples 0 \
        --restart-clients 0 --backup-movements 20000    # backup and restore only, small
    AIDHUB_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/reliability.py
"""

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness is in tests/

from sqlalchemy import text
from tests.hostile import campaign as hostile
from tests.hostile import pg_restart
from tests.reliability.harness import OPS, Campaign, Summary

from aidhub.services import backup as backups
from aidhub.store import database
from common import cleanup, fresh, network, pg_url
from outbound import grow, ledger_size


def run_backend(backend: str, kills: int, per_database: int, seed: int,
                spawned: int) -> Summary:
    total = Summary(backend, seed)
    per_op_left = math.ceil(kills / len(OPS))
    chunk = 0
    while per_op_left > 0:
        per_op = min(per_op_left, max(1, per_database // len(OPS)))
        ctx, url = fresh(backend)
        ctx.engine.dispose()
        campaign = Campaign(url, backend, seed=seed * 1000 + chunk).setup()
        try:
            total.add(campaign.run(per_op, spawned_per_op=spawned if chunk == 0 else 0))
        finally:
            campaign.close()
            if backend == "sqlite":
                cleanup(url)
        print(f"{backend}: {total.kill_points} kill points, {total.failed} failed",
              file=sys.stderr, flush=True)
        per_op_left -= per_op
        chunk += 1
    return total


def run_hostile(backend: str, examples: int) -> dict:
    ctx, url = fresh(backend)
    try:
        return hostile.run(ctx, examples=examples)
    finally:
        ctx.engine.dispose()
        if backend == "sqlite":
            cleanup(url)


def run_restart(clients: int) -> dict:
    reason = pg_restart.missing()
    if reason:
        return {"skipped": reason}
    return pg_restart.run(clients=clients).as_json()


class Stages:
    """A backup or restore progress callback noting how long each stage took."""

    def __init__(self, label: str):
        self.label, self.seconds, self.current, self.since = label, {}, None, 0.0

    def __call__(self, stage: str, _done: int, _total: int | None) -> None:
        if stage != self.current:
            self.close()
            self.current, self.since = stage, time.perf_counter()
            print(f"{self.label}: {stage}", file=sys.stderr, flush=True)

    def close(self) -> dict[str, float]:
        if self.current is not None:
            took = time.perf_counter() - self.since
            self.seconds[self.current] = round(self.seconds.get(self.current, 0) + took, 2)
            self.current = None
        return self.seconds


def run_backup_restore(backend: str, target: int, batch: int) -> dict:
    """Grow a ledger to ``target`` movements, back it up and restore it (see above)."""
    ctx, url = fresh(backend)
    network(ctx)
    growth = grow(ctx, backend, target, batch)
    size = ledger_size(ctx)
    with tempfile.TemporaryDirectory(prefix="aidhub-bench-backup-") as folder:
        out = Path(folder) / f"aidhub-{backend}.tar"
        stages = Stages(f"{backend}: backup")
        start = time.perf_counter()
        manifest = backups.backup(ctx, out, progress=stages)
        t_backup = time.perf_counter() - start
        backup_stages = stages.close()
        ctx.engine.dispose()
        if backend == "sqlite":
            target_url = f"sqlite:///{Path(folder) / 'restored.sqlite3'}"
        else:  # the same database, emptied: the backup is all that is left of it
            engine = database.create(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            target_url = url
        stages = Stages(f"{backend}: restore")
        start = time.perf_counter()
        restored = backups.restore(out, target_url, progress=stages)
        t_restore = time.perf_counter() - start
        restore_stages = stages.close()
        file_bytes = out.stat().st_size
    if backend == "sqlite":
        cleanup(url)
    return {
        "backend": backend,
        "movements": size,
        **growth,
        "audit_records": manifest["audit"]["records"],
        "backup_seconds": round(t_backup, 2),
        "backup_stages_seconds": backup_stages,
        "backup_bytes": file_bytes,
        "backup_dump_bytes": manifest["dump"]["size"],
        "backup_movements_per_s": round(size / t_backup),
        "restore_seconds": round(t_restore, 2),
        "restore_stages_seconds": restore_stages,
        "restore_movements_per_s": round(size / t_restore),
        "restored_movements": restored.movements,
        "restored_like_manifest": not restored.problems,
        "problems": restored.problems,
        "ledger_verifies": restored.ledger.ok,
        "audit_chain_verifies": restored.audit.ok,
        "restored_ok": restored.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=2000,
                        help="kill points in all, split over the backends (default 2,000)")
    parser.add_argument("--per-database", type=int, default=100,
                        help="kill points on one database before a fresh one (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spawned-per-op", type=int, default=2,
                        help="kill points per operation and backend in a new interpreter "
                             "(python -m tests.reliability.worker) instead of a fork")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--hostile-examples", type=int, default=60,
                        help="hypothesis examples per family of hostile input (0: skip)")
    parser.add_argument("--restart-clients", type=int, default=4,
                        help="client threads writing while PostgreSQL restarts (0: skip)")
    parser.add_argument("--backup-movements", type=int, default=1_000_000,
                        help="movements in the ledger backed up and restored (default "
                             "1,000,000; 0: skip)")
    parser.add_argument("--batch", type=int, default=1000,
                        help="movements per transaction when growing that ledger")
    args = parser.parse_args()
    backends = args.backend or (["sqlite", "postgresql"] if pg_url() else ["sqlite"])
    start = time.perf_counter()
    summaries = [run_backend(b, math.ceil(args.kills / len(backends)), args.per_database,
                             args.seed, args.spawned_per_op) for b in backends]
    parts = {s.backend: s.as_json() for s in summaries}
    report = {
        "benchmark": "reliability",
        "date": dt.date.today().isoformat(),
        "seed": args.seed,
        "kill_points": sum(p["kill_points"] for p in parts.values()),
        "survived": sum(p["survived"] for p in parts.values()),
        "failed": sum(p["failed"] for p in parts.values()),
        "seconds": round(time.perf_counter() - start, 1),
        "backends": parts,
    }
    if args.hostile_examples:
        parts = {b: run_hostile(b, args.hostile_examples) for b in backends}
        report["hostile"] = {
            "hostile_inputs_tried": sum(p["hostile_inputs_tried"] for p in parts.values()),
            "answered_5xx_or_unexpected_error": sum(
                p["answered_5xx_or_unexpected_error"] for p in parts.values()),
            "partial_writes": sum(p["partial_writes"] for p in parts.values()),
            "backends": parts,
        }
    if args.restart_clients:
        report["postgresql_restart"] = run_restart(args.restart_clients)
    if args.backup_movements:
        report["backup_restore"] = {
            "movements": args.backup_movements,
            "backends": {b: run_backup_restore(b, args.backup_movements, args.batch)
                         for b in backends}}
    report["seconds"] = round(time.perf_counter() - start, 1)
    if "postgresql" not in backends:
        report["note"] = ("PostgreSQL was not run: set AIDHUB_BENCH_DATABASE_URL to a "
                          "database the benchmark may wipe")
    print(json.dumps(report, indent=2))
    hostile_bad = report.get("hostile", {})
    restart = report.get("postgresql_restart", {})
    bad = (report["failed"] or hostile_bad.get("answered_5xx_or_unexpected_error")
           or hostile_bad.get("partial_writes") or restart.get("answered_500_or_dropped")
           or restart.get("acknowledged_writes_missing_or_doubled")
           or any(not r["restored_ok"]
                  for r in report.get("backup_restore", {}).get("backends", {}).values()))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
