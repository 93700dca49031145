"""A database that cannot be used gets a clear error, and the schema matches the code."""

import gc

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from aidhub.domain.errors import StorageError
from aidhub.services.context import open_context
from aidhub.store import database
from aidhub.store.tables import metadata


def test_a_corrupted_sqlite_file_is_named_and_nothing_is_written(tmp_path):
    path = tmp_path / "broken.sqlite3"
    junk = b"this is not a database at all " * 200
    path.write_bytes(junk)
    with pytest.raises(StorageError, match="damaged or not an aidhub database"):
        open_context(f"sqlite:///{path}")
    assert path.read_bytes() == junk


def test_an_unreachable_server_is_named_without_its_password():
    url = "postgresql+psycopg://aid:s3cret@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(StorageError) as caught:
        open_context(url)
    assert "cannot use the database at postgresql+psycopg://aid:***@127.0.0.1:1" in str(
        caught.value)
    assert "s3cret" not in str(caught.value)


def test_an_unknown_kind_of_database_is_refused():
    with pytest.raises(StorageError, match="SQLite or PostgreSQL, not mysql"):
        database.create("mysql://x@y/z")


def test_migrations_build_exactly_the_schema_the_code_uses(db_url):
    engine = database.create(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_the_earmark_migration_keeps_every_balance_both_ways(ctx, db_url):
    from aidhub.services import stock, verify
    from aidhub.store import migrate
    from tests.helpers import make_hub, move, receive

    make_hub(ctx)
    receive(ctx, "RICE", 100, key="k1")
    move(ctx, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="k2")
    before = sorted((r.location, r.quantity) for r in stock.on_hand(ctx))
    migrate.downgrade(ctx.engine, "0001")
    assert migrate.current_revision(ctx.engine) == "0001"
    migrate.upgrade(ctx.engine)
    assert sorted((r.location, r.quantity) for r in stock.on_hand(ctx)) == before
    assert verify.verify_ledger(ctx).ok and verify.verify_audit(ctx).ok


def test_the_web_apps_postgresql_sessions_plan_no_parallel_queries(monkeypatch):
    from sqlalchemy import make_url, text

    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("needs PostgreSQL")
    from aidhub.web import asgi

    def setting(engine, name: str) -> str:
        with engine.connect() as conn:
            return conn.execute(text(f"SHOW {name}")).scalar_one()

    assert setting(database.create(PG_URL), "max_parallel_workers_per_gather") != "0"
    monkeypatch.setenv("AIDHUB_DATABASE_URL", PG_URL)
    served = asgi.app().state.ctx.engine
    gc.unfreeze()  # the factory froze what it had made, this test process included
    assert setting(served, "max_parallel_workers_per_gather") == "0"
    # options the operator put in the URL are kept
    url = make_url(PG_URL).update_query_dict({"options": "-c work_mem=7MB"})
    mine = database.create(url.render_as_string(hide_password=False), web=True)
    assert (setting(mine, "work_mem"), setting(mine, "max_parallel_workers_per_gather")) \
        == ("7MB", "0")
    for engine in (served, mine):
        engine.dispose()


def test_a_connection_the_server_dropped_is_replaced_when_it_has_rested(monkeypatch):
    """A pooled connection that rested is pinged before use and replaced if the server
    dropped it (a restart); one used a moment ago is not pinged: if it died meanwhile, one
    request fails and the pool then replaces its connections."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("needs PostgreSQL")
    engine, admin = database.create(PG_URL), database.create(PG_URL, pool=False)

    def backend() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def drop(pid: int) -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.3)

    first = backend()
    drop(first)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)  # it has rested long enough
    second = backend()  # pinged, found dead, replaced: the request goes through
    assert second != first
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 3600.0)  # used a moment ago
    drop(second)
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert backend() not in (first, second)  # the next request has a new connection
    engine.dispose()
    admin.dispose()
