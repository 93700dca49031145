"""The authorisation matrix: every endpoint and page, for every role and for someone not
signed in, is allowed or refused as the table below says. A new endpoint without a row
fails the first test, so nothing is added without deciding who may use it.

A row names what a route needs: ``public`` (no sign-in), ``node`` (a site node's own
token: no person, whatever their roles), ``signed-in`` (anyone signed in), ``staff``
(hub staff, coordinators and admins: not partners or donors),
``everything`` (admins and coordinators, e.g. the map of every site's figures), or a
permission of aidhub.domain.access (every route also needs ``read``). Refused means 403
for a signed-in user and 401 (API) or a redirect to the sign-in page (pages) for
someone who is not; allowed means anything else (an unknown number gives 404, a bad body
400 or 422: the door let the request in). Hidden objects of another organisation
answering 404 are proven in test_web_auth.py.
"""

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from aidhub.domain.access import ORGANISATION_ROLES, PERMISSIONS, Permission, Role
from aidhub.web.app import create_app
from tests.helpers import make_hub, signed_in

MATRIX = {
    "GET /healthz": "public", "GET /readyz": "public", "GET /metrics": "admin",
    "GET /sign-in": "public", "POST /sign-in": "public", "POST /sign-out": "signed-in",
    "POST /preferences": "public",  # the language of the sign-in page, too
    "GET /api/v1/health": "public",
    "GET /": "read", "GET /dashboard": "read", "GET /api/v1/sites": "read",
    "GET /api/v1/stock": "read", "GET /api/v1/movements": "read",
    "GET /api/v1/stock/card": "read", "GET /stock": "read", "GET /stock/card": "read",
    "GET /stock/card.pdf": "read",
    # inbound
    "POST /api/v1/consignments": "consignments", "GET /api/v1/consignments": "read",
    "GET /api/v1/consignments/{number}": "read",
    "POST /api/v1/consignments/{number}/state": "consignments",
    "POST /api/v1/consignments/{number}/arrival": "consignments",
    "POST /api/v1/consignments/{number}/grns": "receive",
    "GET /api/v1/grns/{number}.pdf": "read", "GET /api/v1/grns/{number}/labels.pdf": "staff",
    "GET /api/v1/units/{scan}": "staff", "GET /api/v1/pipeline": "read",
    "GET /consignments": "read", "GET /consignments/new": "staff",
    "POST /consignments/new": "consignments", "GET /consignments/{number}": "read",
    "GET /consignments/import": "staff", "POST /consignments/import": "consignments",
    "POST /consignments/{number}/state": "consignments",
    "POST /consignments/{number}/arrival": "consignments",
    "POST /consignments/{number}/receive": "receive", "GET /grns/{number}": "read",
    "POST /grns/{number}/lines/{line_no}/triage": "receive", "GET /putaway": "staff",
    "POST /putaway": "receive", "POST /api/v1/consignments/import": "consignments",
    "GET /api/v1/grns/{number}": "read",
    "POST /api/v1/grns/{number}/lines/{line_no}/triage": "receive",
    "POST /api/v1/units/{scan}/putaway": "receive",
    # screening
    "GET /api/v1/hits": "screen", "GET /api/v1/hits/{hit_id}": "screen",
    "POST /api/v1/hits/{hit_id}/decision": "screen", "POST /api/v1/screen": "screen",
    "GET /hits": "screen", "GET /hits/{hit_id}": "screen",
    "POST /hits/{hit_id}/decision": "screen",
    # requests and plans
    "GET /api/v1/requests": "read", "GET /api/v1/requests/{number}": "read",
    "POST /api/v1/requests": "request", "POST /api/v1/requests/{number}/state": "request",
    "GET /api/v1/routes": "staff", "PUT /api/v1/routes": "plan",
    "GET /api/v1/planning/problem": "staff", "GET /api/v1/plans": "staff",
    "POST /api/v1/plans": "plan", "GET /api/v1/plans/{number}": "staff",
    "POST /api/v1/plans/{number}/approve": "approve_plans",
    "POST /api/v1/plans/{number}/discard": "plan",
    "GET /api/v1/release-orders": "staff", "GET /api/v1/release-orders/{number}": "staff",
    "POST /api/v1/release-orders/{number}/state": "release",
    "GET /api/v1/release-orders/{number}/pdf": "staff",
    "GET /requests": "read", "GET /plans": "staff", "POST /plans": "plan",
    "GET /plans/{number}": "staff", "POST /plans/{number}/approve": "approve_plans",
    "POST /plans/{number}/discard": "plan", "GET /release-orders/{number}": "staff",
    "GET /requests/new": "request", "POST /requests": "request",
    "GET /requests/{number}": "read", "POST /requests/{number}/state": "request",
    "POST /release-orders/{number}/state": "release",
    "POST /release-orders/{number}/load-proposal": "dispatch",
    "POST /release-orders/{number}/waybills": "dispatch",
    # outbound
    "POST /api/v1/release-orders/{number}/pick-lists": "pick",
    "GET /api/v1/pick-lists/{number}": "staff",
    "POST /api/v1/pick-lists/{number}/lines/{line_no}/pick": "pick",
    "GET /api/v1/pick-lists/{number}/pdf": "staff",
    "POST /api/v1/release-orders/{number}/load-proposal": "dispatch",
    "POST /api/v1/waybills": "dispatch", "GET /api/v1/waybills/{number}": "read",
    "GET /api/v1/waybills/{number}/pdf": "read",
    "POST /api/v1/waybills/{number}/dispatch": "dispatch",
    "POST /api/v1/waybills/{number}/events": "dispatch",
    "POST /api/v1/waybills/{number}/cancel": "dispatch",
    "POST /api/v1/waybills/{number}/pod": "deliver", "POST /api/v1/convoys": "dispatch",
    "GET /api/v1/convoys": "staff", "GET /api/v1/convoys/{number}": "staff",
    "GET /api/v1/board": "staff", "GET /api/v1/loss-reports": "staff",
    "POST /api/v1/loss-reports/{number}/review": "review_losses",
    "GET /api/v1/loss-reports/{number}/pdf": "staff",
    "POST /api/v1/transfers": "release", "POST /api/v1/waybills/{number}/returns": "deliver",
    "GET /board": "staff", "GET /pick-lists/new": "staff", "POST /pick-lists": "pick",
    "GET /pick-lists/{number}": "staff",
    "POST /pick-lists/{number}/lines/{line_no}/pick": "pick",
    "GET /waybills/{number}": "read", "POST /waybills/{number}/dispatch": "dispatch",
    "POST /waybills/{number}/events": "dispatch", "POST /waybills/{number}/cancel": "dispatch",
    "POST /waybills/{number}/pod": "deliver", "GET /loss-reports": "staff",
    "POST /loss-reports/{number}/review": "review_losses",
    "GET /convoys": "staff", "POST /convoys": "dispatch",
    # administration
    "GET /admin/users": "admin", "POST /admin/users": "admin",
    "GET /admin/users/{username}": "admin", "POST /admin/users/{username}/grants": "admin",
    "POST /admin/users/{username}/grants/revoke": "admin",
    "POST /admin/users/{username}/password": "admin",
    "POST /admin/users/{username}/unlock": "admin",
    "POST /admin/users/{username}/active": "admin", "GET /admin/tokens": "admin",
    "POST /admin/tokens": "admin", "POST /admin/tokens/{token_id}/revoke": "admin",
    "GET /admin/organisations": "admin", "POST /admin/organisations": "admin",
    # reports and exports (what each may see within them: test_reports_web.py)
    "GET /reports": "report", "POST /reports/donor": "report", "POST /reports/hub": "report",
    "POST /reports/map": "everything", "GET /reports/exports/{name}": "report",
    "GET /reports/{report_id}": "report", "POST /api/v1/reports": "report",
    "GET /api/v1/reports": "report", "GET /api/v1/reports/{report_id}": "report",
    "GET /api/v1/reports/{report_id}/file": "report", "GET /api/v1/exports/{name}": "report",
    # site nodes (their own token: every person is refused) and who watches them
    "GET /api/v1/sync/hello": "node", "POST /api/v1/sync/batches": "node",
    "GET /api/v1/sync/changes": "node", "GET /api/v1/sync/snapshot": "node",
    "POST /api/v1/sync/pulled": "node", "GET /api/v1/nodes": "sync",
    "GET /api/v1/conflicts": "sync", "POST /api/v1/conflicts/{conflict_id}/resolve": "sync",
    "GET /nodes": "sync", "POST /conflicts/{conflict_id}/resolve": "sync",
    "POST /node/sync": "staff",
}
IGNORED = {"GET /api/v1/openapi.json"}  # the document itself, public by design


def routes(app) -> list[tuple[str, APIRoute]]:
    """Every route of the app as 'METHOD /path' (routers included)."""
    out = []

    def walk(items):
        for r in items:
            if hasattr(r, "original_router"):  # a router included in the app
                walk(r.original_router.routes)
            elif isinstance(r, APIRoute):
                out.extend((f"{m} {r.path}", r) for m in sorted(r.methods - {"HEAD"}))
            elif getattr(r, "routes", None) and not r.path.startswith("/static"):
                walk(r.routes)

    walk(app.routes)
    return out


def allowed(rule: str, role: Role | None) -> bool:
    if rule == "node":  # a site node's token, never a person's
        return False
    if rule == "public":
        return True
    if role is None:
        return False
    if rule == "signed-in":
        return True
    if rule == "staff":
        return role not in ORGANISATION_ROLES
    if rule == "everything":  # admins and coordinators, who see every hub and organisation
        return role in (Role.ADMIN, Role.COORDINATOR)
    return Permission(rule) in PERMISSIONS[role]


@pytest.fixture
def world(ctx):
    make_hub(ctx)
    people = {role: signed_in(ctx, role.value, username=f"m-{role.value}")
              for role in Role}
    return create_app(ctx), people


def test_every_route_has_a_row_in_the_matrix(world):
    app, _ = world
    found = {name for name, _ in routes(app)} - IGNORED
    assert found - set(MATRIX) == set(), "add these routes to MATRIX"
    assert set(MATRIX) - found == set(), "these rows name routes that no longer exist"


def _call(client: TestClient, name: str, headers: dict[str, str]):
    method, path = name.split(" ", 1)
    url = re.sub(r"\{line_no\}", "1", re.sub(r"\{[a-z_]+\}", "NOPE-1", path))
    headers = {**headers, "Idempotency-Key": f"matrix-{name}"}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    if url.startswith("/api/"):
        return client.request(method, url, json={}, headers=headers, follow_redirects=False)
    token = client.cookies.get("aidhub_csrf")
    return client.request(method, url, data={"csrf_token": token, "key": name},
                          headers=headers, follow_redirects=False)


def test_each_role_is_let_in_or_refused_as_the_matrix_says(world):
    app, people = world
    client = TestClient(app)
    client.get("/sign-in")  # the CSRF cookie forms are checked against
    wrong = []
    for name, _ in routes(app):
        if name in IGNORED or name == "POST /sign-out":
            continue
        rule = MATRIX[name]
        for role in [None, *Role]:
            response = _call(client, name, people[role] if role else {})
            refused = response.status_code in (401, 403) or (
                role is None and response.status_code == 303
                and response.headers.get("location", "").startswith("/sign-in"))
            if name == "POST /sign-in":  # answers 401 to a bad password, by design
                refused = response.status_code == 403
            if refused == allowed(rule, role):
                wrong.append(f"{name} as {role.value if role else 'nobody'}: "
                             f"{response.status_code} (rule: {rule})")
    assert wrong == [], "\n".join(wrong)
