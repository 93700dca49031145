"""Movements, postings and balances in the database."""

import datetime as dt
import functools
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from aidhub.domain.ledger import Movement, MovementKind, Posting, StockKey
from aidhub.store.tables import (
    balances,
    items,
    locations,
    lots,
    movements,
    organisations,
    postings,
    sites,
)


@dataclass(frozen=True, slots=True)
class StockRow:
    """One line of the stock report."""

    site: str
    location: str
    location_kind: str
    item: str
    item_name: str
    unit: str
    batch: str
    expiry: dt.date | None
    owner: str
    quantity: int
    weight_kg: Decimal
    volume_m3: Decimal
    earmark: str = ""


@dataclass(frozen=True, slots=True)
class StockTotals:
    """The stock lines a filter matches: how many, and their sums."""

    lines: int
    quantity: int
    weight_kg: Decimal
    volume_m3: Decimal


@dataclass(frozen=True)
class StockFilter:
    """Which stock lines to read: each given limit narrows them. ``hub_ids`` and
    ``owner_ids`` (a caller's scope) keep the lines at one of those hubs or owned by one
    of those organisations; ``expires_before`` keeps lots that expire before that day."""

    site_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    item_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    batch: str | None = None  # any case
    expires_before: dt.date | None = None
    include_virtual: bool = False
    hub_ids: frozenset[uuid.UUID] | None = None
    owner_ids: frozenset[uuid.UUID] | None = None

    def params(self) -> dict[str, Any]:
        """The value of each limit given, by the name of its parameter."""
        given = {"site_id": self.site_id, "location_id": self.location_id,
                 "item_id": self.item_id, "owner_id": self.owner_id,
                 "batch": None if self.batch is None else self.batch.lower(),
                 "expires_before": self.expires_before}
        out = {f"f_{name}": value for name, value in given.items() if value is not None}
        if self.hub_ids is not None or self.owner_ids is not None:
            out["f_hub_ids"] = sorted(self.hub_ids or ())
            out["f_owner_ids"] = sorted(self.owner_ids or ())
        return out

    def clauses(self) -> list[Any]:
        """The WHERE clauses, holding their values."""
        return _clauses(self.params(), self.include_virtual)


def _clauses(params: Mapping[str, Any], include_virtual: bool) -> list[Any]:
    """The WHERE clauses of a stock filter: a parameter for each limit given (holding the
    value given, which a statement's own parameters replace)."""
    out: list[Any] = [balances.c.quantity != 0]
    if not include_virtual:
        out.append(balances.c.physical)
    for name, make in _LIMITS.items():
        if name in params:
            out.append(make(bindparam(name, params[name])))
    if "f_hub_ids" in params:
        out.append(or_(
            locations.c.site_id.in_(bindparam("f_hub_ids", params["f_hub_ids"],
                                              expanding=True)),
            balances.c.owner_id.in_(bindparam("f_owner_ids", params["f_owner_ids"],
                                              expanding=True))))
    return out


_LIMITS = {
    "f_site_id": lambda p: locations.c.site_id == p,
    "f_location_id": lambda p: balances.c.location_id == p,
    "f_item_id": lambda p: balances.c.item_id == p,
    "f_owner_id": lambda p: balances.c.owner_id == p,
    "f_batch": lambda p: func.lower(lots.c.batch) == p,
    "f_expires_before": lambda p: lots.c.expiry < p,
}


@dataclass(frozen=True, slots=True)
class CardLine:
    """One movement on a stock card, with the quantity in and out of the places counted."""

    seq: int
    at: dt.datetime
    kind: str
    reference: str
    movement_id: uuid.UUID
    batch: str
    owner: str
    counterpart: str
    quantity_in: int
    quantity_out: int


# Statements built once: building an upsert costs more than running it.
_DECREMENT = (
    update(balances)
    .where(balances.c.location_id == bindparam("k_location"),
           balances.c.item_id == bindparam("k_item"),
           balances.c.lot_id == bindparam("k_lot"),
           balances.c.owner_id == bindparam("k_owner"),
           balances.c.earmark == bindparam("k_earmark"))
    .values(quantity=balances.c.quantity + bindparam("change"))
)


_KEY_COLUMNS = (balances.c.location_id, balances.c.item_id, balances.c.lot_id,
                balances.c.owner_id, balances.c.earmark)
_READ_BALANCES = select(*_KEY_COLUMNS, balances.c.quantity).where(
    tuple_(*_KEY_COLUMNS).in_(bindparam("keys", expanding=True)))
_LOCK_BALANCES = _READ_BALANCES.order_by(*_KEY_COLUMNS).with_for_update()
_INSERT_MOVEMENTS = insert(movements)
_INSERT_POSTINGS = insert(postings)


@functools.cache
def _upsert(dialect: str):
    """INSERT a balance row, or add to the quantity of the row that is there."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(balances)
    return stmt.on_conflict_do_update(
        index_elements=list(_KEY_COLUMNS),
        set_={"quantity": balances.c.quantity + stmt.excluded.quantity},
    )


class LedgerRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.locks_rows = conn.dialect.name == "postgresql"

    # writing -------------------------------------------------------------------------
    def lock_balances(self, keys: Iterable[StockKey]) -> dict[StockKey, int]:
        """Current balances of ``keys``, locked against concurrent change until commit.

        On PostgreSQL the rows are locked FOR UPDATE in key order (so two writers never
        wait on each other in a circle); on SQLite the whole database is already locked.
        """
        wanted = sorted(set(keys), key=lambda k: (str(k.location_id), str(k.item_id),
                                                  str(k.lot_id), str(k.owner_id),
                                                  k.earmark))
        found: dict[StockKey, int] = {}
        query = _LOCK_BALANCES if self.locks_rows else _READ_BALANCES
        for start in range(0, len(wanted), 500):
            chunk = [(k.location_id, k.item_id, k.lot_id, k.owner_id, k.earmark)
                     for k in wanted[start : start + 500]]
            for r in self.conn.execute(query, {"keys": chunk}):
                found[_key(r)] = r.quantity
        return found

    def add_movements(self, new: list[Movement], command_ids: list[uuid.UUID]) -> None:
        """Insert movements with their postings, and add their changes to the balances."""
        if not new:
            return
        self.conn.execute(
            _INSERT_MOVEMENTS,
            [
                {"id": m.id, "node_id": m.node_id, "seq": m.seq, "kind": m.kind.value,
                 "at": m.at, "recorded_at": m.recorded_at, "actor": m.actor,
                 "reference": m.reference, "note": m.note, "reverses": m.reverses,
                 "command_id": cid}
                for m, cid in zip(new, command_ids, strict=True)
            ],
        )
        self.conn.execute(
            _INSERT_POSTINGS,
            [
                {"movement_id": m.id, "line_no": n, "location_id": p.key.location_id,
                 "item_id": p.key.item_id, "lot_id": p.key.lot_id, "owner_id": p.key.owner_id,
                 "earmark": p.key.earmark,
                 "quantity": p.quantity}
                for m in new
                for n, p in enumerate(m.postings, start=1)
            ],
        )

    def add_to_balances(self, changes: Mapping[StockKey, int],
                        physical: Mapping[uuid.UUID, bool]) -> None:
        """Add each change to its balance, creating the balance row where there is none.

        Decrements of physical stock update rows that exist (they were locked and checked
        by :meth:`lock_balances`); everything else is an upsert. (An upsert cannot carry a
        negative physical change: the database checks the candidate row before merging.)
        """
        updates, upserts = [], []
        for k, q in changes.items():
            if not q:
                continue
            row = {"location_id": k.location_id, "item_id": k.item_id, "lot_id": k.lot_id,
                   "owner_id": k.owner_id, "earmark": k.earmark,
                   "physical": physical[k.location_id], "quantity": q}
            (updates if q < 0 and row["physical"] else upserts).append(row)
        if updates:
            self.conn.execute(
                _DECREMENT,
                [{"k_location": r["location_id"], "k_item": r["item_id"], "k_lot": r["lot_id"],
                  "k_owner": r["owner_id"], "k_earmark": r["earmark"],
                  "change": r["quantity"]} for r in updates],
            )
        if upserts:
            self.conn.execute(_upsert(self.conn.dialect.name), upserts)

    # reading -------------------------------------------------------------------------
    def movement(self, movement_id: uuid.UUID) -> Movement | None:
        row = self.conn.execute(
            select(movements).where(movements.c.id == movement_id)
        ).one_or_none()
        if row is None:
            return None
        return self._movements([row])[0]

    def movement_by_seq(self, seq: int) -> Movement | None:
        row = self.conn.execute(
            select(movements).where(movements.c.seq == seq).order_by(movements.c.node_id)
        ).first()
        return self._movements([row])[0] if row is not None else None

    def reversal_of(self, movement_id: uuid.UUID) -> uuid.UUID | None:
        return self.conn.execute(
            select(movements.c.id).where(movements.c.reverses == movement_id)
        ).scalar_one_or_none()

    def _movements(self, rows: list[Any]) -> list[Movement]:
        ids = [r.id for r in rows]
        by_movement: dict[uuid.UUID, list[Posting]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            for p in self.conn.execute(
                select(postings)
                .where(postings.c.movement_id.in_(ids[start : start + 500]))
                .order_by(postings.c.movement_id, postings.c.line_no)
            ):
                by_movement[p.movement_id].append(
                    Posting(_key(p), p.quantity)
                )
        return [
            Movement(r.id, MovementKind(r.kind), r.at, r.actor, tuple(by_movement[r.id]),
                     r.note, r.reverses, r.node_id, r.seq, r.reference, r.recorded_at)
            for r in rows
        ]

    def stock(self, where: StockFilter | None = None, *, limit: int | None = None,
              offset: int = 0) -> list[StockRow]:
        """What is on hand, by site, location, item, lot and owner (non-zero only), in
        order of site, location, item, expiry, batch and owner; ``limit`` rows from
        ``offset`` when given."""
        return [_stock_row(r) for r in self.conn.execute(_stock_query(where, limit, offset))]

    def stock_page(self, where: StockFilter | None, *, limit: int, offset: int = 0
                   ) -> tuple[list[StockRow], StockTotals]:
        """``limit`` rows of :meth:`stock` from ``offset``, and the totals of every line
        the filter matches, in one query (the totals ride on each row as window
        aggregates); only a page past the end asks :meth:`stock_totals` apart."""
        where = where or StockFilter()
        params = where.params()
        rows = list(self.conn.execute(_stock_page_query(tuple(params), where.include_virtual),
                                      {**params, "limit": limit, "offset": offset}))
        if not rows:
            return [], (self.stock_totals(where) if offset else
                        StockTotals(0, 0, Decimal(0), Decimal(0)))
        r = rows[0]
        return [_stock_row(r) for r in rows], StockTotals(
            int(r.total_lines), int(r.total_quantity), Decimal(str(r.total_kg)),
            Decimal(str(r.total_m3)))

    def weight_by_category_and_expiry(self, where: StockFilter | None,
                                      bands: list[tuple[str, dt.date]]
                                      ) -> list[tuple[str, str, Decimal]]:
        """The weight of stock per item category and expiry band: ``bands`` are
        (name, the day it ends) from the worst; a lot past them all is "later", and one
        without an expiry "none"."""
        band = case((lots.c.expiry.is_(None), "none"),
                    *((lots.c.expiry < until, name) for name, until in bands),
                    else_="later").label("band")
        kg = func.sum(balances.c.quantity * items.c.weight_kg).label("kg")
        return [(r.category, r.band, Decimal(str(r.kg))) for r in self.conn.execute(
            select(items.c.category, band, kg).select_from(_STOCK_JOINS)
            .where(*(where or StockFilter()).clauses())
            .group_by(items.c.category, band))]

    def stock_totals(self, where: StockFilter | None = None) -> StockTotals:
        """How many stock lines match, and their quantity, weight and volume."""
        r = self.conn.execute(
            select(func.count().label("lines"),
                   func.coalesce(func.sum(balances.c.quantity), 0).label("quantity"),
                   func.coalesce(func.sum(balances.c.quantity * items.c.weight_kg), 0)
                   .label("weight_kg"),
                   func.coalesce(func.sum(balances.c.quantity * items.c.volume_m3), 0)
                   .label("volume_m3"))
            .select_from(_joins_for(where or StockFilter()))
            .where(*(where or StockFilter()).clauses())).one()
        return StockTotals(int(r.lines), int(r.quantity), Decimal(str(r.weight_kg)),
                           Decimal(str(r.volume_m3)))

    def card(self, item_id: uuid.UUID, location_ids: list[uuid.UUID],
             until: dt.datetime | None = None, since: dt.datetime | None = None, *,
             lot_id: uuid.UUID | None = None, owner_ids: Collection[uuid.UUID] | None = None
             ) -> tuple[int, list[CardLine]]:
        """The opening balance before ``since`` and every movement of the item at the
        given locations from then on, in the order they happened (of one lot, and of
        some owners only, when given)."""
        at_places = and_(postings.c.item_id == item_id, postings.c.location_id.in_(location_ids))
        if lot_id is not None:
            at_places = and_(at_places, postings.c.lot_id == lot_id)
        if owner_ids is not None:
            at_places = and_(at_places, postings.c.owner_id.in_(list(owner_ids)))
        opening = 0
        if since is not None:
            opening = self.conn.execute(
                select(func.coalesce(func.sum(postings.c.quantity), 0))
                .select_from(postings.join(movements, postings.c.movement_id == movements.c.id))
                .where(at_places, movements.c.at < since)
            ).scalar_one()
        here = set(location_ids)
        query = (
            select(movements.c.id, movements.c.seq, movements.c.at, movements.c.kind,
                   movements.c.reference, postings.c.location_id, postings.c.quantity,
                   lots.c.batch, organisations.c.code.label("owner"),
                   locations.c.code.label("location"), sites.c.code.label("site"))
            .select_from(
                postings.join(movements, postings.c.movement_id == movements.c.id)
                .join(lots, postings.c.lot_id == lots.c.id)
                .join(organisations, postings.c.owner_id == organisations.c.id)
                .join(locations, postings.c.location_id == locations.c.id)
                .join(sites, locations.c.site_id == sites.c.id)
            )
            .where(
                postings.c.item_id == item_id,
                postings.c.movement_id.in_(
                    select(postings.c.movement_id).where(at_places)
                ),
            )
            .order_by(movements.c.at, movements.c.seq, postings.c.line_no)
        )
        if lot_id is not None:
            query = query.where(postings.c.lot_id == lot_id)
        if owner_ids is not None:
            query = query.where(postings.c.owner_id.in_(list(owner_ids)))
        if since is not None:
            query = query.where(movements.c.at >= since)
        if until is not None:
            query = query.where(movements.c.at < until)
        lines: list[CardLine] = []
        current: dict[str, Any] | None = None
        for r in self.conn.execute(query):
            if current is None or current["movement_id"] != r.id:
                if current is not None:
                    lines.append(_card_line(current))
                current = {"movement_id": r.id, "seq": r.seq, "at": r.at, "kind": r.kind,
                           "reference": r.reference, "in": 0, "out": 0, "batch": r.batch,
                           "owner": r.owner, "others": [], "inside": []}
            if r.location_id in here:
                if r.quantity > 0:
                    current["in"] += r.quantity
                else:
                    current["out"] -= r.quantity
                current["inside"].append((r.quantity, r.location))
            else:
                current["others"].append(f"{r.site}/{r.location}")
        if current is not None:
            lines.append(_card_line(current))
        return opening, lines

    def recent_movements(self, limit: int = 20, site_id: uuid.UUID | None = None
                         ) -> list[Movement]:
        query = select(movements).order_by(movements.c.at.desc(), movements.c.seq.desc())
        if site_id is not None:
            query = query.where(
                movements.c.id.in_(
                    select(postings.c.movement_id)
                    .join(locations, postings.c.location_id == locations.c.id)
                    .where(locations.c.site_id == site_id)
                )
            )
        return self._movements(list(self.conn.execute(query.limit(limit))))

    # verification --------------------------------------------------------------------
    def recomputed_balances(self) -> Iterator[tuple[StockKey, int]]:
        """Every balance recomputed from the postings alone."""
        query = select(
            postings.c.location_id, postings.c.item_id, postings.c.lot_id,
            postings.c.owner_id, postings.c.earmark,
            func.sum(postings.c.quantity).label("quantity"),
        ).group_by(postings.c.location_id, postings.c.item_id, postings.c.lot_id,
                   postings.c.owner_id, postings.c.earmark)
        for r in self.conn.execute(query):
            yield _key(r), int(r.quantity)

    def stored_balances(self) -> Iterator[tuple[StockKey, int, bool]]:
        for r in self.conn.execute(select(balances)):
            yield _key(r), r.quantity, r.physical

    def unbalanced_movements(self) -> list[tuple[uuid.UUID, int]]:
        """Movements whose postings do not sum to zero for some (item, lot, owner)."""
        total = func.sum(postings.c.quantity)
        query = (
            select(postings.c.movement_id, total.label("total"))
            .group_by(postings.c.movement_id, postings.c.item_id, postings.c.lot_id,
                      postings.c.owner_id, postings.c.earmark)
            .having(total != 0)
        )
        return [(r.movement_id, int(r.total)) for r in self.conn.execute(query)]

    def movements_with_postings(self, node_ids: Iterable[uuid.UUID] | None = None
                                ) -> Iterator[tuple[uuid.UUID, int, list[tuple]]]:
        """(movement id, seq, postings as tuples) for every movement (recorded by one of
        ``node_ids``), in each node's seq order."""
        query = (
            select(movements.c.id, movements.c.seq, postings.c.location_id,
                   postings.c.item_id, postings.c.lot_id, postings.c.owner_id,
                   postings.c.earmark, postings.c.quantity)
            .join(postings, postings.c.movement_id == movements.c.id)
            .order_by(movements.c.node_id, movements.c.seq, postings.c.line_no)
            .execution_options(yield_per=10000)
        )
        if node_ids is not None:
            query = query.where(movements.c.node_id.in_(list(node_ids)))
        current_id, current_seq, current = None, 0, []
        for r in self.conn.execute(query):
            if r.id != current_id:
                if current_id is not None:
                    yield current_id, current_seq, current
                current_id, current_seq, current = r.id, r.seq, []
            current.append(posting_values(r.location_id, r.item_id, r.lot_id, r.owner_id,
                                          r.quantity, r.earmark))
        if current_id is not None:
            yield current_id, current_seq, current

    def keys_in_conflict(self) -> set[StockKey]:
        """The balances an open sync conflict says were taken twice (site nodes)."""
        import json

        from aidhub.store.tables import sync_conflicts
        out = set()
        for detail in self.conn.execute(select(sync_conflicts.c.detail).where(
                sync_conflicts.c.kind == "overdrawn", sync_conflicts.c.state == "open")
                ).scalars():
            d = json.loads(detail)
            out.add(StockKey(uuid.UUID(d["location_id"]), uuid.UUID(d["item_id"]),
                             uuid.UUID(d["lot_id"]), uuid.UUID(d["owner_id"]), d["earmark"]))
        return out

    def count_movements(self) -> int:
        return self.conn.execute(select(func.count()).select_from(movements)).scalar_one()

    def written_off_since(self, since: dt.datetime) -> list[Any]:
        """What went into LOST locations since ``since`` (net of what came back from
        them), per site, owner and item."""
        # the LOST locations first, then their postings by the location index: joined in
        # one query, the planner cannot tell how few postings they hold and reads them all
        lost = list(self.conn.execute(select(locations.c.id).where(locations.c.kind == "lost"))
                    .scalars())
        if not lost:
            return []
        quantity = func.sum(postings.c.quantity)
        return list(self.conn.execute(
            select(locations.c.site_id, postings.c.owner_id, postings.c.item_id,
                   quantity.label("quantity"))
            .join(locations, postings.c.location_id == locations.c.id)
            .join(movements, postings.c.movement_id == movements.c.id)
            .where(postings.c.location_id.in_(lost), movements.c.at >= since)
            .group_by(locations.c.site_id, postings.c.owner_id, postings.c.item_id)))


# the columns of a stock line, in the order _stock_row reads them
_STOCK_COLUMNS = (
    sites.c.code.label("site"), locations.c.code.label("location"),
    locations.c.kind.label("location_kind"), items.c.code.label("item"), items.c.name_en,
    items.c.unit, lots.c.batch, lots.c.expiry, organisations.c.code.label("owner"),
    balances.c.quantity, items.c.weight_kg, items.c.volume_m3, balances.c.earmark,
)


_STOCK_ORDER = (sites.c.code, locations.c.code, items.c.code, lots.c.expiry, lots.c.batch,
                organisations.c.code, balances.c.earmark)


def _stock_query(where: StockFilter | None, limit: int | None, offset: int) -> Select:
    query = _stock_select((where or StockFilter()).clauses())
    return query if limit is None else query.limit(limit).offset(offset)


def _stock_select(clauses: list[Any]) -> Select:
    """Stock lines (_STOCK_COLUMNS) that ``clauses`` keep, in the order of the report."""
    return (select(*_STOCK_COLUMNS).select_from(_STOCK_JOINS).where(*clauses)
            .order_by(*_STOCK_ORDER))


@functools.lru_cache(maxsize=256)
def _stock_page_query(names: tuple[str, ...], include_virtual: bool) -> Select:
    """A page of stock lines with the totals of every line, for filters that give the
    limits ``names`` (their values, the limit and the offset are parameters). Built once
    per set of names: SQLAlchemy then keeps the statement's cache key instead of working
    it out again on every request."""
    quantity = balances.c.quantity
    return (
        _stock_select(_clauses(dict.fromkeys(names), include_virtual))
        .add_columns(func.count().over().label("total_lines"),
                     func.sum(quantity).over().label("total_quantity"),
                     func.sum(quantity * items.c.weight_kg).over().label("total_kg"),
                     func.sum(quantity * items.c.volume_m3).over().label("total_m3"))
        .limit(bindparam("limit")).offset(bindparam("offset")))


def _stock_row(r: Row) -> StockRow:
    """A stock line from a row of _STOCK_COLUMNS (by place: reading a Row's columns by
    name costs six times as much, 2 ms on a page of 100 lines)."""
    (site, location, kind, item, name, unit, batch, expiry, owner, quantity, kg, m3,
     earmark) = r[:len(_STOCK_COLUMNS)]
    return StockRow(site, location, kind, item, name, unit, batch, expiry, owner, quantity,
                    kg * quantity, m3 * quantity, earmark)


_STOCK_JOINS = (
    balances.join(locations, balances.c.location_id == locations.c.id)
    .join(sites, locations.c.site_id == sites.c.id)
    .join(items, balances.c.item_id == items.c.id)
    .join(lots, balances.c.lot_id == lots.c.id)
    .join(organisations, balances.c.owner_id == organisations.c.id)
)


def _joins_for(where: StockFilter) -> Any:
    """The joins a count or sum of stock needs: locations (physical, site) and items
    (weight, volume) always, lots only to filter by batch or expiry; no codes to show."""
    joined = (balances.join(locations, balances.c.location_id == locations.c.id)
              .join(items, balances.c.item_id == items.c.id))
    if where.batch is not None or where.expires_before is not None:
        joined = joined.join(lots, balances.c.lot_id == lots.c.id)
    return joined


def _key(r: Any) -> StockKey:
    return StockKey(r.location_id, r.item_id, r.lot_id, r.owner_id, r.earmark)


def posting_values(location_id: uuid.UUID, item_id: uuid.UUID, lot_id: uuid.UUID,
                   owner_id: uuid.UUID, quantity: int, earmark: str) -> list[Any]:
    """A posting as the audit record holds it (the earmark only when there is one, so that
    records written before earmarks existed still compare equal)."""
    values: list[Any] = [str(location_id), str(item_id), str(lot_id), str(owner_id), quantity]
    if earmark:
        values.append(earmark)
    return values


def _card_line(c: dict[str, Any]) -> CardLine:
    """A card line; ``counterpart`` names the places outside the card, or for a move
    within the card's places, where from and where to."""
    if c["others"]:
        counterpart = ", ".join(sorted(set(c["others"])))
    else:
        sources = sorted({loc for q, loc in c["inside"] if q < 0})
        targets = sorted({loc for q, loc in c["inside"] if q > 0})
        counterpart = f"{', '.join(sources)} → {', '.join(targets)}"
    return CardLine(c["seq"], c["at"], c["kind"], c["reference"], c["movement_id"], c["batch"],
                    c["owner"], counterpart, c["in"], c["out"])
