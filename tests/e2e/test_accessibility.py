"""axe-core (the accessibility engine browsers' audits use) on the main pages, in English
and in Arabic: no WCAG 2 A/AA violation — labels, names, contrast, language, landmarks —
and every page can be worked from the keyboard alone."""

from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PAGES = ["/", "/dashboard", "/stock", "/consignments", "/consignments/new",
         "/consignments/import", "/putaway", "/hits", "/requests", "/requests/new", "/plans",
         "/board", "/convoys", "/loss-reports", "/reports", "/admin/users", "/nodes"]


def violations(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => v.id + " (" + v.impact + "): " +
            v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' +
                (n.any[0] ? n.any[0].message : '')).join(' | '));
    }""")
    return result


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_main_pages_pass_axe(browser, server, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, server, "admin")
    if lang == "ar":
        page.select_option("#language", "ar")
        page.locator("#preferences button").click()
    found = {}
    try:
        for path in PAGES:
            page.goto(server + path)
            bad = violations(page)
            if bad:
                found[path] = bad
    finally:
        if lang == "ar":  # the language is the account's: the demo's admin back as it was
            page.select_option("#language", "en")
            page.locator("#preferences button").click()
            page.wait_for_load_state()
        context.close()
    assert found == {}


def test_a_form_can_be_filled_and_sent_from_the_keyboard(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, "admin")
    page.goto(server + "/requests/new")
    seen = []
    for _ in range(60):  # Tab moves through every control, in order, and shows where
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.name || "
                                  "document.activeElement.tagName"))
    for field in ("point", "needed_by", "priority", "submit"):  # reached, in this order
        assert field in seen, (field, seen)
    order = [seen.index(f) for f in ("point", "needed_by", "priority", "submit")]
    assert order == sorted(order)
    page.locator("select[name=point]").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    context.close()
