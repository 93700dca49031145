"""Site node sync (issue #10): a fresh node's initial pull of a site with a long history,
then 50,000 movements made offline pushed to the central server over loopback HTTP, with
the link cut once half of the batches are through.

The central server is `aidhub serve` in its own process (PostgreSQL when
AIDHUB_BENCH_DATABASE_URL is set, else SQLite); the node is a SQLite file driven from
this process through the real HTTP client.

Figures: the initial pull's time, rows and the longest wait between two progress reports
(it must keep moving); the push's records per second and bytes per record; after the cut,
how long the resumed sync took to have its first batch acknowledged and to finish; and,
as the baseline, the same number of movements posted on the node (the work the push
carries), so the push can be read as a ratio of it.

    .venv/bin/python bench/sync.py                      # 1,000,000 movements of history
    .venv/bin/python bench/sync.py --history 100000 --offline 10000
"""

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the process helpers

from tests.reliability.sync_world import Central

from aidhub.interop.sync_client import CentralClient, Unreachable
from aidhub.services import movements, sync_central, sync_node
from aidhub.services.context import open_context
from common import Mix, fresh, network, pg_url
from outbound import Progress, ledger_size

SITE = "H1"


def post(ctx, mix: Mix, count: int, label: str, batch: int = 500) -> float:
    bar = Progress(label, count)
    began = time.perf_counter()
    done = 0
    while done < count:
        n = min(batch, count - done)
        movements.post_movements(ctx, [mix.next() for _ in range(n)])
        done += n
        bar.advance(n)
    bar.close()
    return time.perf_counter() - began


class Cut(CentralClient):
    """A client whose link drops once ``after`` batches have been acknowledged."""

    after: int | None = None
    acked = 0
    first_ack: float | None = None

    def push(self, batch):
        if self.after is not None and self.acked >= self.after:
            self.after = None
            raise Unreachable("the link was cut (benchmark)")
        answer = super().push(batch)
        self.acked += 1
        if self.first_ack is None:
            self.first_ack = time.perf_counter()
        return answer


def run(history: int, offline: int, reuse: bool = False) -> dict:
    backend = "postgresql" if pg_url() else "sqlite"
    if reuse and backend == "postgresql":  # the history of an earlier run, kept
        url = pg_url()
        central = open_context(url, actor="bench")
    else:
        central, url = fresh(backend)
        network(central)
    grown = post(central, Mix(seed=1, sites=[SITE]), max(history - ledger_size(central), 0),
                 f"{backend}: history at {SITE}", batch=1000)
    name = f"bench-node-{int(time.time())}"
    token = sync_central.add_node(central, name, SITE, key=name)["token"]
    server = Central(url)
    out: dict = {"backend": backend, "history_movements": ledger_size(central),
                 "history_growth_s": round(grown, 1)}
    try:
        base = f"http://127.0.0.1:{server.port}"
        node = open_context(f"sqlite:///{tempfile.mkdtemp(prefix='aidhub-node-')}/node.sqlite3",
                            actor="bench")
        gaps, last = [], [time.perf_counter()]

        def tick(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        began = time.perf_counter()
        client = CentralClient(base, token)
        sync_node.init_node(node, client, base, progress=tick)
        pull = time.perf_counter() - began
        out.update(initial_pull_s=round(pull, 1),
                   initial_pull_movements=ledger_size(node),
                   initial_pull_bytes=client.bytes_received,
                   initial_pull_longest_silence_s=round(max(gaps, default=0), 2),
                   initial_pull_target_s=120, initial_pull_within_target=pull < 120)

        mix = Mix(seed=2, sites=[SITE], prefix=f"{name}-")
        posting = post(node, mix, offline, "node: offline movements")
        waiting = sync_node.status(node)["waiting"]
        batches = -(-waiting // 500)
        cut = Cut(base, token)
        cut.after = batches // 2
        result = sync_node.SyncResult()
        began = time.perf_counter()
        with contextlib.suppress(Unreachable):
            sync_node.push(node, cut, result)
        first_half = time.perf_counter() - began
        cut.first_ack = None
        resumed_at = time.perf_counter()
        sync_node.push(node, cut, result)
        rest = time.perf_counter() - resumed_at
        total = first_half + rest
        out.update(
            offline_movements=offline, offline_posting_s=round(posting, 1),
            offline_movements_per_s=round(offline / posting),
            records_pushed=result.pushed, batches=result.batches,
            push_s=round(total, 1), records_per_s=round(result.pushed / total),
            movements_per_s=round(offline / total),
            bytes_per_record=round(cut.bytes_sent / max(result.pushed, 1)),
            push_vs_posting=round(total / posting, 2),
            cut_after_batches=batches // 2,
            resume_first_ack_s=round((cut.first_ack or resumed_at) - resumed_at, 3),
            resume_rest_s=round(rest, 1),
            left_after=sync_node.status(node)["waiting"])
        with central.uow() as uow:
            out["central_movements_after"] = uow.ledger.count_movements()
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=1_000_000,
                        help="movements at the site before the node is set up")
    parser.add_argument("--offline", type=int, default=50_000,
                        help="movements made on the node while offline")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the PostgreSQL history of an earlier run (no regrowing)")
    args = parser.parse_args()
    print(json.dumps(run(args.history, args.offline, args.reuse), indent=2))


if __name__ == "__main__":
    main()
