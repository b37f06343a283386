"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium against
pytest-django's live server.

Fixtures for every e2e test:
- `browser` (session): headless Chromium at /usr/bin/chromium;
- `page`: a fresh browser context and page at desktop size (1280x800), closed after the test;
- `live_server` (pytest-django) serves the app and its static files (dist/app.js) from the test DB;
- every test here runs with `transactional_db` (the live server's thread must see the data)
  and is marked `e2e`.
Helpers: `login(page, live_server, email, password)` signs in through the form;
`shot(page, name)` saves a full-page PNG in tests/e2e/artifacts/.

Without /usr/bin/chromium the tests are skipped, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

# Playwright's sync API runs an event loop in this thread; Django refuses DB access from a
# thread with a running loop unless told it is safe (it is: the loop is Playwright's own).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
TIMEOUT_MS = 10_000

E2E_DIR = Path(__file__).parent
BUNDLE = E2E_DIR.parents[1] / "src" / "labora" / "web" / "static" / "labora" / "dist" / "app.js"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _chromium_missing_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if not BUNDLE.exists():
        return f"the front-end bundle {BUNDLE} is not built: run `make setup` (or `npm ci && npm run build`)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"e2e tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db: Any) -> None:
    """The live server runs in another thread: data must be committed for it to see it."""


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    # Content-Security-Policy violations and script errors show up here; a test can assert on them.
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors  # type: ignore[attr-defined]  # read by tests: assert not page.js_errors
    yield page
    context.close()


def login(page: Any, live_server: Any, email: str, password: str) -> None:
    """Sign in through the sign-in form and wait for the page after it."""
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert reverse("login") not in page.url, "sign-in failed: still on the sign-in page"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as tests/e2e/artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
