"""The OpenAPI schema is accurate: schemathesis fuzzes every operation.

Every operation of the published schema is called with generated data
(authenticated as the owner of a real store, whose slug is used for the
store-scoped paths). Each response must not be a 5xx and must conform to the
schema (documented status code, content type and body); data the schema calls
valid must be accepted and data it calls invalid refused; a method the schema
does not list must be 405 with ``Allow``; an operation that requires a token
must refuse a request without one.
"""

import json
import re
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from apps.core.money import MAX_DIGITS, TOTAL_MAX_DIGITS, amount_pattern
from apps.core.preconditions import IF_MATCH_PATTERN
from apps.customers.countries import COUNTRY_CODES
from apps.customers.tests.factories import AddressFactory, CustomerFactory
from apps.orders.tests.factories import place_order
from apps.products.tests.factories import CategoryFactory, ProductFactory
from apps.stores.tests.factories import MembershipFactory

# What the checks count as refusing data the schema calls invalid: the
# statuses the API answers a bad request with. 5xx is not among them (it is
# not_a_server_error's business, and here a failure), nor is 429: counters
# are reset before every example, so nothing is throttled.
REJECTED = ["400", "401", "403", "404", "405", "409", "412", "413", "415", "422"]

# What counts as accepting data the schema calls valid. Besides success, the
# answers to well-formed requests that the state of the data refuses: 404 for
# an id that names nothing (ids in paths are generated), 409 for a conflict
# with stored data, 401 for credentials that do not exist (login, refresh and
# logout tokens are generated), 403 for a role that does not allow the action,
# 412 for an If-Match that is well-formed but not the item's current tag (a
# generated tag is never the current one).
# 400 is not here: a 400 for schema-valid data is a schema that says too
# little, except for the business rules in BUSINESS_RULE_ERRORS below.
ACCEPTED = ["2xx", "304", "401", "403", "404", "409", "412"]

# Field errors of 400 answers to well-formed data that no schema can foresee:
# a value taken by another row, a reference to a row that does not exist, a
# token the server did not issue (a reset token, a page cursor), a secret that
# does not match, and the password validators (apart from the minimum length,
# which the schema states).
BUSINESS_RULE_ERRORS = {
    (None, "unique"),
    (None, "not_found"),
    (None, "invalid_reset_token"),
    (None, "invalid_cursor"),
    (None, "password_too_common"),
    (None, "password_too_similar"),
    (None, "password_entirely_numeric"),
    ("current_password", "invalid"),
    # Orders: a product that is not for sale or is on two lines, "exactly one
    # of" two fields, an order total beyond the column, restock lines that
    # do not match the order's lines.
    (None, "unavailable"),
    (None, "duplicate"),
    (None, "one_of_required"),
    (None, "total_too_large"),
    (None, "not_a_line"),
    (None, "out_of_range"),
    # The payment webhook: generated headers carry no valid signature.
    (None, "invalid_signature"),
    (None, "stale_timestamp"),
    (None, "invalid_headers"),
    # Reports: `from` after `to`, or a CSV export longer than a year.
    (None, "invalid_range"),
}

CONFIG = SchemathesisConfig.from_dict(
    {
        # Requests carry the fixture owner's real token. A missing or forged
        # token is ignored_auth's business: it sends both for every operation.
        "generation": {"with-security-parameters": False},
        "checks": {
            "negative_data_rejection": {"expected-statuses": REJECTED},
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
    }
)


def _breaks_only_business_rules(response: Any) -> bool:
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    errors = problem.get("errors") or [{"field": None, "code": problem.get("code")}]
    return all(
        (None, error.get("code")) in BUSINESS_RULE_ERRORS
        or (error.get("field"), error.get("code")) in BUSINESS_RULE_ERRORS
        for error in errors
    )


def accepts_schema_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, knowing the API's business rules.

    A 400 whose every field error is one of BUSINESS_RULE_ERRORS is the answer
    to well-formed data; any other 400 still fails the check.
    """
    if response.status_code == 400 and _breaks_only_business_rules(response):
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    accepts_schema_valid_data,
    unsupported_method,
    missing_required_header,
    ignored_auth,
]

# A CSV body has a grammar of its own that no JSON schema states: whether a
# generated text is a valid product file is the business of the import's own
# tests (apps/products/tests/test_import.py), not of this one.
CSV_IMPORT = ("POST", "/api/v1/stores/{store_slug}/products/import/")


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
    """The owner of a store with one of everything, and the ids to reach them."""
    from apps.users.services import user_tokens_issue

    # KWD has three decimals, the most of any currency: every price the
    # schema admits fits it.
    membership = MembershipFactory(role="owner", store__currency="KWD")
    store = membership.store
    staff = MembershipFactory(store=store, role="staff")
    category = CategoryFactory(store=store)
    customer = CustomerFactory(store=store)
    own = CustomerFactory(
        store=store, user=membership.user, email=membership.user.email
    )
    ids = {
        "membership_id": staff.pk,
        "category_id": category.pk,
        "product_id": ProductFactory(store=store, category=category).pk,
        "customer_id": customer.pk,
        "address_id": AddressFactory(customer=customer).pk,
        "my_address_id": AddressFactory(customer=own).pk,
        "order_id": place_order(customer=customer).pk,
    }
    return store, user_tokens_issue(user=membership.user)["access"], ids


def _reset_cache() -> None:
    if hasattr(cache, "delete_pattern"):  # django-redis: only this run's prefix
        cache.delete_pattern("*")
    else:
        cache.clear()


# Generating the schema needs no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, fuzz_owner):
    store, access, ids = fuzz_owner
    path = case.path_parameters or {}
    if "store_slug" in path:
        path["store_slug"] = store.slug
    # Valid ids name the fixture's rows, so that operations answer with data
    # rather than 404; an invalid id (negative data) is sent as generated.
    if case.meta is not None and not case.meta.is_negative_at(ParameterLocation.PATH):
        for name in path.keys() & ids.keys():
            path[name] = str(ids[name])
        if "address_id" in path and "/me/" in case.path:
            path["address_id"] = str(ids["my_address_id"])
    checks = CHECKS
    if (case.method, case.path) == CSV_IMPORT:
        checks = [check for check in CHECKS if check is not accepts_schema_valid_data]
    # Every example starts from the fixture's data and empty counters and
    # caches, so that what it is answered depends on its own data only.
    _reset_cache()
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {access}"}, checks=checks
        )
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def document():
    """The published schema, fetched once: generating it reads no rows."""
    from django.test import Client

    return Client().get("/api/schema/?format=json").json()


def _request_component(document, path, method):
    content = document["paths"][path][method]["requestBody"]["content"]
    reference = content["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][reference.rsplit("/", 1)[1]]


def test_the_schema_declares_jwt_and_problem_responses(document):
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "Problem" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "401", "404", "406", "413", "429"}
            assert expected <= set(responses), (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )


def test_strict_request_bodies_refuse_unknown_fields(document):
    # SimpleJWT's token serializers ignore unknown fields (ADR 0003).
    # A payment provider's event may carry fields of its own: the signature,
    # not the shape, is what the payment webhook checks.
    lenient = {
        "TokenObtainInputRequest",
        "TokenRefreshInputRequest",
        "PaymentEventInputRequest",
        "PaymentDataInputRequest",
    }
    requests = {
        name: component
        for name, component in document["components"]["schemas"].items()
        if name.endswith("Request") and name not in lenient
    }
    assert "PatchedMembershipUpdateInputRequest" in requests
    for name, component in requests.items():
        assert component.get("additionalProperties") is False, name


def test_a_role_change_requires_the_role(document):
    path = "/api/v1/stores/{store_slug}/members/{membership_id}/"
    assert document["paths"][path]["patch"]["requestBody"]["required"] is True
    assert _request_component(document, path, "patch")["required"] == ["role"]


def test_patch_bodies_require_nothing_their_serializer_leaves_optional(document):
    path = "/api/v1/stores/{store_slug}/products/{product_id}/"
    assert "required" not in _request_component(document, path, "patch")
    assert "required" not in document["paths"][path]["patch"]["requestBody"]


def test_the_price_pattern_admits_what_the_server_admits(document):
    path = "/api/v1/stores/{store_slug}/products/"
    price = _request_component(document, path, "post")["properties"]["price"]
    for refused in ("", "-", ".", "-1", "1e3", "1.2345", "1000000000", 4.5):
        assert not (
            isinstance(refused, str) and re.fullmatch(price["pattern"], refused)
        )
    for admitted in ("0", "4.50", "999999999.999"):
        assert re.fullmatch(price["pattern"], admitted)


# Every amount the API renders, and the precision of its value (sums are wider).
AMOUNTS = {
    ("ProductStaffOutput", "price"): MAX_DIGITS,
    ("OrderOutput", "subtotal"): MAX_DIGITS,
    ("OrderOutput", "total"): MAX_DIGITS,
    ("OrderDetailOutput", "total"): MAX_DIGITS,
    ("OrderItemOutput", "unit_price"): MAX_DIGITS,
    ("OrderItemOutput", "line_total"): MAX_DIGITS,
    ("CustomerOutput", "total_spent"): TOTAL_MAX_DIGITS,
    ("OrderSummaryRow", "total"): TOTAL_MAX_DIGITS,
}


@pytest.mark.parametrize(("component", "name"), AMOUNTS)
def test_every_amount_is_a_string_in_the_rendered_grammar(document, component, name):
    schemas = document["components"]["schemas"]
    amount = schemas[component]["properties"][name]
    assert (amount["type"], amount["pattern"], amount["readOnly"]) == (
        "string",
        amount_pattern(max_digits=AMOUNTS[component, name]),
        True,
    )
    for rendered in ("21.00", "1500", "1.250"):
        assert re.fullmatch(amount["pattern"], rendered)


def test_countries_are_an_enum_of_upper_case_codes(document):
    schemas = document["components"]["schemas"]
    assert schemas["CountryCode"]["type"] == "string"
    assert schemas["CountryCode"]["enum"] == list(COUNTRY_CODES)
    assert len(COUNTRY_CODES) == 249
    assert all(re.fullmatch("[A-Z]{2}", code) for code in COUNTRY_CODES)
    reference = "#/components/schemas/CountryCode"
    for component in (
        "AddressCreateInputRequest",
        "PatchedAddressUpdateInputRequest",
        "ShippingAddressInputRequest",
        "AddressOutput",
    ):
        country = schemas[component]["properties"]["country"]
        assert reference in json.dumps(country), component


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("post", "/stores/{store_slug}/products/import/", ["import_conflict"]),
        (
            "post",
            "/stores/{store_slug}/products/{product_id}/stock-adjustments/",
            ["insufficient_stock", "stock_limit"],
        ),
        ("post", "/stores/{store_slug}/members/", ["already_member"]),
        ("patch", "/stores/{store_slug}/members/{membership_id}/", ["last_owner"]),
        ("delete", "/stores/{store_slug}/members/{membership_id}/", ["last_owner"]),
        ("post", "/stores/{store_slug}/customers/me/", ["customer_email_taken"]),
        (
            "post",
            "/stores/{store_slug}/customers/{customer_id}/link-account/",
            ["account_already_linked", "no_account"],
        ),
        (
            "post",
            "/stores/{store_slug}/customers/{customer_id}/addresses/",
            ["address_limit_reached"],
        ),
        (
            "post",
            "/stores/{store_slug}/customers/me/addresses/",
            ["address_limit_reached"],
        ),
    ],
)
def test_every_conflict_a_service_raises_is_declared(document, method, path, codes):
    responses = document["paths"][f"/api/v1{path}"][method]["responses"]
    assert list(responses["409"]["content"]) == ["application/problem+json"]
    for code in codes:
        assert f"`{code}`" in responses["409"]["description"]


# Every write that takes If-Match (ADR 0036), and the read of each item.
CONDITIONAL_WRITES = [
    ("patch", "/stores/{store_slug}/"),
    ("patch", "/stores/{store_slug}/products/{product_id}/"),
    ("delete", "/stores/{store_slug}/products/{product_id}/"),
    ("patch", "/stores/{store_slug}/categories/{category_id}/"),
    ("delete", "/stores/{store_slug}/categories/{category_id}/"),
    ("patch", "/stores/{store_slug}/customers/{customer_id}/"),
    ("post", "/stores/{store_slug}/customers/{customer_id}/link-account/"),
    ("patch", "/stores/{store_slug}/customers/me/"),
    ("patch", "/stores/{store_slug}/customers/{customer_id}/addresses/{address_id}/"),
    ("delete", "/stores/{store_slug}/customers/{customer_id}/addresses/{address_id}/"),
    ("patch", "/stores/{store_slug}/customers/me/addresses/{address_id}/"),
    ("delete", "/stores/{store_slug}/customers/me/addresses/{address_id}/"),
    *[
        ("post", f"/stores/{{store_slug}}/orders/{{order_id}}/{verb}/")
        for verb in ("cancel", "pay", "ship", "deliver", "refund")
    ],
]
TAGGED_READS = sorted({path for method, path in CONDITIONAL_WRITES if method != "post"})


def _if_match_parameters(operation):
    return [
        parameter
        for parameter in operation.get("parameters", [])
        if (parameter["in"], parameter["name"]) == ("header", "If-Match")
    ]


@pytest.mark.parametrize(("method", "path"), CONDITIONAL_WRITES)
def test_a_write_that_takes_if_match_declares_it_its_412_and_the_new_etag(
    document, method, path
):
    operation = document["paths"][f"/api/v1{path}"][method]
    (header,) = _if_match_parameters(operation)
    assert header["schema"]["pattern"] == IF_MATCH_PATTERN
    assert header.get("required", False) is False  # without it, writes go through
    responses = operation["responses"]
    assert list(responses["412"]["content"]) == ["application/problem+json"]
    assert "`precondition_failed`" in responses["412"]["description"]
    if method != "delete":
        assert "ETag" in responses["200"]["headers"]


def test_no_other_operation_declares_if_match(document):
    declared = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if _if_match_parameters(operation)
    }
    assert declared == set(CONDITIONAL_WRITES)


@pytest.mark.parametrize("path", TAGGED_READS)
def test_the_read_of_an_editable_item_declares_its_etag_and_304(document, path):
    responses = document["paths"][f"/api/v1{path}"]["get"]["responses"]
    assert "ETag" in responses["200"]["headers"]
    assert "ETag" in responses["304"]["headers"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_their_assets_from_this_server(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html
    assert "unpkg" not in html


def _operations(document):
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_product_reads_document_the_public_and_the_members_shape(document):
    schemas = document["components"]["schemas"]
    product = "#/components/schemas/ProductForAudience"
    paths = document["paths"]
    page = paths["/api/v1/stores/{store_slug}/products/"]["get"]["responses"]["200"]
    page_ref = page["content"]["application/json"]["schema"]["$ref"]
    page_schema = schemas[page_ref.rsplit("/", 1)[1]]
    assert page_schema["properties"]["results"]["items"]["$ref"] == product
    item = paths["/api/v1/stores/{store_slug}/products/{product_id}/"]["get"]
    assert item["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": product
    }
    assert schemas["ProductForAudience"]["oneOf"] == [
        {"$ref": "#/components/schemas/ProductPublicOutput"},
        {"$ref": "#/components/schemas/ProductStaffOutput"},
    ]
    # A member's product has every public field: only a closed public shape
    # keeps the two alternatives exclusive.
    public = schemas["ProductPublicOutput"]
    assert public["additionalProperties"] is False
    staff_only = {"stock_quantity", "low_stock_threshold", "is_low_stock", "is_active"}
    assert not staff_only & set(public["properties"])
    assert staff_only <= set(schemas["ProductStaffOutput"]["required"])


def test_every_operation_declares_its_security_and_public_ones_none(document):
    for method, path, operation in _operations(document):
        assert "security" in operation, (method, path)
        assert operation["security"] != [{}], (method, path)
    webhook = document["paths"]["/api/v1/stores/{store_slug}/payments/webhook/"]
    assert webhook["post"]["security"] == []


def test_no_operation_publishes_a_docstring_it_inherits(document):
    from apps.stores.scoping import StoreScopedViewMixin

    inherited = " ".join((StoreScopedViewMixin.__doc__ or "").split())
    for method, path, operation in _operations(document):
        description = " ".join(operation.get("description", "").split())
        assert description != inherited, (method, path)


def test_order_placement_declares_the_idempotent_replayed_header(document):
    operation = document["paths"]["/api/v1/stores/{store_slug}/orders/"]["post"]
    header = operation["responses"]["201"]["headers"]["Idempotent-Replayed"]
    assert header["schema"]["enum"] == ["false", "true"]
