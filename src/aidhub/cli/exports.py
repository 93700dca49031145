"""`aidhub export stock|movements|deliveries|3w` and `aidhub query "SQL"`."""

import csv
import datetime as dt
import sys
from pathlib import Path

import typer
from rich.markup import escape

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.domain.errors import InvalidInput
from aidhub.domain.values import parse_date
from aidhub.interop.hxl import text, write_csv
from aidhub.services import exports, query

export_app = typer.Typer(no_args_is_help=True,
                         help="Export stock, movements, deliveries or a 3W table as HXL, "
                              "CSV, XLSX or Parquet.")

FORMAT = typer.Option(None, "--format", "-f",
                      help="hxl (CSV with HXL hashtags), csv, xlsx or parquet; default: "
                           "from the file's extension, else hxl.")
OUT = typer.Option(None, "--output", "-o",
                   help="The file to write ('-': standard output, for hxl and csv); "
                        "default: aidhub-WHAT-DATE with the format's extension, here.")
SITE = typer.Option(None, "--site", "-s", help="Only this site (deliveries: hub or point).")
OWNER = typer.Option(None, "--owner", help="Only goods of this owner organisation.")
SINCE = typer.Option(None, "--from", help="First day (YYYY-MM-DD), UTC.")
UNTIL = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), UTC; for stock: stock at "
                                        "the end of that day.")


def _run(what: str, fmt: str | None, out: str | None, site: str | None, owner: str | None,
         since: str | None, until: str | None) -> None:
    fmt = exports.check_format(fmt) if fmt else _format_of(out)
    table = exports.export(
        context(), what, site=site, owner=owner,
        since=parse_date(since, "from") if since else None,
        until=parse_date(until, "to") if until else None)
    if out == "-":
        if fmt not in ("hxl", "csv"):
            raise InvalidInput("%(format)s is not text: write it to a file with -o "
                               "FILE%(suffix)s", field="output", format=fmt,
                               suffix=exports.SUFFIXES[fmt])
        write_csv(table, sys.stdout, hxl=fmt == "hxl")
        return
    path = Path(out) if out else Path(
        f"aidhub-{what}-{dt.date.today().isoformat()}{exports.SUFFIXES[fmt]}")
    exports.write(table, path, fmt)
    output.ok(f"{path} written: {len(table.rows):,} rows of {table.title} ({fmt})")


def _format_of(out: str | None) -> str:
    suffix = Path(out).suffix.lower() if out and out != "-" else ""
    return {".xlsx": "xlsx", ".parquet": "parquet"}.get(suffix, "hxl")


@export_app.command("stock")
def export_stock(fmt: str = FORMAT, out: str = OUT, site: str = SITE, owner: str = OWNER,
                 since: str = SINCE, until: str = UNTIL) -> None:
    """Physical stock on hand by site, location, item, lot and owner (now, or --to a day)."""
    _run("stock", fmt, out, site, owner, since, until)


@export_app.command("movements")
def export_movements(fmt: str = FORMAT, out: str = OUT, site: str = SITE,
                     owner: str = OWNER, since: str = SINCE, until: str = UNTIL) -> None:
    """Every posting of the movements in a period: quantity in (+) or out (-) of a place."""
    _run("movements", fmt, out, site, owner, since, until)


@export_app.command("deliveries")
def export_deliveries(fmt: str = FORMAT, out: str = OUT, site: str = SITE,
                      owner: str = OWNER, since: str = SINCE, until: str = UNTIL) -> None:
    """Proof-of-delivery lines: shipped, delivered, damaged, short, lost, per waybill line."""
    _run("deliveries", fmt, out, site, owner, since, until)


@export_app.command("3w")
def export_3w(fmt: str = FORMAT, out: str = OUT, site: str = SITE, owner: str = OWNER,
              since: str = SINCE, until: str = UNTIL) -> None:
    """Who delivered what, where (admin1/admin2 P-codes) and when."""
    _run("3w", fmt, out, site, owner, since, until)


def run_query(
    sql: str = typer.Argument(..., help="One SELECT (or WITH, EXPLAIN, DESCRIBE, SHOW, "
                                        "SUMMARIZE) in DuckDB's SQL."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Read-only SQL over a copy of the ledger in DuckDB (`aidhub query "SHOW TABLES"`)."""
    fmt = fmt.strip().lower()
    if fmt not in ("table", "csv", "json"):
        raise InvalidInput("'%(format)s' is not a format; choose table, csv or json",
                           field="format", format=fmt)
    result = query.run(context(), sql)
    if fmt == "json":
        output.print_json([dict(zip(result.columns, row, strict=True))
                           for row in result.rows])
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_cell(v) for v in row] for row in result.rows)
    else:
        output.table(None, [escape(c) for c in result.columns],
                     [[escape(_cell(v)) for v in row] for row in result.rows],
                     caption=f"{len(result.rows):,} rows")


def _cell(value: object) -> str:
    """Text as it is (EXPLAIN's plan keeps its lines); other values as the exports write
    them."""
    return value if isinstance(value, str) else text(value)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.command("query")(run_query)
