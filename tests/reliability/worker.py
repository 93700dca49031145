"""Run ONE aidhub command on a database, reporting its progress, so that it can be killed.

    python -m tests.reliability.worker --url URL --op receive --target NUMBER --key KEY

The kill harness (``tests/reliability/harness.py``) starts this as a process (a fresh
interpreter like this, or a fork of an interpreter that already imported aidhub, which is
cheaper) and sends it SIGKILL at a random moment. While it runs, the worker writes one byte
per step to a file descriptor (``--fd``, stdout by default) so that the harness knows where
the kill landed:

    S  started            B  write transaction begun (SQLite: BEGIN IMMEDIATE done)
    c  COMMIT about to be sent to the database
    C  COMMIT returned    D  the command returned; its result follows as one JSON line
    E  the command raised; {"type", "message"} follows as one JSON line

Operations (what the brief of issue #9 asks to kill): ``import`` a packing list, ``receive``
a GRN, ``approve`` a plan, ``dispatch`` a waybill. Two deliberately broken operations
exist only to prove that the harness notices broken commands: ``split`` writes its effect
in two transactions, ``duplicate`` ignores its idempotency key.

``--pause-ms P`` makes the worker sleep a random 0..P ms before every statement of a write
transaction and before its COMMIT, and ``--linger-ms L`` makes it sleep L ms once a COMMIT
has returned (SQLAlchemy events on this process's engine, and a wrapper around
``UnitOfWork.commit`` in this process only; aidhub itself is not changed), so that more
kills land inside the transaction and after it.
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from aidhub.services import movements, planning, preadvice, receiving, waybills
from aidhub.services.consignments import PreAdvice
from aidhub.services.context import Context, open_context
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.services.receiving import CountLine
from aidhub.store.uow import UnitOfWork

HUB = "DAM-HUB"
SPLIT_GAP_S = 1.0  # how long ``split`` waits between its two commits


# the data of each operation, shared with the harness that prepares and checks it ---------
def packing_list(tag: str) -> bytes:
    """A packing list whose content (and so content hash) is unique to ``tag``."""
    return (
        "Item code,Item Description,Qty,UOM,Batch No.,Exp. date,Gross Wt (kg),Donor\n"
        f'RICE,"Rice, 25 kg bag",20,bag,K-{tag},2028-12-31,502,ECHO\n'
        ",Tarpaulin 4x6 m,5,piece,,,21,ECHO\n"
        f",Winter jackets for children (lot {tag}),12,carton,,,96,ECHO\n"
    ).encode()


PACKING_LINES = 3


def counts() -> list[CountLine]:
    """What reception counts on a prepared consignment (RICE 20 announced, TARP 5): all the
    rice on two pallets, four tarpaulins with the line closed one short."""
    return [CountLine(1, good=20, per_unit=10, priority=1),
            CountLine(2, good=4, close=True, priority=2)]


def _import(ctx: Context, target: str, key: str) -> Any:
    header = PreAdvice(HUB, "WFP", "WFP", [], donor="ECHO")
    return preadvice.import_file(ctx.as_actor("reception"), packing_list(target), header,
                                 key=key)


def _receive(ctx: Context, target: str, key: str) -> Any:
    return receiving.receive(ctx.as_actor("reception"), target, counts(), key=key,
                             received_by="Reception officer")


def _approve(ctx: Context, target: str, key: str) -> Any:
    return planning.approve(ctx.as_actor("manager"), target, key=key)


def _dispatch(ctx: Context, target: str, key: str) -> Any:
    return waybills.dispatch(ctx.as_actor("dispatcher"), target, key=key)


def _tarp_in(ctx: Context, reference: str, key: str) -> Any:
    return movements.post_movement(ctx, MovementRequest("receipt", [LineRequest(
        "TARP", 1, f"{HUB}/EXTERNAL", f"{HUB}/A-01", None, None, "ECHO")], key,
        reference=reference)).as_json()


def _split(ctx: Context, target: str, key: str) -> Any:
    """BROKEN on purpose: one command written as two transactions."""
    first = _tarp_in(ctx, target, f"{key}:a")
    time.sleep(SPLIT_GAP_S)
    return [first, _tarp_in(ctx, target, f"{key}:b")]


def _duplicate(ctx: Context, target: str, key: str) -> Any:
    """BROKEN on purpose: a new idempotency key on every run."""
    return _tarp_in(ctx, target, f"{key}:{uuid.uuid4()}")


OPERATIONS: dict[str, Callable[[Context, str, str], Any]] = {
    "import": _import, "receive": _receive, "approve": _approve, "dispatch": _dispatch,
    "split": _split, "duplicate": _duplicate,
}


# progress markers and the pause hook ----------------------------------------------------
def _hook(ctx: Context, fd: int, pause_ms: float, linger_ms: float,
          rng: random.Random) -> None:
    def mark(byte: bytes) -> None:
        os.write(fd, byte)

    def writing(conn) -> bool:
        return bool(conn.get_execution_options().get("aidhub_write"))

    def pause() -> None:
        if pause_ms > 0:
            time.sleep(rng.uniform(0, pause_ms) / 1000)

    @event.listens_for(ctx.engine, "begin")
    def _begin(conn) -> None:
        if writing(conn):
            mark(b"B")

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany) -> None:
        if writing(conn) and conn.in_transaction():
            pause()

    @event.listens_for(ctx.engine, "commit")
    def _commit(conn) -> None:
        if writing(conn):
            pause()
            mark(b"c")

    commit = UnitOfWork.commit

    def commit_and_mark(self: UnitOfWork) -> None:
        commit(self)
        if self.write:
            mark(b"C")
            time.sleep(linger_ms / 1000)

    UnitOfWork.commit = commit_and_mark  # this process only


def run(url: str, op: str, target: str, key: str, *, fd: int = 1, pause_ms: float = 0,
        linger_ms: float = 0, seed: int = 0, application_name: str | None = None) -> int:
    """Run one operation, writing the progress markers to ``fd``. Returns an exit status."""
    os.write(fd, b"S")
    if application_name and url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + f"application_name={application_name}"
    try:
        ctx = open_context(url, actor="worker", upgrade=False)
        _hook(ctx, fd, pause_ms, linger_ms, random.Random(seed))
        result = OPERATIONS[op](ctx, target, key)
    except Exception as exc:  # reported to the harness, which decides what it means
        os.write(fd, b"E" + json.dumps({"type": type(exc).__name__,
                                        "message": str(exc)}).encode() + b"\n")
        return 1
    os.write(fd, b"D" + json.dumps(result, sort_keys=True, default=str).encode() + b"\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--op", required=True, choices=sorted(OPERATIONS))
    parser.add_argument("--target", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--fd", type=int, default=1)
    parser.add_argument("--pause-ms", type=float, default=0)
    parser.add_argument("--linger-ms", type=float, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--application-name")
    args = parser.parse_args(argv)
    return run(args.url, args.op, args.target, args.key, fd=args.fd, pause_ms=args.pause_ms,
               linger_ms=args.linger_ms, seed=args.seed, application_name=args.application_name)


if __name__ == "__main__":
    sys.exit(main())
