"""`aidhub demo load`: the demo scenario."""

import datetime as dt

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.domain.errors import AidhubError
from aidhub.domain.values import parse_date
from aidhub.services.context import Context

app = typer.Typer(no_args_is_help=True, help="The demo scenario (a Syria response).")


def load_with_progress(ctx: Context, *, seed: int, start: dt.date | None = None,
                       weeks: int = 4) -> dict[str, int]:
    from aidhub.demo.scenario import load, summary

    with output.progress() as report:
        counts = load(ctx, seed=seed, start=start, weeks=weeks, progress=report)
    output.ok(f"demo scenario loaded (seed {seed}): {summary(counts)}")
    return counts


@app.command("load")
def load_demo(
    seed: int = typer.Option(7, help="Same seed and start, same scenario."),
    start: str = typer.Option(None, help="First day (YYYY-MM-DD); default: WEEKS ago."),
    weeks: int = typer.Option(4, help="How many weeks of movements."),
    force: bool = typer.Option(False, help="Load even if the database already has sites."),
) -> None:
    """Load a Syria response: hubs, points of entry, partners, catalog, weeks of stock."""
    from aidhub.demo.scenario import is_empty

    ctx = context()
    if not force and not is_empty(ctx):
        raise AidhubError("the database already has sites; the demo goes into an empty "
                          "database (set AIDHUB_DATABASE_URL to a new file, or use --force)")
    load_with_progress(ctx, seed=seed, start=parse_date(start, "start") if start else None,
                       weeks=weeks)
