"""The first page and the JSON API."""

import datetime as dt

from aidhub.demo.scenario import load
from tests.helpers import make_hub, receive, web_client


def test_the_first_page_shows_stock_and_recent_movements(ctx):
    make_hub(ctx)
    receive(ctx, "RICE", 120, key="k1", expiry="2020-01-31")
    client = web_client(ctx)
    page = client.get("/", params={"site": "DAM-HUB"})
    assert page.status_code == 200
    html = page.text
    assert "Stock on hand at DAM-HUB" in html
    assert "RICE" in html and "120" in html and "(expired)" in html
    assert "receipt" in html


def test_an_empty_database_says_what_to_do(ctx):
    page = web_client(ctx).get("/")
    assert "aidhub demo load" in page.text


def test_the_api_returns_json_and_clear_errors(ctx):
    load(ctx, seed=2, start=dt.date(2026, 10, 1), weeks=1)
    client = web_client(ctx)
    rows = client.get("/api/v1/stock", params={"site": "ALP-HUB"}).json()
    assert rows and all(r["site"] == "ALP-HUB" and r["quantity"] > 0 for r in rows)
    moves = client.get("/api/v1/movements", params={"limit": 5}).json()
    assert len(moves) == 5
    missing = client.get("/api/v1/stock", params={"site": "NOWHERE"})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no site with code 'NOWHERE'; see `aidhub sites list`"
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["type"].endswith("/not-found")
    assert client.get("/", params={"site": "NOWHERE"}).status_code == 404


def test_api_lists_are_paginated_with_links(ctx):
    load(ctx, seed=2, start=dt.date(2026, 10, 1), weeks=1)
    client = web_client(ctx)
    default = client.get("/api/v1/stock")
    total = int(default.headers["x-total-count"])
    assert len(default.json()) == min(total, 100) and total > 3
    everything = client.get("/api/v1/stock", params={"limit": 1000})
    assert len(everything.json()) == total
    first = client.get("/api/v1/stock", params={"limit": 2})
    assert first.json() == everything.json()[:2]
    assert 'rel="next"' in first.headers["link"] and "offset=2" in first.headers["link"]
    last = client.get("/api/v1/stock", params={"limit": 2, "offset": total - 1})
    assert len(last.json()) == 1 and 'rel="next"' not in last.headers["link"]
    bad = client.get("/api/v1/stock", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "limit"]
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/consignments" in spec["paths"] and spec["info"]["title"] == "aidhub"
