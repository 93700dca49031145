"""Online backups and checked restores, on both databases: the books come back the same,
a backup taken while movements are posted is one consistent moment, and a restore
refuses a database that holds anything and a damaged or truncated backup file."""

import io
import json
import shutil
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from typer.testing import CliRunner

from aidhub.cli import app
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.services import backup, movements, verify
from aidhub.services.context import Context
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.store import database, migrate
from tests.helpers import make_outbound_hub, move, receive


@pytest.fixture
def target(db_url, tmp_path) -> Iterator[str]:
    """The URL of a new, empty database of the same kind: a file not yet made, or a
    database created on the test server for this test (dropped afterwards)."""
    if make_url(db_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'aidhub.sqlite3'}"
        return
    name = f"aidhub_restore_{uuid.uuid4().hex[:12]}"
    server = database.create(db_url, pool=False)
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def books(ctx):
    make_outbound_hub(ctx)
    move(ctx, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="t1")
    move(ctx, "dispatch", "RICE", 10, "DAM-HUB/A-02", "DAM-HUB/DISTRIBUTED", key="d1")
    receive(ctx, "TARP", 25, key="tarp", batch=None, expiry=None)
    return ctx


def _state(url: str) -> tuple[int, tuple[int, str], list]:
    engine = database.create(url)
    try:
        with Context(engine).uow() as uow:
            return (uow.ledger.count_movements(), uow.audit.head(),
                    sorted((str(k), q) for k, q, _ in uow.ledger.stored_balances()))
    finally:
        engine.dispose()


def _is_empty(url: str) -> bool:
    engine = database.create(url, pool=False)
    try:
        if engine.dialect.name == "sqlite":
            path = Path(engine.url.database)
            return not path.exists() or path.stat().st_size == 0
        with engine.connect() as conn:
            return not conn.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
    finally:
        engine.dispose()


def test_a_backup_restores_into_an_empty_database_with_the_same_books(books, db_url, target,
                                                                     tmp_path):
    manifest = backup.backup(books, tmp_path)  # a folder: a dated file is made in it
    path = Path(manifest["path"])
    assert path.parent == tmp_path and path.name.startswith(f"aidhub-{manifest['backend']}-")
    count, head, balances = _state(db_url)
    assert manifest["movements"] == count
    assert (manifest["audit"]["records"], manifest["audit"]["head"]) == head
    assert manifest["schema_revision"] and manifest["aidhub_version"]
    assert backup.check(path) == {k: v for k, v in manifest.items() if k != "path"}

    report = backup.restore(path, target)
    assert report.ok, (report.problems, report.ledger.differences, report.audit.problem)
    assert report.movements == count and report.upgraded_from is None
    assert report.ledger.ok and report.audit.ok and report.audit.records == head[0]
    assert _state(target) == (count, head, balances)


def test_the_command_line_backs_up_and_restores_and_reports_the_checks(books, db_url,
                                                                       target, tmp_path):
    runner = CliRunner()
    out = tmp_path / "nightly.tar"
    made = runner.invoke(app, ["--database", db_url, "backup", "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert f"{out} written" in made.output
    again = runner.invoke(app, ["--database", db_url, "backup", "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    checked = runner.invoke(app, ["restore", str(out), "--check"])
    assert checked.exit_code == 0 and "is a whole backup" in checked.output
    done = runner.invoke(app, ["restore", str(out), "--database", target])
    assert done.exit_code == 0, done.output
    assert "ledger verified" in done.output and "audit chain verified" in done.output
    refused = runner.invoke(app, ["restore", str(out), "--database", target])
    assert refused.exit_code == 1 and "is not empty" in refused.output


def test_a_backup_taken_while_movements_are_posted_is_one_consistent_moment(ctx, target,
                                                                           tmp_path):
    make_outbound_hub(ctx)
    receive(ctx, "TARP", 100_000, key="stock", batch=None, expiry=None)
    posted, stop, during = [0], threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                n = posted[0]
                movements.post_movement(ctx, MovementRequest("transfer", [LineRequest(
                    "TARP", 1, "DAM-HUB/A-01", "DAM-HUB/A-02", None, None, "ECHO")],
                    f"w{n}"))
                posted[0] = n + 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    def progress(stage: str, done: int, _total) -> None:
        # once the copy is under way, let the writer post a few movements before going on
        if stage in ("copying pages", "pg_dump") and done >= 1 and not during.is_set():
            during.set()
            mark = posted[0]
            for _ in range(3000):
                if posted[0] >= mark + 5 or errors:
                    break
                threading.Event().wait(0.01)

    thread = threading.Thread(target=writer)
    with ctx.uow() as uow:
        before = uow.ledger.count_movements()
    thread.start()
    try:
        manifest = backup.backup(ctx, tmp_path / "busy.tar", progress=progress)
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert during.is_set()
    with ctx.uow() as uow:
        after = uow.ledger.count_movements()
    assert before <= manifest["movements"] < after  # the writer went on during the copy

    report = backup.restore(Path(manifest["path"]), target)
    assert report.ok, (report.problems, report.ledger.differences, report.audit.problem)
    assert report.movements == manifest["movements"]
    assert before <= report.movements <= after
    restored = Context(database.create(target))
    try:
        assert verify.verify_ledger(restored).ok and verify.verify_audit(restored).ok
    finally:
        restored.engine.dispose()


def test_restoring_into_a_database_that_holds_anything_is_refused(books, db_url, tmp_path):
    manifest = backup.backup(books, tmp_path / "b.tar")
    before = _state(db_url)
    with pytest.raises(InvalidInput, match=r"is not empty .*restored only into an empty"):
        backup.restore(Path(manifest["path"]), db_url)
    assert _state(db_url) == before


def _dump_at(path: Path) -> tuple[int, int]:
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database."))
        return member.offset_data, member.size


def test_a_corrupted_backup_is_refused_and_nothing_is_restored(books, target, tmp_path):
    path = Path(backup.backup(books, tmp_path / "b.tar")["path"])
    start, size = _dump_at(path)
    data = bytearray(path.read_bytes())
    data[start + size // 2] ^= 0xFF
    bad = tmp_path / "corrupted.tar"
    bad.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match=r"damaged or truncated.*SHA-256"):
        backup.check(bad)
    with pytest.raises(InvalidInput, match=r"damaged or truncated.*SHA-256"):
        backup.restore(bad, target)
    assert _is_empty(target)


def test_a_truncated_backup_is_refused_and_nothing_is_restored(books, target, tmp_path):
    path = Path(backup.backup(books, tmp_path / "b.tar")["path"])
    start, size = _dump_at(path)
    cut = tmp_path / "truncated.tar"
    cut.write_bytes(path.read_bytes()[: start + size // 2])
    with pytest.raises(InvalidInput, match="damaged or truncated"):
        backup.restore(cut, target)
    assert _is_empty(target)
    with pytest.raises(InvalidInput, match="not an aidhub backup"):
        backup.check(_write(tmp_path / "notes.txt", b"not a backup"))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def sqlite_ctx(sqlite_template, tmp_path) -> Iterator[Context]:
    """For checks made before any database is asked: one backend is enough."""
    shutil.copy(sqlite_template, tmp_path / "source.sqlite3")
    engine = database.create(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    yield Context(engine, actor="tester")
    engine.dispose()


def test_a_backup_goes_back_only_into_the_same_kind_of_database(sqlite_ctx, tmp_path):
    make_outbound_hub(sqlite_ctx)
    path = Path(backup.backup(sqlite_ctx, tmp_path / "b.tar")["path"])
    with pytest.raises(InvalidInput, match=r"same kind of database.*not supported"):
        backup.restore(path, "postgresql+psycopg://nobody@127.0.0.1:9/nothing")


def test_missing_postgresql_programs_are_named(monkeypatch):
    monkeypatch.setenv("AIDHUB_PG_BIN", "/nonexistent/bin")
    with pytest.raises(AidhubError, match="AIDHUB_PG_BIN is /nonexistent/bin, which has no "
                                          "pg_dump"):
        backup.pg_tool("pg_dump")


def test_a_backup_of_an_older_schema_is_brought_up_to_date(tmp_path):
    head = migrate.head_revision(database.create("sqlite://"))
    older = ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(head).down_revision
    engine = database.create(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(engine, older)
    try:
        manifest = backup.backup(Context(engine), tmp_path / "old.tar")
    finally:
        engine.dispose()
    assert manifest["schema_revision"] == older
    report = backup.restore(Path(manifest["path"]), f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert report.ok and report.upgraded_from == older
    engine = database.create(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        assert migrate.current_revision(engine) == head
    finally:
        engine.dispose()


def test_a_backup_from_a_newer_aidhub_is_refused(sqlite_ctx, tmp_path):
    path = Path(backup.backup(sqlite_ctx, tmp_path / "b.tar")["path"])
    newer = tmp_path / "newer.tar"
    with tarfile.open(path) as old, tarfile.open(newer, "w") as new:
        manifest = json.loads(old.extractfile("manifest.json").read())
        manifest.update(schema_revision="9999", aidhub_version="9.0.0")
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        new.addfile(info, io.BytesIO(data))
        member = old.getmember(manifest["dump"]["name"])
        new.addfile(member, old.extractfile(member))
    with pytest.raises(InvalidInput, match=r"schema 9999, which this aidhub .* does not know"):
        backup.restore(newer, f"sqlite:///{tmp_path / 'new.sqlite3'}")
