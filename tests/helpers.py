"""A small hub to test against, built through the services like a user would."""

import contextlib
import datetime as dt
import uuid

from aidhub.domain.errors import AlreadyExists
from aidhub.services import movements, reference, requests
from aidhub.services.context import Context
from aidhub.services.movements import LineRequest, MovementRequest

# The day the run started. Tests about "today's" figures (reports, exports, expiry bands)
# use the `midday` fixture, which holds the clock at this day's noon, so a run that crosses
# midnight does not put the data on one day and the period asked for on the other.
TODAY = dt.datetime.now(dt.UTC).date()

CATALOG = b"""code,name_en,name_ar,suma_category,unit,weight_kg,volume_m3,shelf_life,cold_chain
RICE,"Rice, 25 kg bag",\xd8\xa3\xd8\xb1\xd8\xb2,food_drink,bag,25.1,0.035,yes,no
TARP,"Tarpaulin, 4 x 6 m",,shelter_construction,piece,4.2,0.01,no,no
PARA,Paracetamol 500 mg x1000,,pharmaceutical,box,1.1,0.002,yes,no
"""


def make_hub(ctx: Context) -> None:
    reference.add_organisation(ctx, key="org-wfp", code="WFP", name="World Food Programme",
                               type="un_agency")
    reference.add_organisation(ctx, key="org-echo", code="ECHO", name="European Commission "
                               "humanitarian aid (ECHO)", type="government")
    reference.add_site(ctx, key="site-dam", code="DAM-HUB", name="Damascus hub", kind="hub",
                       pcode="SY01", lat="33.51", lon="36.29", operator="WFP")
    reference.add_site(ctx, key="site-alp", code="ALP-HUB", name="Aleppo hub", kind="hub",
                       pcode="SY02", operator="WFP")
    for site in ("DAM-HUB", "ALP-HUB"):
        for code in ("A-01", "A-02"):
            reference.add_location(ctx, key=f"loc-{site}-{code}", site_code=site, code=code,
                                   kind="bin")
    reference.import_catalog(ctx, CATALOG, key="catalog")


def receive(ctx: Context, item: str, qty, *, key: str, to: str = "DAM-HUB/A-01",
            batch: str | None = "B1", expiry: str | None = "2027-06-30",
            owner: str | None = "ECHO"):
    return movements.post_movement(ctx, MovementRequest(
        "receipt", [LineRequest(item, qty, to.split("/")[0] + "/EXTERNAL", to, batch, expiry,
                                owner)], key))


def move(ctx: Context, kind: str, item: str, qty, source: str, destination: str, *,
         key: str, batch: str | None = "B1", owner: str | None = "ECHO"):
    return movements.post_movement(ctx, MovementRequest(
        kind, [LineRequest(item, qty, source, destination, batch, None, owner)], key))


def make_planning_hub(ctx: Context) -> None:
    """The small hub, a partner, three distribution points (DP-C has no route), routes
    from DAM-HUB and a closed one from ALP-HUB, and 160 bags of rice at DAM-HUB in two
    lots (B2 expires first) with 500 more at ALP-HUB."""
    make_hub(ctx)
    reference.add_organisation(ctx, key="org-sarc", code="SARC", name="Syrian Arab Red "
                               "Crescent", type="ngo")
    for code, pop in (("DP-A", 1000), ("DP-B", 1000), ("DP-C", 500)):
        reference.add_site(ctx, key=f"site-{code}", code=code, name=f"Point {code}",
                           kind="distribution_point", pcode="SY0200", population=pop)
    requests.set_route(ctx, "DAM-HUB", "DP-A", key="r1", cost_per_kg="0.05", lead_days=1)
    requests.set_route(ctx, "DAM-HUB", "DP-B", key="r2", cost_per_kg="0.08", lead_days=2)
    requests.set_route(ctx, "ALP-HUB", "DP-B", key="r3", cost_per_kg="0.01", lead_days=1,
                       open=False, note="crossing closed")
    receive(ctx, "RICE", 100, key="rcv1", batch="B1", expiry="2027-06-30", owner="ECHO")
    receive(ctx, "RICE", 60, key="rcv2", to="DAM-HUB/A-02", batch="B2",
            expiry="2027-03-31", owner="WFP")
    receive(ctx, "RICE", 500, key="rcv3", to="ALP-HUB/A-01", batch="B3",
            expiry="2027-03-31", owner="WFP")


def make_outbound_hub(ctx: Context) -> None:
    """The planning hub with a staging area at DAM-HUB and a transporter, TRANSCO."""
    make_planning_hub(ctx)
    reference.add_location(ctx, key="stage", site_code="DAM-HUB", code="STAGE",
                           kind="staging")
    reference.add_organisation(ctx, key="org-dhl", code="TRANSCO", name="Transco Trucking",
                               type="private")


def signed_in(ctx: Context, role: str = "admin", *, username: str | None = None,
              organisation: str = "WFP", hub: str | None = None) -> dict[str, str]:
    """Headers of a user holding ``role`` for ``organisation`` (made on first use, named
    after the role unless ``username`` is given), with an API token for all the role's
    permissions."""
    from aidhub.domain.access import PERMISSIONS, Role
    from aidhub.services import accounts

    name = username or role.replace("_", "-")
    if not any(o.code == organisation for o in reference.list_organisations(ctx)):
        reference.add_organisation(ctx, key=f"test-org-{organisation}", code=organisation,
                                   name=organisation, type="un_agency")
    if name not in {u.username for u in accounts.list_users(ctx)}:
        accounts.add_user(ctx, name, name=name.title(), password="a test passphrase",
                          key=f"test-user-{name}")
    with contextlib.suppress(AlreadyExists):
        accounts.grant(ctx, name, role, organisation, hub=hub,
                       key=f"test-grant-{name}-{role}-{organisation}-{hub}")
    scopes = sorted(p.value for p in PERMISSIONS[Role(role)])
    token = accounts.new_token(ctx, name, "tests", scopes=scopes,
                               key=f"test-token-{uuid.uuid4()}")["token"]
    return {"Authorization": f"Bearer {token}"}


def web_client(ctx: Context, role: str = "admin", **kw):
    """A test client of the web app, signed in as a user holding ``role``."""
    from fastapi.testclient import TestClient

    from aidhub.web.app import create_app

    return TestClient(create_app(ctx), headers=signed_in(ctx, role, **kw))


ROLE_OF = {"partner": ("partner", "SARC"), "coordinator": ("coordinator", "WFP"),
           "planner": ("coordinator", "WFP"), "manager": ("hub_manager", "WFP"),
           "hub manager": ("hub_manager", "WFP"), "picker": ("warehouse", "WFP"),
           "dispatcher": ("dispatcher", "WFP"), "receiver": ("dispatcher", "WFP"),
           "screener": ("screening", "WFP"), "donor": ("donor", "ECHO")}
def as_user(client, who: str) -> dict[str, str]:
    """Headers signing a request in as the person ``who`` of a test (their role from
    ROLE_OF, else an admin), made on first use for this client."""
    known = client.__dict__.setdefault("aidhub_people", {})
    if who not in known:
        role, organisation = ROLE_OF.get(who, ("admin", "WFP"))
        known[who] = signed_in(client.app.state.ctx, role, username=who.replace(" ", "-"),
                               organisation=organisation)
    return known[who]


def post_form(client, url: str, **fields):
    """A form posted as the browser posts it: with the CSRF token of the client's cookie,
    the redirect not followed."""
    return client.post(url, data={"csrf_token": client.cookies.get("aidhub_csrf"), **fields},
                       follow_redirects=False)


def audit_trail(ctx: Context) -> list[tuple[str, str, str]]:
    """(actor, action, subject) of every audit record, oldest first."""
    with ctx.uow() as uow:
        return [(r.actor, r.action, r.subject) for r in uow.audit.records()]
