"""The demo scenario: hubs, points of entry, partners, a catalog and weeks of movements.

Everything goes through the same services a user calls, with idempotency keys derived from
the seed, so the scenario exercises the real code and a load that was cut off can simply
be run again. The same seed and start date always give the same scenario.
"""

import csv
import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aidhub.demo import inbound, outbound, planning, users
from aidhub.domain.errors import AidhubError
from aidhub.services import movements, reference
from aidhub.services.context import Context
from aidhub.services.movements import LineRequest, MovementRequest

DATA = resources.files("aidhub.demo") / "data"


@dataclass(frozen=True)
class Hub:
    code: str
    name: str
    pcode: str
    lat: str
    lon: str
    operator: str
    entry_points: tuple[str, ...]  # codes of the points of entry that feed it
    serves: tuple[str, ...]  # admin1 P-codes of the distribution points it serves


HUBS = (
    Hub("DAM-HUB", "Damascus logistics hub", "SY01", "33.51", "36.29", "WFP",
        ("SYDAM", "JDEIDET-YABOUS"), ("SY03", "SY04")),
    Hub("ALP-HUB", "Aleppo logistics hub", "SY02", "36.20", "37.16", "WFP",
        ("SYALP", "BAB-AL-SALAM", "AL-RAEE"), ("SY02", "SY09", "SY08")),
    Hub("HMS-HUB", "Homs warehouse", "SY04", "34.73", "36.71", "SARC",
        ("JDEIDET-YABOUS",), ("SY04", "SY05")),
    Hub("LTK-HUB", "Lattakia port hub", "SY06", "35.52", "35.79", "WFP",
        ("SYLTK", "SYLTK-PORT"), ("SY06",)),
    Hub("TRT-HUB", "Tartus port hub", "SY10", "34.89", "35.89", "WFP",
        ("SYTTS",), ("SY10",)),
    Hub("SRM-HUB", "Sarmada cross-border hub", "SY07", "36.18", "36.72", "WFP",
        ("BAB-AL-HAWA", "SARAQEB"), ("SY07", "SY02")),
)

# Physical locations every demo hub gets: (code, kind, name).
HUB_LOCATIONS = (
    ("RECV", "zone", "Receiving bay"),
    ("A-01", "bin", "Rack A, bay 1"),
    ("A-02", "bin", "Rack A, bay 2"),
    ("A-03", "bin", "Rack A, bay 3"),
    ("B-01", "bin", "Bulk floor B1"),
    ("B-02", "bin", "Bulk floor B2"),
    ("COLD-01", "bin", "Cold room (2-8 °C)"),
    ("STAGE", "staging", "Dispatch staging"),
)


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if not next(iter(r.values()), "").startswith("#")]


def entry_point_code(row: dict[str, str]) -> str:
    """The site code of a point of entry: its UN/LOCODE, or a slug of its name."""
    if row["code"] and row["kind"] == "airport":
        return row["code"]
    if row["code"] and row["kind"] == "seaport":
        return row["code"] if row["code"] != "SYLTK" else "SYLTK-PORT"
    words = re.sub(r"\(.*?\)|crossing|cross-line point", "", row["name"], flags=re.I)
    return re.sub(r"[^A-Z0-9]+", "-", words.upper().replace("'", "")).strip("-")[:40]


def is_empty(ctx: Context) -> bool:
    return not reference.list_sites(ctx)


Progress = Callable[[str, int, int], None]


def load(ctx: Context, *, seed: int = 7, start: dt.date | None = None, weeks: int = 4,
         progress: Progress | None = None) -> dict[str, int]:
    """Load the scenario; returns counts of what was created."""
    if weeks < 1 or weeks > 52:
        raise AidhubError("weeks must be between 1 and 52")
    today = dt.datetime.now(dt.UTC).date()
    start = start or today - dt.timedelta(days=7 * weeks)
    if start + dt.timedelta(days=7 * weeks) > today:
        raise AidhubError("the scenario would end in the future; choose an earlier --start")
    ctx = ctx.as_actor("demo")
    rng = random.Random(seed)
    tag = f"demo-{seed}-{start.isoformat()}"
    report = (lambda *a: None) if progress is None else progress
    counts = _reference_data(ctx, tag, report)
    counts["users"] = users.load(ctx, tag)
    plan = _Plan(ctx, rng, tag, start, weeks)
    counts["movements"] = plan.run(report)
    counts["consignments"] = inbound.load(ctx, rng, tag, plan.items, report)
    planned = planning.load(ctx, tag, report)
    orders = planned.pop("release_orders")
    counts.update(planned)
    counts.update(outbound.load(ctx, rng, tag, orders, report))
    second = planning.second_round(ctx, tag)
    counts["requests"] += second["requests"]
    counts["plans"] += second["plans"]
    return counts


def _reference_data(ctx: Context, tag: str, report: Progress) -> dict[str, int]:
    orgs = _csv("organisations.csv")
    for n, o in enumerate(orgs, 1):
        reference.add_organisation(ctx, key=f"{tag}:org:{o['code']}", code=o["code"],
                                   name=o["name"], type=o["type"], name_ar=o["name_ar"],
                                   country=o["country"] or None)
        report("organisations", n, len(orgs))
    report("catalog", 0, 1)
    catalog = (DATA / "catalog.csv").read_bytes()
    reference.import_catalog(ctx, catalog, key=f"{tag}:catalog")
    report("catalog", 1, 1)
    entry = _csv("syria-entry-points.csv")
    dps = _csv("distribution_points.csv")
    total = len(HUBS) + len(entry) + len(dps)
    done = 0
    for hub in HUBS:
        reference.add_site(ctx, key=f"{tag}:site:{hub.code}", code=hub.code, name=hub.name,
                           kind="hub", pcode=hub.pcode, lat=hub.lat, lon=hub.lon,
                           operator=hub.operator)
        for code, kind, name in HUB_LOCATIONS:
            reference.add_location(ctx, key=f"{tag}:loc:{hub.code}:{code}",
                                   site_code=hub.code, code=code, kind=kind, name=name)
        done += 1
        report("sites", done, total)
    for e in entry:
        locode = e["code"] or None
        reference.add_site(ctx, key=f"{tag}:site:{entry_point_code(e)}",
                           code=entry_point_code(e), name=e["name"], kind="point_of_entry",
                           pcode=e["admin1_pcode"], locode=locode, lat=e["lat"], lon=e["lon"])
        done += 1
        report("sites", done, total)
    for d in dps:
        reference.add_site(ctx, key=f"{tag}:site:{d['code']}", code=d["code"],
                           name=d["name_en"], kind="distribution_point",
                           pcode=d["admin2_pcode"] or d["admin1_pcode"], lat=d["lat"],
                           lon=d["lon"], population=int(d["population"]))
        done += 1
        report("sites", done, total)
    return {"organisations": len(orgs), "sites": total}


class _Plan:
    """Simulates the hubs day by day and posts what happens as movements.

    It keeps its own count of what each bin holds so that every movement it posts is
    possible; the ledger then checks that independently.
    """

    def __init__(self, ctx: Context, rng: random.Random, tag: str, start: dt.date,
                 weeks: int):
        self.ctx, self.rng, self.tag, self.start, self.weeks = ctx, rng, tag, start, weeks
        self.items = _csv("catalog.csv")
        orgs = _csv("organisations.csv")
        self.donors = [o["code"] for o in orgs if o["role"] in ("donor", "donor_partner")]
        self.donors += [o["code"] for o in orgs if o["type"] == "un_agency"][:4]
        dps = _csv("distribution_points.csv")
        self.points = {hub.code: [d["code"] for d in dps if d["admin1_pcode"] in hub.serves]
                       for hub in HUBS}
        # (hub, location, item, batch, owner) -> quantity the simulation believes is there
        self.held: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
        self.expiry: dict[tuple[str, str], str] = {}
        self.in_transit: list[tuple[int, str, str, str, str, int]] = []
        self.counter = 0
        self.documents: dict[str, int] = defaultdict(int)

    # helpers ---------------------------------------------------------------------------
    def _doc(self, prefix: str, hub: str) -> str:
        self.documents[(prefix, hub)] += 1
        return f"{prefix}-{hub[:3]}-{self.documents[(prefix, hub)]:04d}"

    def _request(self, kind: str, lines: list[LineRequest], at: dt.datetime, ref: str,
                 note: str = "") -> MovementRequest:
        self.counter += 1
        return MovementRequest(kind, lines, f"{self.tag}:mv:{self.counter}", at, ref, note)

    def _take(self, hub: str, loc: str, item: str, batch: str, owner: str, qty: int) -> None:
        self.held[(hub, loc, item, batch, owner)] -= qty

    def _put(self, hub: str, loc: str, item: str, batch: str, owner: str, qty: int) -> None:
        self.held[(hub, loc, item, batch, owner)] += qty

    def _stock_at(self, hub: str, locs: tuple[str, ...]) -> list[tuple[tuple, int]]:
        return sorted(((k, q) for k, q in self.held.items()
                       if k[0] == hub and k[1] in locs and q > 0), key=lambda kq: kq[0])

    # a day at the hubs -----------------------------------------------------------------
    def run(self, report: Progress) -> int:
        days = self.weeks * 7
        posted = 0
        for day in range(days):
            date = self.start + dt.timedelta(days=day)
            requests = self._day(day, date)
            if requests:
                movements.post_movements(self.ctx, requests)
                posted += len(requests)
            report("movements", day + 1, days)
        return posted

    def _at(self, date: dt.date, hour: int) -> dt.datetime:
        minute = self.rng.randrange(60)
        return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=dt.UTC)

    def _day(self, day: int, date: dt.date) -> list[MovementRequest]:
        out: list[MovementRequest] = []
        out += self._arrivals_from_other_hubs(day, date)
        for hub in HUBS:
            out += self._putaway(hub, date)
            if self.rng.random() < 0.55 or day == 0:
                out.append(self._receipt(hub, date))
            if day >= 2:
                out += self._dispatches(hub, date)
            if day >= 5 and self.rng.random() < 0.08:
                out += self._count(hub, date)
        if day in (9, 20):
            out += self._hub_to_hub(day, date)
        return out

    def _receipt(self, hub: Hub, date: dt.date) -> MovementRequest:
        donor = self.rng.choice(self.donors)
        count = self.rng.randint(3, 7)
        chosen = self.rng.sample(self.items, count)
        lines = []
        for item in chosen:
            code = item["code"]
            qty = self.rng.choice((20, 40, 50, 80, 100, 120, 200, 250, 400, 500))
            if float(item["weight_kg"]) > 200:
                qty = self.rng.randint(1, 4)
            batch, expiry = "", None
            if item["shelf_life"] == "yes":
                batch = f"{donor[:4]}{date:%y%m}-{self.rng.randint(100, 999)}"
                months = self.rng.choice((2, 3, 6, 9, 12, 18, 24))
                expiry = (date + dt.timedelta(days=30 * months)).isoformat()
                if self.rng.random() < 0.04:  # a short-dated donation, as happens
                    expiry = (date + dt.timedelta(days=self.rng.randint(10, 40))).isoformat()
                key = (code, batch)
                if key in self.expiry:
                    expiry = self.expiry[key]
                self.expiry[key] = expiry
            lines.append(LineRequest(code, qty, f"{hub.code}/EXTERNAL", f"{hub.code}/RECV",
                                     batch, expiry, donor))
            self._put(hub.code, "RECV", code, batch, donor, qty)
        point = self.rng.choice(hub.entry_points)
        return self._request("receipt", lines, self._at(date, 8),
                             self._doc("GRN", hub.code), f"arrived through {point}")

    def _putaway(self, hub: Hub, date: dt.date) -> list[MovementRequest]:
        out = []
        cold = {i["code"] for i in self.items if i["cold_chain"] == "yes"}
        for (h, _, item, batch, owner), qty in self._stock_at(hub.code, ("RECV",)):
            target = "COLD-01" if item in cold else self.rng.choice(
                ("A-01", "A-02", "A-03", "B-01", "B-02"))
            out.append(self._request(
                "transfer",
                [LineRequest(item, qty, f"{h}/RECV", f"{h}/{target}", batch, None, owner)],
                self._at(date, 7), self._doc("PUT", h)))
            self._take(h, "RECV", item, batch, owner, qty)
            self._put(h, target, item, batch, owner, qty)
        return out

    def _dispatches(self, hub: Hub, date: dt.date) -> list[MovementRequest]:
        out = []
        points = self.points.get(hub.code) or []
        if not points:
            return out
        stock = self._stock_at(hub.code, ("A-01", "A-02", "A-03", "B-01", "B-02", "COLD-01"))
        if not stock:
            return out
        for _ in range(self.rng.randint(0, 2)):
            (h, loc, item, batch, owner), _ = self.rng.choice(stock)
            have = self.held[(h, loc, item, batch, owner)]
            if have <= 0:
                continue
            take = max(1, min(have, int(have * self.rng.uniform(0.2, 0.6))))
            point = self.rng.choice(points)
            waybill = self._doc("WB", h)
            out.append(self._request(
                "dispatch",
                [LineRequest(item, take, f"{h}/{loc}", f"{point}/IN-TRANSIT", batch,
                             None, owner)],
                self._at(date, 10), waybill))
            self._take(h, loc, item, batch, owner, take)
            self.in_transit.append((self._day_number(date) + 1, point, item, batch, owner,
                                    take, waybill))
        return out

    def _day_number(self, date: dt.date) -> int:
        return (date - self.start).days

    def _arrivals_from_other_hubs(self, day: int, date: dt.date) -> list[MovementRequest]:
        out, waiting = [], []
        for entry in self.in_transit:
            due, dest, item, batch, owner, qty, ref = entry
            if due > day:
                waiting.append(entry)
                continue
            if dest.endswith("-HUB"):
                out.append(self._request(
                    "receipt",
                    [LineRequest(item, qty, f"{dest}/IN-TRANSIT", f"{dest}/RECV",
                                 batch, self.expiry.get((item, batch)), owner)],
                    self._at(date, 9), ref, "inter-hub transfer received"))
                self._put(dest, "RECV", item, batch, owner, qty)
            else:
                lost = 0
                if qty >= 20 and self.rng.random() < 0.05:
                    lost = max(1, qty // 50)
                lines = [LineRequest(item, qty - lost, f"{dest}/IN-TRANSIT",
                                     f"{dest}/DISTRIBUTED", batch, None, owner)]
                if lost:
                    lines.append(LineRequest(item, lost, f"{dest}/IN-TRANSIT", f"{dest}/LOST",
                                             batch, None, owner))
                out.append(self._request("delivery", lines, self._at(date, 15), ref,
                                         "proof of delivery" + (", damaged in transit"
                                                                if lost else "")))
        self.in_transit = waiting
        return out

    def _hub_to_hub(self, day: int, date: dt.date) -> list[MovementRequest]:
        out = []
        for src, dst in (("LTK-HUB", "ALP-HUB"), ("TRT-HUB", "HMS-HUB")):
            stock = self._stock_at(src, ("A-01", "A-02", "A-03", "B-01", "B-02"))
            if not stock:
                continue
            (h, loc, item, batch, owner), qty = stock[self.rng.randrange(len(stock))]
            take = max(1, qty // 2)
            ref = self._doc("WB", h)
            out.append(self._request(
                "dispatch",
                [LineRequest(item, take, f"{h}/{loc}", f"{dst}/IN-TRANSIT", batch,
                             None, owner)],
                self._at(date, 11), ref, f"transfer to {dst}"))
            self._take(h, loc, item, batch, owner, take)
            self.in_transit.append((day + 2, dst, item, batch, owner, take, ref))
        return out

    def _count(self, hub: Hub, date: dt.date) -> list[MovementRequest]:
        stock = self._stock_at(hub.code, ("A-01", "A-02", "A-03", "B-01", "B-02"))
        if not stock:
            return []
        (h, loc, item, batch, owner), qty = self.rng.choice(stock)
        missing = max(1, qty // 100)
        if missing >= qty:
            return []
        self._take(h, loc, item, batch, owner, missing)
        return [self._request(
            "adjustment",
            [LineRequest(item, missing, f"{h}/{loc}", f"{h}/LOST", batch, None,
                         owner)],
            self._at(date, 16), self._doc("CNT", h),
            "cycle count: cartons crushed, not usable")]


def summary(counts: dict[str, Any]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in counts.items())
