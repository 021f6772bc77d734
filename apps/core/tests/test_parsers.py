"""A body that cannot be parsed is a 400 parse_error, whatever the reason."""

import pytest

from apps.core.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db

NESTED = {
    "arrays": "[" * 100_000,
    "objects": '{"a":' * 50_000,
    "closed arrays": "[" * 20_000 + "]" * 20_000,
}


@pytest.mark.parametrize("body", list(NESTED))
@pytest.mark.parametrize(
    "url",
    ["/api/v1/auth/token/", "/api/v1/auth/register/", "/api/v1/auth/token/refresh/"],
)
def test_deeply_nested_json_is_a_parse_error_for_anonymous_callers(
    api_client, url, body
):
    response = api_client.post(url, NESTED[body], content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["code"] == "parse_error"


def test_deeply_nested_json_is_a_parse_error_for_members(auth_client, user):
    response = auth_client(user).post(
        "/api/v1/stores/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"email": "\xff"}', "application/json"),
        (b'{"email": NaN}', "application/json"),
        (b'{"email": "\xe9"}', "application/json; charset=utf-16"),
        (b"\x00\x01", "application/json"),
    ],
)
def test_any_unparsable_body_is_a_parse_error(api_client, body, content_type):
    response = api_client.generic(
        "POST", "/api/v1/auth/token/", body, content_type=content_type
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
