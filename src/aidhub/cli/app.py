"""The root of the `aidhub` command: global options, error handling, sub-commands."""

import getpass
import sys

import typer
from typer.core import TyperGroup

from aidhub.cli import output
from aidhub.domain.errors import AidhubError
from aidhub.services.context import Context, open_context


class _Group(TyperGroup):
    """Turns a user's mistake (an AidhubError) into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AidhubError as exc:
            output.error(str(exc))
            raise typer.Exit(1) from None


app = typer.Typer(cls=_Group, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="aidhub: receive, screen, store and dispatch humanitarian aid.")


_state: dict = {}


@app.callback()
def _root(
    database: str = typer.Option(None, "--database", envvar="AIDHUB_DATABASE_URL",
                                 help="Database URL (default: the embedded SQLite file)."),
    actor: str = typer.Option(None, "--as", help="Who is acting (recorded in the audit log)."),
) -> None:
    _state.clear()
    _state.update(database=database, actor=actor or f"cli:{_user()}", context=None)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def context() -> Context:
    """The services context of this invocation, opened (and migrated) on first use."""
    if _state["context"] is None:
        _state["context"] = open_context(_state["database"], actor=_state["actor"])
    return _state["context"]


def database_url() -> str | None:
    return _state["database"]


def main() -> None:
    sys.exit(app())


def _register() -> None:
    from aidhub.cli import (
        accounts,
        backup,
        db,
        demo,
        exports,
        iati,
        inbound,
        movements,
        nodes,
        outbound,
        plan,
        reference,
        reports,
        requests,
        screening,
        stock,
        transfers,
        verify,
        web,
    )

    app.add_typer(db.app, name="db")
    app.add_typer(demo.app, name="demo")
    app.add_typer(reference.orgs, name="orgs")
    app.add_typer(reference.sites, name="sites")
    app.add_typer(reference.locations, name="locations")
    app.add_typer(reference.items, name="items")
    app.add_typer(stock.app, name="stock")
    app.add_typer(verify.ledger, name="ledger")
    app.add_typer(verify.audit, name="audit")
    movements.register(app)
    inbound.register(app)
    screening.register(app)
    requests.register(app)
    plan.register(app)
    outbound.register(app)
    transfers.register(app)
    web.register(app)
    accounts.register(app)
    exports.register(app)
    iati.register(app)
    reports.register(app)
    backup.register(app)
    nodes.register(app)


_register()
