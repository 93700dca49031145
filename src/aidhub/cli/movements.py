"""`aidhub receive|transfer|dispatch|adjust|dispose|reverse|movements`."""

import datetime as dt

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.domain.errors import InvalidInput
from aidhub.services import movements, stock
from aidhub.services.movements import LineRequest, MovementRequest

SITE = typer.Option(..., "--site", "-s", help="The site (hub, warehouse) where this happens.")
LOT = typer.Option(None, "--lot", help="Batch number (may be left out when only one lot).")
OWNER = typer.Option(None, "--owner", help="Owner organisation code.")
REF = typer.Option("", "--ref", help="Document reference: GRN, waybill, count sheet...")
NOTE = typer.Option("", "--note", help="A note kept with the movement.")
AT = typer.Option(None, "--at", help="When it happened (YYYY-MM-DD HH:MM; default now).")
KEY = typer.Option(None, "--key", help=KEY_HELP)
ITEM = typer.Argument(..., help="Item code from the catalog (see `aidhub items list`).")
QUANTITY = typer.Argument(..., help="A whole number of the item's inventory units.")


def place(site: str, text: str) -> str:
    """'A-01' at site S is 'S/A-01'; 'OTHER/A-01' stays as it is."""
    text = text.strip()
    return text if "/" in text else f"{site.strip()}/{text}"


def parse_at(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("'%(text)s' is not a time; write YYYY-MM-DD HH:MM", field="at",
                           text=text) from None
    return value if value.tzinfo else value.astimezone()


def _post(kind: str, line: LineRequest, key: str | None, ref: str, note: str,
          at: str | None) -> None:
    result = movements.post_movement(
        context(),
        MovementRequest(kind, [line], key or new_key(), parse_at(at), ref, note),
    )
    again = " (already posted with this key: nothing changed)" if result.replayed else ""
    output.ok(f"{kind} posted as movement {result.seq}{again}")


def receive(item: str = ITEM, quantity: str = QUANTITY, site: str = SITE,
            to: str = typer.Option(..., "--to", help="Location that receives the goods."),
            source: str = typer.Option("EXTERNAL", "--from",
                                       help="EXTERNAL (from outside) or IN-TRANSIT."),
            lot: str = LOT,
            expiry: str = typer.Option(None, "--expiry", help="Lot expiry date, YYYY-MM-DD."),
            owner: str = OWNER, ref: str = REF, note: str = NOTE, at: str = AT,
            key: str = KEY) -> None:
    """Receive goods into a location."""
    _post("receipt", LineRequest(item, quantity, place(site, source), place(site, to), lot,
                                 expiry, owner), key, ref, note, at)


def transfer(item: str = ITEM, quantity: str = QUANTITY, site: str = SITE,
             source: str = typer.Option(..., "--from", help="Location the goods leave."),
             to: str = typer.Option(..., "--to", help="Location the goods go to."),
             lot: str = LOT, owner: str = OWNER, ref: str = REF, note: str = NOTE,
             at: str = AT, key: str = KEY) -> None:
    """Move goods between locations of one site (putaway, re-slotting)."""
    _post("transfer", LineRequest(item, quantity, place(site, source), place(site, to), lot,
                                  None, owner), key, ref, note, at)


def dispatch(item: str = ITEM, quantity: str = QUANTITY, site: str = SITE,
             source: str = typer.Option(..., "--from", help="Location the goods leave."),
             to: str = typer.Option(None, "--to",
                                    help="Destination site (its IN-TRANSIT) or SITE/LOCATION;"
                                         " default: handed out (DISTRIBUTED)."),
             lot: str = LOT, owner: str = OWNER, ref: str = REF, note: str = NOTE,
             at: str = AT, key: str = KEY) -> None:
    """Send goods out of the site, to another site or to distribution."""
    destination = (f"{site}/DISTRIBUTED" if to is None
                   else to if "/" in to else f"{to}/IN-TRANSIT")
    _post("dispatch", LineRequest(item, quantity, place(site, source), destination, lot, None,
                                  owner), key, ref, note, at)


def adjust(item: str = ITEM, site: str = SITE,
           location: str = typer.Option(..., "--location", help="Location counted."),
           found: int = typer.Option(None, "--found", help="Units found beyond the books."),
           missing: int = typer.Option(None, "--missing", help="Units missing from the books."),
           reason: str = typer.Option(..., "--reason", help="Why the count differs."),
           lot: str = LOT, expiry: str = typer.Option(None, "--expiry"), owner: str = OWNER,
           ref: str = REF, at: str = AT, key: str = KEY) -> None:
    """Record a count difference: units found (--found N) or missing (--missing N)."""
    if (found is None) == (missing is None):
        raise InvalidInput("give either --found N or --missing N", field="found")
    here, lost = place(site, location), f"{site}/LOST"
    source, destination = (lost, here) if found is not None else (here, lost)
    quantity = found if found is not None else missing
    _post("adjustment", LineRequest(item, quantity, source, destination, lot, expiry, owner),
          key, ref, reason, at)


def dispose(item: str = ITEM, quantity: str = QUANTITY, site: str = SITE,
            source: str = typer.Option(..., "--from", help="Location the goods leave."),
            reason: str = typer.Option(..., "--reason", help="Why: expired, damaged..."),
            lot: str = LOT, owner: str = OWNER, ref: str = REF, at: str = AT,
            key: str = KEY) -> None:
    """Dispose of goods (expired, damaged, destroyed)."""
    _post("disposal", LineRequest(item, quantity, place(site, source), f"{site}/DISPOSED", lot,
                                  None, owner), key, ref, reason, at)


def reverse(movement: str = typer.Argument(..., help="Movement number or id."),
            reason: str = typer.Option(..., "--reason", help="Why it is reversed."),
            key: str = KEY) -> None:
    """Post the exact opposite of an earlier movement (history is never edited)."""
    result = movements.reverse_movement(context(), movement, key=key or new_key(),
                                        reason=reason)
    output.ok(f"movement {movement} reversed by movement {result.seq}")


def list_movements(site: str = typer.Option(None, "--site", "-s", help="Only this site."),
                   limit: int = typer.Option(20, help="How many, newest first."),
                   as_json: bool = JSON) -> None:
    """The latest movements, newest first."""
    found = stock.recent_movements(context(), limit=limit, site=site)
    if as_json:
        output.print_json(found)
        return
    output.table("Movements", ["#", "when", "kind", "lines", "reference", "by"],
                 [(m.seq, output.fmt_time(m.at), m.kind.value, len(m.postings) // 2,
                   m.reference, m.actor) for m in found], right=["#", "lines"])


def register(app: typer.Typer) -> None:
    for fn, name in ((receive, "receive"), (transfer, "transfer"), (dispatch, "dispatch"),
                     (adjust, "adjust"), (dispose, "dispose"), (reverse, "reverse"),
                     (list_movements, "movements")):
        app.command(name)(fn)
