"""Hostile requests to the API and pages (issue #9): hypothesis-made JSON bodies for the
main commands, file names that climb out of folders, oversized bodies, and a database that
stops answering. Every one gets a 4xx problem (or 503 for the database), never a 500,
and a refused request writes nothing."""

import json
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from aidhub.domain.errors import StorageError
from aidhub.services import accounts, reference
from aidhub.web.app import create_app
from aidhub.web.limits import ENV
from tests.helpers import signed_in
from tests.hostile.books import assert_sound, assert_untouched, snapshot
from tests.hostile.campaign import prepare_targets
from tests.integration.test_screening import UN

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _client(ctx, role="admin") -> TestClient:
    return TestClient(create_app(ctx), headers=signed_in(ctx, role),
                      raise_server_exceptions=False)


def _is_problem(response) -> bool:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    body = response.json()
    return body.get("status") == response.status_code and bool(body.get("detail"))


# hypothesis-made JSON bodies -------------------------------------------------------------
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["", "RICE", "DAM-HUB", "WFP", "2027-02-30",
                                           "1e309", "\u202e", "\x00", "' OR 1=1 --",
                                           "<script>", "../../etc/passwd", "🚚" * 50]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20)


def _line(draw):
    return {k: draw(st.one_of(json_values, v)) for k, v in {
        "item": st.sampled_from(["RICE", "TARP", "NOPE", ""]),
        "quantity": st.one_of(st.integers(-5, 10**20), st.just(10)),
        "priority": st.integers(-1, 5), "line": st.integers(-1, 3),
        "good": st.integers(-1, 10**19), "expiry": st.sampled_from(["2027-06-30", "x"]),
    }.items() if draw(st.booleans())}


@st.composite
def near_valid(draw, kind: str):
    """A body close to a valid one for ``kind``, with a few fields made hostile."""
    lines = [_line(draw) for _ in range(draw(st.integers(0, 3)))]
    base = {
        "consignment": {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP",
                        "donor": "ECHO", "lines": lines or [{"item": "RICE", "quantity": 5}]},
        "request": {"organisation": "WFP", "point": "DAM-HUB", "lines": lines},
        "waybill": {"release_order": "RO-1", "point": "DP-A", "driver": "A B",
                    "transporter": "TRANSCO", "plate": "X", "capacity_kg": "1",
                    "capacity_m3": "1"},
        "decision": {"decision": "clear", "reason": "not him"},
        "grn": {"counts": lines, "received_by": "Amal"},
    }[kind]
    for key in draw(st.lists(st.sampled_from([*sorted(base), "extra"]), max_size=3)):
        base[key] = draw(json_values)
    return base


ROUTES = {"consignment": "/api/v1/consignments", "request": "/api/v1/requests",
          "waybill": "/api/v1/waybills", "decision": "/api/v1/hits/{hit}/decision",
          "grn": "/api/v1/consignments/{number}/grns"}


@pytest.fixture
def target(hub):
    """The hub with a list loaded, one open screening hit and one cleared consignment."""
    return hub, prepare_targets(hub, UN)


@pytest.mark.parametrize("kind", sorted(ROUTES))
def test_hostile_json_bodies_get_a_problem_never_a_500(target, kind):
    ctx, ids = target
    client = _client(ctx)
    url = ROUTES[kind].format(**ids)
    seen = {"refused": 0, "accepted": 0}

    @SETTINGS
    @given(body=st.one_of(near_valid(kind), json_values))
    def check(body):
        before = snapshot(ctx)
        answer = client.post(url, content=json.dumps(body, allow_nan=True),
                             headers={"Idempotency-Key": str(uuid.uuid4()),
                                      "Content-Type": "application/json"})
        assert answer.status_code < 500, (body, answer.status_code, answer.text[:300])
        if answer.status_code >= 400:
            assert _is_problem(answer), answer.text[:300]
            seen["refused"] += 1
            assert_untouched(ctx, before, f"{kind} {body!r:.200}")
        else:
            seen["accepted"] += 1
            assert_sound(ctx)

    check()
    assert seen["refused"], seen


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe{}", b"[]" * 10000, b'{"a":' * 5000,
                                 b"[" * 100_000 + b"]" * 100_000,
                                 b"null", b'"\\ud800"', b"1e999999"])
def test_malformed_json_is_a_422_problem(hub, raw):
    client = _client(hub)
    before = snapshot(hub)
    answer = client.post("/api/v1/consignments", content=raw,
                         headers={"Idempotency-Key": "k", "Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500 and _is_problem(answer), answer.text[:200]
    assert_untouched(hub, before)


# file names and sizes --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../../tmp/aidhub-pwned", "/tmp/aidhub-pwned",
                                  "..\\..\\aidhub-pwned", "pod\x00.jpg", "\u202egpj.exe",
                                  "a" * 5000])
def test_an_upload_named_to_climb_out_of_its_folder_writes_no_file(hub, tmp_path, name):
    client = _client(hub, "dispatcher")
    client.get("/waybills")
    token = client.cookies.get("aidhub_csrf")
    before = snapshot(hub)
    answer = client.post("/waybills/WB-NONE/pod", data={
        "csrf_token": token, "key": "pod", "signer": "Amal", "seal_state": "intact"},
        files={"photo": (name, b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")})
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert_untouched(hub, before)
    for where in ("/tmp/aidhub-pwned", tmp_path / "aidhub-pwned"):
        assert not os.path.exists(where)


def test_a_body_over_the_limit_is_a_413_problem_and_downloads_still_stream(hub, monkeypatch):
    monkeypatch.setenv(ENV, "1")  # 1 MB
    client = _client(hub)
    before = snapshot(hub)
    big = {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP",
           "lines": [{"quantity": 1, "description": "x" * 2_000_000}]}
    answer = client.post("/api/v1/consignments", json=big, headers={"Idempotency-Key": "b"})
    assert answer.status_code == 413 and _is_problem(answer)
    assert "1 MB" in answer.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536

    answer = client.post("/api/v1/consignments", content=chunks(),
                         headers={"Idempotency-Key": "c", "Content-Type": "application/json"})
    assert answer.status_code == 413 and _is_problem(answer)
    page = client.post("/consignments/new", content=b"a=" + b"x" * 1_200_000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413
    assert_untouched(hub, before)
    # answers are not limited: a document larger than the limit still downloads
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    small = client.post("/api/v1/consignments", json={**big, "lines": [{"quantity": 1,
                        "item": "RICE"}]}, headers={"Idempotency-Key": "s"})
    assert small.status_code == 201, small.text


# the database stops answering ---------------------------------------------------------
def test_a_database_that_does_not_answer_is_a_503_with_retry_after(hub, monkeypatch):
    client = _client(hub)
    assert client.get("/api/v1/sites").status_code == 200

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("terminating connection due to "
                                                         "administrator command"))

    monkeypatch.setattr(reference, "list_sites", down)
    answer = client.get("/api/v1/sites")
    assert answer.status_code == 503 and _is_problem(answer), answer.text
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["type"].endswith("/database-unavailable")
    page = client.get("/")
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert page.headers["retry-after"] == "5"

    def storage(*args, **kwargs):  # as a unit of work raises it
        raise StorageError("cannot use the database at postgresql://...: connection refused")

    monkeypatch.setattr(reference, "list_sites", storage)
    for path in ("/api/v1/sites", "/"):
        answer = client.get(path)
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5", path
    monkeypatch.setattr(accounts, "token", storage)  # sign-in: the middleware, first
    answer = client.get("/api/v1/consignments")
    assert answer.status_code == 503 and _is_problem(answer), answer.text
    assert answer.headers["retry-after"] == "5"


@pytest.mark.parametrize("field", ["driver", "document_number", "vehicle", "seals"])
def test_a_nul_character_in_a_text_field_is_never_a_500(hub, field):
    client = _client(hub)
    before = snapshot(hub)
    body = {"hub": "DAM-HUB", "consignor": "WFP", "consignee": "WFP", field: "A\x00B",
            "lines": [{"item": "RICE", "quantity": 1, "description": "rice\x00"}]}
    answer = client.post("/api/v1/consignments", json=body,
                         headers={"Idempotency-Key": f"nul-{field}"})
    assert answer.status_code in (201, 400), answer.text  # PostgreSQL cannot hold NUL
    if answer.status_code == 400:
        detail = answer.json()["detail"]
        assert _is_problem(answer)
        assert "cannot be stored" in detail or "control characters" in detail, detail
        assert_untouched(hub, before)
    else:
        assert_sound(hub)
