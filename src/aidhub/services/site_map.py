"""The figures of the site map: every hub, point of entry and distribution point with its
coordinates, the fill rate of each distribution point and the tonnes received through
each point of entry, in a period.

- **Fill rate** of a distribution point: of the requests for it that were submitted in
  the period and approved (planned, fulfilled or partly fulfilled since), the weight
  delivered good so far over the weight asked for. What a request line got is what the
  release order lines allocated to it delivered good, shared pro rata between the request
  lines one release order line serves (as the proof of delivery shares it when it
  decides that a request is fulfilled), and never more than the line asked for. Weights
  make different items comparable: a kit and a bag of flour are not one unit each.
- **Received** through a point of entry: what the GRNs of the period counted in (good
  and damaged) at any hub, from consignments that came through that point of entry.

Without a period, everything so far counts.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from aidhub.domain.catalog import Item
from aidhub.domain.sites import SiteKind
from aidhub.services.context import Context
from aidhub.services.exports import period
from aidhub.store.repositories.hub_reports import HubReportsRepository

#: How each kind of site is drawn: warehouses with the hubs.
MAP_KINDS = {SiteKind.HUB: "hub", SiteKind.WAREHOUSE: "hub",
             SiteKind.POINT_OF_ENTRY: "point_of_entry",
             SiteKind.DISTRIBUTION_POINT: "distribution_point"}
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class PointFill:
    """What a distribution point asked for (approved) and got, in kilograms."""

    requested_kg: Decimal = Decimal(0)
    delivered_kg: Decimal = Decimal(0)

    @property
    def rate(self) -> Decimal | None:
        """Delivered over requested (0 to 1), or None when nothing was asked for."""
        if not self.requested_kg:
            return None
        return self.delivered_kg / self.requested_kg


@dataclass(frozen=True)
class MapSite:
    code: str
    name: str
    kind: str  # hub | point_of_entry | distribution_point
    lat: float | None
    lon: float | None
    fill: PointFill | None = None  # distribution points
    received_t: Decimal | None = None  # points of entry, tonnes

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class SiteMap:
    start: dt.date | None
    end: dt.date | None  # the last day, included
    sites: list[MapSite] = field(default_factory=list)

    @property
    def placed(self) -> list[MapSite]:
        return [s for s in self.sites if s.placed]

    @property
    def unplaced(self) -> list[MapSite]:
        return [s for s in self.sites if not s.placed]


def fill_by_point(repo: HubReportsRepository, items: dict[uuid.UUID, Item],
                  since: dt.datetime | None, until: dt.datetime | None
                  ) -> dict[uuid.UUID, PointFill]:
    """The fill rate figures of every distribution point with approved requests submitted
    in [since, until)."""
    got: dict[uuid.UUID, int] = defaultdict(int)
    for a in repo.allocations(since, until):
        if a.ordered:
            got[a.request_line_id] += a.quantity * a.delivered // a.ordered
    asked: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in repo.approved_lines(since, until):
        weight = items[line.item_id].weight_kg
        sums = asked[line.point_id]
        sums[0] += weight * line.quantity
        sums[1] += weight * min(got.get(line.id, 0), line.quantity)
    return {point: PointFill(r, d) for point, (r, d) in asked.items()}


def received_by_entry(repo: HubReportsRepository, items: dict[uuid.UUID, Item],
                      since: dt.datetime | None, until: dt.datetime | None
                      ) -> dict[uuid.UUID, Decimal]:
    """Tonnes counted in at hubs per point of entry, in [since, until)."""
    kg: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for r in repo.received_by_entry(since, until):
        kg[r.point_of_entry_id] += items[r.item_id].weight_kg * int(r.quantity)
    return {entry: value / KG_PER_TONNE for entry, value in kg.items()}


def build(ctx: Context, *, start: dt.date | None = None, end: dt.date | None = None
          ) -> SiteMap:
    """Every hub, warehouse, point of entry and distribution point, with its figures."""
    since, until = period(start, end)
    with ctx.uow() as uow:
        repo = HubReportsRepository(uow.conn)
        items = {i.id: i for i in uow.reference.items()}
        fills = fill_by_point(repo, items, since, until)
        received = received_by_entry(repo, items, since, until)
        sites = []
        for s in uow.reference.sites():
            kind = MAP_KINDS[s.kind]
            sites.append(MapSite(
                s.code, s.name, kind,
                float(s.lat) if s.lat is not None else None,
                float(s.lon) if s.lon is not None else None,
                fill=fills.get(s.id, PointFill()) if kind == "distribution_point" else None,
                received_t=(received.get(s.id, Decimal(0)) if kind == "point_of_entry"
                            else None)))
    return SiteMap(start, end, sites)
