"""What every page owes a user on a cheap tablet over a slow link (issue 7): each form field
has a label a screen reader can read, and the heaviest page with the demo scenario weighs
well under 300 kB on first load (its HTML, stylesheet and script: nothing else is
fetched — no fonts, no images, no CDN)."""

import re

import pytest
from lxml import html as lxml_html

from aidhub.demo.scenario import load
from tests.helpers import web_client
from tests.integration.test_i18n_pages import _pages, client, numbers  # noqa: F401

BUDGET = 300 * 1024
FIELDS = "//input[not(@type='hidden') and not(@type='submit') and not(@type='button')]" \
         " | //select | //textarea"


def unlabelled(page: str) -> list[str]:
    doc = lxml_html.fromstring(page)
    targets = {label.get("for") for label in doc.iter("label") if label.get("for")}
    out = []
    for field in doc.xpath(FIELDS):
        if field.get("aria-label") or field.get("aria-labelledby") or field.get("title"):
            continue
        if field.get("id") and field.get("id") in targets:
            continue
        if any(a.tag == "label" for a in field.iterancestors()):
            continue
        out.append(lxml_html.tostring(field, encoding="unicode")[:120])
    return out


def test_every_form_field_has_a_label(client, numbers):  # noqa: F811
    missing = {}
    for path in _pages(numbers):
        response = client.get(path)
        assert response.status_code == 200, path
        found = unlabelled(response.text)
        if found:
            missing[path] = found
    assert missing == {}


def test_the_checker_sees_a_field_without_a_label():
    assert unlabelled('<form><input name="x"></form>')
    assert not unlabelled('<form><label>X <input name="x"></label></form>')
    assert not unlabelled('<form><label for="x">X</label><input id="x" name="x"></form>')


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_heaviest_page_of_the_demo_is_under_300_kb(ctx):
    load(ctx)
    browser = web_client(ctx, "admin")
    assets = {}
    weights = {}
    for path in ["/", "/dashboard", "/stock", "/consignments", "/board", "/requests",
                 "/plans", "/hits", "/loss-reports", "/convoys", "/reports", "/putaway",
                 "/consignments/import", "/admin/users", "/nodes"]:
        response = browser.get(path)
        assert response.status_code == 200, path
        total = len(response.content)
        own = r'(?:href|src)="(?:http://testserver)?(/static/[^"]+)"'
        for ref in re.findall(own, response.text):
            if ref not in assets:
                assets[ref] = len(browser.get(ref).content)
            total += assets[ref]
        assert not re.search(r'(?:href|src)="(?:https?:)?//(?!testserver/)', response.text), \
            path  # nothing from elsewhere
        weights[path] = total
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < BUDGET, f"{heaviest} weighs {weights[heaviest]:,} bytes"
