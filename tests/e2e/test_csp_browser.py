"""The admin, Swagger UI and ReDoc work under the Content Security Policy."""

import pytest
from playwright.sync_api import expect

from apps.users.tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """Collect every CSP refusal Chromium reports on the page's console."""
    violations: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            violations.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    return violations


def test_swagger_ui_renders_the_schema_under_the_policy(page, csp_violations):
    response = page.goto("/api/docs/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Orderly")
    expect(page.locator(".opblock").first).to_be_visible()
    assert csp_violations == []


def test_redoc_renders_the_schema_under_the_policy(page, csp_violations):
    page.goto("/api/redoc/")

    expect(page.locator("h1").first).to_contain_text("Orderly")
    expect(
        page.locator("[role=search] input, input[placeholder=Search]")
    ).to_have_count(1)
    assert csp_violations == []


def test_the_admin_works_under_the_policy(page, log_in, csp_violations):
    log_in(UserFactory(email="staff@orderly.test", is_staff=True, is_superuser=True))

    page.goto("/admin/orders/order/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/admin/products/product/add/")
    expect(page.locator("#id_name")).to_be_visible()
    assert csp_violations == []
