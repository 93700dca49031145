"""`aidhub ledger verify` and `aidhub audit verify|log`."""

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON
from aidhub.services import verify

ledger = typer.Typer(no_args_is_help=True, help="The stock ledger.")
audit = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")


@ledger.command("verify")
def verify_ledger(as_json: bool = JSON) -> None:
    """Recompute every balance from the movements; exit 1 on any difference."""
    report = verify.verify_ledger(context())
    if as_json:
        output.print_json({"ok": report.ok, "movements": report.movements,
                           "balances": report.balances, "differences": report.differences,
                           "warnings": report.warnings})
        if not report.ok:
            raise typer.Exit(1)
        return
    for line in report.warnings[:50]:
        output.console.print(f"[yellow]warning:[/yellow] {line}", highlight=False)
    if report.ok:
        output.ok(f"ledger verified: {report.movements:,} movements, {report.balances:,} "
                  "balances, no difference")
    else:
        for line in report.differences[:50]:
            output.error(line)
        output.error(f"ledger does not verify: {len(report.differences)} difference(s)")
    if not report.ok:
        raise typer.Exit(1)


@audit.command("verify")
def verify_audit(as_json: bool = JSON) -> None:
    """Check the audit chain; report the first broken record and exit 1 if it was edited."""
    report = verify.verify_audit(context())
    if as_json:
        output.print_json({"ok": report.ok, "records": report.records,
                           "first_break": report.first_break, "problem": report.problem})
    elif report.ok:
        output.ok(f"audit chain verified: {report.records:,} records")
    else:
        where = f"record {report.first_break}: " if report.first_break is not None else ""
        output.error(f"audit chain broken at {where}{report.problem}")
    if not report.ok:
        raise typer.Exit(1)


@audit.command("log")
def log(limit: int = typer.Option(20, help="How many records, newest first."),
        as_json: bool = JSON) -> None:
    """The latest audit records."""
    records = verify.recent_audit(context(), limit)
    if as_json:
        output.print_json(records)
        return
    output.table("Audit log", ["#", "at", "actor", "action", "subject", "hash"],
                 [(r.seq, r.at, r.actor, r.action, r.subject, r.hash[:12]) for r in records],
                 right=["#"])
