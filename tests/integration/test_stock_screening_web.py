"""The stock pages, the stock card (and its bin card PDF), the stock API's filters and
card, and the screening officer's hit review page, on both databases: the figures come
from the ledger, partners see their own goods only, and a hit is decided on its page by
someone other than who submitted what was screened."""

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from aidhub.services import consignments, reference, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.web import stock as stock_pages
from tests.helpers import TODAY, make_hub, move, receive, signed_in, web_client
from tests.integration.test_inbound import hub  # noqa: F401

FTM = (Path(__file__).parents[1] / "fixtures" / "lists" / "opensanctions-sample.ftm.json"
       ).read_bytes()
pytestmark = pytest.mark.usefixtures("midday")
SOON = (TODAY + dt.timedelta(days=40)).isoformat()  # under 3 months: red
LATER = (TODAY + dt.timedelta(days=200)).isoformat()  # under 9 months: yellow


class _Table(HTMLParser):
    """The rows of the table with a given id, as lists of cell texts."""

    def __init__(self, table_id: str):
        super().__init__(convert_charrefs=True)
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.depth = 1
        elif self.depth and tag == "table":
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag == "table":
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[list[str]]:
    reader = _Table(table_id)
    reader.feed(html)
    return reader.rows[1:]  # without the header row


def stock_rows(html: str) -> set[tuple[str, ...]]:
    """(site, location, item, lot, owner, quantity) of each line of the stock table."""
    return {(r[0], r[1], r[2], r[4], r[6], r[7]) for r in table(html, "stock")}


@pytest.fixture
def stocked(ctx):
    """DAM-HUB: 100 RICE B1 (ECHO) received at A-01, 30 of them moved to A-02; 40 RICE B2
    (WFP, expiring in 40 days) at A-02; 12 PARA P1 (WFP, in 200 days) at A-01; 25 RICE B1
    of SARC (a partner) at A-01. ALP-HUB: 7 TARP (ECHO) at A-01."""
    make_hub(ctx)
    reference.add_organisation(ctx, key="org-sarc", code="SARC", name="Syrian Arab Red "
                               "Crescent", type="ngo")
    receive(ctx, "RICE", 100, key="r1", batch="B1", expiry="2030-06-30", owner="ECHO")
    receive(ctx, "RICE", 40, key="r2", to="DAM-HUB/A-02", batch="B2", expiry=SOON,
            owner="WFP")
    receive(ctx, "PARA", 12, key="r3", batch="P1", expiry=LATER, owner="WFP")
    receive(ctx, "RICE", 25, key="r4", batch="B1", expiry="2030-06-30", owner="SARC")
    receive(ctx, "TARP", 7, key="r5", to="ALP-HUB/A-01", batch=None, expiry=None,
            owner="ECHO")
    move(ctx, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="t1", batch="B1",
         owner="ECHO")
    return ctx


ALL = {("DAM-HUB", "A-01", "RICE", "B1", "ECHO", "70"),
       ("DAM-HUB", "A-01", "RICE", "B1", "SARC", "25"),
       ("DAM-HUB", "A-01", "PARA", "P1", "WFP", "12"),
       ("DAM-HUB", "A-02", "RICE", "B1", "ECHO", "30"),
       ("DAM-HUB", "A-02", "RICE", "B2", "WFP", "40"),
       ("ALP-HUB", "A-01", "TARP", "", "ECHO", "7")}


def test_the_stock_page_shows_the_ledger_and_filters_it(stocked):
    client = web_client(stocked)
    page = client.get("/stock")
    assert page.status_code == 200
    assert stock_rows(page.text) == ALL
    assert '<span id="line-count">6</span>' in page.text
    assert 'href="/stock"' in page.text  # the nav's Stock link
    red = re.search(r'"lot">B2</td>\s*<td class="expiry date (\w+)">([^<]*)</td>', page.text)
    assert red.group(1) == "red" and SOON in red.group(2)
    assert re.search(r'class="expiry date yellow">[^<]*' + LATER, page.text)

    def rows(**query):
        found = client.get("/stock", params=query)
        assert found.status_code == 200, found.text
        return stock_rows(found.text)

    assert rows(site="DAM-HUB") == {r for r in ALL if r[0] == "DAM-HUB"}
    assert rows(site="dam-hub", location="A-02") == {r for r in ALL if r[1] == "A-02"
                                                      and r[0] == "DAM-HUB"}
    assert rows(item="TARP") == {r for r in ALL if r[2] == "TARP"}
    assert rows(lot="B2") == {r for r in ALL if r[3] == "B2"}
    assert rows(owner="WFP") == {r for r in ALL if r[4] == "WFP"}
    assert rows(item="RICE", owner="ECHO", site="DAM-HUB") == {
        r for r in ALL if r[2] == "RICE" and r[4] == "ECHO"}
    assert rows(band="red") == {r for r in ALL if r[3] == "B2"}
    assert rows(band="yellow") == {r for r in ALL if r[3] in ("B2", "P1")}
    assert rows(lot="NOPE") == set()

    bad = client.get("/stock", params={"item": "CAVIAR", "site": "DAM-HUB"})
    assert bad.status_code == 400
    assert re.search(r'id="error-item">no item with code (&#39;|\')CAVIAR', bad.text)
    assert 'name="item" list="catalog" size="16" value="CAVIAR"' in bad.text  # kept
    assert 'aria-invalid="true" aria-describedby="error-item"' in bad.text
    nowhere = client.get("/stock", params={"location": "A-01"})
    assert nowhere.status_code == 400 and "choose the site of the location" in nowhere.text


def test_the_stock_page_is_paged_and_keeps_its_filters(stocked, monkeypatch):
    monkeypatch.setattr(stock_pages, "PER_PAGE", 2)
    client = web_client(stocked)
    first = client.get("/stock", params={"site": "DAM-HUB"})
    assert len(table(first.text, "stock")) == 2
    assert "Lines 1–2 of 5 · page 1 of 3" in first.text
    nxt = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "site=DAM-HUB" in nxt and "page=2" in nxt
    seen = set()
    for n in (1, 2, 3):
        found = client.get("/stock", params={"site": "DAM-HUB", "page": n})
        seen |= stock_rows(found.text)
    assert seen == {r for r in ALL if r[0] == "DAM-HUB"}
    last = client.get("/stock", params={"site": "DAM-HUB", "page": 3})
    assert len(table(last.text, "stock")) == 1 and 'rel="next"' not in last.text
    assert "Lines 5–5 of 5" in last.text


def test_the_stock_card_has_every_movement_and_the_running_balance(stocked):
    client = web_client(stocked)
    page = client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB"})
    assert page.status_code == 200
    lines = table(page.text, "card")
    assert lines[0][2] == "Opening balance" and lines[0][-1] == "0"
    moves = [(r[2], r[3], r[4], r[5], r[7], r[8], r[9]) for r in lines[1:]]
    assert moves == [
        ("receipt", "", "B1", "ECHO", "100", "", "100"),
        ("receipt", "", "B2", "WFP", "40", "", "140"),
        ("receipt", "", "B1", "SARC", "25", "", "165"),
        ("transfer", "", "B1", "ECHO", "30", "30", "165")]
    assert re.search(r'id="closing"><strong>165</strong>', page.text)
    assert lines[4][6] == "A-01 → A-02"  # a move inside the card's places: from and to
    one = client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                            "location": "A-02", "lot": "B1"})
    lines = table(one.text, "card")
    assert [(r[2], r[6], r[7], r[9]) for r in lines[1:]] == [
        ("transfer", "DAM-HUB/A-01", "30", "30")]
    # the card link of each row of the stock list leads to a card closing at its quantity
    listing = client.get("/stock", params={"site": "DAM-HUB"}).text
    links = re.findall(r'<a href="(/stock/card\?[^"]+)"', listing)
    rows = table(listing, "stock")
    assert len(links) == len(rows) == 5
    for row, link in zip(rows, links, strict=True):
        card = client.get(link.replace("&amp;", "&"))
        assert card.status_code == 200
        closing = re.search(r'id="closing"><strong>(\d+)</strong>', card.text).group(1)
        assert closing == row[7], (row, link)
    # a period: the opening balance is what was there before it
    later = client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                              "from": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert table(later.text, "card") == []
    assert re.search(r'id="opening">165<', later.text)
    assert "No movement in this period." in later.text
    bad = client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB", "from": "soon"})
    assert bad.status_code == 400 and 'id="error-from"' in bad.text
    missing = client.get("/stock/card", params={"site": "DAM-HUB"})
    assert missing.status_code == 400 and 'id="error-item"' in missing.text
    assert client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                             "lot": "ZZ"}).status_code == 404


def test_the_bin_card_prints_the_card(stocked):
    client = web_client(stocked)
    pdf = client.get("/stock/card.pdf", params={"item": "RICE", "site": "DAM-HUB",
                                                "location": "A-02"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="bin-card-RICE-DAM-HUB-A-02.pdf"' in pdf.headers["content-disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Bin Card" in text and "RICE · DAM-HUB/A-02" in text
    assert "Closing balance" in text and "70 bag" in text
    assert re.search(r"transfer.*DAM-HUB/A-01.*30", text.replace("\n", " "))
    page = client.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                             "location": "A-02"}).text
    assert 'href="/stock/card.pdf?item=RICE&amp;site=DAM-HUB&amp;location=A-02"' in page


def test_a_partner_sees_only_its_own_stock_and_cards(stocked):
    partner = web_client(stocked, "partner", organisation="SARC")
    assert stock_rows(partner.get("/stock").text) == {
        ("DAM-HUB", "A-01", "RICE", "B1", "SARC", "25")}
    assert stock_rows(partner.get("/stock", params={"owner": "ECHO"}).text) == set()
    link = re.search(r'<a href="(/stock/card\?[^"]+)"', partner.get("/stock").text).group(1)
    assert "owner=SARC" in link
    card = partner.get("/stock/card", params={"item": "RICE", "site": "DAM-HUB"})
    assert card.status_code == 200
    assert [(r[2], r[5], r[9]) for r in table(card.text, "card")[1:]] == [
        ("receipt", "SARC", "25")]
    assert "ECHO" not in "".join(map(str, table(card.text, "card")))
    for path in ("/stock/card", "/stock/card.pdf", "/api/v1/stock/card"):
        hidden = partner.get(path, params={"item": "RICE", "site": "DAM-HUB",
                                           "owner": "ECHO"})
        assert hidden.status_code == 404, path
    api = partner.get("/api/v1/stock")
    assert {(r["owner"], r["quantity"]) for r in api.json()} == {("SARC", 25)}
    # hub staff of another hub see nothing of DAM-HUB's card
    aleppo = web_client(stocked, "warehouse", username="aleppo-store", hub="ALP-HUB")
    assert aleppo.get("/stock/card", params={"item": "RICE",
                                             "site": "DAM-HUB"}).status_code == 404
    assert aleppo.get("/stock/card", params={"item": "TARP",
                                             "site": "ALP-HUB"}).status_code == 200
    assert stock_rows(aleppo.get("/stock").text) == {r for r in ALL if r[0] == "ALP-HUB"}


def test_the_stock_api_filters_and_the_card_as_json(stocked):
    client = web_client(stocked)
    by = {k: client.get("/api/v1/stock", params={k: v}).json()
          for k, v in (("lot", "B2"), ("owner", "SARC"), ("item", "TARP"))}
    assert [(r["batch"], r["quantity"]) for r in by["lot"]] == [("B2", 40)]
    assert [(r["owner"], r["quantity"]) for r in by["owner"]] == [("SARC", 25)]
    assert [(r["site"], r["quantity"]) for r in by["item"]] == [("ALP-HUB", 7)]
    located = client.get("/api/v1/stock", params={"site": "DAM-HUB", "location": "A-02"})
    assert sorted(r["quantity"] for r in located.json()) == [30, 40]
    paged = client.get("/api/v1/stock", params={"limit": 2})
    assert len(paged.json()) == 2 and paged.headers["x-total-count"] == "6"
    assert 'rel="next"' in paged.headers["link"]

    card = client.get("/api/v1/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                                    "location": "A-01"})
    assert card.status_code == 200
    body = card.json()
    assert (body["opening"], body["total_in"], body["total_out"], body["closing"]) == (
        0, 125, 30, 95)
    assert [(ln["kind"], ln["quantity_in"], ln["quantity_out"], ln["balance"])
            for ln in body["lines"]] == [("receipt", 100, 0, 100), ("receipt", 25, 0, 125),
                                         ("transfer", 0, 30, 95)]
    page = client.get("/api/v1/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                                    "limit": 1, "offset": 1})
    assert page.headers["x-total-count"] == "4" and len(page.json()["lines"]) == 1
    assert page.json()["lines"][0]["balance"] == 140
    lot = client.get("/api/v1/stock/card", params={"item": "RICE", "site": "DAM-HUB",
                                                   "lot": "B2"}).json()
    assert (lot["lot"], lot["expiry"], lot["closing"]) == ("B2", SOON, 40)
    unknown = client.get("/api/v1/stock/card", params={"item": "RICE", "site": "NOWHERE"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/stock/card", params={"item": "RICE"}).status_code == 422


# screening ------------------------------------------------------------------------------
@pytest.fixture
def flagged(hub):  # noqa: F811
    """A consignment whose driver is on the list (submitted by the reception officer
    'amal'), held in screening."""
    screening.load_list(hub, FTM, key="ftm")
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
                       driver="Karim Mahmoud al-Halabi")
    reception = hub.as_actor("amal")
    number = consignments.register_preadvice(reception, advice, key="pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(reception, number, state, key=f"s{n}")
    assert consignments.view(hub, number).consignment.state.value == "held"
    (hit,) = [h for h in screening.list_hits(hub, state="open") if h.kind == "party"]
    return hub, number, hit


def test_a_screening_officer_reviews_a_hit_side_by_side_and_clears_it(flagged):
    ctx, number, hit = flagged
    officer = web_client(ctx, "screening", username="omar")
    queue = officer.get("/hits")
    assert f'href="/hits/{hit.id}"' in queue.text
    page = officer.get(f"/hits/{hit.id}")
    assert page.status_code == 200
    compared = {r[0]: r[1:] for r in table(page.text, "compare")}
    assert compared["Name that matched"][:2] == ["Karim Mahmoud al-Halabi",
                                                 "Karim Mahmoud Al-Halabi"]
    assert "كريم محمود الحلبي" in compared["Other names"][1]
    assert "1971-03-12" in compared["Date of birth"][1]
    assert "N012345678" in compared["Identity document"][1]
    assert compared["Submitted by"][0] == "amal"
    parts = {r[0]: r for r in table(page.text, "name-parts")}
    assert parts["AL-HALABI"][1:5] == ["family name", "AL-HALABI", "100%", "same"]
    assert parts["KARIM"][1] == "given name"
    held = table(page.text, "consignments")
    assert held == [[number, "DAM-HUB", "held", "driver", "held"]]
    assert f"consignment {number}" in page.text  # the hold in force
    assert 'id="decide"' in page.text and 'id="four-eyes"' not in page.text

    token = officer.cookies.get("aidhub_csrf")
    no_reason = officer.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": token, "key": "d0", "decision": "clear", "reason": " "})
    assert no_reason.status_code == 400
    assert 'id="error-reason"' in no_reason.text
    assert 'value="clear" required checked' in no_reason.text  # the choice is kept
    forged = officer.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": "forged", "key": "d1", "decision": "clear", "reason": "x"})
    assert forged.status_code == 403
    assert screening.list_hits(ctx, state="open")

    done = officer.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": token, "key": "d2", "decision": "clear",
        "reason": "driver born 1990 in Homs; national ID checked", "exemption": "none"},
        follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/hits/{hit.id}?released=")
    after = officer.get(done.headers["location"])
    assert 'id="decided"' in after.text and "holds released" in after.text
    decision = dict(zip(*[iter(re.findall(r"<d[td]>(.*?)</d[td]>", after.text.split(
        'id="decision"')[1].split("</dl>")[0]))] * 2, strict=True))
    assert decision["Decided by"].startswith("omar · ")
    assert decision["Reason"] == "driver born 1990 in Homs; national ID checked"
    assert "No hold from this hit is in force." in after.text
    assert 'id="decide"' not in after.text
    (decided,) = [h for h in screening.list_hits(ctx, state="cleared") if h.id == hit.id]
    assert decided.decided_by == "omar"
    again = officer.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": token, "key": "d3", "decision": "confirm", "reason": "second thoughts"})
    assert again.status_code == 400 and "this hit was already cleared" in again.text
    assert [h.state for h in screening.list_hits(ctx) if h.id == hit.id] == ["cleared"]
    assert officer.get("/hits/not-a-hit").status_code == 404


def test_the_submitter_cannot_decide_and_the_page_says_so(flagged):
    ctx, number, hit = flagged
    amal = web_client(ctx, "screening", username="amal")  # she also screens
    page = amal.get(f"/hits/{hit.id}")
    assert page.status_code == 200
    assert 'id="four-eyes"' in page.text and 'id="decide"' not in page.text
    refused = amal.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": amal.cookies.get("aidhub_csrf"), "key": "self", "decision": "clear",
        "reason": "it is not him"})
    assert refused.status_code == 403
    assert 'id="refused"' in refused.text and "four-eyes" in refused.text
    assert [h.state for h in screening.list_hits(ctx) if h.id == hit.id] == ["open"]
    assert consignments.view(ctx, number).consignment.state.value == "held"


def test_confirming_a_hit_on_its_page_rejects_the_consignment(flagged):
    ctx, number, hit = flagged
    officer = web_client(ctx, "screening", username="omar")
    officer.get(f"/hits/{hit.id}")
    done = officer.post(f"/hits/{hit.id}/decision", data={
        "csrf_token": officer.cookies.get("aidhub_csrf"), "key": "c", "decision": "confirm",
        "reason": "same person: passport N012345678 seen at the gate"})
    assert done.status_code == 200  # followed to the hit's page
    assert table(done.text, "consignments") == [[number, "DAM-HUB", "rejected", "driver",
                                                 "held"]]
    assert consignments.view(ctx, number).consignment.state.value == "rejected"


def test_a_goods_hit_page_shows_the_line_and_the_rule(hub):  # noqa: F811
    advice = PreAdvice("DAM-HUB", "WFP", "WFP",
                       [AdviceLine(3, description="Hunting rifle, boxed", unit="box")])
    number = consignments.register_preadvice(hub.as_actor("amal"), advice, key="g")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(hub, number, state, key=f"g{n}")
    (hit,) = [h for h in screening.list_hits(hub, state="open") if h.kind == "goods"]
    page = web_client(hub, "screening", username="omar").get(f"/hits/{hit.id}")
    assert page.status_code == 200
    compared = {r[0]: r[1:] for r in table(page.text, "compare")}
    assert compared["Description"][0] == "Hunting rifle, boxed"
    assert compared["Controlled-goods rule"][1] == "ARMS"
    assert table(page.text, "consignments")[0][:2] == [number, "DAM-HUB"]


def test_only_screening_officers_see_a_hit(flagged):
    ctx, _, hit = flagged
    for role in ("reception", "partner", "hub_manager"):
        headers = signed_in(ctx, role, username=f"x-{role}")
        client = web_client(ctx)
        assert client.get(f"/hits/{hit.id}", headers=headers).status_code == 403, role
