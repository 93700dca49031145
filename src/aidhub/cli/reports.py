"""`aidhub report ...`: donor and hub reports, generated from the ledger and stored with
their generation time and a hash of their inputs."""

import typer

report = typer.Typer(no_args_is_help=True,
                     help="Donor and hub reports (PDF, XLSX), from the ledger.")


def register(root: typer.Typer) -> None:
    root.add_typer(report, name="report")
