"""The unit of work: one database transaction, with the repositories that work inside it.

    with UnitOfWork(engine, write=True) as uow:
        ... uow.catalog.get_item(...) ...
        uow.commit()

Leaving the block without ``commit()`` (or by an exception) rolls everything back, so a
command is written whole or not at all. Write transactions take SQLite's write lock at
the start (``BEGIN IMMEDIATE``); on PostgreSQL, stock rows are locked where they are read
for a decrement.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection

from aidhub.store import capture
from aidhub.store.cache import ReferenceCache
from aidhub.store.database import storage_errors
from aidhub.store.repositories.accounts import AccountRepository
from aidhub.store.repositories.audit import AuditRepository
from aidhub.store.repositories.commands import CommandRepository
from aidhub.store.repositories.inbound import InboundRepository
from aidhub.store.repositories.ledger import LedgerRepository
from aidhub.store.repositories.outbound import OutboundRepository
from aidhub.store.repositories.planning import PlanningRepository
from aidhub.store.repositories.reference import ReferenceRepository
from aidhub.store.repositories.screening import ScreeningRepository


class SharedConnection:
    """One connection for the units of work of a block of work (a web request), taken from
    the pool once however many units of work the request opens, so that requests waiting
    for a second connection can never empty the pool between them.

    On PostgreSQL the reads run in autocommit mode: each statement sees the newest
    committed data, as it did in a READ COMMITTED transaction of its own, without BEGIN
    and ROLLBACK round trips. A reader whose statements must agree asks for
    ``snapshot=True``, which never shares. On SQLite the reads share one read
    transaction (one snapshot; the round trips are function calls). A write ends that
    transaction and runs in a transaction of its own on the same connection; reads after
    it see what it wrote. A unit of work opened inside another that cannot share its
    transaction (a write inside a read, anything inside a write) takes a connection of
    its own, as it would without sharing, so no transaction is ever ended under a unit of
    work still using it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.closed = False  # units of work opened after close() take their own
        self.reading = 0  # read units of work open on the connection
        self.writing = False  # a write unit of work is open on it
        self._conn: Connection | None = None
        self._mode: str | None = None
        self._postgresql = engine.dialect.name == "postgresql"

    def _connection(self, mode: str) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        if self._mode != mode:
            self.end_transaction()
            options: dict = {"aidhub_write": mode == "write"}
            if self._postgresql:  # writes: the server's own isolation level
                options["isolation_level"] = ("AUTOCOMMIT" if mode == "read" else
                                              self.engine.dialect.default_isolation_level)
            self._conn.execution_options(**options)
            self._mode = mode
        return self._conn

    def read(self) -> Connection | None:
        """The connection in a read transaction; None while a write is open on it."""
        if self.writing:
            return None
        self.reading += 1
        conn = self._connection("read")
        if not conn.in_transaction():
            conn.begin()
        return conn

    def write(self) -> Connection | None:
        """The connection, out of any transaction, for a write to begin on; None while a
        read unit of work is open."""
        if self.reading or self.writing:
            return None
        conn = self._connection("write")
        self.end_transaction()
        self.writing = True
        return conn

    def end_transaction(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()

    def close(self) -> None:
        self.closed = True
        if self._conn is not None:
            try:
                self.end_transaction()
            finally:
                self._conn.close()
                self._conn = None


_shared: ContextVar[SharedConnection | None] = ContextVar("aidhub_shared_connection",
                                                          default=None)


@contextlib.contextmanager
def shared_connection(engine: Engine) -> Iterator[SharedConnection]:
    """Let the units of work opened inside the block (in this thread, or in threads the
    block's context is copied to, one at a time) share one connection."""
    shared = SharedConnection(engine)
    token = _shared.set(shared)
    try:
        yield shared
    finally:
        _shared.reset(token)
        shared.close()


def _shared_for(engine: Engine) -> SharedConnection | None:
    shared = _shared.get()
    return shared if shared is not None and shared.engine is engine and not shared.closed \
        else None


class UnitOfWork:
    """``snapshot``: a read whose statements must all see the same data (a report, a
    copy): on PostgreSQL a REPEATABLE READ, READ ONLY transaction of its own (an SQLite
    read transaction is one snapshot already)."""

    def __init__(self, engine: Engine, *, write: bool = False,
                 cache: ReferenceCache | None = None, snapshot: bool = False):
        self.engine = engine
        self.write = write
        self.cache = cache
        self.snapshot = snapshot
        self._committed = False

    def __enter__(self) -> "UnitOfWork":
        url = self.engine.url.render_as_string(hide_password=False)
        self._errors = storage_errors(url)
        self._errors.__enter__()
        shared = None if self.snapshot else _shared_for(self.engine)
        try:
            conn = None if shared is None else shared.write() if self.write else shared.read()
            self._shared = shared if conn is not None else None
            if conn is not None and not self.write:
                self.conn, self._tx, self.changes = conn, None, None
            else:
                if conn is None:
                    conn = self.engine.connect()
                    conn.execution_options(aidhub_write=self.write)
                self.conn = conn
                self._tx = self.conn.begin()
                self.changes = _capturing(self.engine, self.conn) if self.write else None
                if self.snapshot and self.conn.dialect.name == "postgresql":
                    self.conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, "
                                           "READ ONLY"))
        except BaseException as exc:
            self._errors.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.reference = ReferenceRepository(self.conn, self.cache)
        self.ledger = LedgerRepository(self.conn)
        self.audit = AuditRepository(self.conn)
        self.commands = CommandRepository(self.conn)
        self.inbound = InboundRepository(self.conn)
        self.screening = ScreeningRepository(self.conn)
        self.planning = PlanningRepository(self.conn)
        self.outbound = OutboundRepository(self.conn)
        self.accounts = AccountRepository(self.conn)
        return self

    def commit(self) -> None:
        if self.changes is not None:
            capture.flush(self.conn, self.changes, dt.datetime.now(dt.UTC))
        if self._tx is not None:  # a shared read transaction ends with its block
            self._tx.commit()
        self._committed = True
        self.reference.publish()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._tx is None:  # a read on the shared connection
            self._shared.reading -= 1
            if exc_type is not None:  # the next read starts afresh, never in an aborted
                self._shared.end_transaction()  # transaction
            return bool(self._errors.__exit__(exc_type, exc, tb))
        try:
            if not self._committed and self._tx.is_active:
                self._tx.rollback()
        finally:
            if self.changes is not None:
                capture.stop(self.conn)
            if self._shared is None:
                self.conn.close()
            else:
                self._shared.writing = False
        return bool(self._errors.__exit__(exc_type, exc, tb))


def _capturing(engine: Engine, conn) -> capture.ChangeSet:
    """Start noting what this transaction changes (the listener is set once per engine)."""
    if not event.contains(engine, "before_execute", capture.before_execute):
        event.listen(engine, "before_execute", capture.before_execute)
    return capture.start(conn)
