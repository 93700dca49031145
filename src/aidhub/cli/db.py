"""`aidhub db`: the database and its schema."""

import typer

from aidhub.cli import output
from aidhub.cli.app import database_url
from aidhub.store import database, migrate

app = typer.Typer(no_args_is_help=True, help="The database: where it is, its schema.")


def _engine():
    url = database_url() or database.default_url()
    return url, database.create(url)


@app.command()
def upgrade() -> None:
    """Bring the database schema up to date (also done automatically on start)."""
    url, engine = _engine()
    with database.storage_errors(url):
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    shown = database.display_url(url)
    if before == after:
        output.ok(f"{shown} is up to date (schema {after})")
    else:
        output.ok(f"{shown} upgraded from schema {before or 'empty'} to {after}")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Where the database is and which schema it has."""
    url, engine = _engine()
    with database.storage_errors(url):
        current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    info = {"database": database.display_url(url), "schema": current, "newest": head,
            "up_to_date": current == head}
    if as_json:
        output.print_json(info)
        return
    output.table(None, ["setting", "value"], [(k, v) for k, v in info.items()])
