"""`aidhub query "SQL"`: read-only SQL over a copy of the ledger in DuckDB.

DuckDB reads SQLite and PostgreSQL through its ``sqlite_scanner`` and
``postgres_scanner`` extensions, which it downloads at run time, and an extension build
loads only into the DuckDB version it was built for. So the tables are read here through
SQLAlchemy instead, in one read-only transaction, into an in-memory DuckDB database: each
table the first time a query names it, then kept for the next query of the same
:class:`Snapshot`. The ledger cannot be written this way; all the same, anything but one
SELECT (or WITH, VALUES, FROM, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) is refused, and the
DuckDB copy may read or write no file.

Screening data (parties, list entries, hits, holds), the audit chain, idempotency records
and settings are not copied.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, LargeBinary, Numeric, Uuid
from sqlalchemy import Column as SAColumn
from sqlalchemy import Table as SATable

from aidhub.domain.errors import InvalidInput
from aidhub.services.context import Context
from aidhub.store import tables
from aidhub.store.repositories.exports import ExportsRepository
from aidhub.store.types import UTCDateTime
from aidhub.store.uow import UnitOfWork

TABLES: tuple[str, ...] = (
    # reference data
    "organisations", "sites", "locations", "items", "lots", "channels", "site_planning",
    "routes",
    # the ledger
    "movements", "postings", "balances",
    # inbound
    "consignments", "consignment_lines", "consignment_events", "grns", "grn_lines",
    "handling_units",
    # requests, plans, release orders
    "requests", "request_lines", "plans", "release_orders", "release_order_lines",
    "allocations", "reservations",
    # outbound
    "pick_lists", "pick_lines", "convoys", "waybills", "waybill_lines", "waybill_events",
    "pods", "pod_lines", "loss_reports",
)
# Large documents kept whole elsewhere (`aidhub plan show`); binary columns are left out.
_LEFT_OUT = {"plans": {"problem", "result"}}

# EXPLAIN [ANALYZE] at the start of a statement, after any spaces and comments
_EXPLAIN = re.compile(r"^(?:\s+|--[^\n]*|/\*.*?\*/)*explain\s+(?:analy[sz]e\s+)?",
                      re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def check_read_only(sql: str) -> None:
    """Refuse anything but a single reading statement, with what was found."""
    if not sql.strip():
        raise InvalidInput("give the SQL to run: one SELECT (or WITH, VALUES, FROM), "
                           "EXPLAIN, DESCRIBE, SHOW or SUMMARIZE", field="sql")
    statements = _parse(sql)
    if len(statements) != 1:
        raise InvalidInput("aidhub query is read-only: give one SELECT (or WITH, VALUES, "
                           "FROM), EXPLAIN, DESCRIBE, SHOW or SUMMARIZE; found %(count)s "
                           "statements", field="sql", count=len(statements))
    (statement,) = statements
    kind = statement.type.name
    if kind == "SELECT":
        return
    if kind == "EXPLAIN":
        inner = _EXPLAIN.sub("", statement.query, count=1)
        inner_statements = _parse(inner) if inner.strip() else []
        if len(inner_statements) == 1 and inner_statements[0].type.name == "SELECT":
            return
        if inner_statements:
            raise InvalidInput("aidhub query is read-only: EXPLAIN of %(statement)s is "
                               "refused; give one SELECT (or WITH, VALUES, FROM), EXPLAIN, "
                               "DESCRIBE, SHOW or SUMMARIZE", field="sql",
                               statement=inner_statements[0].type.name)
    raise InvalidInput("aidhub query is read-only: %(statement)s is refused; give one "
                       "SELECT (or WITH, VALUES, FROM), EXPLAIN, DESCRIBE, SHOW or "
                       "SUMMARIZE", field="sql", statement=kind)


def _parse(sql: str) -> list[Any]:
    try:
        return duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise InvalidInput("the SQL cannot be read: %(error)s", field="sql",
                           error=_message(exc)) from None


def _message(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


# DuckDB tables from Python rows ----------------------------------------------------------
def duck_type(column: SAColumn) -> str | None:
    """The DuckDB type of a schema column, or None for a column left out (binary)."""
    t = column.type
    checks: list[tuple[type, str]] = [
        (UTCDateTime, "TIMESTAMPTZ"), (DateTime, "TIMESTAMP"), (Date, "DATE"),
        (Uuid, "UUID"), (Boolean, "BOOLEAN"), (BigInteger, "BIGINT"), (Integer, "INTEGER"),
    ]
    for kind, name in checks:
        if isinstance(t, kind):
            return name
    if isinstance(t, Numeric):
        return f"DECIMAL({t.precision or 18},{t.scale or 0})"
    if isinstance(t, LargeBinary):
        return None
    return "VARCHAR"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table(con: duckdb.DuckDBPyConnection, name: str,
                 columns: Sequence[tuple[str, str]]) -> None:
    con.execute(f"CREATE TABLE {quote(name)} ("
                + ", ".join(f"{quote(c)} {t}" for c, t in columns) + ")")


def insert_rows(con: duckdb.DuckDBPyConnection, name: str,
                columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
    """Append rows (tuples of Python values, one per column) to a DuckDB table: handed over
    column by column, which is far faster than row-by-row inserts."""
    if not rows:
        return
    values = list(zip(*rows, strict=True))
    source = {f"c{n}": np.array(values[n], dtype=object) for n in range(len(columns))}
    con.register("_aidhub_rows", source)
    try:
        casts = ", ".join(f"CAST(c{n} AS {t})" for n, (_, t) in enumerate(columns))
        con.execute(f"INSERT INTO {quote(name)} SELECT {casts} FROM _aidhub_rows")
    finally:
        con.unregister("_aidhub_rows")


# The snapshot ----------------------------------------------------------------------------
class Snapshot:
    """The ledger's tables in an in-memory DuckDB database, read in one read-only
    transaction held open while the snapshot is.

        with Snapshot(ctx) as snapshot:
            result = snapshot.run("SELECT kind, count(*) FROM movements GROUP BY kind")
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._loaded: set[str] = set()

    def __enter__(self) -> "Snapshot":
        self._uow: UnitOfWork = self.ctx.uow(snapshot=True)
        self._uow.__enter__()
        try:
            self._repo = ExportsRepository(self._uow.conn)
            self._con = duckdb.connect(":memory:")
            self._columns = {name: _columns(tables.metadata.tables[name]) for name in TABLES}
            for name, columns in self._columns.items():
                create_table(self._con, name, columns)
            # from here on the copy may touch no file and no setting can be changed back
            self._con.execute("SET TimeZone = 'UTC'")
            self._con.execute("SET enable_external_access = false")
            self._con.execute("SET lock_configuration = true")
        except BaseException as exc:
            self._uow.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self._con.close()
        finally:
            suppressed = self._uow.__exit__(exc_type, exc, tb)
        return suppressed

    def run(self, sql: str) -> QueryResult:
        """Run one reading statement; the tables it names are copied first."""
        check_read_only(sql)
        for name in self._named(sql):
            self._load(name)
        try:
            result = self._con.execute(sql)
            columns = [d[0] for d in result.description or []]
            return QueryResult(columns, [tuple(r) for r in result.fetchall()])
        except duckdb.CatalogException as exc:
            raise InvalidInput("the query failed: %(error)s\n(the tables: `aidhub "
                               "query \"SHOW TABLES\"`; their columns: `aidhub query "
                               "\"DESCRIBE balances\"`)", field="sql",
                               error=_message(exc)) from None
        except duckdb.Error as exc:
            raise InvalidInput("the query failed: %(error)s", field="sql",
                               error=_message(exc)) from None

    def _named(self, sql: str) -> list[str]:
        """The tables a query may read: every table whose name is a word of the query
        (in a comment or a string too: loading a table too many costs little, one too few
        would give a wrong answer; a table function such as query_table('balances')
        hides the name from DuckDB's own list)."""
        words = set(_WORD.findall(sql.lower()))
        return [name for name in TABLES if name in words and name not in self._loaded]

    def _load(self, name: str) -> None:
        columns = self._columns[name]
        for rows in self._repo.table_rows(tables.metadata.tables[name],
                                          [c for c, _ in columns]):
            insert_rows(self._con, name, columns, rows)
        self._loaded.add(name)


def _columns(table: SATable) -> list[tuple[str, str]]:
    left_out = _LEFT_OUT.get(table.name, set())
    found = []
    for column in table.columns:
        kind = duck_type(column)
        if kind is not None and column.name not in left_out:
            found.append((column.name, kind))
    return found


def run(ctx: Context, sql: str) -> QueryResult:
    """Run one read-only statement over a fresh copy of the ledger."""
    check_read_only(sql)
    with Snapshot(ctx) as snapshot:
        return snapshot.run(sql)

