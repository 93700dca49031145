"""`aidhub report donor`, `aidhub report list` and `aidhub report get`: a donor's report
for a period as PDF or XLSX, stored with its generation time and the hash of its inputs;
stored reports listed and fetched again."""

from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.domain.errors import InvalidInput
from aidhub.domain.values import parse_date

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def donor(
    donor: str = typer.Option(..., "--donor", help="The donor: the code of the "
                                                   "organisation that owns the goods."),
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (UTC)."),
    end: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD (UTC), included."),
    out: Path = typer.Option(..., "-o", "--output",
                             help="The file to write: .pdf or .xlsx."),
    language: str = typer.Option("en", "--language", "-l",
                                 help="en or ar (right to left in both PDF and XLSX)."),
) -> None:
    """Write a donor's report for a period (received, announced against received, stock
    with expiry, deliveries by governorate, losses, traceability and the tie-out), and
    store it."""
    from aidhub.services import donor_report, report_store

    suffix = out.suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise InvalidInput("write the report to a file ending in .pdf or .xlsx, not "
                           "'%(name)s'", field="output", name=out.name)
    language = language.strip().lower()
    if language not in ("en", "ar"):
        raise InvalidInput("'%(language)s' is not a report language; choose en or ar",
                           field="language", language=language)
    ctx = context()
    report = donor_report.build(ctx, donor, parse_date(start, "from"), parse_date(end, "to"))
    if suffix == ".pdf":
        from aidhub.documents.donor_report import render_pdf

        content = render_pdf(report, language)
    else:
        from aidhub.documents.report_xlsx import render_xlsx

        content = render_xlsx(report, language)
    out.write_bytes(content)
    params = {"donor": report.donor, "from": report.start.isoformat(),
              "to": report.end.isoformat(), "language": language, "format": suffix[1:]}
    try:
        report_id = report_store.save(ctx, kind="donor", params=params,
                                      inputs_hash=report.inputs_hash, filename=out.name,
                                      media_type=MEDIA_TYPES[suffix], content=content)
    except report_store.NotRecorded:
        output.ok(f"{out} written ({len(content):,} bytes)")
        output.console.print(not_recorded(), highlight=False)
    else:
        output.ok(f"{out} written ({len(content):,} bytes) and stored as report "
                  f"{report_id}")
    output.console.print(f"inputs hash {report.inputs_hash}", highlight=False)
    bad = [t.item for t in report.tie_out if not t.ok]
    if report.empty:
        output.console.print(f"[yellow]note:[/yellow] nothing of {report.donor}'s was "
                             "received, held, dispatched or lost in this period",
                             highlight=False)
    elif bad:
        output.console.print(f"[red]tie-out:[/red] {len(bad)} of {len(report.tie_out)} "
                             f"items do not tie out ({', '.join(bad)}); run `aidhub "
                             "ledger verify`", highlight=False)
    else:
        output.console.print(f"tie-out: all {len(report.tie_out)} items tie out ✓",
                             highlight=False)


def not_recorded() -> str:
    """What to say when the file is written but the database is read-only."""
    return ("[yellow]note:[/yellow] the database is read-only (a replica?): the file is "
            "written but the report is [bold]not recorded[/bold] among the stored reports "
            "(no `aidhub report list` entry, no audit record); generate it on the primary "
            "database to keep it with its generation time and inputs hash")


def list_reports(
    kind: str = typer.Option(None, "--kind", help="Only reports of this kind (donor, hub)."),
    as_json: bool = typer.Option(False, "--json", help="JSON for programs."),
) -> None:
    """Stored reports, newest first."""
    from aidhub.services import report_store

    found = report_store.list_reports(context(), kind)
    if as_json:
        output.print_json(found)
        return
    output.table(f"{len(found)} stored report(s)",
                 ["id", "kind", "parameters", "generated", "inputs hash", "bytes"],
                 [(r.id, r.kind, _describe(r.params),
                   output.fmt_time(r.generated_at), r.inputs_hash[:12], f"{r.size:,}")
                  for r in found],
                 right=["bytes"], wrap=["id", "parameters"])


def _describe(params: dict) -> str:
    """ECHO 2026-11-01…2026-11-30 en pdf; other parameters as name=value."""
    shown = dict(params)
    words = [str(shown.pop(k)) for k in ("donor", "hub") if k in shown]
    if "from" in shown and "to" in shown:
        words.append(f"{shown.pop('from')}…{shown.pop('to')}")
    words += [str(shown.pop(k)) for k in ("language", "format") if k in shown]
    return " ".join(words + [f"{k}={v}" for k, v in shown.items()])


def get(
    report_id: str = typer.Argument(..., metavar="ID", help="The report's id."),
    out: Path = typer.Option(None, "-o", "--output",
                             help="The file to write (default: its stored name, here)."),
) -> None:
    """Write a stored report's file."""
    from aidhub.services import report_store

    stored, content = report_store.get(context(), report_id)
    from aidhub.interop.safe_files import safe_name

    target = out or Path(safe_name(stored.filename, default=f"report-{report_id}"))  # here
    target.write_bytes(content)
    output.ok(f"{target} written ({len(content):,} bytes): {stored.kind} report generated "
              f"{output.fmt_time(stored.generated_at)} by {stored.generated_by}, inputs "
              f"hash {stored.inputs_hash}")


def register(report: typer.Typer) -> None:
    report.command("donor")(donor)
    report.command("list")(list_reports)
    report.command("get")(get)
