"""Shared fixtures. Every test that touches the database runs on SQLite and PostgreSQL.

PostgreSQL is used when AIDHUB_TEST_DATABASE_URL is set; without it those tests are
skipped, unless AIDHUB_REQUIRE_POSTGRES=1, when they fail (CI sets it).
"""

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, text

from aidhub.services.context import Context
from aidhub.store import database, migrate
from aidhub.store.tables import metadata
from tests.helpers import TODAY

PG_URL = os.environ.get("AIDHUB_TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("AIDHUB_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]

@pytest.fixture
def midday() -> Iterator[dt.datetime]:
    """The clock at noon of TODAY, still ticking: for tests about "today's" figures."""
    noon = dt.datetime.combine(TODAY, dt.time(12), dt.UTC)
    with time_machine.travel(noon, tick=True):
        yield noon


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath)
        if "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = database.create(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        reason = ("PostgreSQL tests need AIDHUB_TEST_DATABASE_URL (see .ci/run); "
                  "they run on SQLite only here")
        if REQUIRE_PG:
            pytest.fail("AIDHUB_REQUIRE_POSTGRES=1 but " + reason)
        pytest.skip(reason)
    engine = database.create(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def reset_postgres(engine: Engine) -> None:
    """Empty every table but keep the schema and the local node (counters back to zero)."""
    names = [t.name for t in metadata.sorted_tables if t.name != "nodes"]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))
        conn.execute(text("DELETE FROM nodes WHERE NOT is_local"))  # site nodes of a test
        conn.execute(text(
            "UPDATE nodes SET movement_seq = 0, audit_seq = 0, audit_head = :h, outbox_seq = 0"
        ), {"h": "0" * 64})


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "aidhub.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        engine = request.getfixturevalue("pg_engine")
        reset_postgres(engine)
        yield PG_URL


@pytest.fixture
def ctx(db_url) -> Iterator[Context]:
    engine = database.create(db_url)
    yield Context(engine, actor="tester")
    engine.dispose()
