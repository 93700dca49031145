"""The central server's side of sync: registering site nodes, taking their batches,
serving their pulls, and the conflicts found on the way.

A batch is applied in one transaction with its record in ``sync_batches`` and the node's
cursor, so a batch is applied entirely or not at all, and a batch sent twice is applied
once. What a node did offline is a fact: it is applied as it happened, and where it meets
what the central server did in a way that cannot both be true (more dispatched than
there was, one document number on two documents, a party cleared against an old list) a
conflict is recorded for a hub manager, who resolves it with a new movement or decision.
"""

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.audit import GENESIS_HASH
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.sync import Batch, SyncError, judge, key_of
from aidhub.services.context import Context, utcnow
from aidhub.services.idempotency import run_command
from aidhub.store import capture, codec, replica
from aidhub.store.capture import REPLICATED, outbox_json
from aidhub.store.tables import (
    counters,
    list_versions,
    locations,
    movements,
    nodes,
    postings,
    sites,
    sync_batches,
    sync_conflicts,
    sync_outbox,
    sync_peers,
)
from aidhub.store.uow import UnitOfWork

TOKEN_PREFIX = "aidnode_"
# Each node keeps and verifies its own audit chain; commands are the idempotency records
# of the server that ran them (a movement's command is not needed to read it).
NOT_PULLED = frozenset({"audit_records", "commands"})
WITH_PARENT = {"postings": "movements"}  # pulled in the same pages as their movements


@dataclass(frozen=True)
class Peer:
    node_id: uuid.UUID
    name: str
    site_id: uuid.UUID | None


# registering nodes -------------------------------------------------------------------------

def add_node(ctx: Context, name: str, site: str, *, key: str) -> dict[str, Any]:
    """Register a site node; returns its token (shown once: only its hash is kept)."""
    name = name.strip()
    if not name or len(name) > 60 or not name.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("name the node with letters, digits, - or _ (up to 60)",
                           field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)

    def work(uow: UnitOfWork, now: dt.datetime):
        s = uow.reference.site(site)
        if uow.conn.execute(select(sync_peers.c.name).where(sync_peers.c.name == name)).first():
            raise InvalidInput("there is already a node called %(node)s", field="name",
                               node=name)
        node_id = new_id()
        uow.conn.execute(insert(nodes).values(id=node_id, name=name, is_local=False,
                                              movement_seq=0, audit_seq=0,
                                              audit_head=GENESIS_HASH))
        head = uow.conn.execute(select(nodes.c.outbox_seq).where(nodes.c.is_local)).scalar()
        uow.conn.execute(insert(sync_peers).values(  # it starts from a snapshot at head
            node_id=node_id, name=name, role="node", site_id=s.id, key_hash=key_of(token),
            pulled_seq=head, created_at=now))
        return name, {"node": str(node_id), "name": name, "site": s.code}

    result = run_command(ctx, key, "sync.add_node", {"name": name, "site": site}, work)
    return {**result, "token": token}


def peer_for_token(ctx: Context, token: str) -> Peer:
    """The node a token belongs to; NotFound when none does (or it was revoked)."""
    with ctx.uow() as uow:
        row = uow.conn.execute(select(sync_peers).where(
            sync_peers.c.key_hash == key_of(token), sync_peers.c.role == "node")).first()
    if row is None or not token:
        raise NotFound("no site node has this token")
    return Peer(row.node_id, row.name, row.site_id)


def revoke_node(ctx: Context, name: str, *, key: str) -> dict[str, Any]:
    def work(uow: UnitOfWork, now: dt.datetime):
        done = uow.conn.execute(update(sync_peers).where(sync_peers.c.name == name,
                                                         sync_peers.c.role == "node")
                                .values(key_hash="")).rowcount
        if not done:
            raise NotFound("no node called %(node)s", node=name)
        return name, {"name": name, "revoked": True}

    return run_command(ctx, key, "sync.revoke_node", {"name": name}, work)


def hello(ctx: Context, peer: Peer) -> dict[str, Any]:
    """What a node needs to set itself up: its identity, the central's, the feed's head."""
    with ctx.uow(write=True) as uow:
        _touch(uow, peer, utcnow())
        local = uow.conn.execute(select(nodes).where(nodes.c.is_local)).one()
        site = uow.conn.execute(select(sites.c.code).where(sites.c.id == peer.site_id)).scalar()
        batches = uow.conn.execute(select(sync_peers.c.pushed_batches, sync_peers.c.pushed_hash)
                                   .where(sync_peers.c.node_id == peer.node_id)).one()
        uow.commit()
    return {"node": str(peer.node_id), "name": peer.name, "site": site,
            "site_id": str(peer.site_id), "central": str(local.id),
            "central_name": local.name, "head": local.outbox_seq,
            "batches": batches.pushed_batches, "batch_hash": batches.pushed_hash}


def _touch(uow: UnitOfWork, peer: Peer, now: dt.datetime, **values: Any) -> None:
    uow.conn.execute(update(sync_peers).where(sync_peers.c.node_id == peer.node_id)
                     .values(last_contact=now, **values))


# a node's batches ----------------------------------------------------------------------

def receive(ctx: Context, peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    """Take one batch of a node's outbox. Returns the acknowledgement; raises SyncError
    (with the batch number wanted) for a batch that is altered, out of order or missing."""
    try:
        batch = Batch(str(data["node"]), int(data["batch_no"]), str(data["prev_hash"]),
                      list(data["entries"]), str(data["hash"]), str(data["signature"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("the batch lacks %(missing)s", field="batch", missing=exc) from None
    if batch.node != str(peer.node_id):
        raise SyncError("the batch names another node than the token's")
    now = utcnow()
    with ctx.uow(write=True) as uow:
        row = uow.conn.execute(select(sync_peers).where(sync_peers.c.node_id == peer.node_id)
                               .with_for_update()).one()
        stored = uow.conn.execute(select(sync_batches.c.hash).where(
            sync_batches.c.node_id == peer.node_id,
            sync_batches.c.batch_no == batch.batch_no)).scalar()
        verdict = judge(batch, key=row.key_hash, received=row.pushed_batches,
                        head_hash=row.pushed_hash or "0" * 64, stored_hash=stored)
        if not verdict.apply:
            _touch(uow, peer, now)
            uow.commit()
            return {"batch_no": batch.batch_no, "duplicate": True, "conflicts": 0}
        for e in batch.entries:
            if e.get("origin") != batch.node:
                raise SyncError("entry %(seq)s is not the node's own change", seq=e.get("seq"))
        uow.changes.origin = peer.node_id
        try:
            applied = replica.apply(uow.conn, batch.entries, suffix=peer.name)
        except (ValueError, KeyError) as exc:
            raise SyncError("batch %(batch)s: %(error)s", batch=batch.batch_no, error=exc,
                            expected=row.pushed_batches + 1) from None
        capture.flush(uow.conn, uow.changes, now)  # relayed under the node's name
        uow.changes.origin = None
        for table, pk, *_ in applied.renamed:  # the renamed rows go back to the node
            uow.changes.add(table, [tuple(pk[c.name] for c in
                                          REPLICATED[table].primary_key.columns)])
        found = _conflicts(uow, peer, applied, batch, now)
        seqs = [e["seq"] for e in batch.entries] or [row.pushed_seq]
        uow.conn.execute(insert(sync_batches).values(
            node_id=peer.node_id, batch_no=batch.batch_no, prev_hash=batch.prev_hash,
            hash=batch.hash, first_seq=seqs[0], last_seq=seqs[-1],
            entries=len(batch.entries), received_at=now))
        _touch(uow, peer, now, pushed_batches=batch.batch_no, pushed_hash=batch.hash,
               pushed_seq=seqs[-1], last_sync=now)
        uow.audit.append(now, ctx.actor, "sync.batch", peer.name,
                         {"batch_no": batch.batch_no, "hash": batch.hash,
                          "entries": len(batch.entries), "conflicts": found})
        uow.audit.flush()
        uow.commit()
    return {"batch_no": batch.batch_no, "duplicate": False, "applied": applied.rows,
            "skipped": applied.skipped, "conflicts": found}


def _conflicts(uow: UnitOfWork, peer: Peer, applied: replica.Applied, batch: Batch,
               now: dt.datetime) -> int:
    found = 0
    for table, _pk, column, old, new in applied.renamed:
        found += _open(uow, "duplicate_number", peer, peer.site_id,
                       f"{table}.{column} {old}",
                       {"table": table, "column": column, "number": old, "kept_as": new,
                        "batch": batch.batch_no,
                        "what": f"{old} was used by the central server and by {peer.name}; "
                                f"{peer.name}'s is kept as {new}"}, now)
    for table, pk, reason in applied.rejected:
        found += _open(uow, "rejected_row", peer, peer.site_id, f"{table} {json.dumps(pk)}"[:200],
                       {"table": table, "key": pk, "batch": batch.batch_no, "reason": reason,
                        "what": f"a {table} record from {peer.name} clashes with one here "
                                f"and was not stored ({reason})"}, now)
    for key, quantity in replica.negative_balances(uow.conn, applied.changes):
        site_id = uow.conn.execute(select(locations.c.site_id)
                                   .where(locations.c.id == key.location_id)).scalar()
        subject = f"stock {key.location_id}/{key.item_id}/{key.lot_id}/{key.owner_id}/" \
                  f"{key.earmark}"
        found += _open(uow, "overdrawn", peer, site_id, subject[:200],
                       {"location_id": str(key.location_id), "item_id": str(key.item_id),
                        "lot_id": str(key.lot_id), "owner_id": str(key.owner_id),
                        "earmark": key.earmark, "quantity": quantity,
                        "batch": batch.batch_no,
                        "what": f"{-quantity} more were taken than the books hold once "
                                f"{peer.name}'s offline work met the central server's"}, now)
    found += _rescreen(uow, peer, batch, now)
    return found


def _open(uow: UnitOfWork, kind: str, peer: Peer, site_id, subject: str,
          detail: dict[str, Any], now: dt.datetime) -> int:
    """Record a conflict unless the same one is open already."""
    if uow.conn.execute(select(sync_conflicts.c.id).where(
            sync_conflicts.c.kind == kind, sync_conflicts.c.subject == subject,
            sync_conflicts.c.state == "open")).first():
        return 0
    conflict_id = new_id()
    uow.conn.execute(insert(sync_conflicts).values(
        id=conflict_id, kind=kind, node_id=peer.node_id, site_id=site_id, subject=subject,
        detail=json.dumps(detail, sort_keys=True), state="open", detected_at=now))
    uow.audit.append(now, "sync", f"sync.conflict.{kind}", str(conflict_id), detail)
    return 1


def _rescreen(uow: UnitOfWork, peer: Peer, batch: Batch, now: dt.datetime) -> int:
    """Parties the node added or changed offline, screened again against the central's
    current lists; a new hit places a hold (as any screening does) and is a conflict."""
    from aidhub.services.screening import rescreen_parties

    ids = {uuid.UUID(e["pk"]["id"]) for e in batch.entries
           if e["table"] == "parties" and e["op"] == "u"}
    found = 0
    for party_id, (name, hits) in rescreen_parties(uow, sorted(ids), now).items():
        if hits:
            found += _open(uow, "stale_list", peer, peer.site_id, f"party {party_id}",
                           {"party": name, "hits": hits,
                            "what": f"{name} was cleared at {peer.name} against an older "
                                    f"list; the current lists give {hits} possible "
                                    "match(es): on hold until decided"}, now)
    return found


# pulls --------------------------------------------------------------------------------------

def _for_site(peer: Peer):
    return or_(sync_outbox.c.sites == "", sync_outbox.c.sites.like(f"% {peer.site_id} %"))


def changes(ctx: Context, peer: Peer, after: int, limit: int = 1000) -> dict[str, Any]:
    """The central's changes for the node's site after ``after``, oldest first."""
    if after < 0 or not 1 <= limit <= 5000:
        raise InvalidInput("after must be ≥ 0 and limit 1–5000", field="limit")
    with ctx.uow() as uow:
        head = uow.conn.execute(select(nodes.c.outbox_seq).where(nodes.c.is_local)).scalar()
        rows = uow.conn.execute(
            select(sync_outbox).where(sync_outbox.c.seq > after, _for_site(peer),
                                      sync_outbox.c.origin_id != peer.node_id,
                                      sync_outbox.c.table_name.not_in(NOT_PULLED))
            .order_by(sync_outbox.c.seq).limit(limit)).all()
        numbers = dict(uow.conn.execute(select(counters.c.name, counters.c.value)).all())
    entries = [outbox_json(r) for r in rows]
    # nothing left for this node up to the head: the cursor moves to it
    following = entries[-1]["seq"] if len(entries) == limit else head
    return {"entries": entries, "next": following, "head": head, "counters": numbers}


def snapshot(ctx: Context, peer: Peer, table: str, after: dict[str, Any] | None,
             limit: int = 5000) -> dict[str, Any]:
    """One page of a table for a node's initial pull, by primary key, as its site sees
    it. A page of movements carries their postings (all of them, so that a transfer
    between two sites balances at both)."""
    t = REPLICATED.get(table)
    if t is None or table in NOT_PULLED or table in WITH_PARENT:
        raise InvalidInput("%(table)s is not a table a node pulls", field="table",
                           table=table)
    if not 1 <= limit <= 10000:
        raise InvalidInput("limit must be 1–10000", field="limit")
    cols = list(t.primary_key.columns)
    query = select(t)
    if after:
        values = codec.decode(t, after)
        query = query.where(_after(cols, [values[c.name] for c in cols]))
    if table == "movements":
        here = (select(postings.c.movement_id)
                .join(locations, locations.c.id == postings.c.location_id)
                .where(postings.c.movement_id == movements.c.id,
                       locations.c.site_id == peer.site_id))
        query = query.where(exists(here))
    query = query.order_by(*cols).limit(limit)
    out: dict[str, Any] = {"columns": codec.columns(t)}
    with ctx.uow() as uow:
        if table == "movements":  # the bulk of a pull: rows go out as they come
            rows = uow.conn.execute(query).all()
            ids = [r.id for r in rows]
            lines = []
            for i in range(0, len(ids), 1000):
                lines += uow.conn.execute(
                    select(postings).where(postings.c.movement_id.in_(ids[i:i + 1000]))).all()
            out["postings"] = {"columns": codec.columns(postings),
                               "rows": codec.encode_tuples(postings, lines)}
            out["rows"] = codec.encode_tuples(t, rows)
            rows = [dict(r._mapping) for r in rows[-1:]] if len(rows) == limit else []
            last = rows[0] if rows else None
        else:
            rows = [dict(r._mapping) for r in uow.conn.execute(query)]
            resolver = _Resolver(uow)
            out["rows"] = codec.encode_rows(t, [r for r in rows if resolver.reaches(
                table, r, peer.site_id)])
            last = rows[-1] if len(rows) == limit else None
    out["next"] = codec.encode(t, {c.name: last[c.name] for c in cols}) if last else None
    return out


class _Resolver:
    def __init__(self, uow: UnitOfWork):
        from aidhub.store.capture import SiteResolver
        self.inner = SiteResolver(uow.conn)

    def reaches(self, table: str, row: dict[str, Any], site_id) -> bool:
        sites_ = self.inner.sites(table, row)
        return sites_ == "" or f" {site_id} " in sites_


def _after(cols, values):
    """Keyset pagination: the rows whose key comes after ``values``."""
    if len(cols) == 1:
        return cols[0] > values[0]
    first, rest = cols[0], cols[1:]
    return or_(first > values[0], and_(first == values[0], _after(rest, values[1:])))


def acknowledge_pull(ctx: Context, peer: Peer, pulled: int, list_version: str) -> None:
    """A node says how far it has pulled and which list version it holds."""
    with ctx.uow(write=True) as uow:
        _touch(uow, peer, utcnow(), pulled_seq=pulled, list_version=list_version[:100],
               last_sync=utcnow())
        _prune(uow)
        uow.commit()


def _prune(uow: UnitOfWork) -> None:
    """Forget the changes every node (whose token still works) has pulled."""
    oldest = uow.conn.execute(select(func.min(sync_peers.c.pulled_seq)).where(
        sync_peers.c.role == "node", sync_peers.c.key_hash != "")).scalar()
    if oldest:
        uow.conn.execute(sync_outbox.delete().where(sync_outbox.c.seq <= oldest))


# what the central server shows -------------------------------------------------------------

def node_status(ctx: Context, *, scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
    """Every node (of the hubs ``scope`` sees): last contact, how far behind it is, open
    conflicts, the list version it holds."""
    site_ids = scope.hub_ids
    with ctx.uow() as uow:
        head = uow.conn.execute(select(nodes.c.outbox_seq).where(nodes.c.is_local)).scalar()
        latest = uow.conn.execute(select(list_versions.c.id, list_versions.c.loaded_at)
                                  .order_by(list_versions.c.loaded_at.desc()).limit(1)).first()
        out = []
        for p in uow.conn.execute(select(sync_peers, sites.c.code.label("site"))
                                  .join(sites, sites.c.id == sync_peers.c.site_id, isouter=True)
                                  .where(sync_peers.c.role == "node")
                                  .order_by(sync_peers.c.name)):
            if site_ids is not None and p.site_id not in site_ids:
                continue
            open_ = uow.conn.execute(select(sync_conflicts.c.id).where(
                sync_conflicts.c.node_id == p.node_id,
                sync_conflicts.c.state == "open")).all()
            out.append({"name": p.name, "site": p.site, "last_contact": p.last_contact,
                        "last_sync": p.last_sync, "batches": p.pushed_batches,
                        "behind": max(0, (head or 0) - p.pulled_seq),
                        "open_conflicts": len(open_), "list_version": p.list_version,
                        "list_current": bool(latest) and p.list_version == str(latest.id),
                        "revoked": not p.key_hash})
    return out


def list_conflicts(ctx: Context, *, state: str | None = "open",
                   scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
    """Conflicts (open ones unless ``state`` says otherwise) at the hubs ``scope`` sees."""
    query = select(sync_conflicts, sync_peers.c.name.label("node"),
                   sites.c.code.label("site")).join(
        sync_peers, sync_peers.c.node_id == sync_conflicts.c.node_id, isouter=True).join(
        sites, sites.c.id == sync_conflicts.c.site_id, isouter=True)
    if state:
        query = query.where(sync_conflicts.c.state == state)
    if scope.hub_ids is not None:
        query = query.where(sync_conflicts.c.site_id.in_(scope.hub_ids))
    with ctx.uow() as uow:
        rows = uow.conn.execute(query.order_by(sync_conflicts.c.detected_at)).all()
    return [{"id": str(r.id), "kind": r.kind, "node": r.node, "site": r.site,
             "subject": r.subject, "detail": json.loads(r.detail), "state": r.state,
             "detected_at": r.detected_at, "resolved_at": r.resolved_at,
             "resolved_by": r.resolved_by, "resolution": r.resolution} for r in rows]


def resolve(ctx: Context, conflict_id: str, *, reason: str, key: str,
            adjust: bool = False, scope: Scope = EVERYTHING) -> dict[str, Any]:
    """Close a conflict with a reason. For stock taken twice, ``adjust`` posts the
    adjustment that brings the balance back to zero (from LOST, with the reason); without
    it, the balance must already have been put right by another movement."""
    if not reason.strip():
        raise InvalidInput("say how the conflict was resolved", field="reason")
    try:
        cid = uuid.UUID(conflict_id)
    except ValueError:
        raise NotFound("no conflict %(conflict)s", conflict=conflict_id) from None
    with ctx.uow() as uow:
        row = uow.conn.execute(select(sync_conflicts).where(sync_conflicts.c.id == cid)).first()
    if row is None or (scope.hub_ids is not None and row.site_id not in scope.hub_ids):
        # another hub's: as if there were none
        raise NotFound("no conflict %(conflict)s", conflict=conflict_id)
    detail = json.loads(row.detail)
    movement = None
    if row.kind == "overdrawn" and adjust and row.state == "open":
        movement = _adjust(ctx, detail, reason.strip(), key + ":adjust")

    def work(uow: UnitOfWork, now: dt.datetime):
        current = uow.conn.execute(select(sync_conflicts).where(sync_conflicts.c.id == cid)
                                   .with_for_update()).one()
        if current.state != "open":
            raise InvalidInput("this conflict is already resolved", field="conflict")
        if current.kind == "overdrawn":
            left = _balance(uow, detail)
            if left < 0:
                raise InvalidInput("the balance is still %(balance)s: post a movement that "
                                   "puts it right, or resolve with the adjustment",
                                   field="adjust", balance=left)
        uow.conn.execute(update(sync_conflicts).where(sync_conflicts.c.id == cid).values(
            state="resolved", resolved_at=now, resolved_by=ctx.actor,
            resolution=reason.strip()))
        return str(cid), {"id": str(cid), "state": "resolved",
                          "movement": movement.as_json() if movement else None}

    return run_command(ctx, key, "sync.resolve", {"conflict": str(cid), "reason": reason,
                                                  "adjust": adjust}, work)


def _balance(uow: UnitOfWork, detail: dict[str, Any]) -> int:
    from aidhub.store.tables import balances
    q = uow.conn.execute(select(balances.c.quantity).where(
        balances.c.location_id == uuid.UUID(detail["location_id"]),
        balances.c.item_id == uuid.UUID(detail["item_id"]),
        balances.c.lot_id == uuid.UUID(detail["lot_id"]),
        balances.c.owner_id == uuid.UUID(detail["owner_id"]),
        balances.c.earmark == detail["earmark"])).scalar()
    return q or 0


def _adjust(ctx: Context, detail: dict[str, Any], reason: str, key: str):
    from aidhub.services.movements import LineRequest, MovementRequest, post_movement

    with ctx.uow() as uow:
        shortfall = -_balance(uow, detail)
        loc = uow.reference.locations_by_id([uuid.UUID(detail["location_id"])])
        location = loc[uuid.UUID(detail["location_id"])]
        site = uow.reference.site_by_id(location.site_id)
        item = uow.reference.item_by_id(uuid.UUID(detail["item_id"]))
        lot = uow.reference.lot_by_id(uuid.UUID(detail["lot_id"]))
        owner = uow.reference.organisation_by_id(uuid.UUID(detail["owner_id"]))
    if shortfall <= 0:
        return None
    line = LineRequest(item.code, shortfall, f"{site.code}/LOST",
                       f"{site.code}/{location.code}", batch=lot.batch or None,
                       owner=owner.code)
    return post_movement(ctx, MovementRequest("adjustment", [line], key,
                                              note=f"sync conflict: {reason}"))
