"""Online backups and checked restores.

A backup is one tar file holding ``manifest.json`` and the database dump, taken while
aidhub runs:

- SQLite: the sqlite3 backup API copies the file page by page inside one read
  transaction, so writers go on (WAL) and the copy is the database as it was when the
  transaction began.
- PostgreSQL: ``pg_dump --format=custom`` on a snapshot exported from a REPEATABLE READ
  transaction (``--snapshot``), the same snapshot the manifest's figures are read in.

The manifest records the aidhub version, the schema revision, the backend, the time,
the number of movements, the audit chain's length and head hash, and the size and
SHA-256 of the dump. A restore checks the hash before it writes anything, restores only
into an empty database of the same backend (a cross-backend restore is not supported),
brings the schema up to date if the backup is older, and then compares the figures with
the manifest and verifies the ledger and the audit chain.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, text

from aidhub import __version__
from aidhub.domain.errors import AidhubError, InvalidInput, NotFound, StorageError
from aidhub.services import verify
from aidhub.services.context import Context, utcnow
from aidhub.store import database, migrate

FORMAT, FORMAT_VERSION = "aidhub-backup", 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SQLITE_PAGES = 4096  # pages copied per step (16 MB with 4 KB pages)
PG_BIN = "AIDHUB_PG_BIN"
CHUNK = 1 << 20

# stage, done, total (None when unknown)
Progress = Callable[[str, int, int | None], None]


def _quiet(_stage: str, _done: int, _total: int | None) -> None:
    pass


# backing up ----------------------------------------------------------------------------
def backup(ctx: Context, out: Path, *, force: bool = False,
           progress: Progress = _quiet) -> dict[str, Any]:
    """Write a backup of the running database to ``out`` (a file, or a folder to put a
    dated file in) and return its manifest (with ``path``)."""
    backend = ctx.engine.dialect.name
    if backend not in DUMPS:
        raise InvalidInput("aidhub backs up SQLite and PostgreSQL, not %(backend)s",
                           backend=backend)
    out = Path(out).expanduser()
    if out.is_dir():
        out = out / f"aidhub-{backend}-{utcnow():%Y%m%dT%H%M%SZ}.tar"
    if out.exists() and not force:
        raise InvalidInput("%(path)s exists: give another name, or --force to replace it",
                           field="output", path=out)
    if not out.parent.is_dir():
        raise NotFound("no folder %(folder)s: create it first", folder=out.parent)
    dump = _private(out.with_name(f".{out.name}.dump.partial"))
    partial = _private(out.with_name(f".{out.name}.partial"))
    try:
        if backend == "sqlite":
            facts = _sqlite_backup(ctx, dump, progress)
        else:
            facts = _pg_backup(ctx, dump, progress)
        size, digest = _hash_file(dump, progress)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "aidhub_version": __version__, "backend": backend, **facts,
            "dump": {"name": DUMPS[backend], "size": size, "sha256": digest},
        }
        _write_archive(partial, manifest, dump, progress)
        os.replace(partial, out)
    finally:
        dump.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return {**manifest, "path": str(out)}


def _private(path: Path) -> Path:
    """An empty file only its owner may read: a backup holds personal data and password
    hashes (the programs writing into it keep its mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)
    return path


def _facts(uow) -> dict[str, Any]:
    """What the manifest says about the database, read in the backup's own snapshot."""
    shown = database.display_url(_url(uow.conn.engine))
    revision = MigrationContext.configure(uow.conn).get_current_revision()
    if revision is None:
        raise InvalidInput("%(database)s has no aidhub schema: there is nothing to back up "
                           "(check the database URL)", database=shown)
    seq, head = uow.audit.head()
    return {"schema_revision": revision, "created_at": utcnow().isoformat(),
            "movements": uow.ledger.count_movements(),
            "audit": {"records": seq, "head": head}, "database": shown}


def _sqlite_backup(ctx: Context, dump: Path, progress: Progress) -> dict[str, Any]:
    if not ctx.engine.url.database or ctx.engine.url.database == ":memory:":
        raise InvalidInput("an in-memory database cannot be backed up")
    if not Path(ctx.engine.url.database).expanduser().is_file():
        raise NotFound("no database file %(file)s: check AIDHUB_DATABASE_URL or --database",
                       file=ctx.engine.url.database)
    with ctx.uow() as uow:
        facts = _facts(uow)  # the first read: the snapshot the copy is made of
        source = uow.conn.connection.dbapi_connection
        target = sqlite3.connect(dump)
        try:
            source.backup(target, pages=SQLITE_PAGES, progress=lambda _status, left, total:
                          progress("copying pages", total - left, total))
        except sqlite3.DatabaseError as exc:
            raise StorageError("cannot copy %(database)s: %(error)s",
                               database=facts["database"], error=exc) from exc
        finally:
            target.close()
    return facts


def _pg_backup(ctx: Context, dump: Path, progress: Progress) -> dict[str, Any]:
    pg_dump = pg_tool("pg_dump")
    conninfo, env = _libpq(ctx.engine.url)
    with ctx.uow(snapshot=True) as uow:
        snapshot = uow.conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        facts = _facts(uow)
        tables = uow.conn.execute(text(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
            "('pg_catalog', 'information_schema')")).scalar_one()
        version = _run([pg_dump, "--version"], env).strip()
        done = 0

        def line(text_: str) -> None:
            nonlocal done
            if "dumping contents of table" in text_:
                done += 1
                progress("pg_dump", done, tables)

        progress("pg_dump", 0, tables)
        _run([pg_dump, "--format=custom", f"--file={dump}", f"--snapshot={snapshot}",
              "--verbose", f"--dbname={conninfo}"], env, on_line=line)
    return {**facts, "pg_dump": version}


def _hash_file(path: Path, progress: Progress) -> tuple[int, str]:
    size, digest, total = 0, hashlib.sha256(), path.stat().st_size
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            progress("hashing", size, total)
    return size, digest.hexdigest()


def _write_archive(path: Path, manifest: dict, dump: Path, progress: Progress) -> None:
    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
        tar.addfile(info, io.BytesIO(data))
        progress("writing archive", 0, manifest["dump"]["size"])
        tar.add(dump, arcname=manifest["dump"]["name"], recursive=False)
        progress("writing archive", manifest["dump"]["size"], manifest["dump"]["size"])
    with path.open("rb+") as f:
        os.fsync(f.fileno())


# reading a backup ----------------------------------------------------------------------
def check(path: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Read a backup's manifest and check its dump against the manifest's size and
    SHA-256; the manifest, or an error saying what is wrong."""
    return _read(path, None, progress)


def manifest_of(path: Path) -> dict[str, Any]:
    """A backup's manifest, without checking its dump (see :func:`check`)."""
    path = _backup_file(path)
    try:
        with tarfile.open(path, "r:") as tar:
            return _manifest(tar, path)
    except (tarfile.TarError, EOFError) as exc:
        raise _damaged(path, exc) from exc


def _read(path: Path, into: Path | None, progress: Progress) -> dict[str, Any]:
    """The manifest of the backup at ``path``, after its dump was checked against it
    (and written to ``into`` when given)."""
    path = _backup_file(path)
    try:
        with tarfile.open(path, "r:") as tar:
            manifest = _manifest(tar, path)
            want = manifest["dump"]
            source = tar.extractfile(tar.getmember(want["name"]))
            if source is None:
                raise _damaged(path)
            size, digest = 0, hashlib.sha256()
            with source, (into.open("wb") if into else contextlib.nullcontext()) as sink:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if sink is not None:
                        sink.write(chunk)
                    progress("checking backup", size, want["size"])
    except (tarfile.TarError, EOFError, KeyError) as exc:
        raise _damaged(path, exc) from exc
    if size != want["size"] or digest.hexdigest() != want["sha256"]:
        raise InvalidInput("the backup %(path)s is damaged or truncated: take another "
                           "backup, or restore an older one: its dump has %(size)s bytes "
                           "with SHA-256 %(sha256)s…, but the manifest says %(expected)s "
                           "bytes with %(expected_sha256)s…",
                           path=path, size=format(size, ","), sha256=digest.hexdigest()[:16],
                           expected=format(want["size"], ","),
                           expected_sha256=str(want["sha256"])[:16])
    return manifest


def _backup_file(path: Path) -> Path:
    path = Path(path).expanduser()
    if not path.is_file():
        raise NotFound("no backup file %(path)s", path=path)
    if not tarfile.is_tarfile(path):
        raise InvalidInput("%(path)s is not an aidhub backup (a file written by "
                           "`aidhub backup`), or it is damaged", path=path)
    return path


def _damaged(path: Path, exc: BaseException | None = None) -> InvalidInput:
    if exc is None:
        return InvalidInput("the backup %(path)s is damaged or truncated: take another "
                            "backup, or restore an older one", path=path)
    return InvalidInput("the backup %(path)s is damaged or truncated: take another backup, "
                        "or restore an older one (%(error)s)", path=path, error=exc)


def _manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        raw = tar.extractfile(tar.getmember(MANIFEST))
        manifest = json.loads(raw.read()) if raw else None
    except (KeyError, ValueError) as exc:
        raise InvalidInput("%(path)s has no readable manifest.json: it is not an aidhub "
                           "backup, or it is damaged", path=path) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("%(path)s is not an aidhub backup (no aidhub manifest)", path=path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidInput("%(path)s is a backup of format %(format)s; this aidhub reads "
                           "format %(reads)s: restore it with the aidhub that made it "
                           "(%(version)s)", path=path, format=manifest.get("format_version"),
                           reads=FORMAT_VERSION, version=manifest.get("aidhub_version"))
    dump = manifest.get("dump")
    if (manifest.get("backend") not in DUMPS or not isinstance(dump, dict)
            or dump.get("name") != DUMPS[manifest["backend"]]):
        raise InvalidInput("the manifest of %(path)s is damaged: take another backup",
                           path=path)
    return manifest


# restoring -----------------------------------------------------------------------------
@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    database: str  # where it was restored, password hidden
    upgraded_from: str | None  # the backup's schema, when it had to be brought up to date
    movements: int
    audit_records: int
    audit_head: str
    ledger: verify.LedgerReport
    audit: verify.AuditReport
    problems: list[str] = field(default_factory=list)  # figures unlike the manifest's

    @property
    def ok(self) -> bool:
        return not self.problems and self.ledger.ok and self.audit.ok


def restore(path: Path, url: str, *, progress: Progress = _quiet) -> RestoreReport:
    """Restore the backup at ``path`` into the empty database at ``url``, then compare it
    with the manifest and verify the ledger and the audit chain."""
    engine = database.create(url, pool=False)
    backend = engine.dialect.name
    shown = database.display_url(url)
    try:
        manifest = manifest_of(path)
        if manifest["backend"] != backend:
            raise InvalidInput(
                "%(path)s is a %(kind)s backup and %(database)s is %(backend)s: a "
                "backup is restored into the same kind of database (restore it into an "
                "empty %(kind)s database; moving between SQLite and "
                "PostgreSQL is not supported)", path=path, kind=manifest["backend"],
                database=shown, backend=backend)
        _check_known(manifest)
        with database.storage_errors(url):
            empty_public = _check_empty(engine, url)
        if backend == "sqlite":
            _sqlite_restore(path, Path(engine.url.database).expanduser(), progress)
        else:
            with tempfile.TemporaryDirectory(prefix="aidhub-restore-") as folder:
                dump = Path(folder) / DUMPS[backend]
                _read(path, dump, progress)  # a damaged dump is refused here
                _pg_restore(dump, engine.url, keep_public=not empty_public,
                            progress=progress)
        engine.dispose()
        return _after(manifest, url, progress)
    finally:
        engine.dispose()


def _check_known(manifest: dict[str, Any]) -> None:
    revision = manifest.get("schema_revision")
    if revision is None:
        raise InvalidInput("the backup holds an empty database (no schema): nothing to "
                           "restore")
    try:
        ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(revision)
    except Exception as exc:
        raise InvalidInput(
            "the backup has schema %(revision)s, which this aidhub (%(ours)s) does not "
            "know: it was made by aidhub %(version)s; restore it with "
            "that version or a newer one", revision=revision, ours=__version__,
            version=manifest.get("aidhub_version")) from exc


def _check_empty(engine: Engine, url: str) -> bool:
    """Refuse a database that holds anything; for PostgreSQL, whether it has the
    ``public`` schema (empty databases do, unless someone dropped it)."""
    shown = database.display_url(url)
    if engine.dialect.name == "sqlite":
        target = Path(engine.url.database or "").expanduser()
        if not engine.url.database or engine.url.database == ":memory:":
            raise InvalidInput("restore into a database file, not into memory")
        if not target.exists() or target.stat().st_size == 0:
            for extra in (Path(f"{target}-wal"), Path(f"{target}-journal")):
                if extra.exists() and extra.stat().st_size:
                    raise InvalidInput("%(file)s is left over from another database: "
                                       "remove it, or restore into a new file", file=extra)
            return True
        found = _sqlite_tables(target)
    else:
        found = _pg_objects(engine, url)
    if found:
        listed = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        if engine.dialect.name == "sqlite":
            raise InvalidInput(
                "%(database)s is not empty (it holds %(tables)s): a backup is restored only "
                "into an empty database, so that nothing is mixed or overwritten; give the "
                "name of a new file", database=shown, tables=listed)
        raise InvalidInput(
            "%(database)s is not empty (it holds %(tables)s): a backup is restored only into "
            "an empty database, so that nothing is mixed or overwritten; create a new "
            "database (createdb -O USER NAME) and give its URL", database=shown, tables=listed)
    if engine.dialect.name == "sqlite":
        return True
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'")).scalar_one())


def _sqlite_tables(target: Path) -> list[str]:
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput("%(file)s is not an empty SQLite database (%(error)s): give a new "
                           "file to restore into", file=target, error=exc) from exc


def _pg_objects(engine: Engine, url: str) -> list[str]:
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
                "ORDER BY 1")).scalars())
    except Exception as exc:
        if "does not exist" in str(exc):
            raise NotFound("the database of %(database)s does not exist: "
                           "create it, empty, first (createdb -O USER NAME)",
                           database=database.display_url(url)) from exc
        raise


def _sqlite_restore(path: Path, target: Path, progress: Progress) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    try:
        _read(path, partial, progress)  # a damaged dump is refused here
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _pg_restore(dump: Path, url: URL, *, keep_public: bool, progress: Progress) -> None:
    pg_restore = pg_tool("pg_restore")
    conninfo, env = _libpq(url)
    toc = _run([pg_restore, "--list", str(dump)], env).splitlines()
    if keep_public:  # the target already has the public schema: do not create it again
        toc = [t for t in toc if not re.search(r"\b(SCHEMA|COMMENT) - (SCHEMA )?public ", t)]
    total = sum(1 for t in toc if t.strip() and not t.startswith(";"))
    listing = dump.with_suffix(".list")
    listing.write_text("\n".join(toc) + "\n")
    done = 0

    def line(text_: str) -> None:
        nonlocal done
        if text_.startswith(("pg_restore: creating ", "pg_restore: processing data")):
            done += 1
            progress("pg_restore", min(done, total), total)

    progress("pg_restore", 0, total)
    _run([pg_restore, "--verbose", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--use-list={listing}", f"--dbname={conninfo}",
          str(dump)], env, on_line=line)


def _after(manifest: dict[str, Any], url: str, progress: Progress) -> RestoreReport:
    engine = database.create(url)
    try:
        with database.storage_errors(url):
            before = migrate.current_revision(engine)
            upgraded = None
            if not migrate.is_current(engine):
                progress("upgrading schema", 0, None)
                migrate.upgrade(engine)
                upgraded = before
            if engine.dialect.name == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("ANALYZE"))  # pg_restore leaves the planner no figures
        ctx = Context(engine, actor="restore")
        with ctx.uow() as uow:
            movements = uow.ledger.count_movements()
            records, head = uow.audit.head()
        problems = []
        if movements != manifest["movements"]:
            problems.append(f"the restored database has {movements:,} movements, the "
                            f"manifest says {manifest['movements']:,}")
        if (records, head) != (manifest["audit"]["records"], manifest["audit"]["head"]):
            problems.append(f"the restored audit chain ends at record {records} ({head[:16]}"
                            f"…), the manifest says {manifest['audit']['records']} "
                            f"({str(manifest['audit']['head'])[:16]}…)")
        progress("verifying ledger", 0, None)
        ledger = verify.verify_ledger(ctx)
        progress("verifying audit", 0, None)
        audit = verify.verify_audit(ctx)
        return RestoreReport(manifest, database.display_url(url), upgraded, movements,
                             records, head, ledger, audit, problems)
    finally:
        engine.dispose()


# PostgreSQL's programs -----------------------------------------------------------------
def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program: in $AIDHUB_PG_BIN, else on the PATH, else
    in the newest /usr/lib/postgresql/N/bin."""
    folder = os.environ.get(PG_BIN)
    if folder:
        path = Path(folder).expanduser() / name
        if not os.access(path, os.X_OK):
            raise AidhubError("%(variable)s is %(folder)s, which has no %(program)s: point it at "
                              "the folder with PostgreSQL's programs, such as "
                              "/usr/lib/postgresql/15/bin", variable=PG_BIN, folder=folder,
                              program=name)
        return str(path)
    found = shutil.which(name)
    if found:
        return found
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                     key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                     reverse=True)
    for candidate in folders:
        if os.access(candidate / name, os.X_OK):
            return str(candidate / name)
    raise AidhubError("%(program)s was not found: install PostgreSQL's client programs "
                      "(Debian: apt install postgresql-client-15) or set %(variable)s to the "
                      "folder that holds them", program=name, variable=PG_BIN)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (no password: that goes in PGPASSWORD, out of `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(args: list[str], env: dict[str, str],
         on_line: Callable[[str], None] | None = None) -> str:
    """Run a PostgreSQL program; its standard output, or an error with its messages."""
    name = Path(args[0]).name
    try:
        proc = subprocess.Popen(args, stderr=subprocess.PIPE, env=env, text=True,
                                stdout=subprocess.DEVNULL if on_line else subprocess.PIPE)
    except OSError as exc:
        raise AidhubError("cannot run %(program)s: %(error)s; set %(variable)s to the folder "
                          "with PostgreSQL's programs", program=args[0], error=exc,
                          variable=PG_BIN) from exc
    tail: deque[str] = deque(maxlen=40)
    out = ""
    if on_line is None:
        out, err = proc.communicate()
        tail.extend(err.splitlines())
    else:
        assert proc.stderr is not None
        for raw in proc.stderr:
            tail.append(raw.rstrip("\n"))
            on_line(tail[-1])
        proc.wait()
    if proc.returncode != 0:
        errors = [t for t in tail if "error" in t.lower() or "detail" in t.lower()
                  or "hint" in t.lower()] or list(tail)[-3:]
        if "version mismatch" in " ".join(errors):
            raise AidhubError("%(program)s failed (exit status %(status)s): %(errors)s; "
                              "%(program)s must be of the server's major version or newer: "
                              "set %(variable)s", program=name, status=proc.returncode,
                              errors=" / ".join(errors[-5:]), variable=PG_BIN)
        raise AidhubError("%(program)s failed (exit status %(status)s): %(errors)s",
                          program=name, status=proc.returncode, errors=" / ".join(errors[-5:]))
    return out

