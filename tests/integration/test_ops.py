"""The operations endpoints, on both databases: liveness, readiness (and why not), and the
Prometheus metrics with their token."""

import shutil
import uuid

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url, text, update

from aidhub.services import accounts, consignments, reference, screening, waybills
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.store import database, migrate
from aidhub.store.tables import balances
from aidhub.web.app import create_app
from tests.helpers import make_outbound_hub, signed_in, web_client
from tests.integration.test_outbound import TRUCK, picked, released

DRONES = b"""code,name_en,name_ar,suma_category,unit,hs_code
DRONE-MAP,Mapping drone (quadcopter) with camera,,logistics_administration,piece,8806.22
"""


@pytest.fixture(autouse=True)
def _private_metrics(monkeypatch):
    monkeypatch.delenv("AIDHUB_METRICS_PUBLIC", raising=False)
    monkeypatch.delenv("AIDHUB_METRICS_VERIFY_MINUTES", raising=False)


def samples(response) -> dict[tuple[str, frozenset], float]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(figures, name: str, **labels) -> float | None:
    return figures.get((name, frozenset(labels.items())))


def test_liveness_and_readiness_need_no_sign_in(ctx):
    client = TestClient(create_app(ctx))
    live = client.get("/healthz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


def test_not_ready_while_the_schema_is_behind(ctx):
    head = migrate.head_revision(ctx.engine)
    older = ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(head).down_revision
    client = TestClient(create_app(ctx))
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "reason": (
            f"the database schema is {older} and this aidhub needs {head}: run `aidhub db "
            "upgrade` (aidhub serve upgrades on start)")}
        assert client.get("/healthz").status_code == 200
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_cannot_be_reached(db_url, tmp_path, monkeypatch):
    if make_url(db_url).get_backend_name() == "sqlite":
        folder = tmp_path / "gone"
        engine = database.create(f"sqlite:///{folder / 'aidhub.sqlite3'}")
        shutil.rmtree(folder)  # made by create(); the file can no longer be opened
    else:
        missing = f"aidhub_missing_{uuid.uuid4().hex[:8]}"
        engine = database.create(make_url(db_url).set(database=missing)
                                 .render_as_string(hide_password=False))
    try:
        client = TestClient(create_app(Context(engine)))
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert ready.json()["reason"].startswith("the database does not answer: ")
        # metrics still answer (for Prometheus), saying the database is down
        monkeypatch.setenv("AIDHUB_METRICS_PUBLIC", "1")
        figures = samples(client.get("/metrics"))
        assert value(figures, "aidhub_database_up") == 0
    finally:
        engine.dispose()


def test_metrics_need_an_admin_token_unless_made_public(ctx, monkeypatch):
    make_outbound_hub(ctx)
    client = TestClient(create_app(ctx))
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert "admin scope" in anonymous.text
    assert client.get("/metrics", headers={"Authorization": "Bearer ahk_nonsense"}
                      ).status_code == 401
    reception = client.get("/metrics", headers=signed_in(ctx, "reception"))
    assert reception.status_code == 403 and "no admin scope" in reception.text
    signed_in(ctx, "admin")  # the admin user, with a token of every scope ...
    narrow = accounts.new_token(ctx, "admin", "read only", scopes=["read"],
                                key="narrow")["token"]  # ... and one that only reads
    assert client.get("/metrics", headers={"Authorization": f"Bearer {narrow}"}
                      ).status_code == 403
    samples(client.get("/metrics", headers=signed_in(ctx, "admin")))
    monkeypatch.setenv("AIDHUB_METRICS_PUBLIC", "1")
    samples(client.get("/metrics"))


def test_request_latency_is_counted_by_route_template_method_and_status(ctx):
    make_outbound_hub(ctx)
    client = web_client(ctx, "admin")
    before = samples(client.get("/metrics"))
    name = "aidhub_http_request_duration_seconds_count"
    for _ in range(3):
        client.get("/healthz")
    client.get("/api/v1/consignments/DAM-HUB-IN-2026-99999")
    client.get("/api/v1/stock", headers={"Authorization": ""})  # refused: counted too
    after = samples(client.get("/metrics"))

    def grew(**labels) -> float:
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert grew(route="/healthz", method="GET", status="200") == 3
    assert grew(route="/api/v1/consignments/{number}", method="GET", status="404") == 1
    assert grew(route="/api/v1/stock", method="GET", status="401") == 1
    assert value(after, name, route="/metrics", method="GET", status="200") >= 1
    assert value(after, "aidhub_http_request_duration_seconds_bucket", route="/healthz",
                 method="GET", status="200", le="+Inf") >= 3


def test_the_backlog_figures_are_the_open_work(ctx):
    make_outbound_hub(ctx)
    reference.add_location(ctx, key="recv", site_code="DAM-HUB", code="RECV", kind="zone")
    reference.import_catalog(ctx, DRONES, key="drones")
    for n in range(2):  # two consignments held by a goods hit each, one still expected
        advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(2, item="DRONE-MAP"),
                                                     AdviceLine(10, item="TARP")])
        number = consignments.register_preadvice(ctx, advice, key=f"pa{n}")["number"]
        for step, state in enumerate(["arrived", "screening"]):
            consignments.change_state(ctx, number, state, key=f"s{n}-{step}")
    consignments.register_preadvice(ctx, PreAdvice("DAM-HUB", "WFP", "WFP", [
        AdviceLine(5, item="TARP")]), key="pa-expected")
    _, ro = released(ctx, 100)
    picked(ctx, ro)
    wb = waybills.issue(ctx.as_actor("dispatcher"), ro, "DP-A", key="wb", vehicle=TRUCK,
                        driver="Khaled Haddad", transporter="TRANSCO")["waybill"]
    waybills.dispatch(ctx.as_actor("dispatcher"), wb, key="go")

    figures = samples(web_client(ctx, "admin").get("/metrics"))
    open_hits = screening.list_hits(ctx, state="open")
    assert len(open_hits) == 2
    assert value(figures, "aidhub_database_up") == 1
    assert value(figures, "aidhub_screening_backlog") == len(open_hits)
    assert value(figures, "aidhub_consignments_waiting", stage="in_screening") == 2
    assert value(figures, "aidhub_consignments_waiting", stage="expected") == 1
    assert value(figures, "aidhub_consignments_waiting", stage="receiving") == 0
    assert value(figures, "aidhub_vehicles_on_the_road") == 1


def test_the_ledger_is_verified_in_the_background_and_a_difference_shows(ctx, monkeypatch):
    make_outbound_hub(ctx)
    client = web_client(ctx, "admin")
    first = samples(client.get("/metrics"))  # starts the verification, does not wait
    assert value(first, "aidhub_ledger_verify_running") in (0, 1)
    ops = client.app.state.ops
    assert ops.ledger.wait(60)
    figures = samples(client.get("/metrics"))
    assert value(figures, "aidhub_ledger_verify_ok") == 1
    assert value(figures, "aidhub_ledger_verify_differences") == 0
    with ctx.uow() as uow:
        assert value(figures, "aidhub_ledger_movements") == uow.ledger.count_movements()
    finished = value(figures, "aidhub_ledger_verify_timestamp_seconds")
    assert finished > 0
    samples(client.get("/metrics"))  # within the interval: no new verification
    assert not ops.ledger.running and ops.ledger.last.finished == finished

    with ctx.engine.begin() as conn:  # someone edits a balance behind the ledger's back
        conn.execute(update(balances).where(balances.c.quantity == 100).values(quantity=99))
    monkeypatch.setenv("AIDHUB_METRICS_VERIFY_MINUTES", "0.0001")
    client = web_client(ctx, "admin")
    samples(client.get("/metrics"))
    assert client.app.state.ops.ledger.wait(60)
    figures = samples(client.get("/metrics"))
    assert value(figures, "aidhub_ledger_verify_ok") == 0
    assert value(figures, "aidhub_ledger_verify_differences") == 1


def test_ledger_verification_for_metrics_can_be_turned_off(ctx, monkeypatch):
    monkeypatch.setenv("AIDHUB_METRICS_VERIFY_MINUTES", "0")
    client = web_client(ctx, "admin")
    figures = samples(client.get("/metrics"))
    assert value(figures, "aidhub_ledger_verify_running") == 0
    assert value(figures, "aidhub_ledger_verify_ok") is None
    assert client.app.state.ops.ledger.last is None
