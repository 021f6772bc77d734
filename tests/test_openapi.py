"""The OpenAPI schema is accurate: schemathesis fuzzes every operation.

Every operation of the published schema is called with generated data
(authenticated as the owner of a real store, whose slug is used for the
store-scoped paths), and each response must not be a 5xx and must conform
to the schema: documented status code, content type and body.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.stores.tests.factories import MembershipFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_test_connection(db):
    """Serve the raw WSGI app inside the test transaction.

    Django closes database connections when a request starts and ends; its
    test client turns that off, and so must a test that calls the WSGI app
    directly, or PostgreSQL would lose the test's transaction.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_owner(keep_test_connection):
    from apps.users.services import user_tokens_issue

    membership = MembershipFactory(role="owner")
    MembershipFactory(store=membership.store, role="staff")
    return membership, user_tokens_issue(user=membership.user)["access"]


# Generating the schema needs no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application()
)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, fuzz_owner):
    membership, access = fuzz_owner
    if "store_slug" in (case.path_parameters or {}):
        case.path_parameters["store_slug"] = membership.store.slug
    case.call_and_validate(headers={"Authorization": f"Bearer {access}"}, checks=CHECKS)


def test_the_schema_declares_jwt_and_problem_responses(client):
    document = client.get("/api/schema/?format=json").json()
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "Problem" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "404", "429"} <= set(responses), (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_their_assets_from_this_server(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html
    assert "unpkg" not in html
