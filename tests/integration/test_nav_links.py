"""The menu at the top of every page offers each person only the pages their roles open,
on both databases: signed in as each of the demo's people (one per role), every link in
it answers 200, and partners and donors are not shown the hub staff's pages, which would
refuse them."""

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from aidhub.demo.scenario import load
from aidhub.demo.users import DEMO_PASSWORD, USERS
from aidhub.web.app import create_app

START = dt.date(2026, 10, 1)
STAFF_PAGES = {"/consignments/new", "/putaway", "/hits", "/plans", "/board", "/convoys",
               "/admin/users", "/nodes"}


@pytest.fixture
def demo(ctx):
    load(ctx, seed=3, start=START, weeks=1)
    return ctx


def _signed_in(ctx, username: str) -> TestClient:
    """A browser signed in through the form, as the person would."""
    client = TestClient(create_app(ctx))
    client.get("/sign-in")
    done = client.post("/sign-in", data={
        "csrf_token": client.cookies.get("aidhub_csrf"), "username": username,
        "password": DEMO_PASSWORD, "next": "/"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return client


def _menu(client: TestClient, page: str = "/") -> list[str]:
    shown = client.get(page)
    assert shown.status_code == 200, page
    nav = re.search(r"<nav>(.*?)</nav>", shown.text, re.S)
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(1))


def test_every_link_in_the_menu_opens_for_whoever_sees_it(demo):
    menus = {}
    for username, _, role, _ in USERS:
        client = _signed_in(demo, username)
        links = _menu(client)
        assert links and links == _menu(client, "/requests"), role  # the same everywhere
        for link in links:
            assert client.get(link).status_code == 200, (role, link)
        menus[role] = set(links)
    assert menus["admin"] >= STAFF_PAGES
    assert {"/putaway", "/stock", "/consignments", "/board"} <= menus["warehouse"]
    assert "/consignments/new" in menus["reception"] and "/hits" in menus["screening"]
    assert "/hits" not in menus["warehouse"] and "/admin/users" not in menus["hub_manager"]
    assert "/nodes" in menus["hub_manager"] and "/reports" in menus["coordinator"]


@pytest.mark.parametrize("who", ["partner", "donor"])
def test_partners_and_donors_see_no_link_that_would_refuse_them(demo, who):
    client = _signed_in(demo, who)
    links = set(_menu(client))
    assert not links & STAFF_PAGES
    assert {"/dashboard", "/stock", "/consignments", "/requests", "/reports"} <= links
    for page in STAFF_PAGES:  # what the menu leaves out is indeed closed to them
        assert client.get(page).status_code in (403, 404), page
