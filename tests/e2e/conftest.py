"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium against the real ASGI
application (labora.asgi under uvicorn, as `labora serve` runs it — HTTP on the lanes and the
live-updates websocket), served from a thread of the test process against the test database.

Fixtures for every e2e test:
- `browser` (session): headless Chromium at /usr/bin/chromium;
- `page`: a fresh browser context and page at desktop size (1280x800), closed after the test;
- `live_server` (here, overriding pytest-django's WSGI one, which has no websockets): one uvicorn
  server per test session, `.url` like pytest-django's; static files come through whitenoise;
- every test here runs with `transactional_db` (the live server's thread must see the data)
  and is marked `e2e`.
Helpers: `login(page, live_server, email, password)` signs in through the form;
`shot(page, name)` saves a full-page PNG in tests/e2e/artifacts/.

Without /usr/bin/chromium the tests are skipped, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from tests import factories

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


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup: Any) -> Iterator[SimpleNamespace]:
    import uvicorn

    from labora.asgi import application

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_config=None, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="e2e-asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start for the browser tests")
        time.sleep(0.02)
    from django.test.utils import modify_settings

    # pytest-django's autouse helper enables/disables this around each test that uses live_server.
    allowed = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", _live_server_modified_settings=allowed, server=server)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def live_server(_asgi_server: SimpleNamespace, transactional_db: Any) -> Iterator[SimpleNamespace]:
    yield _asgi_server
    _wait_until_idle(_asgi_server.server)


def _wait_until_idle(server: Any, timeout: float = 3.0) -> None:
    """Let the requests a test's pages left running finish before the database is flushed: on
    SQLite's shared in-memory test database a request still writing holds a table lock, and the
    flush then fails ("database table is locked") and leaves rows for the next test. (Open
    websockets also count as running tasks: hence the time limit.)"""
    deadline = time.monotonic() + timeout
    while server.server_state.tasks and time.monotonic() < deadline:
        time.sleep(0.02)


def new_page(browser: Any, server: Any, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Any, list[str]]:
    """A browser context of its own on `server` and its page: (context, page, errors), where
    errors collects script errors and console errors (Content-Security-Policy violations show
    up there too). Close the context when done."""
    context = browser.new_context(viewport=viewport, base_url=server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context, page, errors = new_page(browser, live_server)
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


def open_signed_in(
    browser: Any, server: Any, email: str, path: str, viewport: dict[str, int] = DESKTOP
) -> tuple[Any, Any, list[str]]:
    """A browser context of its own for `email` (two people at once: two calls), signed in, on
    `path`, once its live websocket has said hello. Returns (context, page, errors) where errors
    collects script errors and console errors, like the `page` fixture's js_errors."""
    context, page, errors = new_page(browser, server, viewport)
    login(page, server, email, factories.PASSWORD)
    page.goto(f"{server.url}{path}")
    page.locator('main[data-live-state="open"]').wait_for()
    return context, page, errors


def settle(*pages: Any, ms: int = 600) -> None:
    """Let each page finish what it started (the websocket's hello, a debounced read position)
    before the test's database is flushed: a request still running then can deadlock the flush
    on PostgreSQL."""
    for page in pages:
        page.locator('main[data-live-state="open"]').wait_for()
    pages[0].wait_for_timeout(ms)


# Counts what a page hears and asks: the last live event id, requests in flight (XHR, which htmx
# uses, and fetch; counted on the request objects, so a request whose element a swap removed still
# ends) and when anything last happened. Install it before the actions whose live echoes you want
# to wait out (`track_live`), then `wait_live_settled` before changing the database behind the
# page's back: otherwise a late refresh can show the change before the test expects it.
_TRACK_LIVE = """() => {
  if (window.__liveTrack) return;
  const t = (window.__liveTrack = { last: 0, inflight: 0, at: performance.now() });
  const touch = () => { t.at = performance.now(); };
  document.addEventListener("labora:live", (e) => {
    t.last = Math.max(t.last, (e.detail && e.detail.id) || 0);
    touch();
  });
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    t.inflight += 1;
    touch();
    this.addEventListener("loadend", () => { t.inflight -= 1; touch(); }, { once: true });
    return send.apply(this, args);
  };
  const plain = window.fetch.bind(window);
  window.fetch = async (...args) => {
    t.inflight += 1;
    touch();
    try { return await plain(...args); } finally { t.inflight -= 1; touch(); }
  };
}"""


def track_live(page: Any) -> None:
    page.evaluate(_TRACK_LIVE)


def wait_live_settled(page: Any, names: tuple[str, ...] = ("task.",), quiet_ms: int = 400) -> None:
    """Wait until the page has heard the live event of every change recorded so far whose name
    starts with one of `names` (events the page is sent), and what those events started
    (refreshes, reloads) is over, with nothing new for `quiet_ms`."""
    from django.db.models import Max, Q
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from labora.core.models import DomainEvent

    heard = Q()
    for name in names:
        heard |= Q(name__startswith=name)
    last = DomainEvent.objects.filter(heard).aggregate(m=Max("pk"))["m"] or 0
    try:
        page.wait_for_function(
            "([last, quiet]) => { const t = window.__liveTrack;"
            " return t.last >= last && t.inflight === 0 && performance.now() - t.at > quiet; }",
            arg=[last, quiet_ms],
            polling=100,
            timeout=20_000,
        )
    except PlaywrightTimeout:
        state = page.evaluate("() => ({...window.__liveTrack, now: performance.now()})")
        recent = list(DomainEvent.objects.filter(heard).order_by("-pk").values_list("pk", "name")[:5])
        raise AssertionError(f"the page did not settle: waiting for event {last}, page has {state}; {recent}") from None
