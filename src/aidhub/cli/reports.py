"""`aidhub report ...`: donor and hub reports, generated from the ledger and stored with
their generation time and a hash of their inputs."""

import typer

report = typer.Typer(no_args_is_help=True,
                     help="Donor and hub reports (PDF, XLSX), from the ledger.")


def register(root: typer.Typer) -> None:
    from aidhub.cli import report_hub

    report_hub.register(report)
    from aidhub.cli import report_donor

    report_donor.register(report)
    root.add_typer(report, name="report")
