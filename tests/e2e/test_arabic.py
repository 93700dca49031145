"""The outbound flow in Arabic, in a real browser: sign in, switch to Arabic with Eastern
Arabic digits, walk from the convoy board to a waybill, record its proof of delivery,
and look at the plans. Every page is right to left and shows no English string of the
catalog; fields are found by id and name, since their labels are Arabic. Screenshots of
the pages go to tests/e2e/artifacts/."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from aidhub.web import i18n
from tests.e2e.conftest import sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
EASTERN = re.compile("[٠-٩]")
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('code, script, style') || !el.checkVisibility()) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value) out.push(value.trim());
    }
  }
  return out;
}"""


def _english() -> set[str]:
    """The catalog's English strings (and the words around their placeholders) that the
    Arabic catalog says differently."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        catalog = read_po(f)
    arabic = i18n.Choice("ar")
    out = set()
    for message in catalog:
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            if msgid and arabic.gettext(msgid) != msgid:
                chunks = [c.strip(" ·—:;,.()") for c in re.split(r"%\(\w+\)[sdr]", msgid)]
                # a lone word of an error's message ("... set %(variable)s") may be data
                out |= {c for c in chunks if len(c.split()) > 1 or _of_pages(message)}
    return {s for s in out if any(ch.isalpha() for ch in s)}


def _of_pages(message) -> bool:
    """Whether a message is written by the pages (not by the rules, whose errors use
    words that are also data: a unit called "set")."""
    return any(path.startswith("src/aidhub/web/") for path, _ in message.locations)


ENGLISH = _english()


def _check(page, name: str) -> None:
    """Right to left, no English string of the catalog, a screenshot."""
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    left = sorted({t for t in page.evaluate(VISIBLE_TEXT) if t in ENGLISH})
    assert left == [], f"{name}: {left}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"arabic-{name}.png"), full_page=True)


def _choose(page, language: str, numerals: str) -> None:
    prefs = page.locator("form#preferences")
    prefs.locator("#language").select_option(language)
    prefs.locator("#numerals").select_option(numerals)
    prefs.locator("button[type=submit]").click()


def test_the_outbound_flow_in_arabic(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, "admin")  # in English: the account's language until it changes
    try:
        _walk(page, server)
    finally:
        _choose(page, "en", "western")  # the demo's admin back as it was
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        context.close()


def _walk(page, server):
    page.goto(server + "/board")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    _choose(page, "ar", "eastern")
    expect(page).to_have_url(server + "/board")
    expect(page.locator("h1")).to_have_text("لوحة القوافل")
    rows = page.locator("#board tbody tr")
    assert rows.count() >= 2  # the English test records a proof of delivery on the first
    expect(rows.last.locator("td.hours")).to_contain_text(EASTERN)
    _check(page, "board")

    rows.last.locator("td.code a").first.click()
    expect(page.locator("h1")).to_contain_text("بوليصة الشحن")
    expect(page.locator("#timeline li").first).to_contain_text(EASTERN)
    _check(page, "waybill")

    pod = page.locator("form#pod")
    good = pod.locator("input[name=good_1]")
    shipped = int(good.input_value())
    good.fill(str(shipped - 1))
    pod.locator("input[name=short_1]").fill("1")
    pod.locator("select[name=seal_state]").select_option("intact")
    pod.locator("input[name=signer]").fill("أمل الخطيب")
    pod.locator("button[type=submit]").click()
    expect(page.locator("h1 .state")).to_have_text("تم التسليم")
    expect(page.locator("form#pod")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("بواسطة")
    _check(page, "delivered")

    page.goto(server + "/plans")
    expect(page.locator("h1")).to_have_text("خطط التوزيع")
    _check(page, "plans")
    page.locator("#plans tbody tr td.code a").first.click()
    expect(page.locator("#summary")).to_contain_text("متوسط نسبة التلبية")
    expect(page.locator("#summary")).to_contain_text("٪")
    _check(page, "plan")

    page.goto(server + "/")
    _check(page, "home")

    page.set_viewport_size({"width": 360, "height": 740})  # a small phone
    for path in ("/board", "/plans", "/"):
        page.goto(server + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide} px wide at 360 px"
    page.screenshot(path=str(ARTIFACTS / "arabic-home-360.png"), full_page=False)
