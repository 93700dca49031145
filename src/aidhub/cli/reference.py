"""`aidhub orgs|sites|locations|items`: the reference data."""

import uuid
from pathlib import Path

import typer
from rich.progress import Progress

from aidhub.cli import output
from aidhub.cli.app import context
from aidhub.services import reference

orgs = typer.Typer(no_args_is_help=True, help="Organisations: donors, partners, operators.")
sites = typer.Typer(no_args_is_help=True,
                    help="Sites: hubs, warehouses, points of entry, distribution points.")
locations = typer.Typer(no_args_is_help=True, help="Locations within a site.")
items = typer.Typer(no_args_is_help=True, help="The item catalog.")

KEY_HELP = "Idempotency key: run again with the same key and nothing is done twice."
JSON = typer.Option(False, "--json", help="Print JSON.")


def new_key() -> str:
    return str(uuid.uuid4())


@orgs.command("add")
def add_org(
    code: str, name: str,
    type: str = typer.Option(..., "--type",
                             help="un_agency, government, ngo, private or community"),
    name_ar: str = typer.Option(None, "--name-ar", help="Name in Arabic."),
    country: str = typer.Option(None, help="ISO 3166 two-letter country code."),
    key: str = typer.Option(None, help=KEY_HELP),
) -> None:
    """Add an organisation."""
    reference.add_organisation(context(), key=key or new_key(), code=code, name=name,
                               type=type, name_ar=name_ar, country=country)
    output.ok(f"organisation {code.upper()} added")


@orgs.command("list")
def list_orgs(as_json: bool = JSON) -> None:
    """List organisations."""
    found = reference.list_organisations(context())
    if as_json:
        output.print_json(found)
        return
    output.table("Organisations", ["code", "name", "type", "country"],
                 [(o.code, o.name, o.type.value, o.country) for o in found])


@sites.command("add")
def add_site(
    code: str, name: str,
    kind: str = typer.Option(..., help="hub, warehouse, point_of_entry or distribution_point"),
    pcode: str = typer.Option(None, help="OCHA P-code, e.g. SY02 or SY0200."),
    locode: str = typer.Option(None, help="UN/LOCODE, e.g. SYLTK."),
    lat: str = typer.Option(None, help="Latitude in decimal degrees."),
    lon: str = typer.Option(None, help="Longitude in decimal degrees."),
    operator: str = typer.Option(None, help="Code of the organisation that runs the site."),
    population: int = typer.Option(None, help="People served (distribution points)."),
    key: str = typer.Option(None, help=KEY_HELP),
) -> None:
    """Add a site with its standard locations (EXTERNAL, IN-TRANSIT, DISTRIBUTED, LOST,
    DISPOSED, QUARANTINE)."""
    reference.add_site(context(), key=key or new_key(), code=code, name=name, kind=kind,
                       pcode=pcode, locode=locode, lat=lat, lon=lon, operator=operator,
                       population=population)
    output.ok(f"site {code.upper()} added")


@sites.command("list")
def list_sites(as_json: bool = JSON) -> None:
    """List sites."""
    found = reference.list_sites(context())
    if as_json:
        output.print_json(found)
        return
    output.table("Sites", ["code", "name", "kind", "P-code", "UN/LOCODE", "lat", "lon"],
                 [(s.code, s.name, s.kind.value, s.pcode, s.locode, s.lat, s.lon)
                  for s in found])


@locations.command("add")
def add_location(
    site: str, code: str,
    kind: str = typer.Option("bin", help="zone, bin, quarantine or vehicle"),
    name: str = typer.Option(None, help="A longer name."),
    key: str = typer.Option(None, help=KEY_HELP),
) -> None:
    """Add a physical location to a site."""
    reference.add_location(context(), key=key or new_key(), site_code=site, code=code,
                           kind=kind, name=name)
    output.ok(f"location {site.upper()}/{code.upper()} added")


@locations.command("list")
def list_locations(site: str = typer.Option(None, help="Only this site."),
                   as_json: bool = JSON) -> None:
    """List locations."""
    found = reference.list_locations(context(), site)
    if as_json:
        output.print_json([{"site": s.code, **output.jsonable(loc)} for s, loc in found])
        return
    output.table("Locations", ["site", "code", "name", "kind", "physical"],
                 [(s.code, loc.code, loc.name, loc.kind.value, "yes" if loc.physical else "")
                  for s, loc in found])


@items.command("import")
def import_items(path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                             help="Catalog CSV (plain headers or HXL)."),
                 key: str = typer.Option(None, help=KEY_HELP)) -> None:
    """Import or update the catalog from a CSV file: all rows, or none."""
    with Progress(transient=True, console=output.errors) as bar:
        task = bar.add_task("checking rows", total=None)
        result = reference.import_catalog(context(), path, key=key or new_key(),
                                          progress=lambda n: bar.advance(task, n))
    output.ok(f"catalog imported: {result.added} added, {result.updated} updated, "
              f"{result.unchanged} unchanged")


@items.command("list")
def list_items(as_json: bool = JSON) -> None:
    """List the catalog."""
    found = reference.list_items(context())
    if as_json:
        output.print_json(found)
        return
    output.table("Catalog", ["code", "name", "category", "unit", "kg", "m³", "shelf life",
                             "cold chain"],
                 [(i.code, i.name_en, i.category.value, i.unit, i.weight_kg, i.volume_m3,
                   "yes" if i.shelf_life else "", "yes" if i.cold_chain else "")
                  for i in found], right=["kg", "m³"])
