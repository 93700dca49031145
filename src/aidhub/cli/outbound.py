"""`aidhub pick|load|waybills|convoys|board|pod|loss-reports`: outbound work from the
terminal, through the same services as the web app."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.domain.errors import InvalidInput
from aidhub.domain.loads import Vehicle
from aidhub.domain.waybills import PodLine
from aidhub.services import delivery, picking, waybills

pick = typer.Typer(no_args_is_help=True, help="Pick lists: FEFO from the shelves to staging.")
bills = typer.Typer(no_args_is_help=True, help="Waybills: load, dispatch, track.")
convoys = typer.Typer(no_args_is_help=True, help="Convoys of vehicles travelling together.")
losses = typer.Typer(no_args_is_help=True, help="Loss reports opened by proofs of delivery.")
KEY = typer.Option(None, "--key", help=KEY_HELP)


@pick.command("new")
def new_pick_list(order: str, ship_date: str = typer.Option(None, help="YYYY-MM-DD"),
                  key: str = KEY) -> None:
    """A pick list for an accepted release order."""
    day = dt.date.fromisoformat(ship_date) if ship_date else None
    result = picking.generate(context(), order, key=key or new_key(), ship_date=day)
    output.ok(f"pick list {result['pick_list']}: {result['lines']} line(s), "
              f"{result['skipped']} lot(s) passed over")


@pick.command("show")
def show_pick_list(number: str, as_json: bool = JSON) -> None:
    """A pick list, in walking order, with the lots passed over and why."""
    v = picking.view(context(), number)
    if as_json:
        output.print_json(v)
        return
    output.console.print(f"[bold]{v.number}[/bold] · {v.release_order} · {v.hub} · {v.state}")
    output.table(None, ["#", "location", "item", "batch", "expiry", "to pick", "picked",
                        "for", "sscc"],
                 [(x.line_no, x.location, x.item, x.batch, x.expiry or "—",
                   output.fmt_qty(x.quantity), output.fmt_qty(x.picked), x.point, x.sscc)
                  for x in sorted(v.lines, key=lambda x: (x.location, x.line_no))],
                 right=["to pick", "picked"])
    for s in v.skipped:
        output.console.print(f"  passed over: line {s['release_line']} {s['location']} "
                             f"{s['batch']} ({s['quantity']:,}): {s['reason']}",
                             highlight=False)


@pick.command("confirm")
def confirm_pick(number: str, line: int,
                 quantity: int = typer.Option(None, help="Units picked (default: the rest)."),
                 sscc: str = typer.Option(None, help="The pallet label scanned."),
                 location: str = typer.Option(None, help="Picked from another bin."),
                 batch: str = typer.Option(None, help="Picked another lot."),
                 reason: str = typer.Option("", help="Why another bin or lot, or a lot on "
                                            "hold or short-dated."),
                 key: str = KEY) -> None:
    """Confirm a pick: the goods go to staging."""
    r = picking.confirm(context(), number, line, key=key or new_key(), quantity=quantity,
                        sscc=sscc, location=location, batch=batch, reason=reason)
    output.ok(f"line {line}: {r['picked']:,} picked" + (" · pick list done" if r["done"]
                                                        else ""))


@pick.command("pdf")
def pick_pdf(number: str, out: Path = typer.Option(None, "-o")) -> None:
    """The pick list as a PDF."""
    from aidhub.services import outbound_documents

    output.save_pdf(outbound_documents.pick_list_pdf(context(), number), out, number)


def _vehicle(spec: str) -> Vehicle:
    parts = spec.split(":")
    if len(parts) != 3:
        raise InvalidInput("'%(spec)s' is not PLATE:KG:M3", field="--vehicle", spec=spec)
    try:
        return Vehicle(parts[0].strip().upper(), Decimal(parts[1]), Decimal(parts[2]))
    except ArithmeticError:
        raise InvalidInput("'%(spec)s': capacity must be numbers", field="--vehicle",
                           spec=spec) from None


@bills.command("propose")
def propose(order: str, vehicle: list[str] = typer.Option(..., "--vehicle",
                                                          help="PLATE:KG:M3, repeat."),
            as_json: bool = JSON) -> None:
    """How the picked goods could go on these vehicles (nothing is written)."""
    loads, left = waybills.propose(context(), order, [_vehicle(v) for v in vehicle])
    if as_json:
        output.print_json({"loads": loads, "left_over": left})
        return
    for ld in loads:
        output.console.print(f"[bold]{ld.plate}[/bold] → {ld.destination}: {ld.kg:,.0f} kg, "
                             f"{ld.m3:,.2f} m³")
        for x in ld.lines:
            output.console.print(f"  {x['item']} {x['batch']} × {x['quantity']:,} "
                                 f"(pick line {x['pick_line']})", highlight=False)
    for x in left:
        output.error(f"no room: {x['quantity']:,} {x['item']} for {x['destination']}")


@bills.command("issue")
def issue(order: str, point: str,
          vehicle: str = typer.Option(..., help="PLATE:KG:M3"),
          driver: str = typer.Option(..., help="The driver's full name (screened)."),
          transporter: str = typer.Option(..., help="The transporter's organisation code."),
          seal: list[str] = typer.Option(None, "--seal", help="Seal number; repeat."),
          convoy: str = typer.Option(None), key: str = KEY) -> None:
    """Issue the waybill for one vehicle to one distribution point (everything picked for
    it and not yet loaded)."""
    r = waybills.issue(context(), order, point, key=key or new_key(), vehicle=_vehicle(vehicle),
                       driver=driver, transporter=transporter, seals=seal or [],
                       convoy=convoy)
    output.ok(f"waybill {r['waybill']}: {r['lines']} line(s), {Decimal(r['kg']):,.0f} kg")


@bills.command("dispatch")
def dispatch(number: str, key: str = KEY) -> None:
    """The vehicle leaves: its goods go on the road (IN-TRANSIT of the destination)."""
    waybills.dispatch(context(), number, key=key or new_key())
    output.ok(f"waybill {number.upper()} dispatched")


@bills.command("event")
def event(number: str, kind: str = typer.Argument(..., help="departed, at_checkpoint, "
                                                  "delayed or arrived"),
          place: str = typer.Option(""), note: str = typer.Option(""),
          at: str = typer.Option(None, help="When (ISO time; default now)."),
          key: str = KEY) -> None:
    """Record where a vehicle is."""
    when = dt.datetime.fromisoformat(at) if at else None
    r = waybills.track(context(), number, kind, key=key or new_key(), place=place, at=when,
                       note=note)
    output.ok(f"waybill {r['waybill']}: {r['event'].replace('_', ' ')} ({r['state']})")


@bills.command("cancel")
def cancel(number: str, reason: str = typer.Option(...), key: str = KEY) -> None:
    """Cancel a waybill before dispatch (its number stays, marked cancelled)."""
    waybills.cancel(context(), number, key=key or new_key(), reason=reason)
    output.ok(f"waybill {number.upper()} cancelled")


@bills.command("show")
def show(number: str, as_json: bool = JSON) -> None:
    """A waybill: lines, vehicle, and where it has been."""
    v = waybills.view(context(), number)
    if as_json:
        output.print_json(v)
        return
    output.console.print(f"[bold]{v.number}[/bold] · {v.state} · {v.hub} → {v.destination} "
                         f"· {v.plate} · {v.driver} · {v.transporter} · seals {v.seals or '—'}")
    output.table(None, ["#", "item", "batch", "expiry", "quantity", "kg", "sscc"],
                 [(x.line_no, x.item, x.batch, x.expiry or "—", output.fmt_qty(x.quantity),
                   f"{x.weight_kg:,.0f}", x.sscc) for x in v.lines], right=["quantity", "kg"])
    for e in v.events:
        output.console.print(f"  {output.fmt_time(e['at'])} {e['event']} {e['place']} "
                             f"{e['note']}", highlight=False)


@bills.command("pdf")
def waybill_pdf(number: str, out: Path = typer.Option(None, "-o")) -> None:
    """The numbered waybill, four copies, English and Arabic."""
    from aidhub.services import outbound_documents

    output.save_pdf(outbound_documents.waybill_pdf(context(), number), out, number)


@bills.command("pod")
def pod(number: str,
        line: list[str] = typer.Option(..., "--line",
                                       help="LINE:GOOD[:DAMAGED[:SHORT[:LOST]]]; repeat."),
        signer: str = typer.Option(..., help="Who signed for the goods."),
        seal: str = typer.Option(..., help="intact, broken, number_mismatch or none"),
        photo: Path = typer.Option(None, exists=True, dir_okay=False,
                                   help="A photo of the signed waybill (JPEG, PNG, PDF)."),
        key: str = KEY) -> None:
    """Record the proof of delivery; what is not counted is short."""
    lines = []
    for spec in line:
        try:
            nums = [int(x) for x in spec.split(":")]
        except ValueError:
            raise InvalidInput("'%(spec)s' is not LINE:GOOD[:DAMAGED[:SHORT[:LOST]]]",
                               field="--line", spec=spec) from None
        lines.append(PodLine(*nums))
    kinds = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
             ".pdf": "application/pdf"}
    r = delivery.confirm(context(), number, lines, key=key or new_key(), signer=signer,
                         seal_state=seal, photo=photo.read_bytes() if photo else None,
                         photo_type=kinds.get(photo.suffix.lower(), "") if photo else "")
    output.ok(f"waybill {r['waybill']} delivered: {r['good']:,} good, {r['not_good']:,} "
              f"damaged, short or lost ({float(r['loss_share']):.1%})" +
              (f"; loss report {r['loss_report']} opened" if r["loss_report"] else ""))


@convoys.command("new")
def new_convoy(hub: str, route: str = typer.Option(""), checkpoints: str = typer.Option(""),
               notification: str = typer.Option("", help="Escort or notification reference."),
               key: str = KEY) -> None:
    """A convoy; give its number to `waybills issue --convoy`."""
    r = waybills.create_convoy(context(), hub, key=key or new_key(), route=route,
                               checkpoints=checkpoints, notification=notification)
    output.ok(f"convoy {r['convoy']}")


def board(hub: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Every vehicle issued or on the road: where it was last seen and for how long."""
    rows = waybills.board(context(), hub=hub)
    if as_json:
        output.print_json(rows)
        return
    output.table("On the road", ["waybill", "state", "from", "to", "plate", "driver",
                                 "convoy", "last", "where", "hours"],
                 [(b.waybill, b.state, b.hub, b.destination, b.plate, b.driver,
                   b.convoy or "", b.last_event.replace("_", " "), b.place,
                   f"{b.hours:,.1f}") for b in rows], right=["hours"])


@losses.command("review")
def review(number: str, decision: str = typer.Option(...), key: str = KEY) -> None:
    """The hub manager's review of a loss report."""
    delivery.review(context(), number, key=key or new_key(), decision=decision)
    output.ok(f"loss report {number.upper()} reviewed")


@losses.command("pdf")
def loss_pdf(number: str, out: Path = typer.Option(None, "-o")) -> None:
    from aidhub.services import outbound_documents

    output.save_pdf(outbound_documents.loss_report_pdf(context(), number), out, number)


def trace(sscc: str = typer.Option(None, help="A pallet's SSCC (scanned or typed)."),
          item: str = typer.Option(None), batch: str = typer.Option(None),
          as_json: bool = JSON) -> None:
    """Where a lot or pallet came from and where it went: donor, consignment, GRN, every
    move, waybills and proofs of delivery."""
    from aidhub.services.trace import trace as find

    t = find(context(), sscc=sscc, item=item, batch=batch)
    if as_json:
        output.print_json(t)
        return
    output.console.print(f"[bold]{t.item}[/bold] {t.item_name} · lot {t.batch} · expiry "
                         f"{t.expiry or '—'}" + (f" · pallet {t.sscc}" if t.sscc else ""))
    for r in t.receipts:
        output.console.print(f"  received {output.fmt_time(r['received_at'])} {r['grn']} for "
                             f"{r['consignment']} at {r['hub']}: {r['good']:,} good, donor "
                             f"{r['donor'] or '—'}, channel {r['channel'] or '—'}",
                             highlight=False)
    output.table("Movements", ["#", "when", "kind", "place", "quantity", "owner", "ref"],
                 [(m["seq"], output.fmt_time(m["at"]), m["kind"], m["place"],
                   f"{m['quantity']:+,}", m["owner"], m["reference"]) for m in t.movements],
                 right=["quantity"])
    for w in t.waybills:
        pod = w["pod"]
        done = (f"POD by {pod['signer']}: {pod['good']:,} good, {pod['damaged']:,} damaged, "
                f"{pod['short']:,} short, {pod['lost']:,} lost" if pod else "no POD yet")
        output.console.print(f"  waybill {w['waybill']} → {w['destination']}: "
                             f"{w['quantity']:,} ({w['state']}); {done}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(pick, name="pick")
    root.add_typer(bills, name="waybills")
    root.add_typer(convoys, name="convoys")
    root.add_typer(losses, name="loss-reports")
    root.command("board")(board)
    root.command("trace")(trace)
