"""The unit of work: one database transaction, with the repositories that work inside it.

    with UnitOfWork(engine, write=True) as uow:
        ... uow.catalog.get_item(...) ...
        uow.commit()

Leaving the block without ``commit()`` (or by an exception) rolls everything back, so a
command is written whole or not at all. Write transactions take SQLite's write lock at
the start (``BEGIN IMMEDIATE``); on PostgreSQL, stock rows are locked where they are read
for a decrement.
"""

import datetime as dt

from sqlalchemy import Engine, event

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


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = False,
                 cache: ReferenceCache | None = None):
        self.engine = engine
        self.write = write
        self.cache = cache
        self._committed = False

    def __enter__(self) -> "UnitOfWork":
        url = self.engine.url.render_as_string(hide_password=False)
        self._errors = storage_errors(url)
        self._errors.__enter__()
        try:
            self.conn = self.engine.connect()
            self.conn.execution_options(aidhub_write=self.write)
            self._tx = self.conn.begin()
            self.changes = _capturing(self.engine, self.conn) if self.write else None
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
        self._tx.commit()
        self._committed = True
        self.reference.publish()

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if not self._committed and self._tx.is_active:
                self._tx.rollback()
        finally:
            if self.changes is not None:
                capture.stop(self.conn)
            self.conn.close()
        return bool(self._errors.__exit__(exc_type, exc, tb))


def _capturing(engine: Engine, conn) -> capture.ChangeSet:
    """Start noting what this transaction changes (the listener is set once per engine)."""
    if not event.contains(engine, "before_execute", capture.before_execute):
        event.listen(engine, "before_execute", capture.before_execute)
    return capture.start(conn)
