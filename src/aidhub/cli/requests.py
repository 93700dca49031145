"""`aidhub requests|needs|routes|release-orders` and `aidhub sites figures`: what partners
ask for, the figures behind it, the routes a plan may use, and the release orders an
approved plan becomes."""

from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.cli.reference import sites as sites_app
from aidhub.domain.errors import InvalidInput
from aidhub.services import release_orders, requests
from aidhub.services.requests import LineInput

app = typer.Typer(no_args_is_help=True, help="Requests from partners for distribution points.")
needs = typer.Typer(no_args_is_help=True, help="Planning figures (Sphere 2018 by default).")
routes = typer.Typer(no_args_is_help=True, help="Routes from hubs to distribution points.")
orders = typer.Typer(no_args_is_help=True, help="Release orders made by approved plans.")
KEY = typer.Option(None, "--key", help=KEY_HELP)
LINE_HELP = ("ITEM:QUANTITY:PRIORITY[:NEEDED-BY], e.g. WASH-JERRY-20L:400:1:2026-12-15 "
             "(priority 1 life-saving, 2 important, 3 other). Repeat for more lines.")
FIGURE_HELP = ("FIGURE:DAYS[:PRIORITY][:ITEM]: a need computed from planning figures for the "
               "point's population, e.g. water:30 or covered_space:0:2. Repeat for more.")


def _lines(line_specs: list[str] | None, figure_specs: list[str] | None) -> list[LineInput]:
    out = []
    for n, spec in enumerate(line_specs or [], start=1):
        parts = spec.split(":")
        if len(parts) not in (3, 4):
            raise InvalidInput("'%(spec)s' is not ITEM:QUANTITY:PRIORITY[:NEEDED-BY]",
                               field="--line " + str(n), spec=spec)
        out.append(LineInput(item=parts[0], quantity=parts[1], priority=parts[2],
                             needed_by=parts[3] if len(parts) == 4 else None))
    for n, spec in enumerate(figure_specs or [], start=1):
        parts = spec.split(":")
        if len(parts) < 2 or not parts[1].strip().isdigit():
            raise InvalidInput("'%(spec)s' is not FIGURE:DAYS[:PRIORITY][:ITEM]",
                               field="--figure " + str(n), spec=spec)
        priority = item = None
        for extra in parts[2:]:
            if extra.strip() in ("1", "2", "3"):
                priority = extra.strip()
            else:
                item = extra
        out.append(LineInput(figure=parts[0], days=int(parts[1]), priority=priority,
                             item=item))
    return out


@app.command("new")
def new(organisation: str = typer.Argument(..., help="The requesting partner's code."),
        point: str = typer.Argument(..., help="The distribution point's site code."),
        line: list[str] = typer.Option(None, "--line", help=LINE_HELP),
        figure: list[str] = typer.Option(None, "--figure", help=FIGURE_HELP),
        needed_by: str = typer.Option(None, help="Date the goods are needed (YYYY-MM-DD)."),
        note: str = typer.Option("", help="Anything the planners should know."),
        submit: bool = typer.Option(False, help="Submit it at once (not left as a draft)."),
        key: str = KEY) -> None:
    """Write a request (a draft unless --submit)."""
    result = requests.create(context(), key=key or new_key(), organisation_code=organisation,
                             point=point, lines=_lines(line, figure), needed_by=needed_by,
                             note=note, submit=submit)
    output.ok(f"request {result['request']} is {result['state']} with {result['lines']} "
              "line(s)")


@app.command("add-lines")
def add_lines(number: str, line: list[str] = typer.Option(None, "--line", help=LINE_HELP),
              figure: list[str] = typer.Option(None, "--figure", help=FIGURE_HELP),
              key: str = KEY) -> None:
    """Add lines to a draft request."""
    result = requests.add_lines(context(), number, _lines(line, figure), key=key or new_key())
    output.ok(f"{result['added']} line(s) added to {result['request']}")


@app.command("remove-line")
def remove_line(number: str, line_no: int, key: str = KEY) -> None:
    """Remove a line from a draft request."""
    requests.remove_line(context(), number, line_no, key=key or new_key())
    output.ok(f"line {line_no} removed from {number.upper()}")


def _state_command(name: str, target: str, needs_reason: bool, doc: str) -> None:
    def command(number: str, reason: str = typer.Option(
            None if not needs_reason else ..., help="Why (kept and shown to the partner)."),
                key: str = KEY) -> None:
        result = requests.change_state(context(), number, target, key=key or new_key(),
                                       reason=reason or "")
        output.ok(f"request {result['request']} is {result['state']}")

    command.__doc__ = doc
    app.command(name)(command)


_state_command("submit", "submitted", False, "Submit a draft request for approval.")
_state_command("approve", "approved", False,
               "Approve a submitted request (not by whoever submitted it); or send a "
               "planned request back to approved so its unserved rest is planned again.")
_state_command("reject", "rejected", True, "Reject a submitted request, saying why.")
_state_command("cancel", "cancelled", True, "Cancel a request, saying why.")


@app.command("list")
def list_requests(state: str = typer.Option(None, help="Only requests in this state."),
                  organisation: str = typer.Option(None, "--org", help="Only this partner's."),
                  as_json: bool = JSON) -> None:
    """Requests, oldest first."""
    found = requests.list_requests(context(), state=state, organisation_code=organisation)
    if as_json:
        output.print_json(found)
        return
    output.table("Requests", ["number", "partner", "point", "P-code", "state", "lines",
                              "quantity", "planned", "needed by"],
                 [(r.number, r.organisation, r.point, r.pcode or "", r.state.replace("_", " "),
                   len(r.lines), output.fmt_qty(r.quantity), output.fmt_qty(r.planned),
                   r.needed_by or "") for r in found],
                 right=["lines", "quantity", "planned"])


@app.command("show")
def show(number: str, as_json: bool = JSON) -> None:
    """A request with its lines, and how computed quantities were reached."""
    r = requests.view(context(), number)
    if as_json:
        output.print_json(r)
        return
    output.console.print(f"[bold]{r.number}[/bold] · {r.organisation} for {r.point} "
                         f"({r.point_name}, {r.pcode or 'no P-code'}) · "
                         f"{r.state.replace('_', ' ')}")
    if r.reason:
        output.console.print(f"reason: {r.reason}")
    output.table(None, ["#", "item", "name", "quantity", "unit", "priority", "planned",
                        "needed by"],
                 [(ln.line_no, ln.item, ln.item_name, output.fmt_qty(ln.quantity), ln.unit,
                   ln.priority, output.fmt_qty(ln.planned), ln.needed_by or "")
                  for ln in r.lines], right=["quantity", "planned"])
    for ln in r.lines:
        if ln.basis:
            output.console.print(f"  line {ln.line_no}: {ln.basis}", highlight=False)


# planning figures ----------------------------------------------------------------------
@needs.command("figures")
def show_figures(as_json: bool = JSON) -> None:
    """The response's planning figures and their sources."""
    from aidhub.domain.needs import to_json

    figures = requests.current_figures(context())
    if as_json:
        output.print_json(to_json(figures))
        return
    output.table(f"Planning figures: {figures.response}",
                 ["code", "figure", "standard", "items", "source"],
                 [(f.code, f.label, f.describe,
                   ", ".join([c.item for c in f.contents] + [c.item for c in f.ration]),
                   f.source) for f in figures.figures], wrap=["source", "items"])


@needs.command("load")
def load_figures(path: Path = typer.Argument(..., exists=True, dir_okay=False),
                 key: str = KEY) -> None:
    """Use the planning figures in a JSON file for this response (see `needs figures
    --json` for the form)."""
    result = requests.load_figures(context(), path.read_bytes(), key=key or new_key())
    output.ok(f"{result['figures']} planning figure(s) loaded for {result['response']}")


@needs.command("compute")
def compute(figure: str, days: int = typer.Option(0, help="Days to cover."),
            point: str = typer.Option(None, help="Take people and households from here."),
            persons: int = typer.Option(None), households: int = typer.Option(None),
            item: str = typer.Option(None, help="The item that provides it.")) -> None:
    """Show what a figure-based request line would ask for (nothing is written)."""
    for need in requests.preview_need(context(), figure=figure, days=days, point=point,
                                      persons=persons, households=households, item=item):
        output.console.print(f"[bold]{need.item}[/bold]: {need.quantity:,}", highlight=False)
        output.console.print(f"  {need.basis}", highlight=False)


# routes and site figures ---------------------------------------------------------------
@routes.command("set")
def set_route(hub: str, point: str,
              cost_per_kg: str = typer.Option(..., help="Transport cost per kg."),
              lead_days: int = typer.Option(..., help="Days from loading to delivery."),
              closed: bool = typer.Option(False, help="The route is closed now."),
              capacity_kg: str = typer.Option(None, help="Most kg it can carry per plan."),
              note: str = typer.Option("", help="Why it is closed, or anything to know."),
              key: str = KEY) -> None:
    """Add or change the route from a hub to a distribution point."""
    requests.set_route(context(), hub, point, key=key or new_key(), cost_per_kg=cost_per_kg,
                       lead_days=lead_days, open=not closed, capacity_kg=capacity_kg,
                       note=note)
    output.ok(f"route {hub.upper()} → {point.upper()} {'closed' if closed else 'open'}")


@routes.command("list")
def list_routes(hub: str = typer.Option(None), point: str = typer.Option(None),
                as_json: bool = JSON) -> None:
    """Routes from hubs to distribution points."""
    found = requests.list_routes(context(), hub=hub, point=point)
    if as_json:
        output.print_json(found)
        return
    output.table("Routes", ["hub", "point", "cost/kg", "lead days", "open", "capacity kg",
                            "note"],
                 [(r.hub, r.point, r.cost_per_kg, r.lead_days, "yes" if r.open else "CLOSED",
                   "" if r.capacity_kg is None else f"{r.capacity_kg:,.0f}", r.note)
                  for r in found], right=["cost/kg", "lead days", "capacity kg"],
                 wrap=["note"])


@sites_app.command("figures")
def site_figures(site: str, population: int = typer.Option(None),
                 households: int = typer.Option(None),
                 dispatch_capacity_kg: str = typer.Option(
                     None, help="Hubs: what they can send out per day (kg)."),
                 key: str = KEY) -> None:
    """Set the people and households a distribution point serves, or a hub's daily
    dispatch capacity."""
    result = requests.set_site_figures(context(), site, key=key or new_key(),
                                       population=population, households=households,
                                       dispatch_capacity_kg=dispatch_capacity_kg)
    output.ok(f"{result['site']}: population {result['population']}, households "
              f"{result['households']}, dispatch capacity {result['dispatch_capacity_kg']} kg")


# release orders ------------------------------------------------------------------------
@orders.command("list")
def list_orders(hub: str = typer.Option(None), state: str = typer.Option(None),
                plan: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Release orders."""
    found = release_orders.list_orders(context(), hub=hub, state=state, plan=plan)
    if as_json:
        output.print_json(found)
        return
    output.table("Release orders", ["number", "plan", "hub", "state", "lines", "kg",
                                    "reserved", "issued"],
                 [(o.number, o.plan, o.hub, o.state, len(o.lines), f"{o.weight_kg:,.0f}",
                   output.fmt_qty(o.reserved), output.fmt_time(o.created_at))
                  for o in found], right=["lines", "kg", "reserved"])


@orders.command("show")
def show_order(number: str, as_json: bool = JSON) -> None:
    """A release order's lines."""
    o = release_orders.view(context(), number)
    if as_json:
        output.print_json(o)
        return
    output.console.print(f"[bold]{o.number}[/bold] · plan {o.plan} · {o.hub} · {o.state} · "
                         f"{o.weight_kg:,.0f} kg · {o.reserved:,} units reserved")
    output.table(None, ["#", "deliver to", "item", "batch", "expiry", "priority", "quantity",
                        "kg", "requests"],
                 [(ln.line_no, ln.point_code, ln.item_code, ln.batch or "—",
                   ln.expiry or "—", ln.priority, output.fmt_qty(ln.quantity),
                   f"{ln.weight_kg:,.0f}", ln.requests) for ln in o.lines],
                 right=["quantity", "kg"], wrap=["requests"])


def _order_state(name: str, target: str, needs_reason: bool, doc: str) -> None:
    def command(number: str, reason: str = typer.Option(
            None if not needs_reason else ..., help="Why."), key: str = KEY) -> None:
        result = release_orders.change_state(context(), number, target,
                                             key=key or new_key(), reason=reason or "")
        extra = f"; {result['freed']:,} units no longer reserved" if result["freed"] else ""
        output.ok(f"release order {result['release_order']} is {result['state']}{extra}")

    command.__doc__ = doc
    orders.command(name)(command)


_order_state("accept", "accepted", False, "The hub accepts the release order.")
_order_state("release", "released", False, "Release the order to the warehouse floor.")
_order_state("cancel", "cancelled", True,
             "Cancel a release order: its stock is no longer reserved and its requests go "
             "back to approved.")


@orders.command("pdf")
def order_pdf(number: str, out: Path = typer.Option(None, "-o", help="Where to write it.")
              ) -> None:
    """The numbered release order as a PDF (English and Arabic)."""
    output.save_pdf(release_orders.pdf(context(), number), out, number)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="requests")
    root.add_typer(needs, name="needs")
    root.add_typer(routes, name="routes")
    root.add_typer(orders, name="release-orders")
