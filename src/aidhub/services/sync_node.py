"""A site node's side of sync: setting it up from the central server, pushing its own
work, pulling its site's, and saying where it stands.

A node is an ordinary aidhub installation on its own SQLite file whose local node has the
id the central server gave it. Everything it records while offline waits in its outbox;
:func:`sync` pushes it in signed, chained batches and then pulls what is new for its site.
Each step records how far it got in the same transaction as its effect, so a sync cut at
any point (a dropped link, a killed process) resumes where it stopped and never applies
anything twice.
"""

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Uuid, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aidhub.domain.audit import GENESIS_HASH
from aidhub.domain.errors import AidhubError
from aidhub.domain.sync import BATCH_ENTRIES, GENESIS, Batch, key_of
from aidhub.interop.sync_client import CentralClient
from aidhub.services import sync_central
from aidhub.services.context import Context, utcnow
from aidhub.store import codec, replica
from aidhub.store.capture import REPLICATED, outbox_json
from aidhub.store.database import is_sqlite
from aidhub.store.replica import APPEND_ONLY
from aidhub.store.tables import (
    counters,
    list_versions,
    movements,
    nodes,
    postings,
    sync_outbox,
    sync_peers,
)
from aidhub.store.types import UTCDateTime

PULL_PAGE = 2000
SNAPSHOT_PAGE = 10000
RECOUNT = ("recount",)  # in the running totals: postings were already there
SNAPSHOT_TABLES = [t for t in REPLICATED
                   if t not in sync_central.NOT_PULLED and t not in sync_central.WITH_PARENT]
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class SyncResult:
    pushed: int = 0
    batches: int = 0
    pulled: int = 0
    conflicts: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class NotANode(AidhubError):
    """This installation is not a site node (run `aidhub node init` first)."""


# setting up -----------------------------------------------------------------------------

def init_node(ctx: Context, client: CentralClient, central_url: str, *,
              progress: Progress = _quiet) -> dict[str, Any]:
    """Make this (empty) installation the site node the token belongs to, and pull its
    site. Safe to run again after a cut: it resumes the initial pull."""
    if not is_sqlite(ctx.engine):
        raise AidhubError("a site node keeps its data in its own SQLite file; give a "
                          "sqlite:/// database URL")
    info = client.hello()
    with _replica_tx(ctx) as conn:
        peer = conn.execute(select(sync_peers).where(sync_peers.c.role == "central")).first()
        if peer is None:
            if conn.execute(select(func.count()).select_from(movements)).scalar():
                raise AidhubError("this database already holds movements; a site node "
                                  "starts from an empty database")
            central_id = uuid.UUID(info["central"])
            conn.execute(update(nodes).where(nodes.c.is_local).values(
                id=uuid.UUID(info["node"]), name=info["name"]))
            conn.execute(insert(nodes).values(id=central_id, name=info["central_name"],
                                              is_local=False, movement_seq=0, audit_seq=0,
                                              audit_head=GENESIS_HASH))
            conn.execute(insert(sync_peers).values(
                node_id=central_id, name=info["central_name"], role="central",
                url=central_url, token=client.token, key_hash=key_of(client.token),
                pushed_batches=info["batches"], pushed_hash=info["batch_hash"],
                snapshot=json.dumps({"head": info["head"], "table": 0, "after": None}),
                created_at=utcnow()))
        elif str(peer.node_id) != info["central"]:
            raise AidhubError("this node was set up for another central server")
    _snapshot(ctx, client, progress)
    return {"node": info["name"], "site": info["site"], **status(ctx)}


def _snapshot(ctx: Context, client: CentralClient, progress: Progress) -> None:
    peer = _central(ctx)
    if peer.snapshot == "done":
        return
    cursor = json.loads(peer.snapshot)
    first = SNAPSHOT_TABLES.index("movements")
    # the balances are summed on the way when every posting passes through this run;
    # a pull resumed half way recomputes them from the postings at the end
    totals: dict[tuple, int] | None = {} if (
        cursor["table"] < first or (cursor["table"] == first and not cursor["after"])) \
        else None
    for n in range(cursor["table"], len(SNAPSHOT_TABLES)):
        name = SNAPSHOT_TABLES[n]
        table = REPLICATED[name]
        after = cursor["after"] if n == cursor["table"] else None
        done = 0
        pages = _prefetching(client, name, after)
        while True:
            page = next(pages)
            extra = page.get("postings") or {"columns": [], "rows": []}
            after = page["next"]
            with _replica_tx(ctx) as conn:
                if table.name == "movements":  # the bulk of it: straight into SQLite
                    _ledger_rows(conn, table, page["columns"], page["rows"])
                    _ledger_rows(conn, postings, extra["columns"], extra["rows"], totals)
                else:
                    _bulk_put(conn, table, codec.decode_rows(table, page["columns"],
                                                             page["rows"]))
                state = {"head": cursor["head"], "table": n if after else n + 1,
                         "after": after}
                conn.execute(update(sync_peers).where(sync_peers.c.role == "central")
                             .values(snapshot=json.dumps(state)))
            done += len(page["rows"])
            progress(f"initial pull: {name}", done, 0)
            if not after:
                break
    with _replica_tx(ctx) as conn:
        if totals is None or RECOUNT in totals:
            replica.rebuild_balances(conn)
        else:
            _write_balances(conn, totals)
        conn.execute(update(sync_peers).where(sync_peers.c.role == "central")
                     .values(snapshot="done", pulled_seq=cursor["head"]))
    ctx.cache.__init__()  # forget reference records read before the pull


def _prefetching(client: CentralClient, table: str, after: Any) -> Iterator[dict[str, Any]]:
    """The pages of ``table`` from ``after``, the next one asked for while this one is
    being written (the central server and the node work at the same time)."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(cursor):
        return client.snapshot(table, json.dumps(cursor) if cursor else None, SNAPSHOT_PAGE)

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(fetch, after)
        while True:
            page = pending.result()
            if page["next"]:
                pending = pool.submit(fetch, page["next"])
            yield page
            if not page["next"]:
                return


def _write_balances(conn: Connection, totals: dict[tuple, int]) -> None:
    """The balances summed while the postings came in (ids as SQLite stores them)."""
    raw = conn.connection.driver_connection
    physical = dict(raw.execute("SELECT id, physical FROM locations").fetchall())
    raw.execute("DELETE FROM balances")
    raw.executemany(
        "INSERT INTO balances (location_id, item_id, lot_id, owner_id, earmark, physical, "
        "quantity) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*k, physical[k[0]], q) for k, q in totals.items() if q])


def _ledger_rows(conn: Connection, table, names: list[str], rows: list[list[Any]],
                 totals: dict[tuple, int] | None = None) -> None:
    """Movements or postings of the initial pull, inserted as SQLite stores them (ids as
    32 hex digits, UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff'), without making Python
    objects of a million rows; rows already here are left alone (they cannot differ)."""
    if not rows:
        return
    known = {c.name for c in table.columns}
    if not set(names) <= known:
        raise AidhubError("the central server sent unknown columns of %(table)s",
                          table=table.name)
    kinds = []
    for n in names:
        t = table.c[n].type
        kinds.append("uuid" if isinstance(t, Uuid) else
                     "time" if isinstance(t, UTCDateTime) else "")
    converted = []
    for r in rows:
        out = []
        for kind, v in zip(kinds, r, strict=True):
            if v is None or not kind:
                out.append(v)
            elif kind == "uuid":
                out.append(uuid.UUID(v).hex if len(v) != 36 else v.replace("-", ""))
            else:
                out.append(_sqlite_time(v))
        converted.append(out)
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    raw = conn.connection.driver_connection
    before = raw.total_changes
    raw.executemany(f'INSERT OR IGNORE INTO {table.name} ({columns}) VALUES ({marks})',
                    converted)
    if totals is not None and table.name == "postings":
        if raw.total_changes - before != len(converted):  # some were here: count afresh
            totals[RECOUNT] = 1
        at = [names.index(c) for c in ("location_id", "item_id", "lot_id", "owner_id",
                                       "earmark")]
        q = names.index("quantity")
        for r in converted:
            key = tuple(r[i] for i in at)
            totals[key] = totals.get(key, 0) + r[q]


def _sqlite_time(value: str) -> str:
    if value.endswith("+00:00") and len(value) in (25, 32):
        text = value[:-6].replace("T", " ")
        return text if len(text) == 26 else text + ".000000"
    parsed = codec.decode_rows(sync_outbox, ["at"], [[value]])[0]["at"]
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _bulk_put(conn: Connection, table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    pk = [c.name for c in table.primary_key.columns]
    stmt = sqlite_insert(table)
    if table.name in APPEND_ONLY:
        stmt = stmt.on_conflict_do_nothing(index_elements=pk)
    else:
        others = [c.name for c in table.columns if c.name not in pk]
        stmt = stmt.on_conflict_do_update(
            index_elements=pk, set_={c: stmt.excluded[c] for c in others}) if others \
            else stmt.on_conflict_do_nothing(index_elements=pk)
    by_shape: dict[tuple, list] = {}
    for r in rows:
        by_shape.setdefault(tuple(sorted(r)), []).append(r)
    for group in by_shape.values():
        conn.execute(stmt, group)


@contextmanager
def _replica_tx(ctx: Context) -> Iterator[Connection]:
    """A write transaction for what comes from the central server: not captured (it is not
    this node's own work) and without foreign-key checks, since a node holds only its
    site's part of the records (a waybill's other end may be another site's)."""
    conn = ctx.engine.connect()
    raw = conn.connection.driver_connection  # in autocommit: outside any transaction
    try:
        raw.execute("PRAGMA foreign_keys = OFF")
        conn.execution_options(aidhub_write=True)
        with conn.begin():
            yield conn
    finally:
        try:
            raw.execute("PRAGMA foreign_keys = ON")
        finally:
            conn.close()


def _central(ctx: Context):
    with ctx.uow() as uow:
        peer = uow.conn.execute(select(sync_peers).where(sync_peers.c.role == "central")).first()
    if peer is None:
        raise NotANode("this installation is not a site node; set it up with "
                       "`aidhub node init --central URL --site S --token T`")
    return peer


# syncing ----------------------------------------------------------------------------------

def client_for(ctx: Context, **kwargs: Any) -> CentralClient:
    peer = _central(ctx)
    return CentralClient(peer.url, peer.token, **kwargs)


def sync(ctx: Context, client: CentralClient, *, progress: Progress = _quiet) -> SyncResult:
    """Push everything waiting, then pull everything new; record the outcome."""
    result = SyncResult()
    try:
        _snapshot(ctx, client, progress)
        push(ctx, client, result, progress)
        pull(ctx, client, result, progress)
    except AidhubError as exc:
        _record(ctx, error=str(exc))
        raise
    _record(ctx, error="")
    result.bytes_sent, result.bytes_received = client.bytes_sent, client.bytes_received
    return result


def _record(ctx: Context, *, error: str) -> None:
    values: dict[str, Any] = {"last_error": error[:2000], "last_contact": utcnow()}
    if not error:
        values["last_sync"] = utcnow()
    with _replica_tx(ctx) as conn:
        conn.execute(update(sync_peers).where(sync_peers.c.role == "central").values(values))


def push(ctx: Context, client: CentralClient, result: SyncResult,
         progress: Progress = _quiet) -> None:
    """Send the outbox in batches; each is recorded as sent once the central server has
    acknowledged it. A batch's extent is fixed before it is first sent, so after a cut
    the same batch (same number, same hash) is sent again and applied once."""
    total = waiting(ctx)
    sent = 0
    while True:
        with _replica_tx(ctx) as conn:
            peer = conn.execute(select(sync_peers).where(sync_peers.c.role == "central")).one()
            local = conn.execute(select(nodes.c.id).where(nodes.c.is_local)).scalar()
            last = peer.inflight_seq
            if last <= peer.pushed_seq:
                seqs = conn.execute(
                    select(sync_outbox.c.seq).where(sync_outbox.c.seq > peer.pushed_seq)
                    .order_by(sync_outbox.c.seq).limit(BATCH_ENTRIES)).scalars().all()
                last = seqs[-1] if seqs else 0
                if last:
                    conn.execute(update(sync_peers).where(sync_peers.c.role == "central")
                                 .values(inflight_seq=last))
            rows = conn.execute(select(sync_outbox).where(
                sync_outbox.c.seq > peer.pushed_seq, sync_outbox.c.seq <= last)
                .order_by(sync_outbox.c.seq)).all() if last else []
        if not rows:
            return
        entries = [outbox_json(r) for r in rows]
        batch = Batch.make(str(local), peer.pushed_batches + 1, peer.pushed_hash or GENESIS,
                           entries, peer.key_hash)
        ack = client.push(batch.as_json())
        result.conflicts += int(ack.get("conflicts") or 0)
        with _replica_tx(ctx) as conn:
            conn.execute(update(sync_peers).where(sync_peers.c.role == "central").values(
                pushed_seq=entries[-1]["seq"], pushed_batches=batch.batch_no,
                pushed_hash=batch.hash, inflight_seq=0))
            # acknowledged: the central server holds them now (and relays them)
            conn.execute(sync_outbox.delete().where(sync_outbox.c.seq <= entries[-1]["seq"]))
        result.pushed += len(entries)
        result.batches += 1
        sent += len(entries)
        progress("push", sent, total)


def pull(ctx: Context, client: CentralClient, result: SyncResult,
         progress: Progress = _quiet) -> None:
    """Apply the central server's changes for this site, page by page; the cursor moves
    in the same transaction as the rows."""
    peer = _central(ctx)
    after = peer.pulled_seq
    name = _local_name(ctx)
    while True:
        page = client.changes(after, PULL_PAGE)
        with _replica_tx(ctx) as conn:
            applied = replica.apply(conn, page["entries"], suffix=name, local_yields=True)
            _catch_up_numbers(conn, page.get("counters") or {})
            conn.execute(update(sync_peers).where(sync_peers.c.role == "central")
                         .values(pulled_seq=page["next"]))
        result.pulled += applied.rows
        after = page["next"]
        progress("pull", after, page["head"])
        if after >= page["head"] or not page["entries"]:
            break
    ctx.cache.__init__()
    client.acknowledge(after, _list_version(ctx))


def _catch_up_numbers(conn: Connection, central: dict[str, int]) -> None:
    """Number on from where the central server has got, so that a document pulled from
    it never shares a number with one made here afterwards. (Both numbering the same
    document while apart is a conflict the central server records.)"""
    if not central:
        return
    mine = dict(conn.execute(select(counters.c.name, counters.c.value)).all())
    for name, value in central.items():
        if name not in mine:
            conn.execute(insert(counters).values(name=name, value=int(value)))
        elif mine[name] < int(value):
            conn.execute(update(counters).where(counters.c.name == name)
                         .values(value=int(value)))


def _local_name(ctx: Context) -> str:
    with ctx.uow() as uow:
        return uow.conn.execute(select(nodes.c.name).where(nodes.c.is_local)).scalar()


def _list_version(ctx: Context) -> str:
    with ctx.uow() as uow:
        latest = uow.conn.execute(select(list_versions.c.id)
                                  .order_by(list_versions.c.loaded_at.desc()).limit(1)).first()
    return str(latest.id) if latest else ""


# where it stands ---------------------------------------------------------------------------

def waiting(ctx: Context) -> int:
    """How many of this node's changes the central server has not acknowledged."""
    with ctx.uow() as uow:
        peer = uow.conn.execute(select(sync_peers.c.pushed_seq)
                                .where(sync_peers.c.role == "central")).first()
        if peer is None:
            return 0
        return uow.conn.execute(select(func.count()).select_from(sync_outbox)
                                .where(sync_outbox.c.seq > peer.pushed_seq)).scalar()


def status(ctx: Context) -> dict[str, Any]:
    """For the banner and `aidhub node status`: is this a node, when it last synced,
    whether the last try failed, and how much is waiting."""
    with ctx.uow() as uow:
        peer = uow.conn.execute(select(sync_peers).where(sync_peers.c.role == "central")).first()
    if peer is None:
        return {"node": False}
    return {"node": True, "central": peer.url, "last_sync": peer.last_sync,
            "last_contact": peer.last_contact, "error": peer.last_error,
            "online": bool(peer.last_contact) and not peer.last_error,
            "waiting": waiting(ctx), "initial_pull_done": peer.snapshot == "done",
            "pushed_batches": peer.pushed_batches, "pulled_seq": peer.pulled_seq}



def keep_syncing(ctx: Context, every_seconds: float, stop: threading.Event) -> None:
    """Sync now and then every ``every_seconds`` until ``stop`` is set (a thread of
    `aidhub serve` on a node). A failed try is recorded (the banner shows it) and retried
    at the next turn; nothing is lost in between, it waits in the outbox."""
    import logging

    log = logging.getLogger("aidhub.sync")
    while not stop.is_set():
        try:
            result = sync(ctx, client_for(ctx))
            if result.pushed or result.pulled:
                log.info("synced: pushed %s, pulled %s, %s conflict(s)", result.pushed,
                         result.pulled, result.conflicts)
        except AidhubError as exc:
            log.warning("sync failed, will try again: %s", exc)
        except Exception:  # never let the thread die: the next turn may succeed
            log.exception("sync failed unexpectedly")
        stop.wait(every_seconds)
