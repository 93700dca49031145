"""Organisations, sites, locations and the item catalog."""

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from aidhub.domain.catalog import CATALOG_COLUMNS, CATALOG_REQUIRED, Item, item_from_fields
from aidhub.domain.errors import AlreadyExists, InvalidInput, NotFound
from aidhub.domain.ids import new_id
from aidhub.domain.organisations import Organisation, OrganisationType
from aidhub.domain.sites import (
    STANDARD_LOCATIONS,
    Location,
    LocationKind,
    Site,
    SiteKind,
    check_coordinates,
    check_locode,
    check_pcode,
)
from aidhub.domain.values import parse_code, parse_optional
from aidhub.interop.problems import Problem, rejected
from aidhub.interop.tables import read_csv
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.store.uow import UnitOfWork


def choice(enum_type: Any, raw: str, field: str) -> Any:
    """The member of ``enum_type`` a user typed, or an error listing the choices."""
    try:
        return enum_type(str(raw).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise InvalidInput("'%(value)s' is not one of: %(choices)s", field=field, value=raw,
                           choices=allowed) from None


# organisations -----------------------------------------------------------------------
def add_organisation(ctx: Context, *, key: str, code: str, name: str, type: str,
                     name_ar: str | None = None, country: str | None = None) -> dict[str, Any]:
    code = parse_code(code)
    org_type = choice(OrganisationType, type, "type")
    if not name.strip():
        raise InvalidInput("give the organisation's name", field="name")
    country = parse_optional(country)
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput("'%(country)s' is not an ISO country code (two letters)",
                           field="country", country=country)
    request = {"code": code, "name": name.strip(), "type": org_type.value,
               "name_ar": parse_optional(name_ar),
               "country": country.upper() if country else None}

    def work(uow: UnitOfWork, now: dt.datetime):
        if uow.reference.organisation(code) is not None:
            raise AlreadyExists("an organisation with code %(code)s already exists", code=code)
        org = Organisation(new_id(), code, request["name"], org_type, request["name_ar"],
                           request["country"])
        uow.reference.add_organisation(org)
        return code, {"id": str(org.id), "code": code}

    return run_command(ctx, key, "organisation.add", request, work)


def organisation(uow: UnitOfWork, code: str) -> Organisation:
    code = parse_code(code, "owner")
    org = uow.reference.organisation(code)
    if org is None:
        raise NotFound("no organisation with code '%(code)s'; see `aidhub orgs list`",
                       code=code)
    return org


def list_organisations(ctx: Context) -> list[Organisation]:
    with ctx.uow() as uow:
        return uow.reference.organisations()


# sites and locations -----------------------------------------------------------------
def add_site(ctx: Context, *, key: str, code: str, name: str, kind: str,
             pcode: str | None = None, locode: str | None = None,
             lat: Decimal | str | None = None, lon: Decimal | str | None = None,
             operator: str | None = None, population: int | None = None) -> dict[str, Any]:
    """Add a site with its standard locations (the virtual ones and a quarantine area)."""
    from aidhub.domain.values import parse_decimal

    code = parse_code(code)
    site_kind = choice(SiteKind, kind, "kind")
    if not name.strip():
        raise InvalidInput("give the site's name", field="name")
    lat_d = None if lat in (None, "") else parse_decimal(lat, "lat", minimum=Decimal(-90))
    lon_d = None if lon in (None, "") else parse_decimal(lon, "lon", minimum=Decimal(-180))
    check_coordinates(lat_d, lon_d)
    if population is not None and population < 0:
        raise InvalidInput("population cannot be negative", field="population")
    request = {"code": code, "name": name.strip(), "kind": site_kind.value,
               "pcode": check_pcode(parse_optional(pcode)),
               "locode": check_locode(parse_optional(locode)),
               "lat": str(lat_d) if lat_d is not None else None,
               "lon": str(lon_d) if lon_d is not None else None,
               "operator": parse_code(operator, "operator") if operator else None,
               "population": population}

    def work(uow: UnitOfWork, now: dt.datetime):
        if uow.reference.site(code) is not None:
            raise AlreadyExists("a site with code %(code)s already exists", code=code)
        operator_id = organisation(uow, operator).id if operator else None
        site = Site(new_id(), code, request["name"], site_kind, request["pcode"],
                    request["locode"], lat_d, lon_d, operator_id, population)
        uow.reference.add_site(site)
        uow.reference.add_locations(
            [Location(new_id(), site.id, c, n, k) for c, k, n in STANDARD_LOCATIONS]
        )
        return code, {"id": str(site.id), "code": code}

    return run_command(ctx, key, "site.add", request, work)


def site(uow: UnitOfWork, code: str) -> Site:
    code = parse_code(code, "site")
    found = uow.reference.site(code)
    if found is None:
        raise NotFound("no site with code '%(code)s'; see `aidhub sites list`", code=code)
    return found


def location(uow: UnitOfWork, site_record: Site, code: str, field: str = "location"
             ) -> Location:
    """A location of a site by its code, or an error saying where to find the codes."""
    found = uow.reference.location(site_record.id, parse_code(code, field))
    if found is None:
        raise NotFound("site %(site)s has no location '%(location)s'; see "
                       "`aidhub locations list --site %(site)s`", site=site_record.code,
                       location=code)
    return found


def add_location(ctx: Context, *, key: str, site_code: str, code: str, kind: str,
                 name: str | None = None) -> dict[str, Any]:
    """Add a physical location (zone, bin, quarantine area, vehicle) to a site."""
    code = parse_code(code)
    loc_kind = choice(LocationKind, kind, "kind")
    if not loc_kind.physical:
        raise InvalidInput(
            "%(kind)s is a virtual location; every site already has one", field="kind",
            kind=loc_kind.value,
        )
    request = {"site": parse_code(site_code, "site"), "code": code, "kind": loc_kind.value,
               "name": (name or code).strip()}

    def work(uow: UnitOfWork, now: dt.datetime):
        the_site = site(uow, site_code)
        if uow.reference.location(the_site.id, code) is not None:
            raise AlreadyExists("site %(site)s already has a location %(location)s",
                                site=the_site.code, location=code)
        uow.reference.add_locations(
            [Location(new_id(), the_site.id, code, request["name"], loc_kind)]
        )
        return f"{the_site.code}/{code}", {"site": the_site.code, "code": code}

    return run_command(ctx, key, "location.add", request, work)


def list_sites(ctx: Context) -> list[Site]:
    with ctx.uow() as uow:
        return uow.reference.sites()


def list_locations(ctx: Context, site_code: str | None = None) -> list[tuple[Site, Location]]:
    with ctx.uow() as uow:
        sites = [site(uow, site_code)] if site_code else uow.reference.sites()
        return [(s, loc) for s in sites for loc in uow.reference.locations(s.id)]


# the item catalog --------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CatalogImport:
    added: int
    updated: int
    unchanged: int


_FIXED_ON_UPDATE = ("unit",)


def import_catalog(ctx: Context, path: Path | str | bytes, *, key: str,
                   progress=None) -> CatalogImport:
    """Add new items and update the descriptions of known ones, all or nothing.

    Every bad row is reported (up to 20), each with its row number and field. The inventory
    unit of a known item cannot change: stock already counted in it would change meaning.
    """
    table = read_csv(path, CATALOG_COLUMNS, CATALOG_REQUIRED)
    if not len(table):
        raise InvalidInput("the file has a header but no items")
    parsed: list[Item] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, fields in table:
        try:
            item = item_from_fields(fields, row=number)
        except InvalidInput as exc:
            problems.append(Problem.around(exc))
            continue
        if item.code in seen:
            problems.append(Problem(
                None, None, "row %(row)s, field 'code': %(code)s is also on row %(first)s; "
                "each item once", "code",
                values={"row": number, "code": item.code, "first": seen[item.code]}))
            continue
        seen[item.code] = number
        parsed.append(item)
        if progress:
            progress(1)
    if problems:
        raise rejected(problems)
    request = [_item_request(i) for i in parsed]

    def work(uow: UnitOfWork, now: dt.datetime):
        new, changed, same = [], [], 0
        for item in parsed:
            known = uow.reference.item(item.code)
            if known is None:
                new.append(item)
                continue
            item = dataclasses.replace(item, id=known.id)
            for name in _FIXED_ON_UPDATE:
                if getattr(item, name) != getattr(known, name):
                    problems.append(Problem(
                        None, None, "row %(row)s, field '%(name)s': %(code)s is counted in "
                        "'%(unit)s'; its unit cannot change to '%(new)s' (create a new item "
                        "code instead)", name,
                        values={"row": seen[item.code], "name": name, "code": item.code,
                                "unit": getattr(known, name), "new": getattr(item, name)}))
            if item == known:
                same += 1
            else:
                changed.append(item)
        if problems:
            raise rejected(problems)
        uow.reference.add_items(new)
        uow.reference.update_items(changed)
        result = {"added": len(new), "updated": len(changed), "unchanged": same}
        return f"{len(parsed)} items", result

    result = run_command(ctx, key, "catalog.import", {"items": request}, work)
    return CatalogImport(**result)


def _item_request(item: Item) -> dict[str, Any]:
    values = dataclasses.asdict(item)
    values.pop("id")
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def item(uow: UnitOfWork, code: str) -> Item:
    code = parse_code(code, "item")
    found = uow.reference.item(code)
    if found is None:
        raise NotFound("no item with code '%(code)s' in the catalog; see `aidhub items list`",
                       code=code)
    return found


def list_items(ctx: Context) -> list[Item]:
    with ctx.uow() as uow:
        return uow.reference.items()
