"""Exports for coordinators and donors: stock on hand, movements (every posting),
deliveries (proof-of-delivery lines) and a 3W table (who delivered what, where, when),
written as HXL (CSV with a hashtag row), CSV, XLSX or Parquet.

Every export reads in one unit of work and can be narrowed to a site, a period, an owner
and ``organisation_id``: the organisation whose goods alone the caller may see (its stock,
the postings of its goods, deliveries of its goods). Places carry the P-codes of their
admin1 and admin2 areas, taken from the site's P-code (SY0200 is in SY02); aidhub keeps no
admin names, so none are written. Columns and tags: docs/formats.md.
"""

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.interop.cells import safe_cell
from aidhub.interop.hxl import Kind, Table, columns, write_csv
from aidhub.services import reference
from aidhub.services.context import Context
from aidhub.services.query import create_table, insert_rows, quote
from aidhub.store.repositories.exports import ExportsRepository
from aidhub.store.uow import UnitOfWork

FORMATS = ("hxl", "csv", "xlsx", "parquet")
SUFFIXES = {"hxl": ".csv", "csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}

_PLACE = (("adm1_pcode", "#adm1+code"), ("adm2_pcode", "#adm2+code"))
_ITEM = (("item", "#item+code"), ("item_name", "#item+name"), ("category", "#sector"),
         ("unit", "#item+unit"))
_LOT = (("batch", "#x_batch"), ("expiry", "#date+expiry", Kind.DATE))

STOCK = columns(
    ("as_at", "#date", Kind.DATE), ("site", "#loc+code"), ("site_name", "#loc+name"),
    *_PLACE, ("location", "#x_location+code"), ("location_type", "#x_location+type"),
    *_ITEM, *_LOT, ("owner", "#org+owner+code"), ("owner_name", "#org+owner+name"),
    ("earmark", "#x_earmark"), ("quantity", "#x_quantity", Kind.INTEGER),
    ("weight_kg", "#x_weight+kg", Kind.DECIMAL),
)
MOVEMENTS = columns(
    ("moved_at", "#date", Kind.TIMESTAMP), ("movement", "#x_movement+code", Kind.INTEGER),
    ("kind", "#x_movement+type"), ("reference", "#x_document"), ("site", "#loc+code"),
    ("site_name", "#loc+name"), *_PLACE, ("location", "#x_location+code"),
    ("location_type", "#x_location+type"), *_ITEM, *_LOT, ("owner", "#org+owner+code"),
    ("earmark", "#x_earmark"), ("quantity", "#x_quantity", Kind.INTEGER),
)
DELIVERIES = columns(
    ("received", "#date+received", Kind.DATE), ("dispatched", "#date+dispatched", Kind.DATE),
    ("waybill", "#x_waybill"), ("point", "#loc+code"), ("point_name", "#loc+name"),
    *_PLACE, ("lat", "#geo+lat", Kind.DECIMAL), ("lon", "#geo+lon", Kind.DECIMAL),
    ("consignee", "#org+impl+code"), ("consignee_name", "#org+impl+name"), *_ITEM, *_LOT,
    ("sscc", "#x_sscc"), ("owner", "#org+owner+code"), ("owner_name", "#org+owner+name"),
    ("shipped", "#x_quantity+shipped", Kind.INTEGER),
    ("delivered", "#x_quantity+delivered", Kind.INTEGER),
    ("damaged", "#x_quantity+damaged", Kind.INTEGER),
    ("short", "#x_quantity+short", Kind.INTEGER), ("lost", "#x_quantity+lost", Kind.INTEGER),
    ("hub", "#loc+origin+code"),
)
THREE_W = columns(
    ("org", "#org+impl+code"), ("org_name", "#org+impl+name"), ("owner", "#org+owner+code"),
    ("owner_name", "#org+owner+name"), ("sector", "#sector"), *_PLACE,
    ("point", "#loc+code"), ("point_name", "#loc+name"), ("lat", "#geo+lat", Kind.DECIMAL),
    ("lon", "#geo+lon", Kind.DECIMAL), ("item", "#item+code"), ("item_name", "#item+name"),
    ("unit", "#item+unit"), ("delivered", "#x_quantity+delivered", Kind.INTEGER),
    ("weight_kg", "#x_weight+kg", Kind.DECIMAL), ("waybills", "#x_waybill+num", Kind.INTEGER),
    ("date_start", "#date+start", Kind.DATE), ("date_end", "#date+end", Kind.DATE),
    ("hub", "#loc+origin+code"),
)

_ADMIN = re.compile(r"^([A-Z]{2}\d{2})(\d{2})?")


def admin_pcodes(pcode: str | None) -> tuple[str | None, str | None]:
    """The admin1 and admin2 P-codes a site's P-code lies in: SY0203 → (SY02, SY0203),
    SY02 → (SY02, None); a community code (C1234) names neither."""
    found = _ADMIN.match(pcode or "")
    if not found:
        return None, None
    adm1, rest = found.groups()
    return adm1, adm1 + rest if rest else None


# What to read: site, owner, period --------------------------------------------------------
def _scope(uow: UnitOfWork, site: str | None, owner: str | None,
           organisation_id: uuid.UUID | None) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The site and owner ids to read; the owner is the organisation the caller is
    limited to, and an ``owner`` asked for must be that one."""
    site_id = reference.site(uow, site).id if site else None
    owner_id = reference.organisation(uow, owner).id if owner else None
    if organisation_id is not None:
        org = uow.reference.organisation_by_id(organisation_id)
        if org is None:
            raise NotFound("no organisation with id %(id)s", id=organisation_id)
        if owner_id is not None and owner_id != org.id:
            raise InvalidInput("you see the goods of %(organisation)s only; leave out the "
                               "owner or give %(organisation)s", field="owner",
                               organisation=org.code)
        owner_id = org.id
    return site_id, owner_id


def period(since: dt.date | None, until: dt.date | None
            ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start of ``since``, end of ``until``) in UTC; both days are included."""
    if since and until and since > until:
        raise InvalidInput("the period is reversed: --from %(start)s is after --to %(end)s; "
                           "swap the two dates", field="from", start=since, end=until)
    start = dt.datetime.combine(since, dt.time(), dt.UTC) if since else None
    end = (dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
           if until else None)
    return start, end


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(dt.UTC).date() if value is not None else None


# The exports ----------------------------------------------------------------------------
def stock(ctx: Context, *, site: str | None = None, owner: str | None = None,
          since: dt.date | None = None, until: dt.date | None = None,
          organisation_id: uuid.UUID | None = None) -> Table:
    """Physical stock on hand by site, location, item, lot, owner and earmark: now, or at
    the end of the day ``until`` (summed from the postings up to then)."""
    if since is not None:
        raise InvalidInput("stock is counted at one moment: give --to (stock at the end of "
                           "that day) and leave out --from", field="from")
    _, end = period(None, until)
    as_at = until or dt.datetime.now(dt.UTC).date()
    with ctx.uow() as uow:
        site_id, owner_id = _scope(uow, site, owner, organisation_id)
        found = ExportsRepository(uow.conn).stock(site_id=site_id, owner_id=owner_id,
                                                  until=end)
    rows = [(as_at, r.site, r.site_name, *admin_pcodes(r.pcode), r.location, r.location_kind,
             r.item, r.item_name, r.category, r.unit, r.batch, r.expiry, r.owner,
             r.owner_name, r.earmark, int(r.quantity), r.weight_kg * int(r.quantity))
            for r in found]
    return Table(f"stock on hand at the end of {as_at}", STOCK, rows)


def movements(ctx: Context, *, site: str | None = None, owner: str | None = None,
              since: dt.date | None = None, until: dt.date | None = None,
              organisation_id: uuid.UUID | None = None) -> Table:
    """Every posting of the movements in the period: one row per location, item, lot and
    owner a movement changed, with the quantity in (+) or out (-) of that location."""
    start, end = period(since, until)
    with ctx.uow() as uow:
        site_id, owner_id = _scope(uow, site, owner, organisation_id)
        found = ExportsRepository(uow.conn).postings(site_id=site_id, owner_id=owner_id,
                                                     since=start, until=end)
    rows = [(r.at, r.seq, r.kind, r.reference, r.site, r.site_name, *admin_pcodes(r.pcode),
             r.location, r.location_kind, r.item, r.item_name, r.category, r.unit, r.batch,
             r.expiry, r.owner, r.earmark, r.quantity) for r in found]
    return Table("movements", MOVEMENTS, rows)


def _delivery_lines(ctx: Context, site: str | None, owner: str | None,
                    since: dt.date | None, until: dt.date | None,
                    organisation_id: uuid.UUID | None) -> list[Any]:
    start, end = period(since, until)
    with ctx.uow() as uow:
        site_id, owner_id = _scope(uow, site, owner, organisation_id)
        return ExportsRepository(uow.conn).delivery_lines(
            site_id=site_id, owner_id=owner_id, since=start, until=end)


def deliveries(ctx: Context, *, site: str | None = None, owner: str | None = None,
               since: dt.date | None = None, until: dt.date | None = None,
               organisation_id: uuid.UUID | None = None) -> Table:
    """Proof-of-delivery lines received in the period (``site``: the hub or the point):
    what was shipped, and what arrived good, damaged, short or was lost."""
    found = _delivery_lines(ctx, site, owner, since, until, organisation_id)
    rows = [(_day(r.received_at), _day(r.dispatched_at), r.waybill, r.point, r.point_name,
             *admin_pcodes(r.pcode), r.lat, r.lon, r.consignee, r.consignee_name, r.item,
             r.item_name, r.category, r.unit, r.batch, r.expiry, r.sscc, r.owner,
             r.owner_name, r.shipped, r.good, r.damaged, r.short, r.lost, r.hub)
            for r in found]
    return Table("deliveries", DELIVERIES, rows)


def three_w(ctx: Context, *, site: str | None = None, owner: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None,
            organisation_id: uuid.UUID | None = None) -> Table:
    """Who delivered what, where and when: the good quantities of the period's proofs of
    delivery, summed by consignee (the partner the goods were for), owner, distribution
    point, item and hub, with the first and last day of delivery."""
    groups: dict[tuple, dict[str, Any]] = defaultdict(
        lambda: {"delivered": 0, "waybills": set(), "days": []})
    for r in _delivery_lines(ctx, site, owner, since, until, organisation_id):
        if r.good <= 0:
            continue
        key = (r.consignee, r.consignee_name, r.owner, r.owner_name, r.category,
               *admin_pcodes(r.pcode), r.point, r.point_name, r.lat, r.lon, r.item,
               r.item_name, r.unit, r.weight_kg, r.hub)
        group = groups[key]
        group["delivered"] += r.good
        group["waybills"].add(r.waybill)
        group["days"].append(_day(r.received_at))
    rows = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        g = groups[key]
        *who_what_where, weight, hub = key
        rows.append((*who_what_where, g["delivered"], weight * g["delivered"],
                     len(g["waybills"]), min(g["days"]), max(g["days"]), hub))
    return Table("3W: who delivered what, where, when", THREE_W, rows)


EXPORTS: dict[str, Callable[..., Table]] = {
    "stock": stock, "movements": movements, "deliveries": deliveries, "3w": three_w,
}


def export(ctx: Context, what: str, **filters: Any) -> Table:
    """One of :data:`EXPORTS` by name, with the same filters."""
    chosen = EXPORTS.get(what.strip().lower())
    if chosen is None:
        raise InvalidInput("'%(export)s' is not an export; choose one of: %(exports)s",
                           field="export", export=what, exports=", ".join(EXPORTS))
    return chosen(ctx, **filters)


# Writing --------------------------------------------------------------------------------
def check_format(fmt: str) -> str:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput("'%(format)s' is not a format; choose one of: %(formats)s",
                           field="format", format=fmt, formats=", ".join(FORMATS))
    return fmt


def write(table: Table, path: Path, fmt: str) -> None:
    """Write ``table`` to ``path`` as HXL, CSV, XLSX or Parquet."""
    fmt = check_format(fmt)
    if fmt in ("hxl", "csv"):
        with path.open("w", encoding="utf-8", newline="") as out:
            write_csv(table, out, hxl=fmt == "hxl")
    elif fmt == "xlsx":
        _write_xlsx(table, path)
    else:
        _write_parquet(table, path)


def _write_xlsx(table: Table, path: Path) -> None:
    from openpyxl import Workbook  # slow to import: only when needed

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31].replace(":", ""))
    sheet.freeze_panes = "A2"
    sheet.append(table.names)
    for row in table.rows:
        sheet.append([_excel(v) for v in row])
    book.save(path)


def _excel(value: Any) -> Any:
    """Excel keeps no time zone: times are written in UTC; text that Excel would run as a
    formula is neutralised."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return safe_cell(value)


_PARQUET_TYPES = {Kind.TEXT: "VARCHAR", Kind.INTEGER: "BIGINT", Kind.DECIMAL: "DECIMAL(18,6)",
                  Kind.DATE: "DATE", Kind.TIMESTAMP: "TIMESTAMPTZ"}


def _write_parquet(table: Table, path: Path) -> None:
    spec = [(c.name, _PARQUET_TYPES[c.kind]) for c in table.columns]
    con = duckdb.connect(":memory:")
    try:
        create_table(con, "export", spec)
        insert_rows(con, "export", spec, table.rows)
        target = str(path).replace("'", "''")
        con.execute(f"COPY {quote('export')} TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
