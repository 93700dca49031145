"""Change capture: what each write transaction changed in the replicated tables.

A write :class:`~aidhub.store.uow.UnitOfWork` listens to its own statements. For an
INSERT it takes the primary keys from the parameters; for an UPDATE or DELETE it finds
the rows the WHERE clause names (directly when it is ``pk = :value``, otherwise by
selecting them first). At commit, :func:`flush` reads those rows as they now are and
writes one outbox entry each, in the same transaction: so the outbox holds exactly what
was committed, a crash loses nothing, and a rolled-back transaction leaves nothing.

Entries are numbered under the local node's lock, so they appear in commit order. Inside
one transaction they are ordered parents first (the tables' foreign-key order), so a
receiver can apply them statement by statement.
"""

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Boolean, Connection, Integer, Table, insert, select, tuple_, update
from sqlalchemy.sql import Delete, Insert, Update
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
)
from sqlalchemy.sql.operators import eq

from aidhub.store import codec
from aidhub.store.tables import metadata, nodes, sync_outbox, sync_peers

# Tables that stay on the installation that wrote them: counters, caches, credentials,
# sessions, stored report files and the sync machinery itself. Balances are derived:
# every receiver recomputes them from the postings it applies.
LOCAL_ONLY = frozenset({
    "nodes", "balances", "sessions", "sign_in_attempts", "api_tokens", "counters",
    "settings", "reports", "sync_outbox", "sync_peers", "sync_batches",
})
REPLICATED = {t.name: t for t in metadata.sorted_tables if t.name not in LOCAL_ONLY}
ORDER = {name: n for n, name in enumerate(t.name for t in metadata.sorted_tables)}
INFO_KEY = "aidhub_changes"


class ChangeSet:
    """The rows one transaction touched, in the order first touched."""

    def __init__(self) -> None:
        self.touched: dict[str, dict[tuple, None]] = {}
        self.known: dict[str, dict[tuple, dict[str, Any]]] = {}  # rows as just written
        self.origin: uuid.UUID | None = None  # None: the local node
        self.paused = False

    def forget(self, table: str, keys: Iterable[tuple]) -> None:
        """These rows changed after they were written: read them back at commit."""
        known = self.known.get(table)
        if known:
            for k in keys:
                known.pop(k, None)

    def wrote(self, table: str, rows: dict[tuple, dict[str, Any]]) -> None:
        """Whole rows just written (as a replica applies them): no need to read them
        back at commit."""
        self.known.setdefault(table, {}).update(rows)

    def add(self, table: str, pks: Iterable[tuple]) -> None:
        seen = self.touched.setdefault(table, {})
        for pk in pks:
            seen[pk] = None

    def __bool__(self) -> bool:
        return any(self.touched.values())


def start(conn: Connection) -> ChangeSet:
    changes = ChangeSet()
    conn.info[INFO_KEY] = changes
    return changes


def stop(conn: Connection) -> None:
    conn.info.pop(INFO_KEY, None)


def before_execute(conn: Connection, clause, multiparams, params, execution_options):
    """The engine-wide listener (see aidhub.store.database): note what a DML statement on
    a replicated table is about to touch, when the connection is capturing."""
    changes: ChangeSet | None = conn.info.get(INFO_KEY)
    if changes is None or changes.paused or not isinstance(clause, Insert | Update | Delete):
        return
    table = clause.table
    if not isinstance(table, Table) or table.name not in REPLICATED:
        return
    rows = _param_rows(multiparams, params)
    if isinstance(clause, Insert):
        keys = _insert_keys(clause, table, rows)
        changes.add(table.name, keys)
        if not getattr(clause, "_multi_values", None):
            changes.wrote(table.name, _inserted_rows(clause, table, rows, keys))
    else:
        keys = _where_keys(conn, changes, clause, table, rows)
        changes.add(table.name, keys)
        changes.forget(table.name, keys)


def _param_rows(multiparams, params) -> list[dict[str, Any]]:
    if multiparams:
        if isinstance(multiparams, dict):
            return [multiparams]
        if isinstance(multiparams, list | tuple):
            out = []
            for m in multiparams:
                if isinstance(m, dict):
                    out.append(m)
                elif isinstance(m, list | tuple):
                    out.extend(x for x in m if isinstance(x, dict))
            return out
    return [params] if params else [{}]


def _insert_keys(clause: Insert, table: Table, rows: list[dict[str, Any]]) -> list[tuple]:
    pk = [c.name for c in table.primary_key.columns]
    fixed = {}
    values = getattr(clause, "_values", None) or {}
    for col, value in values.items():
        name = getattr(col, "key", col)
        fixed[name] = value.value if isinstance(value, BindParameter) else value
    multi = getattr(clause, "_multi_values", None)
    if multi:
        keys = []
        for group in multi:
            for row in group:
                if isinstance(row, dict):
                    d = {getattr(k, "key", k): (v.value if isinstance(v, BindParameter) else v)
                         for k, v in row.items()}
                else:  # a positional tuple in column order
                    d = {c.name: v for c, v in zip(table.columns, row, strict=False)}
                keys.append(tuple(d[n] for n in pk))
        return keys
    out = []
    for row in rows:
        merged = {**fixed, **row}
        try:
            out.append(tuple(merged[n] for n in pk))
        except KeyError as exc:
            raise RuntimeError(f"insert into {table.name} without its primary key "
                               f"{exc}: replicated tables need client-side keys") from None
    return out


_UNKNOWN = object()
_DEFAULTS: dict[str, dict[str, Any]] = {}


def _defaults(table: Table) -> dict[str, Any]:
    """What each column holds when an INSERT leaves it out (_UNKNOWN: read it back)."""
    found = _DEFAULTS.get(table.name)
    if found is not None:
        return found
    found = {}
    for c in table.columns:
        if c.default is not None:
            found[c.name] = c.default.arg if c.default.is_scalar else _UNKNOWN
        elif c.server_default is not None:
            arg = getattr(c.server_default, "arg", None)
            if not isinstance(arg, str):
                found[c.name] = _UNKNOWN
            elif isinstance(c.type, Boolean):
                found[c.name] = arg.lower() in ("1", "true", "t")
            elif isinstance(c.type, Integer):
                found[c.name] = int(arg)
            else:
                found[c.name] = arg
        else:
            found[c.name] = None if c.nullable else _UNKNOWN
    _DEFAULTS[table.name] = found
    return found


def _inserted_rows(clause: Insert, table: Table, rows: list[dict[str, Any]],
                   keys: list[tuple]) -> dict[tuple, dict[str, Any]]:
    """The rows an INSERT writes, where its parameters say all of them (no SQL
    expressions, no defaults made by the database)."""
    defaults = _defaults(table)
    fixed: dict[str, Any] = {}
    for col, value in (getattr(clause, "_values", None) or {}).items():
        name = getattr(col, "key", col)
        if isinstance(value, BindParameter):
            fixed[name] = value.value
        elif isinstance(value, ClauseElement):
            return {}
        else:
            fixed[name] = value
    out = {}
    for key, row in zip(keys, rows, strict=False):
        full = {}
        for c in table.columns:
            if c.name in row:
                full[c.name] = row[c.name]
            elif c.name in fixed:
                full[c.name] = fixed[c.name]
            else:
                value = defaults[c.name]
                if value is _UNKNOWN:
                    break
                full[c.name] = value
        else:
            if not any(isinstance(v, ClauseElement) for v in full.values()):
                out[key] = full
    return out


def _simple_where(where, pk: list[str]) -> dict[str, Any] | None:
    """``pk = :param`` (AND ...) as {column: bind parameter}, or None when it is not."""
    terms = list(where.clauses) if isinstance(where, BooleanClauseList) else [where]
    found: dict[str, Any] = {}
    for t in terms:
        if not (isinstance(t, BinaryExpression) and t.operator is eq):
            return None
        left, right = t.left, t.right
        if isinstance(left, BindParameter):
            left, right = right, left
        name = getattr(left, "name", None)
        if name not in pk or not isinstance(right, BindParameter):
            return None
        found[name] = right
    return found if set(found) == set(pk) else None


def _where_keys(conn: Connection, changes: ChangeSet, clause, table: Table,
                rows: list[dict[str, Any]]) -> list[tuple]:
    pk = [c.name for c in table.primary_key.columns]
    where = clause.whereclause
    simple = _simple_where(where, pk) if where is not None else None
    if simple is not None:
        out = []
        for row in rows:
            key = []
            for name in pk:
                b = simple[name]
                key.append(row.get(b.key, b.value))
            out.append(tuple(key))
        return out
    query = select(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    changes.paused = True
    try:
        out = []
        for row in rows:
            out.extend(tuple(r) for r in conn.execute(query, row or {}))
        return out
    finally:
        changes.paused = False


def flush(conn: Connection, changes: ChangeSet, now: dt.datetime,
          sites_of: "SiteResolver | None" = None) -> int:
    """Write the outbox entries for ``changes``; return how many. An installation with no
    sync peer (no site node, not a node itself) keeps no outbox: nobody would read it.
    (The peers are read in this transaction, so every commit after a node is registered
    is captured; the node's initial pull starts from the outbox head at that point.)"""
    if not changes:
        return 0
    changes.paused = True
    try:
        if conn.execute(select(sync_peers.c.node_id).limit(1)).first() is None:
            changes.touched.clear()
            changes.known.clear()
            return 0
        entries = []
        resolver = sites_of or SiteResolver(conn)
        for name in sorted(changes.touched, key=ORDER.__getitem__):
            table = REPLICATED[name]
            pks = list(changes.touched[name])
            known = changes.known.get(name, {})
            current = {k: known[k] for k in pks if k in known}
            missing = [k for k in pks if k not in known]
            if missing:
                current.update(_read(conn, table, missing))
            if name == "movements":
                resolver.learn_postings(changes.known.get("postings", {}).values())
                resolver.prefetch_movements([k[0] for k in pks])
            for key in pks:
                row = current.get(key)
                pk = dict(zip([c.name for c in table.primary_key.columns], key, strict=True))
                entries.append({
                    "table_name": name, "op": "u" if row is not None else "d",
                    "pk": codec.dumps(table, pk),
                    "row": codec.dumps(table, row) if row is not None else None,
                    "sites": resolver.sites(name, row) if row is not None else "",
                })
        if not entries:
            return 0
        local = conn.execute(
            update(nodes).where(nodes.c.is_local)
            .values(outbox_seq=nodes.c.outbox_seq + len(entries))
            .returning(nodes.c.id, nodes.c.outbox_seq)
        ).one()
        first = local.outbox_seq - len(entries) + 1
        origin = changes.origin or local.id
        for n, e in enumerate(entries):
            e.update(seq=first + n, origin_id=origin, at=now)
        conn.execute(insert(sync_outbox), entries)
        changes.touched.clear()
        changes.known.clear()
        return len(entries)
    finally:
        changes.paused = False


def _read(conn: Connection, table: Table, pks: Sequence[tuple]) -> dict[tuple, dict]:
    cols = list(table.primary_key.columns)
    out: dict[tuple, dict] = {}
    for i in range(0, len(pks), 500):
        chunk = pks[i:i + 500]
        cond = cols[0].in_([k[0] for k in chunk]) if len(cols) == 1 \
            else tuple_(*cols).in_(chunk)
        for r in conn.execute(select(table).where(cond)):
            m = dict(r._mapping)
            out[tuple(m[c.name] for c in cols)] = m
    return out


_LOCATION_SITES: dict[Any, Any] = {}


class SiteResolver:
    """Which sites a replicated row belongs to, so that a site node pulls only its own
    site's documents and stock (plus everything that belongs to no site: the catalog,
    organisations, parties, lists...). Returns " id id " or "" (every site)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self._parent: dict[tuple[str, Any], str] = {}

    def sites(self, table: str, row: dict[str, Any]) -> str:
        ids = self._sites(table, row)
        ids.discard(None)
        return (" " + " ".join(sorted(str(i) for i in ids)) + " ") if ids else ""

    def _sites(self, table: str, row: dict[str, Any]) -> set:
        direct = SITE_COLUMNS.get(table)
        if direct:
            return {row.get(c) for c in direct}
        if table in ("postings",):
            return {self.location_site(row["location_id"])}
        if table == "movements":
            return self._movement_sites(row["id"])
        parent = PARENT.get(table)
        if parent:
            column, parent_table = parent
            return set(filter(None, self._parent_sites(parent_table, row.get(column)).split()))
        return set()

    def learn_postings(self, rows) -> None:
        """The sites of movements whose postings this transaction wrote (no query)."""
        self._movements = getattr(self, "_movements", {})
        for r in rows:
            self._movements.setdefault(r["movement_id"], set()).add(
                self.location_site(r["location_id"]))

    def prefetch_movements(self, ids: list) -> None:
        """The sites of many movements in a few queries (instead of one each)."""
        from aidhub.store.tables import locations, postings
        self._movements = getattr(self, "_movements", {})
        ids = [i for i in ids if i not in self._movements]
        for i in range(0, len(ids), 500):
            rows = self.conn.execute(
                select(postings.c.movement_id, locations.c.site_id).distinct()
                .join(locations, locations.c.id == postings.c.location_id)
                .where(postings.c.movement_id.in_(ids[i:i + 500])))
            for movement_id, site_id in rows:
                self._movements.setdefault(movement_id, set()).add(site_id)

    def location_site(self, location_id) -> Any:
        """A location's site (locations never move, so this is kept for the process)."""
        site = _LOCATION_SITES.get(location_id)
        if site is None:
            from aidhub.store.tables import locations
            site = self.conn.execute(
                select(locations.c.site_id).where(locations.c.id == location_id)).scalar()
            if site is not None:
                _LOCATION_SITES[location_id] = site
        return site

    def _movement_sites(self, movement_id) -> set:
        known = getattr(self, "_movements", {}).get(movement_id)
        if known is not None:
            return set(known)
        from aidhub.store.tables import locations, postings
        rows = self.conn.execute(
            select(locations.c.site_id).distinct()
            .join(postings, postings.c.location_id == locations.c.id)
            .where(postings.c.movement_id == movement_id))
        return {r[0] for r in rows}

    def _parent_sites(self, table: str, parent_id) -> str:
        if parent_id is None:
            return ""
        cached = self._parent.get((table, parent_id))
        if cached is None:
            t = metadata.tables[table]
            row = self.conn.execute(select(t).where(t.c.id == parent_id)).first()
            cached = self.sites(table, dict(row._mapping)) if row is not None else ""
            self._parent[(table, parent_id)] = cached
        return cached

# Rows that name a site but every node needs: the places themselves, who may do what
# where, routes and planning figures, and requests (a hub's node sees the open requests
# of the points it may serve).
GLOBAL = frozenset({"sites", "grants", "routes", "site_planning", "users", "requests"})


def _site_columns() -> dict[str, tuple[str, ...]]:
    """Tables with columns naming a site: any foreign key to sites.id."""
    out = {}
    for t in REPLICATED.values():
        cols = tuple(fk.parent.name for fk in t.foreign_keys if fk.column.table.name == "sites")
        if cols and t.name not in GLOBAL:
            out[t.name] = cols
    return out


def _parents() -> dict[str, tuple[str, str]]:
    """Tables without a site column whose site is their parent's (the first foreign key
    to a table that has a site, directly or through its own parent)."""
    out: dict[str, tuple[str, str]] = {}
    changed = True
    while changed:
        changed = False
        for t in REPLICATED.values():
            if t.name in SITE_COLUMNS or t.name in out or t.name in ("postings", "movements"):
                continue
            for fk in sorted(t.foreign_keys, key=lambda f: f.parent.name):
                target = fk.column.table.name
                if (target in SITE_COLUMNS or target in out) and fk.column.name == "id" \
                        and target != t.name:
                    out[t.name] = (fk.parent.name, target)
                    changed = True
                    break
    return out


SITE_COLUMNS = _site_columns()
PARENT = _parents()


def outbox_json(row: Any) -> dict[str, Any]:
    """An outbox row as the sync protocol sends it."""
    return {"seq": row.seq, "origin": str(row.origin_id), "table": row.table_name,
            "op": row.op, "pk": json.loads(row.pk),
            "row": json.loads(row.row) if row.row is not None else None}
