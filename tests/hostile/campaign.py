"""Hostile inputs, counted (issue #9): bench/reliability.py runs this on a fresh database
to report how many hostile inputs were tried and how many got a 5xx (or, outside HTTP, an
error other than InvalidInput) or left a partial write: both must be 0. The inputs are the
ones of the tests in this folder (the same hypothesis strategies, more examples)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidhub.domain.errors import InvalidInput
from aidhub.planning import load_problem
from aidhub.screening.lists import load_list as parse_list
from aidhub.services import channels, consignments, preadvice, reference, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.web.app import create_app
from tests import helpers
from tests.hostile import books


def make_inbound_hub(ctx: Context) -> None:
    """The inbound test hub (as tests/integration/test_inbound.py's ``hub`` fixture)."""
    helpers.make_hub(ctx)
    reference.add_location(ctx, key="recv", site_code="DAM-HUB", code="RECV", kind="zone")
    reference.add_site(ctx, key="poe", code="JDEIDET-YABOUS", name="Jdeidet Yabous crossing",
                       kind="point_of_entry", pcode="SY03")
    channels.add_channel(ctx, key="ch", code="LB-ROAD", name="Beirut by road", mode="road",
                         route="commercial", provider_type="un_agency")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")


def prepare_targets(ctx: Context, un_list: bytes) -> dict[str, str]:
    """A list loaded, one open screening hit and one cleared consignment to aim at."""
    screening.load_list(ctx, un_list, key="un")
    held = consignments.register_preadvice(ctx, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
        driver="Abu Mohamad al-Golani"), key="held")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(ctx, held, state, key=f"h{n}")
    (hit,) = [h for h in screening.list_hits(ctx, state="open") if h.kind == "party"]
    number = consignments.register_preadvice(ctx, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="RICE", batch="B", expiry="2028-01-31")],
        donor="ECHO"), key="ok")["number"]
    for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
        consignments.change_state(ctx, number, state, key=f"c{n}")
    return {"hit": hit.id, "number": number}


class Tally:
    def __init__(self) -> None:
        self.by_family: dict[str, Counter] = {}
        self.examples: list[str] = []

    def add(self, family: str, outcome: str, what: str = "") -> None:
        self.by_family.setdefault(family, Counter())[outcome] += 1
        if outcome in ("5xx", "unexpected", "partial_write") and len(self.examples) < 20:
            self.examples.append(f"{family}: {outcome}: {what[:200]}")

    def as_json(self) -> dict[str, Any]:
        total = Counter()
        for counts in self.by_family.values():
            total.update(counts)
        return {
            "hostile_inputs_tried": sum(total.values()),
            "answered_5xx_or_unexpected_error": total["5xx"] + total["unexpected"],
            "partial_writes": total["partial_write"],
            "by_family": {k: dict(v) for k, v in sorted(self.by_family.items())},
            "failures": self.examples,
        }


def _quiet(n: int):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def run(ctx: Context, *, examples: int = 60) -> dict[str, Any]:
    """Every family of hostile input against ``ctx`` (an empty, migrated database)."""
    from tests.hostile import test_bombs, test_http, test_packing_lists, test_problem_files
    from tests.integration.test_screening import UN

    make_inbound_hub(ctx)
    ids = prepare_targets(ctx, UN)
    tally = Tally()
    header = PreAdvice("DAM-HUB", "WFP", "WFP", [], donor="ECHO")
    n = {"i": 0}

    def service(family: str, call, what: str) -> None:
        before = books.snapshot(ctx)
        try:
            call()
        except InvalidInput:
            after = books.snapshot(ctx)
            tally.add(family, "partial_write" if books.changed(before, after) else "refused",
                      what)
        except Exception as exc:
            tally.add(family, "unexpected", f"{what}: {type(exc).__name__}: {exc}")
        else:
            tally.add(family, "accepted")

    @_quiet(examples)
    @given(data=test_packing_lists.files)
    def packing_lists(data):
        n["i"] += 1
        service("packing_list", lambda: preadvice.import_file(
            ctx, data, header, key=f"hostile-{n['i']}", force=True), repr(data[:80]))

    @_quiet(examples * 3)
    @given(data=test_problem_files.files)
    def problem_files(data):
        service("planner_problem_file", lambda: load_problem(data), repr(data[:80]))

    packing_lists()
    problem_files()
    for label, data in (("zip_bomb_300MB", test_bombs._with_sheet(300)),
                        ("zip_bomb_ratio", test_bombs._with_sheet(20))):
        service("zip_bomb_xlsx", lambda d=data: preadvice.preview(ctx, d), label)
    for fmt, root in test_bombs.ROOTS:
        for attack in (test_bombs.LAUGHS, test_bombs.EXTERNAL):
            data = attack.replace(b"ROOT", root.encode())
            service("xml_bomb", lambda d=data, f=fmt: parse_list(d, f), f"{fmt} {root}")

    client = TestClient(create_app(ctx), headers=helpers.signed_in(ctx, "admin"),
                        raise_server_exceptions=False)

    def http(family: str, send, what: str, *, expect_4xx: bool = False) -> None:
        before = books.snapshot(ctx)
        try:
            answer = send()
        except Exception as exc:
            tally.add(family, "unexpected", f"{what}: {type(exc).__name__}: {exc}")
            return
        if answer.status_code >= 500:
            tally.add(family, "5xx", f"{what}: {answer.status_code} {answer.text[:150]}")
        elif answer.status_code >= 400:
            changed = books.changed(before, books.snapshot(ctx))
            tally.add(family, "partial_write" if changed else "refused", what)
        else:
            tally.add(family, "unexpected" if expect_4xx else "accepted", what)

    def api_family(kind: str, url: str):
        @_quiet(examples)
        @given(body=st.one_of(test_http.near_valid(kind), test_http.json_values))
        def bodies(body):
            http(f"api_json_{kind}", lambda: client.post(
                url, content=json.dumps(body, allow_nan=True),
                headers={"Idempotency-Key": str(uuid.uuid4()),
                         "Content-Type": "application/json"}), repr(body))

        return bodies

    for kind, route in sorted(test_http.ROUTES.items()):
        api_family(kind, route.format(**ids))()
    big = b"x" * (21 * 1024 * 1024)
    http("oversized_body", lambda: client.post("/api/v1/consignments", content=big, headers={
        "Idempotency-Key": "big", "Content-Type": "application/json"}), "21 MB",
         expect_4xx=True)
    client.get("/waybills")
    token = client.cookies.get("aidhub_csrf")
    for name in ("../../../tmp/aidhub-pwned", "/etc/passwd", "..\\..\\x", "a\x00.jpg"):
        http("upload_file_name", lambda nm=name: client.post(
            "/waybills/WB-NONE/pod", data={"csrf_token": token, "key": "p", "signer": "A",
                                           "seal_state": "intact"},
            files={"photo": (nm, b"\xff\xd8\xff", "image/jpeg")}), repr(name),
             expect_4xx=True)
    try:
        books.assert_sound(ctx)
    except AssertionError as exc:
        tally.add("books", "partial_write", f"the books do not verify: {exc}")
    return tally.as_json()
