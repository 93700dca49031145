"""A real browser (Debian's Chromium, driven by Playwright) against a real server."""

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from aidhub.demo.scenario import load
from aidhub.services.context import open_context
from aidhub.web.app import create_app

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    return os.environ.get("AIDHUB_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = _chromium()
    if not path:
        reason = "browser tests need Chromium (apt install chromium, or set AIDHUB_CHROMIUM)"
        if os.environ.get("AIDHUB_REQUIRE_BROWSER") == "1":
            pytest.fail("AIDHUB_REQUIRE_BROWSER=1 but " + reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """The web app on the demo scenario, served by uvicorn on a free local port."""
    path = tmp_path_factory.mktemp("e2e") / "demo.sqlite3"
    ctx = open_context(f"sqlite:///{path}")
    load(ctx, seed=7, start=dt.date(2026, 10, 1), weeks=2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def sign_in(page, server: str, username: str = "manager") -> None:
    """Sign in through the form, as a person of the demo would."""
    from playwright.sync_api import expect

    from aidhub.demo.users import DEMO_PASSWORD

    page.goto(server + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_be_visible()


@pytest.fixture
def page(browser, server):
    """A browser tab signed in as the demo's hub manager."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server)
    yield page
    context.close()
