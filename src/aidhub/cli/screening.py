"""`aidhub lists|screen|parties|hits|goods-list`: security screening."""

from pathlib import Path

import typer

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.cli.reference import JSON, KEY_HELP, new_key
from aidhub.services import screening

lists = typer.Typer(no_args_is_help=True, help="Sanctions lists: load versions, see changes.")
parties = typer.Typer(no_args_is_help=True, help="Parties: people and organisations screened.")
hits = typer.Typer(no_args_is_help=True, help="Screening hits: review and decide.")
goods = typer.Typer(no_args_is_help=True, help="The controlled-goods list.")
KEY = typer.Option(None, "--key", help=KEY_HELP)
FILE = typer.Argument(..., exists=True, dir_okay=False)


@lists.command("load")
def load(path: Path = FILE,
         format: str = typer.Option(None, help="un-xml, ofac-csv, ofac-xml, eu-xml, uk-csv or "
                                    "ftm (guessed when not given)"),
         key: str = KEY) -> None:
    """Load a sanctions list file as a new version; every party is screened again."""
    with output.progress() as report:
        result = screening.load_list(context(), path.read_bytes(), key=key or new_key(),
                                     format=format,
                                     progress=lambda done, total: report("reading", done,
                                                                         total))
    output.ok(f"{result['list']} list loaded: {result['entries']:,} entries "
              f"({result['added']:,} added, {result['removed']:,} removed, "
              f"{result['changed']:,} changed); {result['hits']} new hit(s)")
    for label in ("added", "removed", "changed"):
        ids = result[f"{label}_ids"]
        if ids and result[label] <= 50:
            output.console.print(f"  {label}: {', '.join(ids)}")


@lists.command("versions")
def versions(list_name: str = typer.Option(None, "--list"), as_json: bool = JSON) -> None:
    """The list versions loaded, newest first."""
    rows = screening.list_versions(context(), list_name)
    data = [{"list": r.list, "format": r.format, "generated": r.generated,
             "loaded_at": r.loaded_at, "entries": r.entries, "added": r.added,
             "removed": r.removed, "changed": r.changed, "hash": r.file_hash}
            for r in rows]
    if as_json:
        output.print_json(data)
        return
    output.table("List versions", ["list", "format", "generated", "loaded", "entries",
                                   "added", "removed", "changed", "file hash"],
                 [(d["list"], d["format"], d["generated"] or "", output.fmt_time(d["loaded_at"]),
                   d["entries"], d["added"], d["removed"], d["changed"], d["hash"][:12])
                  for d in data], right=["entries", "added", "removed", "changed"])


def screen(path: Path = FILE,
           cutoff: float = typer.Option(0.5, help="Show matches scoring at least this."),
           threshold: float = typer.Option(None, help="Alert at or above this score "
                                           "(default: the documented threshold)."),
           as_json: bool = JSON) -> None:
    """Screen a CSV of names (name, and optional kind, birth_date, nationality,
    id_number) against the loaded lists, without creating parties."""
    results = screening.screen_names(context(), path.read_bytes(), cutoff=cutoff,
                                     threshold=threshold)
    if as_json:
        output.print_json(results)
        return
    rows = []
    for r in results:
        for m in r["matches"][:3] or [None]:
            rows.append((r["row"], m["name"] if m else "no match", m["list"] if m else "",
                         m["entry_id"] if m else "", f"{m['score']:.2f}" if m else "",
                         "ALERT" if m and m["alert"] else "", m["explanation"] if m else ""))
    output.table("Screening", ["row", "list name", "list", "entry", "score", "", "why"],
                 rows, right=["score"], wrap=["why"])


@parties.command("add")
def add_party(name: str,
              kind: str = typer.Option("person", help="person or organization"),
              original_name: str = typer.Option(None, help="The name in its own script."),
              birth_date: str = typer.Option(None, help="YYYY-MM-DD"),
              nationality: str = typer.Option(None), id_number: str = typer.Option(None),
              key: str = KEY) -> None:
    """Register a party and screen it at once."""
    result = screening.add_party(context(), key=key or new_key(), kind=kind, name=name,
                                 original_name=original_name, birth_date=birth_date,
                                 nationality=nationality, id_number=id_number)
    note = f"; {result['hits']} hit(s) to decide: it is on hold" if result["hits"] else ""
    output.ok(f"party {result['name']} added and screened{note}")


@hits.command("list")
def list_hits(state: str = typer.Option(None, help="open, escalated, cleared, confirmed"),
              as_json: bool = JSON) -> None:
    """Screening hits, oldest first."""
    found = screening.list_hits(context(), state=state)
    if as_json:
        output.print_json(found)
        return
    output.table("Screening hits", ["hit", "state", "subject", "list", "entry", "name",
                                    "score", "why"],
                 [(h.id, h.state, h.subject, h.list, h.entry_id, h.entry_name,
                   f"{h.score:.2f}", h.explanation) for h in found], wrap=["why"])


@hits.command("show")
def show_hit(hit: str, as_json: bool = JSON) -> None:
    """A hit with the evidence side by side: the party (or goods) and the list entry."""
    found = screening.evidence(context(), hit)
    if as_json:
        output.print_json(found)
        return
    h = found.hit
    output.console.print(f"[bold]{h.kind} hit {h.id}[/bold]: {h.state}, score {h.score:.2f}")
    output.console.print(h.explanation, highlight=False, markup=False)
    keys = list(dict.fromkeys([*found.ours, *found.theirs]))
    output.table(None, ["", "ours", "the list"],
                 [(k, found.ours.get(k, ""), found.theirs.get(k, "")) for k in keys],
                 wrap=["ours", "the list"])


@hits.command("decide")
def decide(hit: str, decision: str = typer.Argument(..., help="clear, confirm or escalate"),
           reason: str = typer.Option(..., help="Why: kept and shown to auditors."),
           exemption: str = typer.Option("none", help="none, unsc_2664 (humanitarian "
                                         "carve-out) or licence"),
           licence: str = typer.Option("", help="Licence reference, with --exemption "
                                       "licence."),
           key: str = KEY) -> None:
    """Decide a hit (you must not be the one who submitted the party or goods)."""
    result = screening.decide(context(), hit, decision, key=key or new_key(), reason=reason,
                              exemption=exemption, licence=licence)
    extra = ""
    if result["holds_released"]:
        extra = f"; {result['holds_released']} hold(s) released"
    if result["rejected"]:
        extra += f"; rejected: {', '.join(result['rejected'])}"
    output.ok(f"hit {hit} is now {result['state']}{extra}")


@goods.command("load")
def load_goods(path: Path = FILE, key: str = KEY) -> None:
    """Load the hub's controlled-goods list (CSV; see the operator guide)."""
    result = screening.load_goods_list(context(), path.read_bytes(), key=key or new_key())
    output.ok(f"controlled-goods list loaded: {result['rules']} rules")


@goods.command("show")
def show_goods(as_json: bool = JSON) -> None:
    """The controlled-goods list in force."""
    ctx = context()
    with ctx.uow() as uow:
        rules = screening.goods_rules(uow)
    if as_json:
        output.print_json(rules)
        return
    output.table("Controlled goods", ["code", "control", "HS prefixes", "keywords"],
                 [(r.code, r.control, " ".join(r.hs_prefixes), " | ".join(r.keywords))
                  for r in rules], wrap=["control", "keywords"])


def register(root: typer.Typer) -> None:
    root.add_typer(lists, name="lists")
    root.add_typer(parties, name="parties")
    root.add_typer(hits, name="hits")
    root.add_typer(goods, name="goods-list")
    root.command("screen")(screen)
