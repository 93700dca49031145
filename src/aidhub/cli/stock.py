"""`aidhub stock` and `aidhub stock card`."""

import datetime as dt

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON
from aidhub.domain.catalog import ExpiryAlert, expiry_alert
from aidhub.domain.values import parse_date
from aidhub.services import stock

app = typer.Typer(help="Stock on hand and stock cards.", invoke_without_command=True)


@app.callback()
def on_hand(
    ctx: typer.Context,
    site: str = typer.Option(None, "--site", "-s", help="Only this site."),
    location: str = typer.Option(None, "--location", help="Only this location (with --site)."),
    item: str = typer.Option(None, "--item", help="Only this item."),
    owner: str = typer.Option(None, "--owner", help="Only this owner."),
    include_virtual: bool = typer.Option(False, "--all",
                                         help="Also virtual locations (in transit...)."),
    as_json: bool = JSON,
) -> None:
    """Stock on hand by site, location, item, lot and owner, with expiry."""
    if ctx.invoked_subcommand is not None:
        return
    rows = stock.on_hand(context(), site=site, location=location, item=item, owner=owner,
                         include_virtual=include_virtual)
    if as_json:
        output.print_json(rows)
        return
    today = dt.date.today()
    total_w = sum((r.weight_kg for r in rows), start=0)
    output.table(
        "Stock on hand",
        ["site", "location", "item", "name", "lot", "expiry", "owner", "quantity", "unit",
         "kg"],
        [(r.site, r.location, r.item, r.item_name, r.batch,
          _expiry(r.expiry, today), r.owner, output.fmt_qty(r.quantity), r.unit,
          f"{r.weight_kg:,.0f}") for r in rows],
        right=["quantity", "kg"],
        caption=f"{len(rows)} lines, {total_w:,.0f} kg",
    )


_ALERT_STYLE = {ExpiryAlert.YELLOW: "yellow", ExpiryAlert.RED: "bold red",
                ExpiryAlert.EXPIRED: "bold white on red"}


def _expiry(day: dt.date | None, today: dt.date) -> str:
    """The expiry date, coloured as RITA does: yellow under 9 months, red under 3 months,
    expired (blocked)."""
    if day is None:
        return ""
    alert = expiry_alert(day, today)
    if alert is None:
        return str(day)
    text = f"{day} expired" if alert is ExpiryAlert.EXPIRED else str(day)
    return f"[{_ALERT_STYLE[alert]}]{text}[/]"


@app.command()
def card(
    item: str,
    site: str = typer.Option(..., "--site", "-s", help="The site."),
    location: str = typer.Option(None, "--location", help="One location (a bin card)."),
    since: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
    as_json: bool = JSON,
) -> None:
    """The stock card: opening balance, every movement, running balance."""
    result = stock.card(
        context(), item, site=site, location=location,
        since=parse_date(since, "from") if since else None,
        until=parse_date(until, "to") if until else None,
    )
    if as_json:
        output.print_json({
            "item": result.item.code, "place": result.place, "opening": result.opening,
            "closing": result.closing,
            "lines": [{**output.jsonable(line), "balance": balance}
                      for line, balance in result.lines],
        })
        return
    rows = [("", "", "opening balance", "", "", "", "", "", output.fmt_qty(result.opening))]
    for line, balance in result.lines:
        rows.append((line.seq, output.fmt_time(line.at), line.kind, line.reference,
                     line.batch, line.counterpart,
                     output.fmt_qty(line.quantity_in) if line.quantity_in else "",
                     output.fmt_qty(line.quantity_out) if line.quantity_out else "",
                     output.fmt_qty(balance)))
    output.table(
        f"Stock card: {result.item.code} {result.item.name_en} at {result.place} "
        f"({result.item.unit})",
        ["#", "when", "movement", "reference", "lot", "from / to", "in", "out", "balance"],
        rows, right=["#", "in", "out", "balance"],
        caption=f"closing balance {output.fmt_qty(result.closing)} {result.item.unit}",
    )
