"""`aidhub backup` and `aidhub restore`: online backups and checked restores."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from aidhub.cli import output
from aidhub.cli.app import database_url
from aidhub.services import backup as service
from aidhub.services.context import Context
from aidhub.store import database

JSON = typer.Option(False, "--json", help="Print JSON for programs.")


def backup(
    out: Path = typer.Option(..., "--output", "-o",
                             help="The backup file to write, or a folder to write "
                                  "aidhub-BACKEND-TIME.tar into."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
    as_json: bool = JSON,
) -> None:
    """Back up the database while aidhub runs: one file with the dump and a manifest.

    SQLite is copied with its backup API, PostgreSQL with pg_dump (found on the PATH, in
    /usr/lib/postgresql/N/bin, or in $AIDHUB_PG_BIN). The schema is not upgraded first.
    """
    url = database_url() or database.default_url()
    engine = database.create(url)
    try:
        with _progress() as report:
            manifest = service.backup(Context(engine), out, force=force, progress=report)
    finally:
        engine.dispose()
    if as_json:
        output.print_json(manifest)
        return
    output.ok(f"{manifest['path']} written ({manifest['dump']['size']:,} bytes): "
              f"{_summary(manifest)}")


def restore(
    path: Path = typer.Argument(..., help="A file written by `aidhub backup`."),
    target: str = typer.Option(None, "--database",
                               help="The EMPTY database to restore into (default: the one "
                                    "aidhub uses: --database before the command, "
                                    "AIDHUB_DATABASE_URL, or the embedded SQLite file)."),
    check_only: bool = typer.Option(False, "--check",
                                    help="Only check the backup file; restore nothing."),
    as_json: bool = JSON,
) -> None:
    """Restore a backup into an empty database of the same kind, then check it.

    The dump is checked against the manifest's SHA-256 first, and a database that holds
    anything is refused. After the restore the movements and the audit chain's head are
    compared with the manifest, and the ledger and the audit chain are verified; exit
    status 1 if anything differs.
    """
    if check_only:
        with _progress() as report:
            manifest = service.check(path, progress=report)
        if as_json:
            output.print_json(manifest)
        else:
            output.ok(f"{path} is a whole backup: {_summary(manifest)}")
        return
    url = target or database_url() or database.default_url()
    with _progress() as report:
        result = service.restore(path, url, progress=report)
    if as_json:
        output.print_json(_as_json(result))
    else:
        _show(path, result)
    if not result.ok:
        raise typer.Exit(1)


def _summary(m: dict[str, Any]) -> str:
    return (f"{m['backend']} database, schema {m['schema_revision']}, aidhub "
            f"{m['aidhub_version']}, taken {m['created_at']}, {m['movements']:,} movements, "
            f"audit chain {m['audit']['records']:,} records, head "
            f"{m['audit']['head'][:16]}…, dump SHA-256 {m['dump']['sha256'][:16]}…")


def _show(path: Path, r: service.RestoreReport) -> None:
    output.ok(f"{path} checked and restored into {r.database}: {_summary(r.manifest)}")
    if r.upgraded_from:
        output.ok(f"schema upgraded from {r.upgraded_from} to this aidhub's")
    for problem in r.problems:
        output.error(problem)
    if not r.problems:
        output.ok(f"{r.movements:,} movements and audit head {r.audit_head[:16]}… as in the "
                  "manifest")
    if r.ledger.ok:
        output.ok(f"ledger verified: {r.ledger.movements:,} movements, "
                  f"{r.ledger.balances:,} balances, no difference")
    else:
        for line in r.ledger.differences[:50]:
            output.error(line)
        output.error(f"ledger does not verify: {len(r.ledger.differences)} difference(s)")
    if r.audit.ok:
        output.ok(f"audit chain verified: {r.audit.records:,} records")
    else:
        where = f"record {r.audit.first_break}: " if r.audit.first_break is not None else ""
        output.error(f"audit chain broken at {where}{r.audit.problem}")


def _as_json(r: service.RestoreReport) -> dict[str, Any]:
    return {"ok": r.ok, "database": r.database, "manifest": r.manifest,
            "upgraded_from": r.upgraded_from, "movements": r.movements,
            "audit": {"records": r.audit_records, "head": r.audit_head},
            "problems": r.problems,
            "ledger": {"ok": r.ledger.ok, "movements": r.ledger.movements,
                       "balances": r.ledger.balances, "differences": r.ledger.differences,
                       "warnings": r.ledger.warnings},
            "audit_chain": {"ok": r.audit.ok, "records": r.audit.records,
                            "first_break": r.audit.first_break, "problem": r.audit.problem}}


@contextlib.contextmanager
def _progress() -> Iterator[service.Progress]:
    """One line per stage on stderr: a bar when the total is known, else a spinner."""
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description:<18}"), BarColumn(),
                  TaskProgressColumn(), TimeElapsedColumn(), console=output.errors,
                  transient=True) as bar:
        tasks: dict[str, Any] = {}
        totals: dict[str, int | None] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            for other in [o for o in tasks if o != stage]:  # a new stage ends the others
                end = totals.pop(other, None) or 1
                bar.update(tasks.pop(other), completed=end, total=end)
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            totals[stage] = total
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
