"""`aidhub channels|settings|consignments|grn|triage|putaway|scan`: the inbound work."""


from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.movements import parse_at
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.domain.errors import InvalidInput
from aidhub.services import channels as channel_service
from aidhub.services import consignments, receiving
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine

channels = typer.Typer(no_args_is_help=True, help="Channels: how consignments reach the hub.")
settings = typer.Typer(no_args_is_help=True, help="Hub settings (GS1 company prefix...).")
app = typer.Typer(no_args_is_help=True,
                  help="Consignments: pre-advices, arrival, screening decisions, pipeline.")
grn = typer.Typer(no_args_is_help=True, help="Goods received notes: count, print, label.")
KEY = typer.Option(None, "--key", help=KEY_HELP)


@channels.command("add")
def add_channel(code: str, name: str,
                mode: str = typer.Option(..., help="air, sea, road or rail"),
                route: str = typer.Option(..., help="un_cross_border, cross_line, "
                                          "bilateral_government, commercial, local_in_kind"),
                provider: str = typer.Option(..., help="un_agency, government, ngo, private, "
                                             "community"),
                key: str = KEY) -> None:
    """Register a channel."""
    channel_service.add_channel(context(), key=key or new_key(), code=code, name=name,
                                mode=mode, route=route, provider_type=provider)
    output.ok(f"channel {code.upper()} added")


@channels.command("list")
def list_channels(as_json: bool = JSON) -> None:
    """List channels."""
    found = channel_service.list_channels(context())
    if as_json:
        output.print_json(found)
        return
    output.table("Channels", ["code", "name", "mode", "route", "provider"],
                 [(c.code, c.name, c.mode.value, c.route.value, c.provider_type.value)
                  for c in found])


@settings.command("set")
def set_setting(name: str, value: str, key: str = KEY) -> None:
    """Set a hub setting."""
    channel_service.set_setting(context(), name, value, key=key or new_key())
    output.ok(f"{name} = {value}")


@settings.command("show")
def show_settings(as_json: bool = JSON) -> None:
    """Show the hub settings."""
    values = channel_service.settings(context())
    if as_json:
        output.print_json(values)
        return
    output.table("Settings", ["setting", "value", "meaning"],
                 [(k, v or "", channel_service.SETTINGS[k]) for k, v in values.items()])


def _line(text: str) -> AdviceLine:
    """ITEM:QTY[:BATCH[:EXPIRY]] (a catalog item) or ?DESCRIPTION:QTY:UNIT (unidentified)."""
    parts = text.split(":")
    if len(parts) < 2:
        raise InvalidInput("'%(spec)s' should be ITEM:QUANTITY[:BATCH[:EXPIRY]]", field="line",
                           spec=text)
    if parts[0].startswith("?"):
        unit = parts[2] if len(parts) > 2 else None
        return AdviceLine(parts[1], description=parts[0][1:], unit=unit)
    return AdviceLine(parts[1], item=parts[0], batch=parts[2] if len(parts) > 2 else None,
                      expiry=parts[3] if len(parts) > 3 else None)


@app.command("advise")
def advise(
    hub: str = typer.Option(..., help="The receiving hub."),
    consignor: str = typer.Option(..., help="Organisation sending the goods."),
    consignee: str = typer.Option(..., help="Organisation receiving the goods."),
    line: list[str] = typer.Option(..., "--line", help="ITEM:QTY[:BATCH[:EXPIRY]], or "
                                   "?DESCRIPTION:QTY:UNIT for goods not in the catalog."),
    donor: str = typer.Option(None, help="Donor of the goods (owner of the stock)."),
    channel: str = typer.Option(None, help="Channel code."),
    entry: str = typer.Option(None, "--entry", help="Point of entry (site code)."),
    eta: str = typer.Option(None, help="Expected arrival, YYYY-MM-DD."),
    doc_type: str = typer.Option(None, help="awb, bl, cmr, convoy_manifest or rail_waybill"),
    doc_number: str = typer.Option("", help="Transport document number."),
    vehicle: str = typer.Option("", help="Truck plate, vessel or flight."),
    driver: str = typer.Option("", help="Driver's name."),
    seals: str = typer.Option("", help="Seal numbers, comma separated."),
    pledged: bool = typer.Option(False, help="Only pledged, not yet pre-advised."),
    key: str = KEY,
) -> None:
    """Register a pre-advice typed at the command line."""
    advice = PreAdvice(hub, consignor, consignee, [_line(x) for x in line], donor, channel,
                       entry, eta, doc_type, doc_number, vehicle, driver, seals, pledged)
    result = consignments.register_preadvice(context(), advice, key=key or new_key())
    output.ok(f"consignment {result['number']} registered with {result['lines']} lines")


@app.command("import")
def import_packing_list(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Packing list: CSV or XLSX, plain headers or HXL."),
    hub: str = typer.Option(..., help="The receiving hub."),
    consignor: str = typer.Option(...), consignee: str = typer.Option(...),
    donor: str = typer.Option(None), channel: str = typer.Option(None),
    entry: str = typer.Option(None, "--entry"), eta: str = typer.Option(None),
    doc_type: str = typer.Option(None), doc_number: str = typer.Option(""),
    vehicle: str = typer.Option(""), driver: str = typer.Option(""),
    seals: str = typer.Option(""),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN to override a guessed "
                                   "column (header text or number from 1)."),
    yes: bool = typer.Option(False, "--yes", help="Accept the guessed columns and the "
                             "suggested item matches."),
    create_missing: bool = typer.Option(False, help="Create catalog items for goods that "
                                        "match nothing (else they stay unidentified)."),
    force: bool = typer.Option(False, help="Import a file that was imported before."),
    key: str = KEY,
) -> None:
    """Import a pre-advice from a packing list: shows the column mapping and item matches
    it guessed, and registers the consignment once they are confirmed (--yes)."""
    from aidhub.services import preadvice

    header = PreAdvice(hub, consignor, consignee, [], donor, channel, entry, eta, doc_type,
                       doc_number, vehicle, driver, seals)
    mapping = dict(m.split("=", 1) for m in map_) if map_ else None
    with output.progress() as report:
        preview = preadvice.preview(context(), path.read_bytes(), mapping=mapping,
                                    progress=report)
    if preview.imported_as and not force and not key:
        output.error(f"this file was already imported as {preview.imported_as}; use --force "
                     "to import it again")
        raise typer.Exit(1)  # (with --key, a retry of that import answers as it did)
    output.table("Columns", ["field", "column", "how"],
                 [(m.field, m.column, m.how) for m in preview.columns])
    unsure = [ln for ln in preview.lines if not ln.sure]
    shown = unsure[:50] if len(preview.lines) > 50 else preview.lines
    output.table("Lines to check" if len(preview.lines) > 50 else "Lines",
                 ["row", "as written", "qty", "unit", "catalog item", "how"],
                 [(ln.row, ln.written, ln.quantity, ln.unit, ln.item or "(unidentified)",
                   ln.reason) for ln in shown], wrap=["as written"])
    sure = len(preview.lines) - len(unsure)
    output.console.print(f"{len(preview.lines):,} lines: {sure:,} matched for sure, "
                         f"{sum(1 for ln in unsure if ln.item):,} suggested, "
                         f"{sum(1 for ln in unsure if not ln.item):,} unidentified")
    if preview.needs_confirmation and not yes:
        output.error("nothing registered yet: check the columns and matches above, then run "
                     "again with --yes (or fix them with --map)")
        raise typer.Exit(1)
    with output.progress() as report:
        result = preadvice.import_file(context(), path.read_bytes(), header,
                                       key=key or new_key(), mapping=mapping,
                                       create_missing=create_missing, force=force,
                                       progress=report)
    output.ok(f"consignment {result['number']} registered with {result['lines']} lines")


@app.command("list")
def list_consignments(hub: str = typer.Option(None), state: str = typer.Option(None),
                      as_json: bool = JSON) -> None:
    """List consignments, newest first."""
    found = consignments.list_consignments(context(), hub=hub, state=state)
    if as_json:
        output.print_json([{"hub": h, **output.jsonable(c)} for c, h in found])
        return
    output.table("Consignments", ["number", "state", "ETA", "document"],
                 [(c.number, c.state.label, c.eta, c.document_number) for c, _ in found])


@app.command("show")
def show(number: str, as_json: bool = JSON) -> None:
    """A consignment: its facts, lines and timeline."""
    v = consignments.view(context(), number)
    if as_json:
        output.print_json(v.as_dict())
        return
    c = v.consignment
    output.table(f"Consignment {c.number}", ["", ""], [
        ("state", c.state.label), ("hub", v.hub), ("consignor", v.consignor),
        ("consignee", v.consignee), ("channel", v.channel), ("point of entry",
                                                             v.point_of_entry),
        ("ETA", c.eta), ("document", f"{c.document_type or ''} {c.document_number}".strip()),
        ("vehicle / driver", f"{c.vehicle} / {c.driver}"), ("seals", c.seals),
        ("arrived", output.fmt_time(c.arrived_at) if c.arrived_at else ""),
        ("clearance", c.clearance.value if c.clearance else ""),
        ("seal check", c.seal_check.value if c.seal_check else ""),
        ("GRNs", ", ".join(v.grns)),
    ])
    output.table("Lines", ["#", "item", "description", "announced", "unit", "lot", "expiry",
                           "received", "short", "expected"],
                 [(ln.line_no, item.code if item else "(unidentified)", ln.description,
                   ln.quantity, ln.unit, ln.batch, ln.expiry, ln.received, ln.short,
                   ln.outstanding) for ln, item in v.lines],
                 right=["#", "announced", "received", "short", "expected"],
                 wrap=["description"])
    output.table("Timeline", ["when", "what", "by", "detail"],
                 [(output.fmt_time(e.at), e.action.replace("_", " "), e.actor,
                   " · ".join(x for x in (
                       f"{(e.from_state or '—').replace('_', ' ')} → "
                       f"{e.to_state.replace('_', ' ')}" if e.to_state else "", e.document,
                       e.reason) if x)) for e in v.events], wrap=["detail"])


@app.command("set-state")
def set_state(number: str, state: str = typer.Argument(..., help="in_transit, arrived, "
              "screening, held, under_review, cleared, rejected, cancelled, lost, returned, "
              "closed"), reason: str = typer.Option("", help="Why (needed for holds, "
              "rejections, cancellations, losses, returns)."), key: str = KEY) -> None:
    """Move a consignment along its life cycle."""
    result = consignments.change_state(context(), number, state, key=key or new_key(),
                                       reason=reason)
    output.ok(f"{result['number']} is now {state.replace('_', ' ')}")


@app.command("arrive")
def arrive(number: str,
           at: str = typer.Option(None, help="When it arrived (default now)."),
           documents: str = typer.Option("", help="Documents checked, comma separated."),
           clearance: str = typer.Option(None, help="documents_received, arrived or "
                                         "cleared"),
           seal: str = typer.Option(None, help="intact, broken or number_mismatch"),
           seals_found: str = typer.Option("", help="Seal numbers found."),
           protest_letter: str = typer.Option("", help="Protest letter reference."),
           survey_report: str = typer.Option("", help="Survey report reference."),
           key: str = KEY) -> None:
    """Record the arrival at the point of entry."""
    consignments.record_arrival(
        context(), number, key=key or new_key(), at=parse_at(at),
        documents_checked=documents.split(","), clearance=clearance, seal_check=seal,
        seals_found=seals_found, protest_letter=protest_letter, survey_report=survey_report)
    output.ok(f"arrival of {number.upper()} recorded")


@app.command("pipeline")
def pipeline(hub: str = typer.Option(None), as_json: bool = JSON) -> None:
    """The inbound pipeline per hub, channel, donor and stage."""
    rows = consignments.pipeline(context(), hub=hub)
    if as_json:
        output.print_json(rows)
        return
    output.table("Inbound pipeline", ["hub", "stage", "channel", "donor", "consignments",
                                      "announced", "received", "expected", "kg"],
                 [(r.hub, r.stage, r.channel, r.donor, r.consignments,
                   output.fmt_qty(r.announced), output.fmt_qty(r.received),
                   output.fmt_qty(r.outstanding), f"{r.weight_kg:,.0f}") for r in rows],
                 right=["consignments", "announced", "received", "expected", "kg"])


def _count(text: str) -> CountLine:
    """LINE:GOOD[+DAMAGED][,option...]: options close, over, per=N, batch=B, expiry=D,
    p=PRIORITY, cat=CATEGORY, disp=DISPOSITION, reason=TEXT, item=CODE, owner=ORG.
    LINE is a pre-advice line number, or 'new' for goods that were not on it."""
    head, _, rest = text.partition(",")
    line_text, _, qty = head.partition(":")
    good, _, damaged = qty.partition("+")
    options: dict[str, str] = {}
    flags: set[str] = set()
    for part in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, value = part.partition("=")
        (options.__setitem__(name, value) if sep else flags.add(name))
    line = None if line_text.strip().lower() == "new" else int(line_text) if \
        line_text.strip().isdigit() else None
    if line is None and line_text.strip().lower() != "new":
        raise InvalidInput("'%(spec)s': start with the line number or 'new'", field="count",
                           spec=text)
    return CountLine(line, good or 0, damaged or 0, options.get("batch"),
                     options.get("expiry"), "over" in flags, "close" in flags,
                     options.get("item"), options.get("owner"),
                     int(options["per"]) if "per" in options else None,
                     int(options["p"]) if "p" in options else None, options.get("cat"),
                     options.get("disp"), options.get("reason", ""))


@grn.command("issue")
def issue(number: str = typer.Argument(..., help="The consignment."),
          count: list[str] = typer.Option([], "--count", help=_count.__doc__),
          all_good: bool = typer.Option(False, "--all-good", help="Everything still "
                                        "expected arrived in good condition (lines closed)."),
          priority: int = typer.Option(None, help="With --all-good: the SUMA priority."),
          per_unit: int = typer.Option(None, "--per", help="With --all-good: units per "
                                       "pallet."),
          received_by: str = typer.Option(..., help="Who counted."),
          delivered_by: str = typer.Option("", help="Driver who handed over."),
          notes: str = typer.Option(""), key: str = KEY) -> None:
    """Count and inspect, then issue the GRN (posts the receipt)."""
    counts = [_count(c) for c in count]
    if all_good:
        view = consignments.view(context(), number)
        counts += [CountLine(ln.line_no, good=ln.outstanding, close=True, per_unit=per_unit,
                             priority=priority)
                   for ln, item in view.lines if ln.outstanding and item is not None]
    if not counts:
        raise InvalidInput("say what was counted: --count, or --all-good", field="count")
    with output.progress() as report:
        report("posting the GRN", 0, 1)
        result = receiving.receive(context(), number, counts, key=key or new_key(),
                                   received_by=received_by, delivered_by=delivered_by,
                                   notes=notes)
        report("posting the GRN", 1, 1)
    output.ok(f"{result['grn']} issued; {result['consignment']} is now "
              f"{result['state'].replace('_', ' ')}; {len(result['handling_units'])} pallets "
              "labelled")
    for sscc in result["handling_units"][:200]:
        output.console.print(f"  pallet {sscc}")
    if len(result["handling_units"]) > 200:
        output.console.print(f"  ... and {len(result['handling_units']) - 200} more "
                             "(`aidhub grn labels` prints them all)")


@grn.command("pdf")
def grn_pdf(number: str, out: Path = typer.Option(None, "-o", help="Where to write it.")
            ) -> None:
    """Print a GRN (PDF in English and Arabic)."""
    from aidhub.services import documents

    output.save_pdf(documents.grn_pdf(context(), number), out, number)


@grn.command("labels")
def labels(number: str, out: Path = typer.Option(None, "-o", help="Where to write it.")
           ) -> None:
    """Print the pallet labels of a GRN (SSCC, GS1-128 and QR)."""
    from aidhub.services import documents

    data = documents.labels_pdf(context(), number)
    target = out or Path(f"{number.upper()}-labels.pdf")
    target.write_bytes(data)
    output.ok(f"{target} written")


def triage(grn_number: str = typer.Argument(..., metavar="GRN"),
           line: int = typer.Argument(..., help="GRN line number."),
           priority: int = typer.Option(..., help="1 urgent, 2 non-urgent, 3 non-priority"),
           category: str = typer.Option(None, help="SUMA category (default: the item's)."),
           disposition: str = typer.Option(None, help="For priority 3: return, reroute, "
                                           "donate_on or dispose"),
           reason: str = typer.Option("", help="Why (needed for priority 3)."),
           key: str = KEY) -> None:
    """Triage a received line SUMA-style."""
    receiving.triage(context(), grn_number, line, key=key or new_key(), priority=priority,
                     category=category, disposition=disposition, reason=reason)
    output.ok(f"{grn_number.upper()} line {line}: priority {priority}")


def putaway(scan: str = typer.Argument(..., help="The pallet label as scanned or typed."),
            to: str = typer.Option(..., "--to", help="Storage location (bin)."),
            key: str = KEY) -> None:
    """Put a pallet away from the receiving area into a bin."""
    result = receiving.put_away(context(), scan, to, key=key or new_key())
    output.ok(f"pallet {result['sscc']} put away to {result['location']}")


def scan(text: str = typer.Argument(..., help="Barcode text, as scanned or typed."),
         as_json: bool = JSON) -> None:
    """Find the pallet a label names."""
    unit = receiving.find_unit(context(), text)
    if as_json:
        output.print_json(unit)
        return
    output.table(f"Pallet {unit.sscc}", ["", ""], [
        ("item", f"{unit.item} {unit.item_name}"), ("lot", unit.batch),
        ("expiry", unit.expiry), ("quantity", f"{unit.quantity} {unit.unit}"),
        ("owner", unit.owner), ("where", f"{unit.site}/{unit.location}"),
        ("GRN", unit.grn), ("consignment", unit.consignment),
        ("priority", unit.priority or "not triaged")])


def register(root: typer.Typer) -> None:
    root.add_typer(channels, name="channels")
    root.add_typer(settings, name="settings")
    root.add_typer(app, name="consignments")
    root.add_typer(grn, name="grn")
    root.command("triage")(triage)
    root.command("putaway")(putaway)
    root.command("scan")(scan)


