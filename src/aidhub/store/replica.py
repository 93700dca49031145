"""Applying another installation's changes: outbox entries, or snapshot rows.

The ledger is append-only, so movements, their postings, commands and audit records are
inserted when absent and never changed: an entry applied twice has one effect. Other rows
take the sender's latest state. Balances are never sent: each posting inserted here adds
to the receiver's balance, so they always equal the postings held.

A row whose number or code is already used by another row (two sites numbering the same
document) is not refused: it is kept under a new number and reported, so that a person
can decide (see :mod:`aidhub.services.sync`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from aidhub.domain.ledger import StockKey
from aidhub.store import capture, codec
from aidhub.store.capture import ORDER, REPLICATED
from aidhub.store.tables import balances, locations

APPEND_ONLY = frozenset({"movements", "postings", "commands", "audit_records"})
RENAMEABLE = ("number", "code", "username", "key")


def _guarded(table: Table) -> bool:
    """Whether a row of ``table`` can clash with another on something besides its key."""
    if any(c.unique for c in table.columns):
        return True
    from sqlalchemy import UniqueConstraint
    return any(isinstance(c, UniqueConstraint) for c in table.constraints)


GUARDED = frozenset(name for name, t in REPLICATED.items()
                    if _guarded(t) and name not in ("movements",))


@dataclass
class Applied:
    rows: int = 0
    skipped: int = 0  # already here
    changes: dict[StockKey, int] = field(default_factory=lambda: defaultdict(int))
    # (table, key of the renamed row, column, old value, new value)
    renamed: list[tuple[str, dict[str, Any], str, str, str]] = field(default_factory=list)
    # rows that could not be stored here: (table, key, what the database said)
    rejected: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


def _unique_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.unique and c.name in RENAMEABLE]


def _pk_condition(table: Table, pk: dict[str, Any]):
    return and_(*(table.c[k] == v for k, v in pk.items()))


def apply(conn: Connection, entries: list[dict[str, Any]], *, suffix: str,
          local_yields: bool = False) -> Applied:
    """Apply outbox entries (in the caller's transaction): each row's latest state,
    table by table in foreign-key order, many rows per statement.

    Where a number is taken, the site node's document is the one renamed (number-node):
    on the central server (``local_yields`` False, ``suffix`` the sending node's name)
    that is the incoming row; on a node pulling (``local_yields`` True, ``suffix`` its own
    name) that is its own row. Both sides rename the same row the same way."""
    out = Applied()
    groups: dict[str, dict[tuple, tuple[dict[str, Any], dict[str, Any] | None]]] = {}
    for e in entries:
        name = e["table"]
        table = REPLICATED.get(name)
        if table is None:
            raise ValueError(f"entry {e.get('seq')}: {name!r} is not a replicated table")
        pk = codec.decode(table, e["pk"])
        if set(pk) != {c.name for c in table.primary_key.columns}:
            raise ValueError(f"entry {e.get('seq')}: the key of {name} is incomplete")
        if e["op"] == "d":
            if name in APPEND_ONLY:
                raise ValueError(f"entry {e.get('seq')}: {name} rows are never deleted")
            row = None
        else:
            row = codec.decode(table, e["row"])
            if {k: row.get(k) for k in pk} != pk:
                raise ValueError(f"entry {e.get('seq')}: the row does not carry its key")
        groups.setdefault(name, {})[_key(table, pk)] = (pk, row)
    for name in sorted(groups, key=ORDER.__getitem__):
        table = REPLICATED[name]
        items = list(groups[name].values())
        for pk, row in items:
            if row is None:
                conn.execute(table.delete().where(_pk_condition(table, pk)))
                out.rows += 1
        rows = [(pk, row) for pk, row in items if row is not None]
        if not rows:
            continue
        if name not in GUARDED:
            _put_many(conn, table, rows, out)
            continue
        savepoint = conn.begin_nested()
        try:
            attempt = Applied()
            _put_many(conn, table, rows, attempt, unique_free=True)
            savepoint.commit()
            _merge(out, attempt)
        except (IntegrityError, _Clash):
            savepoint.rollback()
            for pk, row in rows:
                _put_guarded(conn, table, pk, row, out, suffix, local_yields)
    _add_to_balances(conn, out.changes)
    return out


class _Clash(Exception):
    """A row's number or code is another row's here: take the careful path."""


def _key(table: Table, pk: dict[str, Any]) -> tuple:
    return tuple(pk[c.name] for c in table.primary_key.columns)


def _merge(out: Applied, part: Applied) -> None:
    out.rows += part.rows
    out.skipped += part.skipped
    for k, q in part.changes.items():
        out.changes[k] += q


def _existing(conn: Connection, table: Table, keys: list[tuple]) -> set[tuple]:
    cols = list(table.primary_key.columns)
    found: set[tuple] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        cond = cols[0].in_([k[0] for k in chunk]) if len(cols) == 1 \
            else tuple_(*cols).in_(chunk)
        found.update(tuple(r) for r in conn.execute(select(*cols).where(cond)))
    return found


def _put_many(conn: Connection, table: Table, rows: list[tuple[dict, dict]], out: Applied,
              *, unique_free: bool = False) -> None:
    """Insert the rows that are new and update the others (append-only rows that exist
    are left as they are). With ``unique_free``, raise _Clash when a number or code is
    already another row's."""
    here = _existing(conn, table, [_key(table, pk) for pk, _ in rows])
    new = [row for pk, row in rows if _key(table, pk) not in here]
    old = [(pk, row) for pk, row in rows if _key(table, pk) in here]
    if unique_free:
        _check_unique(conn, table, rows)
    if new:
        by_shape: dict[tuple, list] = {}
        for row in new:
            by_shape.setdefault(tuple(sorted(row)), []).append(row)
        for group in by_shape.values():
            conn.execute(insert(table), group)
        if table.name == "postings":
            for row in new:
                key = StockKey(row["location_id"], row["item_id"], row["lot_id"],
                               row["owner_id"], row.get("earmark") or "")
                out.changes[key] += row["quantity"]
    if table.name in APPEND_ONLY:
        out.skipped += len(old)
    else:
        for pk, row in old:
            _write(conn, table, pk, row, True)
    changes = conn.info.get(capture.INFO_KEY)
    if changes is not None:
        written = new if table.name in APPEND_ONLY else [r for _, r in rows]
        changes.wrote(table.name, {_key(table, r): r for r in written})
    out.rows += len(new) + (0 if table.name in APPEND_ONLY else len(old))


def _check_unique(conn: Connection, table: Table, rows: list[tuple[dict, dict]]) -> None:
    for col in _unique_columns(table):
        wanted = {row[col]: _key(table, pk) for pk, row in rows if row.get(col) is not None}
        if not wanted:
            continue
        cols = list(table.primary_key.columns)
        values = list(wanted)
        for i in range(0, len(values), 500):
            for r in conn.execute(select(table.c[col], *cols)
                                  .where(table.c[col].in_(values[i:i + 500]))):
                if tuple(r[1:]) != wanted[r[0]]:
                    raise _Clash


def _put_guarded(conn: Connection, table: Table, pk: dict[str, Any], row: dict[str, Any],
                 out: Applied, suffix: str, local_yields: bool) -> None:
    savepoint = conn.begin_nested()
    try:
        put_row(conn, table, pk, row, out, suffix=suffix, local_yields=local_yields)
        savepoint.commit()
    except IntegrityError as exc:
        savepoint.rollback()
        out.rejected.append((table.name, codec.encode(table, pk),
                             str(exc.orig).splitlines()[0][:300]))


def put_row(conn: Connection, table: Table, pk: dict[str, Any], row: dict[str, Any],
            out: Applied, *, suffix: str, local_yields: bool = False) -> None:
    exists = conn.execute(select(*table.primary_key.columns)
                          .where(_pk_condition(table, pk))).first() is not None
    if exists and table.name in APPEND_ONLY:
        out.skipped += 1
        return
    unique = _unique_columns(table)
    if not unique:
        _write(conn, table, pk, row, exists)
    else:
        _write_renaming(conn, table, pk, row, exists, unique, out, suffix, local_yields)
    out.rows += 1
    if table.name == "postings" and not exists:
        key = StockKey(row["location_id"], row["item_id"], row["lot_id"], row["owner_id"],
                       row.get("earmark") or "")
        out.changes[key] += row["quantity"]


def _write(conn: Connection, table: Table, pk: dict[str, Any], row: dict[str, Any],
           exists: bool) -> None:
    if exists:
        values = {k: v for k, v in row.items() if k not in pk}
        if values:
            conn.execute(update(table).where(_pk_condition(table, pk)).values(values))
    else:
        conn.execute(insert(table).values(row))


def _write_renaming(conn: Connection, table: Table, pk: dict[str, Any], row: dict[str, Any],
                    exists: bool, unique: list[str], out: Applied, suffix: str,
                    local_yields: bool) -> None:
    """Write the row; when its number (or code) belongs to another row here, the site
    node's row is kept under ``number-suffix``, and the renaming is reported."""
    for col in unique:
        value = row.get(col)
        if value is None:
            continue
        other = conn.execute(select(*table.primary_key.columns)
                             .where(table.c[col] == value)).first()
        if other is None or dict(other._mapping) == pk:
            continue
        new = _free_value(conn, table, col, value, suffix)
        if local_yields:
            other_pk = dict(other._mapping)
            conn.execute(update(table).where(_pk_condition(table, other_pk))
                         .values({col: new}))
            out.renamed.append((table.name, other_pk, col, value, new))
        else:
            row = {**row, col: new}
            out.renamed.append((table.name, pk, col, value, new))
    _write(conn, table, pk, row, exists)


def _free_value(conn: Connection, table: Table, col: str, value: str, suffix: str) -> str:
    width = table.c[col].type.length or 40
    if value == value.upper():  # numbers are looked up in capitals
        suffix = suffix.upper()
    n = 1
    while True:
        tail = f"-{suffix}" + (str(n) if n > 1 else "")
        new = value[:max(1, width - len(tail))] + tail
        if conn.execute(select(table.c[col]).where(table.c[col] == new)).first() is None:
            return new
        n += 1


_KEY_COLS = ("location_id", "item_id", "lot_id", "owner_id", "earmark")
_ADD = (update(balances)
        .where(balances.c.location_id == bindparam("k_location"),
               balances.c.item_id == bindparam("k_item"), balances.c.lot_id == bindparam("k_lot"),
               balances.c.owner_id == bindparam("k_owner"),
               balances.c.earmark == bindparam("k_earmark"))
        .values(quantity=balances.c.quantity + bindparam("change")))


def _add_to_balances(conn: Connection, changes: dict[StockKey, int]) -> None:
    """Add each change to its balance, whatever its sign: what another site did happened.
    """
    keys = [k for k, q in changes.items() if q]
    if not keys:
        return
    ids = {k.location_id for k in keys}
    physical = dict(conn.execute(select(locations.c.id, locations.c.physical)
                                 .where(locations.c.id.in_(ids))).all())
    have = _balances(conn, keys)
    updates = [{"k_location": k.location_id, "k_item": k.item_id, "k_lot": k.lot_id,
                "k_owner": k.owner_id, "k_earmark": k.earmark, "change": changes[k]}
               for k in keys if k in have]
    inserts = [{"location_id": k.location_id, "item_id": k.item_id, "lot_id": k.lot_id,
                "owner_id": k.owner_id, "earmark": k.earmark,
                "physical": physical[k.location_id], "quantity": changes[k]}
               for k in keys if k not in have]
    if updates:
        conn.execute(_ADD, updates)
    if inserts:
        conn.execute(insert(balances), inserts)


def _balances(conn: Connection, keys: list[StockKey]) -> dict[StockKey, tuple[bool, int]]:
    cols = [balances.c[c] for c in _KEY_COLS]
    out = {}
    for i in range(0, len(keys), 300):
        chunk = [(k.location_id, k.item_id, k.lot_id, k.owner_id, k.earmark)
                 for k in keys[i:i + 300]]
        for r in conn.execute(select(*cols, balances.c.physical, balances.c.quantity)
                              .where(tuple_(*cols).in_(chunk))):
            out[StockKey(*r[:5])] = (r.physical, r.quantity)
    return out


def negative_balances(conn: Connection, keys) -> list[tuple[StockKey, int]]:
    """The physical balances among ``keys`` that are below zero."""
    return [(k, q) for k, (physical, q) in _balances(conn, list(keys)).items()
            if physical and q < 0]


def rebuild_balances(conn: Connection) -> None:
    """Recompute every balance from the postings (after a snapshot)."""
    from sqlalchemy import func

    from aidhub.store.tables import postings
    conn.execute(balances.delete())
    keys = [postings.c.location_id, postings.c.item_id, postings.c.lot_id,
            postings.c.owner_id, postings.c.earmark, locations.c.physical]
    total = func.sum(postings.c.quantity)
    query = (select(*keys, total).join(locations, locations.c.id == postings.c.location_id)
             .group_by(*keys).having(total != 0))
    conn.execute(insert(balances).from_select(
        ["location_id", "item_id", "lot_id", "owner_id", "earmark", "physical", "quantity"],
        query))
