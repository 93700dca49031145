"""The demo's needs and allocation: the people each distribution point serves, what each
hub can send out per day, routes from the nearest hubs (one crossing closed), and
partners' requests at every stage, several computed from the Sphere figures; then a
draft plan for the planner to review. Built through the same services planners use."""

import math
from collections.abc import Callable
from decimal import Decimal

from aidhub.domain.sites import SiteKind
from aidhub.services import planning, reference, requests
from aidhub.services.context import Context
from aidhub.services.requests import LineInput

# kg a hub can load and send out per day
DISPATCH_CAPACITY_KG = {"DAM-HUB": 60000, "ALP-HUB": 45000, "SRM-HUB": 50000,
                        "HMS-HUB": 20000, "LTK-HUB": 40000, "TRT-HUB": 25000}
PEOPLE_PER_HOUSEHOLD = 5
NEAREST_HUBS = 3
# The cross-line crossing between Aleppo and Idleb governorates is shut in the demo.
CLOSED = ("ALP-HUB", "DP-IDL-", "cross-line crossing closed by the local authorities")

# (partner, point, state, people to serve (newly displaced families, mostly), lines as
# (figure, days, priority)): needs computed from the Sphere figures.
REQUESTS = (
    ("SARC", "DP-IDL-ATMEH", "approved", 1500, [("hygiene_kit", 30, 1),
                                                ("water_containers", 0, 1)]),
    ("VIOLET", "DP-IDL-HARIM", "approved", 600, [("hygiene_kit", 30, 2),
                                                 ("covered_space", 0, 1)]),
    ("NRC", "DP-ALP-AZAZ", "approved", 1200, [("hygiene_kit", 30, 1),
                                              ("soap_bathing", 30, 2)]),
    ("IRC", "DP-ALP-JANDAIRIS", "approved", 800, [("water_containers", 0, 1)]),
    ("SARC", "DP-HMS-HOMS", "approved", 1000, [("hygiene_kit", 30, 2),
                                               ("soap_bathing", 30, 3)]),
    ("MC", "DP-HAM-HAMA", "approved", 700, [("water_containers", 0, 2)]),
    ("SCI", "DP-RDA-DUMA", "approved", 900, [("hygiene_kit", 30, 1)]),
    ("SARC", "DP-DEZ-DEIREZZOR", "approved", 1100, [("water_containers", 0, 1),
                                                    ("hygiene_kit", 30, 2)]),
    ("IRC", "DP-ALP-ALEPPO", "submitted", 900, [("hygiene_kit", 30, 2)]),
    ("MOLHAM", "DP-IDL-IDLEB", "draft", 500, [("soap_bathing", 30, 3)]),
    ("MC", "DP-TAR-TARTOUS", "rejected", 400, [("covered_space", 0, 2)]),
)

Progress = Callable[[str, int, int], None]


def load(ctx: Context, tag: str, report: Progress) -> dict[str, int]:
    sites = reference.list_sites(ctx)
    hubs = [s for s in sites if s.kind is SiteKind.HUB]
    points = [s for s in sites if s.kind is SiteKind.DISTRIBUTION_POINT]
    total = len(points) + len(hubs) + len(REQUESTS) + 1
    done = 0
    for hub in hubs:
        requests.set_site_figures(ctx, hub.code, key=f"{tag}:capacity:{hub.code}",
                                  dispatch_capacity_kg=DISPATCH_CAPACITY_KG.get(hub.code))
        done += 1
        report("needs and routes", done, total)
    routes = 0
    for p in points:
        requests.set_site_figures(ctx, p.code, key=f"{tag}:people:{p.code}",
                                  population=p.population,
                                  households=(p.population or 0) // PEOPLE_PER_HOUSEHOLD)
        nearest = sorted(hubs, key=lambda h: _km(h, p))[:NEAREST_HUBS]
        for h in nearest:
            km = _km(h, p)
            closed = h.code == CLOSED[0] and p.code.startswith(CLOSED[1])
            requests.set_route(
                ctx, h.code, p.code, key=f"{tag}:route:{h.code}:{p.code}",
                cost_per_kg=Decimal("0.015") + (Decimal(str(round(km))) * Decimal("0.0004")),
                lead_days=1 + int(km // 150), open=not closed,
                capacity_kg=Decimal(30000) if "IDL" in p.code else None,
                note=CLOSED[2] if closed else "")
            routes += 1
        done += 1
        report("needs and routes", done, total)
    partner = ctx.as_actor("demo-partner")
    coordinator = ctx.as_actor("demo-coordinator")
    for n, (org, point, state, people, lines) in enumerate(REQUESTS, start=1):
        key = f"{tag}:request:{n}"
        made = requests.create(
            partner, key=key, organisation_code=org, point=point,
            lines=[LineInput(figure=f, days=days, priority=prio, persons=people,
                             households=people // PEOPLE_PER_HOUSEHOLD)
                   for f, days, prio in lines],
            note=f"for {people:,} newly displaced people", submit=state != "draft")
        if state in ("approved", "rejected"):
            requests.change_state(coordinator, made["request"], state, key=f"{key}:{state}",
                                  reason="" if state == "approved" else
                                  "Tartous is covered by the SARC branch this month")
        done += 1
        report("needs and routes", done, total)
    plan = planning.solve(ctx.as_actor("demo-planner"), key=f"{tag}:plan")["plan"]
    approved = planning.approve(ctx.as_actor("demo-manager"), plan, key=f"{tag}:plan:ok")
    report("needs and routes", total, total)
    return {"routes": routes, "requests": len(REQUESTS), "plans": 1,
            "release_orders": approved["release_orders"]}


# A second round: more requests, approved after the first plan went out, and a draft plan
# for the planner to review.
SECOND_ROUND = (
    ("NRC", "DP-ALP-AZAZ", [("NFI-BLANKET-HT", 300, 1), ("SHEL-TARP-4X6M", 120, 2)]),
    ("SARC", "DP-HMS-HOMS", [("NFI-BLANKET-HT", 200, 1), ("FOOD-PARCEL-FAM5", 150, 1)]),
    ("IRC", "DP-ALP-JANDAIRIS", [("SHEL-TARP-4X6M", 80, 2), ("NFI-MATTRESS-FOAM", 100, 3)]),
    ("SCI", "DP-RDA-DUMA", [("FOOD-PARCEL-FAM5", 120, 1), ("EDU-STUDENT-KIT", 200, 3)]),
    ("MC", "DP-HAM-HAMA", [("NFI-BLANKET-HT", 150, 2), ("HYG-DIGNITY-KIT", 100, 2)]),
)


def second_round(ctx: Context, tag: str) -> dict[str, int]:
    partner = ctx.as_actor("demo-partner")
    coordinator = ctx.as_actor("demo-coordinator")
    for n, (org, point, lines) in enumerate(SECOND_ROUND, start=1):
        key = f"{tag}:request2:{n}"
        made = requests.create(partner, key=key, organisation_code=org, point=point,
                               lines=[LineInput(item=i, quantity=q, priority=p)
                                      for i, q, p in lines], submit=True,
                               note="winter top-up")
        requests.change_state(coordinator, made["request"], "approved", key=f"{key}:ok")
    planning.solve(ctx.as_actor("demo-planner"), key=f"{tag}:plan2")
    return {"requests": len(SECOND_ROUND), "plans": 1}


def _km(a, b) -> float:
    """Great-circle distance between two sites, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (float(a.lat), float(a.lon), float(b.lat),
                                                float(b.lon)))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


