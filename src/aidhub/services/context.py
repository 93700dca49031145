"""What every service needs: the database and who is acting."""

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from aidhub.store import database, migrate
from aidhub.store.cache import ReferenceCache
from aidhub.store.uow import UnitOfWork


@dataclass(frozen=True)
class Context:
    engine: Engine
    actor: str = "system"
    cache: ReferenceCache = field(default_factory=ReferenceCache, compare=False, repr=False)

    def uow(self, *, write: bool = False, snapshot: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write, cache=self.cache, snapshot=snapshot)

    def as_actor(self, actor: str) -> "Context":
        return replace(self, actor=actor)


def open_context(url: str | None = None, *, actor: str = "system",
                 upgrade: bool = True, web: bool = False) -> Context:
    """Connect to the database (``$AIDHUB_DATABASE_URL`` or the embedded SQLite file) and
    bring its schema up to date. ``web``: for the web app (see ``database.create``)."""
    url = url or database.default_url()
    engine = database.create(url, web=web)
    if upgrade:
        with database.storage_errors(url):
            if not migrate.is_current(engine):
                migrate.upgrade(engine)
    return Context(engine, actor)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
