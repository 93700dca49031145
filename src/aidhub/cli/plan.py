"""`aidhub plan ...`: allocation plans.

``plan solve FILE`` plans a problem file (docs/formats.md) with the fair-share policy and
prints what each need gets and why, without a database; ``plan solve`` with no file plans
what the database holds now and keeps the plan as a draft to show, approve or discard.
``plan compare [FILE]`` sets the plan beside the greedy way of allocating (first come,
first served, nearest hub) tier by tier.
"""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import typer

from aidhub import planning
from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import KEY_HELP, new_key
from aidhub.domain.errors import AidhubError
from aidhub.services import planning as plans

plan = typer.Typer(no_args_is_help=True,
                   help="Allocation plans: fair shares of scarce stock, tier by tier.")

FILE = typer.Argument(None, exists=True, dir_okay=False,
                      help="The problem: a JSON file (see docs/formats.md).")
TIME_LIMIT = typer.Option(None, "--time-limit", min=0.001,
                          help="Stop after this many seconds with the best plan found.")
JSON = typer.Option(False, "--json", help="Print JSON.")
TIERS = (1, 2, 3)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """A user's mistake as one line on stderr and exit status 1 (the root command does
    the same; this keeps the sub-command right on its own too)."""
    try:
        yield
    except AidhubError as exc:
        output.error(str(exc))
        raise typer.Exit(1) from None


def _read(path: Path) -> planning.Problem:
    return planning.load_problem(path.read_bytes())


def _solve_file(path: Path, time_limit: float | None) -> dict:
    """Read and plan a problem file, with a progress display; the plan as JSON."""
    problem = _read(path)
    with output.progress() as report:
        return planning.plan_to_json(planning.solve(problem, time_limit=time_limit,
                                                    progress=report))


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def _show(result: dict, *, unmet_only: bool) -> None:
    """A plan (its JSON form, from a file or the database): each need and the summary."""
    rows = []
    for n in result["needs"]:
        if unmet_only and (n["fill_rate"] is None or n["fill_rate"] >= 1):
            continue
        rows.append((n["point"], n["item"], n["priority"], output.fmt_qty(n["needed"]),
                     output.fmt_qty(n["planned"]), _pct(n["fill_rate"]),
                     "; ".join(n["reasons"])))
    output.table("Needs", ["point", "item", "tier", "needed", "planned", "fill", "why"], rows,
                 right=["tier", "needed", "planned", "fill"], wrap=["why"])
    _summary(result)


def _summary(result: dict) -> None:
    s = result["summary"]
    output.table("Summary by tier",
                 ["tier", "needs", "needed", "planned", "lowest fill", "mean fill"],
                 [(t, s["needs"][str(t)] or 0, output.fmt_qty(s["needed_units"][str(t)] or 0),
                   output.fmt_qty(s["planned_units"][str(t)] or 0),
                   _pct(s["min_fill_rate"][str(t)]), _pct(s["mean_fill_rate"][str(t)]))
                  for t in TIERS],
                 right=["needs", "needed", "planned", "lowest fill", "mean fill"])
    unused = s["expiring_unused_30d"]
    output.console.print(
        f"{len(result['shipments']):,} shipment lines, {s['delivered_kg']:,.0f} kg, transport "
        f"cost {s['transport_cost']:,.2f}; expiring within 30 days and not shipped: "
        f"{output.fmt_qty(unused['units'])} units ({unused['kg']:,.0f} kg)", highlight=False)
    for note in result.get("notes", []):
        output.console.print(f"note: {note}", highlight=False)
    if result.get("status") == "time_limit":
        output.errors.print(f"warning: {result.get('message')}", highlight=False,
                            markup=False)


@plan.command("solve")
def solve(path: Path = FILE,
          out: Path = typer.Option(None, "-o", "--output", dir_okay=False,
                                   help="Write the plan (JSON) to this file."),
          time_limit: float = TIME_LIMIT,
          plan_date: str = typer.Option(None, help="Database: the day the plan is for "
                                        "(default today)."),
          min_shelf_life_days: int = typer.Option(None, help="Database: days of shelf life "
                                                  "a lot must keep on arrival (default 30)."),
          unmet: bool = typer.Option(False, "--unmet",
                                     help="List only the needs not fully served."),
          key: str = typer.Option(None, "--key", help=KEY_HELP),
          as_json: bool = JSON) -> None:
    """Plan the allocation: the fairest shares by priority tier (life-saving first), then
    the lowest transport cost, then the shortest-dated lots first. With FILE, plan that
    file; without, plan the database's approved requests and keep the plan as a draft."""
    with _errors():
        number = None
        if path is not None:
            data = _solve_file(path, time_limit)
        else:
            with output.progress() as report:
                made = plans.solve(context(), key=key or new_key(), time_limit=time_limit,
                                   plan_date=_date(plan_date),
                                   min_shelf_life_days=min_shelf_life_days,
                                   progress=report)
            number = made["plan"]
            data = plans.view(context(), number).result
        if out is not None:
            out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
        if as_json:
            output.print_json({"plan": number, **data} if number else data)
        else:
            _show(data, unmet_only=unmet)
        if out is not None:
            output.ok(f"plan written to {out}")
        if number and not as_json:
            output.ok(f"plan {number} drafted: approve it with `aidhub plan approve "
                      f"{number}` (someone other than you) or discard it")


def _date(raw: str | None):
    from aidhub.domain.values import parse_date

    return parse_date(raw, "plan_date") if raw else None


@plan.command("compare")
def compare(path: Path = FILE, time_limit: float = TIME_LIMIT,
            as_json: bool = JSON) -> None:
    """The fair-share plan beside the greedy one (by priority, first come first served,
    nearest hub, oldest lot), tier by tier: for FILE, or for what the database holds."""
    with _errors():
        with output.progress() as report:
            if path is not None:
                result = planning.compare(_read(path), time_limit=time_limit,
                                          progress=report)
            else:
                result = plans.compare(context(), time_limit=time_limit, progress=report)
        if as_json:
            output.print_json(planning.comparison_to_json(result))
            return
        opt, greedy = result.optimiser.summary, result.greedy.summary
        rows = []
        for t in TIERS:
            a, b = opt.tiers[t], greedy.tiers[t]
            rows.append((t, a.needs, _pct(a.min_fill_rate), _pct(b.min_fill_rate),
                         _pct(a.mean_fill_rate), _pct(b.mean_fill_rate),
                         _gini(a.gini), _gini(b.gini)))
        output.table("Fair share against greedy, by tier",
                     ["tier", "needs", "lowest fill", "greedy", "mean fill", "greedy",
                      "Gini", "greedy"], rows,
                     right=["needs", "lowest fill", "greedy", "mean fill", "Gini"],
                     caption="Gini: 0 when every need gets the same share")
        output.table("Totals", ["", "fair share", "greedy"], [
            ("delivered (kg)", f"{opt.delivered_kg:,.0f}", f"{greedy.delivered_kg:,.0f}"),
            ("transport cost", f"{opt.transport_cost:,.2f}",
             f"{greedy.transport_cost:,.2f}"),
            ("expiring ≤ 30 days, unused (units)", output.fmt_qty(opt.expiring_unused_units),
             output.fmt_qty(greedy.expiring_unused_units)),
            ("expiring ≤ 30 days, unused (kg)", f"{opt.expiring_unused_kg:,.0f}",
             f"{greedy.expiring_unused_kg:,.0f}"),
        ], right=["fair share", "greedy"])
        if result.optimiser.status == "time_limit":
            output.errors.print(f"warning: {result.optimiser.message}", highlight=False,
                                markup=False)


def _gini(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


# plans kept in the database ------------------------------------------------------------
@plan.command("list")
def list_plans(as_json: bool = JSON) -> None:
    """The plans, newest first."""
    found = plans.list_plans(context())
    if as_json:
        output.print_json(found)
        return
    output.table("Plans", ["number", "state", "solver", "for", "made", "by", "decided by"],
                 [(p.number, p.state, p.status, p.plan_date, output.fmt_time(p.created_at),
                   p.created_by, p.decided_by or "") for p in found])


@plan.command("show")
def show(number: str, unmet: bool = typer.Option(False, "--unmet", help="Only the needs "
                                                 "not fully served."),
         shipments: bool = typer.Option(False, "--shipments", help="Also list what goes "
                                        "from which hub and lot."),
         as_json: bool = JSON) -> None:
    """A plan: per point and item what is needed, planned and why; its release orders."""
    v = plans.view(context(), number)
    if as_json:
        output.print_json({"plan": v.number, "state": v.state, "plan_date": v.plan_date,
                           "release_orders": v.release_orders, **v.result})
        return
    output.console.print(f"[bold]{v.number}[/bold] · {v.state} · for {v.plan_date} · made "
                         f"by {v.created_by}" + (f" · {v.state} by {v.decided_by}"
                                                 if v.decided_by else ""))
    if v.reason:
        output.console.print(f"reason: {v.reason}", highlight=False)
    _show(v.result, unmet_only=unmet)
    if shipments:
        output.table("Shipments", ["hub", "point", "item", "lot", "expiry", "quantity", "kg"],
                     [(s["hub"], s["point"], s["item"], s["lot"], s.get("expiry") or "",
                       output.fmt_qty(s["quantity"]), f"{s.get('kg', 0):,.0f}")
                      for s in v.result["shipments"]], right=["quantity", "kg"])
    if v.release_orders:
        output.console.print("release orders: " + ", ".join(v.release_orders))


@plan.command("approve")
def approve(number: str, key: str = typer.Option(None, "--key", help=KEY_HELP)) -> None:
    """Approve a draft plan (not by whoever made it): one release order per hub, the
    planned lots reserved."""
    result = plans.approve(context(), number, key=key or new_key())
    output.ok(f"plan {result['plan']} approved: release order(s) "
              f"{', '.join(result['release_orders'])}")


@plan.command("discard")
def discard(number: str, reason: str = typer.Option(..., help="Why (kept with the plan)."),
            key: str = typer.Option(None, "--key", help=KEY_HELP)) -> None:
    """Discard a draft plan."""
    plans.discard(context(), number, key=key or new_key(), reason=reason)
    output.ok(f"plan {number.upper()} discarded")


@plan.command("export")
def export(out: Path = typer.Option(..., "-o", "--output", dir_okay=False,
                                    help="Where to write the problem (JSON)."),
           plan_date: str = typer.Option(None, help="The day to plan for (default today)."),
           min_shelf_life_days: int = typer.Option(None)) -> None:
    """Write the allocation problem the database holds now to a file, for what-if runs
    with `aidhub plan solve FILE`."""
    problem, notes = plans.problem(context(), plan_date=_date(plan_date),
                                   min_shelf_life_days=min_shelf_life_days)
    out.write_text(json.dumps(problem, ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")
    for note in notes:
        output.console.print(f"note: {note}", highlight=False)
    output.ok(f"problem written to {out}: {len(problem['points'])} point(s), "
              f"{len(problem['hubs'])} hub(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(plan, name="plan")
