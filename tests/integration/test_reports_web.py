"""Reports and exports from the web page and the API, on both databases: who may make
and see which report (a donor only its own; hub managers their hubs; coordinators and
admins everything; roles without the report permission nothing), a donor asking for
another donor's stored report getting 404, a reversed period answered next to its field
with the input kept, an empty period said so, the files opening (PDF, XLSX right to left
in Arabic), exports limited to what the caller sees, idempotent API retries, and a
read-only database making the file but saying it was not recorded."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from aidhub.cli.app import app as cli
from aidhub.services import reference, report_store
from aidhub.web.app import create_app
from tests.helpers import TODAY, make_hub, receive, signed_in

pytestmark = pytest.mark.usefixtures("midday")
WEEK_AGO = TODAY - dt.timedelta(days=6)
LONG_AGO = (dt.date(2020, 1, 1), dt.date(2020, 1, 31))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(ctx):
    """Two hubs run by WFP; ECHO's rice at DAM-HUB and WFP's at ALP-HUB; a second
    donor (DFID) and a partner (SARC) with nothing; one user per role."""
    make_hub(ctx)
    reference.add_organisation(ctx, key="org-dfid", code="DFID", name="UK aid",
                               type="government")
    reference.add_organisation(ctx, key="org-sarc", code="SARC", name="Syrian Arab Red "
                               "Crescent", type="ngo")
    receive(ctx, "RICE", 40, key="r-echo", owner="ECHO")
    receive(ctx, "RICE", 25, key="r-wfp", to="ALP-HUB/A-01", owner="WFP")
    people = {
        "admin": signed_in(ctx, "admin", username="r-admin"),
        "coordinator": signed_in(ctx, "coordinator", username="r-coord"),
        "manager": signed_in(ctx, "hub_manager", username="r-manager", hub="DAM-HUB"),
        "reception": signed_in(ctx, "reception", username="r-reception"),
        "donor": signed_in(ctx, "donor", username="r-echo", organisation="ECHO"),
        "other donor": signed_in(ctx, "donor", username="r-dfid", organisation="DFID"),
        "partner": signed_in(ctx, "partner", username="r-sarc", organisation="SARC"),
    }
    client = TestClient(create_app(ctx))
    client.get("/sign-in")  # the CSRF cookie
    return client, people


def _form(client, path, who, **data):
    return client.post(path, data={"csrf_token": client.cookies.get("aidhub_csrf"),
                                   **data}, headers=who, follow_redirects=False)


def _donor(client, who, donor="ECHO", start=WEEK_AGO, end=TODAY, **more):
    return _form(client, "/reports/donor", who, donor=donor, **{"from": str(start)},
                 to=str(end), **more)


def _made(response) -> str:
    assert response.status_code == 303, response.text[:2000]
    found = re.search(r"made=([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _api(client, who, kind, key, **parameters):
    return client.post("/api/v1/reports", json={"kind": kind, "parameters": parameters},
                       headers={**who, "Idempotency-Key": key})


# who may make and see what -------------------------------------------------------------
def test_each_role_makes_and_sees_only_the_reports_of_its_scope(world):
    client, people = world
    admin, manager, donor = people["admin"], people["manager"], people["donor"]
    page = client.get("/reports", headers=admin)
    assert page.status_code == 200
    assert 'id="donor-form"' in page.text and 'id="map-form"' in page.text
    echo = _made(_donor(client, donor))  # a donor: its own report
    hub = _made(_form(client, "/reports/hub", manager, hub="DAM-HUB", period="week",
                      **{"from": str(WEEK_AGO)}))
    site_map = _made(_form(client, "/reports/map", people["coordinator"], format="svg"))

    # a donor sees its own report only; it may not make the map or a hub report
    page = client.get("/reports", headers=donor).text
    assert echo in page and hub not in page and site_map not in page
    assert 'id="hub-form"' not in page and 'id="map-form"' not in page
    assert ">WFP ·" not in page.split('id="donor-form"')[1].split("</form>")[0]
    assert _form(client, "/reports/hub", donor, hub="DAM-HUB", period="week",
                 **{"from": str(WEEK_AGO)}).status_code == 404
    assert _form(client, "/reports/map", donor).status_code == 403
    assert _donor(client, donor, donor="WFP").status_code == 404  # another organisation

    # the hub manager of DAM-HUB: its hub's reports, not ALP-HUB's, no donor report
    page = client.get("/reports", headers=manager).text
    assert hub in page and echo not in page and site_map not in page
    assert 'id="donor-form"' not in page
    refused = _form(client, "/reports/hub", manager, hub="ALP-HUB", period="week",
                    **{"from": str(WEEK_AGO)})
    assert refused.status_code == 404 and "no hub with code &#39;ALP-HUB&#39;" in refused.text
    refused = _donor(client, manager)  # no donor form for it: the message at the top
    assert refused.status_code == 404 and 'class="problem"' in refused.text
    assert "no donor ECHO" in unescape(refused.text)

    # coordinators and admins see everything; reception has no report permission
    for who in ("admin", "coordinator"):
        page = client.get("/reports", headers=people[who]).text
        assert echo in page and hub in page and site_map in page
    assert client.get("/reports", headers=people["reception"]).status_code == 403
    assert client.get(f"/reports/{echo}", headers=people["reception"]).status_code == 403
    assert _donor(client, people["reception"]).status_code == 403

    # a partner: a report of its own organisation's goods (none: empty), not ECHO's
    assert _donor(client, people["partner"]).status_code == 404
    assert "empty=1" in _donor(client, people["partner"], donor="SARC").headers["location"]
    assert "/reports" in client.get("/", headers=people["partner"]).text  # in the nav
    assert 'href="/reports"' not in client.get("/", headers=people["reception"]).text


def test_a_donor_cannot_get_another_donors_report(world):
    client, people = world
    echo = _made(_donor(client, people["donor"], format="xlsx"))
    other = people["other donor"]
    assert client.get(f"/reports/{echo}", headers=other).status_code == 404
    assert client.get(f"/reports/{echo}", headers=people["manager"]).status_code == 404
    assert client.get(f"/reports/{echo}", headers=people["donor"]).status_code == 200
    assert client.get("/reports/not-a-uuid", headers=other).status_code == 404
    for path in (f"/api/v1/reports/{echo}", f"/api/v1/reports/{echo}/file"):
        answer = client.get(path, headers=other)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/not-found")
    assert client.get("/api/v1/reports", headers=other).json() == []
    assert [r["id"] for r in client.get("/api/v1/reports",
                                        headers=people["donor"]).json()] == [echo]
    # asking for ECHO's report as DFID: as if ECHO did not exist
    answer = _api(client, other, "donor", "dfid-1", donor="ECHO",
                  **{"from": str(WEEK_AGO), "to": str(TODAY)})
    assert answer.status_code == 404 and "no donor ECHO" in answer.json()["detail"]
    assert "no donor ECHO" in unescape(_donor(client, other).text)


# bad input and empty periods -----------------------------------------------------------
def test_a_reversed_period_is_answered_next_to_the_field_with_the_input_kept(world):
    client, people = world
    answer = _donor(client, people["donor"], start=TODAY, end=WEEK_AGO, language="ar")
    assert answer.status_code == 400
    html = answer.text
    error = re.search(r'<span class="field-error" id="donor-to-error"[^>]*>([^<]+)</span>',
                      html)
    assert error and error.group(1).startswith("The last day") and "swap the two dates" in \
        error.group(1)
    assert 'aria-describedby="donor-to-error"' in html
    assert f'name="from" required value="{TODAY}"' in html  # kept
    assert f'name="to" required value="{WEEK_AGO}"' in html
    assert '<option value="ar" lang="ar" selected>' in html
    assert report_store.list_reports(client.app.state.ctx) == []  # nothing stored
    answer = _form(client, "/reports/donor", people["donor"], donor="ECHO",
                   **{"from": "2026-13-01"}, to=str(TODAY))
    assert answer.status_code == 400 and 'id="donor-from-error"' in answer.text
    answer = _api(client, people["donor"], "donor", "rev", donor="ECHO",
                  **{"from": str(TODAY), "to": str(WEEK_AGO)})
    assert answer.status_code == 400 and answer.json()["field"] == "to"
    answer = client.get(f"/api/v1/exports/movements?from={TODAY}&to={WEEK_AGO}",
                        headers=people["admin"])
    assert answer.status_code == 400 and "reversed" in answer.json()["detail"]
    page = client.get(f"/reports/exports/movements?from={TODAY}&to={WEEK_AGO}",
                      headers=people["admin"])
    assert page.status_code == 400 and 'id="export-to-error"' in page.text


def test_an_empty_period_says_so_in_the_page_and_in_the_files(world):
    client, people = world
    donor = people["donor"]
    answer = _donor(client, donor, "ECHO", *LONG_AGO)
    assert answer.status_code == 303, re.findall(r"(?:field-error|pre)[^>]*>([^<]*)", answer.text)
    assert "empty=1" in answer.headers["location"]
    page = client.get(answer.headers["location"], headers=donor).text
    assert "Nothing happened in this period" in page
    pdf = client.get(f"/reports/{_made(answer)}", headers=donor).content
    assert "Nothing of ECHO's was received" in _text(pdf)
    book = load_workbook(io.BytesIO(client.get(
        f"/reports/{_made(_donor(client, donor, 'ECHO', *LONG_AGO, format='xlsx', language='ar'))}",
        headers=donor).content))
    notes = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any("لم يُستلَم" in str(v) for row in notes for v in row)
    hub = _form(client, "/reports/hub", people["manager"], hub="DAM-HUB", period="month",
                **{"from": str(LONG_AGO[0])})
    assert hub.status_code == 303, re.findall(r"(?:field-error|pre)[^>]*>([^<]*)", hub.text)
    assert "empty=1" in hub.headers["location"]
    pdf = client.get(f"/reports/{_made(hub)}", headers=people["manager"]).content
    assert "Nothing happened at DAM-HUB in this period" in " ".join(_text(pdf).split())


# the files ------------------------------------------------------------------------------
def test_the_files_open_and_the_arabic_ones_read_right_to_left(world):
    client, people = world
    donor = people["donor"]
    english_pdf = client.get(f"/reports/{_made(_donor(client, donor))}", headers=donor)
    assert english_pdf.content.startswith(b"%PDF")
    assert english_pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in english_pdf.headers["content-disposition"]
    assert "page 1 of" in _text(english_pdf.content)
    arabic_pdf = client.get(f"/reports/{_made(_donor(client, donor, language='ar'))}",
                            headers=donor).content
    words = _text(arabic_pdf)
    assert arabic_pdf.startswith(b"%PDF") and "page 1 of" not in words
    assert "طُبع في" in words and "التقرير" in words and "Printed" not in words

    english = load_workbook(io.BytesIO(client.get(
        f"/reports/{_made(_donor(client, donor, format='xlsx'))}", headers=donor).content))
    assert english.sheetnames[0] == "Summary"
    assert not any(s.sheet_view.rightToLeft for s in english.worksheets)
    answer = client.get(f"/reports/{_made(_donor(client, donor, format='xlsx', language='ar'))}",
                        headers=donor)
    assert answer.headers["content-type"] == XLSX
    arabic = load_workbook(io.BytesIO(answer.content))
    assert arabic.sheetnames[:3] == ["الملخص", "المستلم", "المستلم مقابل المعلن"]
    assert all(s.sheet_view.rightToLeft for s in arabic.worksheets)
    stock = arabic["المخزون"]
    heads = [c.value for c in stock[1]]
    assert heads[:3] == ["الموقع", "الصنف", "اسم الصنف"]
    first = [c.value for c in stock[2]]
    assert first[:3] == ["DAM-HUB", "RICE", "أرز"] and first[8] == 40  # Arabic item name
    assert arabic["المطابقة"]["M2"].value == "✓"

    made = _made(_form(client, "/reports/hub", people["manager"], hub="DAM-HUB",
                       period="week", language="ar", **{"from": str(WEEK_AGO)}))
    hub = client.get(f"/reports/{made}", headers=people["manager"]).content
    assert hub.startswith(b"%PDF")
    made = _made(_form(client, "/reports/map", people["admin"], format="svg"))
    svg = client.get(f"/reports/{made}", headers=people["admin"])
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content


# the API --------------------------------------------------------------------------------
def test_the_api_makes_lists_and_serves_reports_idempotently(world):
    client, people = world
    admin = people["admin"]
    body = {"donor": "echo", "from": str(WEEK_AGO), "to": str(TODAY), "language": "ar",
            "format": "xlsx"}
    first = _api(client, admin, "donor", "api-1", **body)
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["kind"] == "donor" and made["empty"] is False
    assert made["params"] == {"donor": "ECHO", "from": str(WEEK_AGO), "to": str(TODAY),
                              "language": "ar", "format": "xlsx"}
    assert len(made["inputs_hash"]) == 64 and made["generated_by"] == "r-admin"
    again = _api(client, admin, "donor", "api-1", **body)  # a retry: the same report
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert _api(client, admin, "donor", "api-1", **{**body, "language": "en"}
                ).status_code == 409
    file = client.get(made["file"], headers=admin)
    assert load_workbook(io.BytesIO(file.content)).worksheets[0].sheet_view.rightToLeft
    assert client.get(f"/api/v1/reports/{made['id']}", headers=admin).json()["size"] == \
        len(file.content)
    hub = _api(client, people["manager"], "hub", "api-2", hub="DAM-HUB", period="month",
               **{"from": str(WEEK_AGO)})
    assert hub.status_code == 201 and hub.json()["params"]["period"] == "month"
    assert _api(client, people["manager"], "hub", "api-3", hub="ALP-HUB",
                **{"from": str(WEEK_AGO)}).status_code == 404
    assert _api(client, people["manager"], "map", "api-4").status_code == 403
    assert _api(client, people["reception"], "map", "api-5").status_code == 403
    assert _api(client, admin, "map", "api-6", format="png").status_code == 201
    assert _api(client, admin, "donor", "api-7", donor="NOPE", **{
        "from": str(WEEK_AGO), "to": str(TODAY)}).status_code == 404
    listed = client.get("/api/v1/reports?limit=2", headers=admin)
    assert listed.headers["X-Total-Count"] == "3" and len(listed.json()) == 2
    assert 'rel="next"' in listed.headers["Link"]
    assert [r["kind"] for r in client.get("/api/v1/reports?kind=hub",
                                          headers=admin).json()] == ["hub"]
    assert [r["kind"] for r in client.get("/api/v1/reports",
                                          headers=people["manager"]).json()] == ["hub"]


def test_exports_hold_only_what_the_caller_sees(world):
    client, people = world

    def rows(who, name="stock", **query):
        answer = client.get(f"/api/v1/exports/{name}", params={"format": "csv", **query},
                            headers=people[who])
        assert answer.status_code == 200, answer.text
        return answer.text.splitlines()[1:]

    assert len(rows("admin")) == 2
    assert [r.split(",")[1] for r in rows("manager")] == ["DAM-HUB"]  # its hub
    assert all(",ECHO," in r for r in rows("donor")) and len(rows("donor")) == 1
    assert rows("partner") == []
    assert client.get("/api/v1/exports/stock?site=ALP-HUB",
                      headers=people["manager"]).status_code == 404
    assert client.get("/api/v1/exports/stock?owner=WFP",
                      headers=people["donor"]).status_code == 404
    assert client.get("/api/v1/exports/nothing", headers=people["admin"]).status_code == 404
    assert client.get("/api/v1/exports/stock", headers=people["reception"]).status_code == 403
    hxl = client.get("/api/v1/exports/movements", headers=people["donor"])
    assert hxl.text.splitlines()[1].startswith("#date")
    book = client.get("/reports/exports/stock?format=xlsx", headers=people["donor"])
    assert load_workbook(io.BytesIO(book.content)).active.max_row == 2
    parquet = client.get("/reports/exports/3w?format=parquet", headers=people["admin"])
    assert parquet.content.startswith(b"PAR1")
    nothing = client.get(f"/reports/exports/iati?site=DAM-HUB&from={WEEK_AGO}&to={TODAY}",
                         headers=people["admin"])
    assert nothing.status_code == 404 and "has no goods" in unescape(nothing.text)


# a read-only database -------------------------------------------------------------------
def _read_only(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        return db_url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true"
    return db_url + "?options=-c%20default_transaction_read_only%3Don"


def test_on_a_read_only_database_the_file_is_written_but_not_recorded(world, db_url,
                                                                     tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # SQLite's file: URI makes a folder named after it
    target = tmp_path / "echo.pdf"
    result = CliRunner().invoke(cli, ["--database", _read_only(db_url), "--as", "tester",
                                      "report", "donor", "--donor", "ECHO",
                                      "--from", str(WEEK_AGO), "--to", str(TODAY),
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "not recorded" in result.output
    assert target.read_bytes().startswith(b"%PDF")
    hub = tmp_path / "hub.pdf"
    result = CliRunner().invoke(cli, ["--database", _read_only(db_url), "report", "hub",
                                      "--hub", "DAM-HUB", "--from", str(WEEK_AGO),
                                      "-o", str(hub)])
    assert result.exit_code == 0 and "not recorded" in result.output, result.output
    assert hub.read_bytes().startswith(b"%PDF")
    client, people = world
    assert report_store.list_reports(client.app.state.ctx) == []

    # the web and the API on the replica: the file is handed over, or 503 says why (the
    # token is used on the primary first: its once-a-minute stamp is a write)
    from aidhub.services.context import open_context

    assert client.get("/reports", headers=people["donor"]).status_code == 200

    replica = TestClient(create_app(open_context(_read_only(db_url), upgrade=False)))
    replica.get("/sign-in")
    answer = _donor(replica, people["donor"])
    assert answer.status_code == 200, answer.text[:3000]
    assert answer.headers["x-aidhub-not-recorded"] == "1"
    assert answer.content.startswith(b"%PDF")
    answer = _api(replica, people["donor"], "donor", "ro", donor="ECHO",
                  **{"from": str(WEEK_AGO), "to": str(TODAY)})
    assert answer.status_code == 503 and answer.json()["type"].endswith("/read-only")


def test_the_cli_writes_the_arabic_workbook_right_to_left_and_stores_it(world, db_url,
                                                                        tmp_path):
    target = tmp_path / "echo-ar.xlsx"
    result = CliRunner().invoke(cli, ["--database", db_url, "--as", "tester", "report",
                                      "donor", "--donor", "ECHO", "--from", str(WEEK_AGO),
                                      "--to", str(TODAY), "-o", str(target), "-l", "ar"])
    assert result.exit_code == 0, result.output
    assert "stored as report" in result.output and "not recorded" not in result.output
    book = load_workbook(target)
    assert book.sheetnames[0] == "الملخص" and book["الملخص"].sheet_view.rightToLeft
    client, _ = world
    [stored] = report_store.list_reports(client.app.state.ctx)
    assert stored.params["language"] == "ar" and stored.params["format"] == "xlsx"
