"""The pages in Arabic (right to left) and Russian, on both databases: every page a hub's
staff use speaks the user's language, with no English string of the catalog left, and
the header's form switches the language (for the account, or before signing in for the
browser)."""

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from aidhub.services import accounts
from aidhub.web import i18n
from aidhub.web.app import create_app
from tests.helpers import make_outbound_hub, web_client
from tests.integration.test_outbound_api import TRUCK, ok, picked, post

PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]")
READ_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}


class _Visible(HTMLParser):
    """The text people read on a page: text nodes and a few attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1
        self.texts += [v.strip() for k, v in attrs if k in READ_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible(html: str) -> list[str]:
    reader = _Visible()
    reader.feed(html)
    return reader.texts


def _english(lang: str) -> tuple[set[str], set[str]]:
    """The catalog's English that must not show in ``lang``: whole strings (a text node
    equal to one) and phrases of two words or more (found anywhere in the text)."""
    choice = i18n.Choice(lang)
    words, phrases = set(), set()
    for message in (m for m in _catalog() if m.id):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if choice.gettext(ids[0]) == ids[0] and len(ids) == 1:
            continue  # the same in both languages (none today)
        for msgid in ids:
            for chunk in PLACEHOLDER.split(msgid):
                chunk = chunk.strip(" ·—:;,.()")
                if not any(ch.isalpha() for ch in chunk):
                    continue
                if len(chunk.split()) > 1:
                    phrases.add(chunk)
                elif any(path.startswith("src/aidhub/web/") for path, _ in message.locations):
                    words.add(chunk)  # a lone word of an error's message ("... set
                    # %(variable)s") may be data (a unit called "set"): pages' words only
    return words, phrases


def _catalog():
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        return read_po(f)


def untranslated(html: str, lang: str) -> list[str]:
    words, phrases = _english(lang)
    texts = visible(html)
    whole = " | ".join(texts)
    return sorted({t for t in texts if t in words} | {p for p in phrases if p in whole})


@pytest.fixture
def client(ctx):
    make_outbound_hub(ctx)
    return web_client(ctx)


@pytest.fixture
def numbers(client):
    """A dispatched waybill, its pick list, release order and plan, and a loss report."""
    req, ro, pl = picked(client, 100)
    body = {"release_order": ro, "point": "DP-A", **TRUCK, "driver": "Khaled Haddad",
            "transporter": "TRANSCO", "seals": ["S-0091"], "by": "dispatcher"}
    wb = ok(post(client, "/api/v1/waybills", body, "wb"), 201)["waybill"]
    ok(post(client, f"/api/v1/waybills/{wb}/dispatch", {"by": "dispatcher"}, "go"))
    ok(post(client, f"/api/v1/waybills/{wb}/events", {
        "by": "dispatcher", "event": "at_checkpoint", "place": "Saraqeb"}, "ev"), 201)
    plan = client.get(f"/api/v1/release-orders/{ro}").json()["plan"]
    return {"wb": wb, "pl": pl, "ro": ro, "plan": plan, "req": req}


def _pages(n):
    return ["/", "/?site=DAM-HUB", "/board", "/plans", f"/plans/{n['plan']}",
            f"/release-orders/{n['ro']}", f"/pick-lists/{n['pl']}", f"/waybills/{n['wb']}",
            "/consignments", "/consignments/new", "/requests", "/hits", "/loss-reports",
            "/loss-reports?state=", "/pick-lists/new", "/consignments/import", "/putaway",
            "/reports",
            "/stock", "/stock?site=DAM-HUB&band=red", "/stock/card?item=RICE&site=DAM-HUB",
            "/requests/new", f"/requests/{n['req']}", "/convoys", "/admin/users",
            "/admin/users/admin", "/admin/tokens", "/admin/organisations"]


def _speak(ctx, lang, numerals="western", username="admin"):
    accounts.set_preferences(ctx, username, key=f"pref-{lang}-{numerals}", language=lang,
                             numerals=numerals)


def test_the_pages_are_english_by_default(client, numbers):
    for path in _pages(numbers):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="en" dir="ltr">' in page.text, path


def test_every_page_in_arabic_is_right_to_left_with_nothing_left_in_english(
        ctx, client, numbers):
    _speak(ctx, "ar", "eastern")
    for path in _pages(numbers):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="ar" dir="rtl" class="eastern-digits">' in page.text, path
        assert untranslated(page.text, "ar") == [], path
    waybill = client.get(f"/waybills/{numbers['wb']}").text
    assert "بوليصة الشحن" in waybill and "إثبات التسليم" in waybill
    assert "عند نقطة تفتيش" in waybill and "في Saraqeb" in waybill
    assert 'aria-label="البند ١: سليم"' in waybill
    assert re.search(r'name="good_1" inputmode="numeric" value="\d+"', waybill)  # typed: 0-9
    assert "٢٠٬٠٠٠" in waybill  # the truck's capacity, in Eastern digits, grouped
    assert re.search(r"\u2066[٠-٩]{4}-[٠-٩]{2}-[٠-٩]{2} [٠-٩]{2}:[٠-٩]{2}\u2069", waybill)
    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}", waybill)  # no Western dates left


def test_every_page_in_russian(ctx, client, numbers):
    _speak(ctx, "ru")
    for path in _pages(numbers):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="ru" dir="ltr">' in page.text, path
        assert untranslated(page.text, "ru") == [], path
    order = client.get(f"/release-orders/{numbers['ro']}").text
    assert "Распоряжение на отпуск" in order and re.search(r">\d+ единиц", order)


def test_the_checker_sees_english_left_on_a_page():
    html = '<p>Лист подбора</p><p>Stock</p><input placeholder="checkpoint, town">' \
           "<p>Loss report LR-1 (<span>open</span>): 5%</p><code>Stock</code>"
    assert untranslated(html, "ru") == ["Loss report", "Stock", "checkpoint, town", "open"]


def test_error_messages_made_by_the_pages_are_translated(ctx, client, numbers):
    _speak(ctx, "ar")
    client.get(f"/waybills/{numbers['wb']}")
    token = client.cookies.get("aidhub_csrf")
    refused = client.post(f"/waybills/{numbers['wb']}/pod", data={
        "csrf_token": token, "key": "pod-1", "signer": "Amal", "seal_state": "intact",
        "good_1": "101"})
    assert refused.status_code == 400
    assert "لم يُسجَّل إثبات التسليم." in refused.text  # the page's words
    assert "لكن لم يُشحن سوى" in refused.text  # the service's words ("but only ... were
    assert "were shipped" not in refused.text  # shipped"), in Arabic too
    assert untranslated(refused.text, "ar") == []


def test_errors_from_the_rules_speak_the_readers_language(ctx, client, numbers):
    """A code that names nothing, a value the rules refuse, an action the role may not
    take: in Arabic and in Russian, with the codes as typed; in English for the API."""
    for lang in ("ar", "ru"):
        _speak(ctx, lang)
        for path, status in (("/consignments/CN-NOPE-1", 404), ("/pick-lists/PL-NOPE", 404),
                             ("/stock/card?item=NOPE&site=DAM-HUB", 400),
                             ("/stock?site=NOPE", 400)):
            page = client.get(path)
            assert page.status_code == status, path
            assert untranslated(page.text, lang) == [], (lang, path)
            assert "NOPE" in page.text, path
    api = client.get("/api/v1/consignments/CN-NOPE-1")
    assert api.status_code == 404 and "CN-NOPE-1" in api.json()["detail"]
    assert api.json()["detail"].isascii()  # the API speaks English to scripts


def test_the_header_form_switches_the_users_language(ctx, client, numbers):
    plans = client.get("/plans")
    assert 'action="/preferences"' in plans.text and 'name="numerals"' in plans.text
    token = client.cookies.get("aidhub_csrf")
    forged = client.post("/preferences", data={"csrf_token": "forged", "language": "ar",
                                               "next": "/plans"}, follow_redirects=False)
    assert forged.status_code == 403
    assert _user(ctx, "admin").language == "en"

    bad = client.post("/preferences", data={"csrf_token": token, "language": "xx"},
                      follow_redirects=False)
    assert bad.status_code == 400

    switched = client.post("/preferences", data={
        "csrf_token": token, "language": "ar", "numerals": "eastern", "next": "/plans"},
        follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/plans"
    assert switched.cookies.get("aidhub_lang") == "ar"
    me = _user(ctx, "admin")
    assert (me.language, me.numerals) == ("ar", "eastern")
    page = client.get("/plans").text
    assert 'dir="rtl"' in page and "خطط التوزيع" in page
    assert '<option value="ar" lang="ar" selected>' in page

    back = client.post("/preferences", data={"csrf_token": token, "language": "ru",
                                              "next": "//elsewhere.example/"},
                       follow_redirects=False)
    assert back.headers["location"] == "/"  # never a redirect to another site
    assert _user(ctx, "admin").language == "ru"


def test_before_signing_in_the_cookie_then_the_browser_decides(ctx):
    make_outbound_hub(ctx)
    browser = TestClient(create_app(ctx), headers={"Accept-Language": "ar-SY,ar;q=0.9"})
    page = browser.get("/sign-in")
    assert '<html lang="ar" dir="rtl">' in page.text and "تسجيل الدخول" in page.text
    token = browser.cookies.get("aidhub_csrf")
    chosen = browser.post("/preferences", data={"csrf_token": token, "language": "ru",
                                                "next": "/sign-in"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/sign-in"
    page = browser.get("/sign-in")
    assert '<html lang="ru" dir="ltr">' in page.text and "Имя пользователя" in page.text
    assert untranslated(page.text, "ru") == []
    assert TestClient(create_app(ctx)).get("/sign-in").text.count('lang="en" dir="ltr"') == 1


def _user(ctx, username):
    return next(u for u in accounts.list_users(ctx) if u.username == username)
