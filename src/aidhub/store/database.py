"""Opening the database: URL, engine, SQLite settings, migrations, readable errors."""

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.pool import NullPool

from aidhub.domain.errors import StorageError

ENV_URL = "AIDHUB_DATABASE_URL"
CONNECT_TIMEOUT_S = 10


def default_url() -> str:
    """The embedded SQLite file under the user's data directory, or $AIDHUB_DATABASE_URL."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    path = Path(platformdirs.user_data_dir("aidhub")) / "aidhub.sqlite3"
    return f"sqlite:///{path}"


def display_url(url: str) -> str:
    """The URL with any password hidden, fit to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def create(url: str | None = None, *, pool: bool = True, web: bool = False) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys, a busy timeout, and
    ``BEGIN IMMEDIATE`` for write transactions (see :func:`write_transaction`).

    ``web``: for the web app, which answers many small requests at once. Its PostgreSQL
    sessions plan no parallel queries: starting parallel workers costs a few milliseconds
    of every query that gets them (the planner picks them from estimates, and estimates
    about rare rows, such as postings to LOST, are often far off), and the cores they take
    are the ones the other requests are waiting for."""
    url = url or default_url()
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StorageError(
            "'%(url)s' is not a database URL; use sqlite:///path/to/file.sqlite3 or "
            "postgresql+psycopg://user@host/dbname", url=url,
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs = {} if pool else {"poolclass": NullPool}
        # connect_timeout: an unreachable server fails a request in seconds (503) instead
        # of hanging it (the URL's own ?connect_timeout= wins)
        connect: dict = {} if "connect_timeout" in parsed.query else {
            "connect_timeout": CONNECT_TIMEOUT_S}
        if web:
            given = parsed.query.get("options", "")
            connect["options"] = " ".join(filter(None, (
                given if isinstance(given, str) else " ".join(given),
                "-c max_parallel_workers_per_gather=0")))
        engine = create_engine(parsed, connect_args=connect, **kwargs)
        _ping_when_idle(engine)
        return engine
    raise StorageError("aidhub runs on SQLite or PostgreSQL, not %(backend)s", backend=backend)


PING_AFTER_IDLE_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """A connection taken from the pool after resting for PING_AFTER_IDLE_S or more is
    pinged first, and replaced if the server dropped it (a restart, a failover) instead
    of failing the request. SQLAlchemy's pool_pre_ping pings on every checkout: a round
    trip on every request although, under load, connections rest for milliseconds. A
    connection that dies within the interval fails one request (503, "try again"), and
    SQLAlchemy then discards every connection of the pool made before it."""

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_conn, record) -> None:
        record.info["aidhub_checkin"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("aidhub_checkin")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("the database dropped this connection") from exc


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
        # Take transaction control away from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 30000")
        if database and database != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("aidhub_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextlib.contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Turn driver errors about reaching or reading the database into a StorageError."""
    try:
        yield
    except OperationalError as exc:
        raise _describe(exc, url) from exc
    except SADatabaseError as exc:
        if isinstance(exc.orig, sqlite3.DatabaseError) and not isinstance(
            exc.orig, sqlite3.IntegrityError
        ):
            raise _describe(exc, url) from exc
        raise


def _describe(exc: DBAPIError, url: str) -> StorageError:
    shown = display_url(url)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if "file is not a database" in reason or "malformed" in reason:
        return StorageError(
            "the database file of %(url)s is damaged or not an aidhub database (%(reason)s); "
            "restore it from a backup or point AIDHUB_DATABASE_URL at another file",
            url=shown, reason=reason,
        )
    if "unable to open database file" in reason:
        return StorageError("cannot open %(url)s: check that the folder exists and is writable",
                            url=shown)
    return StorageError(
        "cannot use the database at %(url)s: %(reason)s. Check that the server is running "
        "and that AIDHUB_DATABASE_URL is right", url=shown, reason=reason,
    )
