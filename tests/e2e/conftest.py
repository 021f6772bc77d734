"""Real-browser tests: Playwright driving the system's headless Chromium.

No browser is downloaded: the tests use ``ORDERLY_CHROMIUM`` (default
``/usr/bin/chromium``, Debian's package). Without it they are skipped, unless
``ORDERLY_REQUIRE_BROWSER=1`` (as in CI), where a missing browser fails.
"""

import os
from pathlib import Path

import pytest

# Screenshots of what the browser drew; CI keeps this folder with the run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = os.environ.get("ORDERLY_CHROMIUM", "/usr/bin/chromium")
# pytest-django's live server listens here: the loopback address alone, named
# as such, so that the pages of other origins in the tests are on it too.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("ORDERLY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package")
        pytest.skip(
            f"no Chromium at {CHROMIUM} (make e2e installs nothing; see README)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are plain synchronous code between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    # Assertions wait as long as actions: ReDoc renders the whole schema
    # before its title, which took over expect()'s default 5 s on a loaded CI
    # machine.
    expect.set_options(timeout=15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Return a function that signs a user in to the admin in ``page``."""
    from playwright.sync_api import expect

    from apps.users.tests.factories import PASSWORD

    def log_in(user, next_url="/admin/"):
        page.goto(f"/admin/login/?next={next_url}")
        page.fill("#id_username", user.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text(user.first_name)

    return log_in
